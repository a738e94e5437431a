from tests import factories


def _walk(client, url):
    seen, pages = [], 0
    while url:
        r = client.get(url)
        assert r.status_code == 200
        body = r.json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if body["next_cursor"]:
            assert r.headers["link"].endswith('; rel="next"')
            url = r.headers["link"].split(">")[0].lstrip("<").replace("http://testserver", "")
        else:
            assert "link" not in r.headers
            url = None
    return seen, pages


def test_cursor_walks_every_row_once_in_name_order(client, session):
    for name in ["Cara", "Abe", "Bea", "Abe", "Dee", "Eve", "Bea"]:
        factories.stakeholder(session, name=name)
    session.commit()
    ids, pages = _walk(client, "/api/v1/stakeholders?limit=2")
    assert pages == 4
    assert len(ids) == len(set(ids)) == 7
    names = [client.get(f"/api/v1/stakeholders/{i}").json()["name"] for i in ids]
    assert names == sorted(names)


def test_cursor_is_stable_under_inserts(client, session):
    for name in ["Ann", "Bob", "Cat", "Dan"]:
        factories.stakeholder(session, name=name)
    session.commit()
    first = client.get("/api/v1/stakeholders?limit=2").json()
    factories.stakeholder(session, name="Aaron")  # sorts before the cursor: must not shift the next page
    session.commit()
    second = client.get(f"/api/v1/stakeholders?limit=2&cursor={first['next_cursor']}").json()
    assert [p["name"] for p in second["items"]] == ["Cat", "Dan"]


def test_limit_bounds_and_bad_cursors(client):
    assert client.get("/api/v1/stakeholders?limit=0").status_code == 422
    assert client.get("/api/v1/stakeholders?limit=501").status_code == 422
    assert client.get("/api/v1/stakeholders?limit=500").status_code == 200
    # ... and a cursor naming NULL for a key that is never NULL (W251bGwsIDFd is [null, 1]).
    for cursor in ["not-base64!", "WzFd", "eyJhIjoxfQ", "WyJhIiwiYiJd", "W251bGwsIDFd"]:
        r = client.get(f"/api/v1/stakeholders?cursor={cursor}")
        assert r.status_code == 400, cursor
        assert r.headers["content-type"] == "application/problem+json"


def test_membership_list_pages(client, session):
    group = factories.group(session)
    for _ in range(5):
        factories.membership(session, group=group, stakeholder=factories.stakeholder(session))
    session.commit()
    ids, pages = _walk(client, f"/api/v1/groups/{group.id}/memberships?limit=2")
    assert len(set(ids)) == 5 and pages == 3


def _queries_for(client, count_queries, url):
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_list_endpoints_run_a_constant_number_of_queries(client, session, count_queries):
    org = factories.organisation(session)
    group = factories.group(session)
    child = factories.group(session, parent_id=group.id)
    for _ in range(30):
        person = factories.stakeholder(session, organisation_id=org.id)
        factories.membership(session, group=group, stakeholder=person)
        factories.membership(session, group=child, stakeholder=person)
        factories.organisation(session)
    session.commit()
    for url in ["/api/v1/stakeholders", "/api/v1/organisations", "/api/v1/groups",
                f"/api/v1/groups/{group.id}/memberships", "/api/v1/audit-events"]:
        small = _queries_for(client, count_queries, f"{url}?limit=3")
        large = _queries_for(client, count_queries, f"{url}?limit=60")
        assert small == large, (url, small, large)
        assert large <= 4, (url, large)

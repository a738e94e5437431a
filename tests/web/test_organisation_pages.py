"""The organisations directory and an organisation's page: search, sector filter, paging, people
and seats, as full pages and htmx fragments, in a constant number of queries."""

import re
from datetime import date, timedelta

from tests import factories
from web.routes import directory

HTMX = {"HX-Request": "true"}


def _results(html: str) -> str:
    return html[html.index('id="organisations-results"'):]


def test_directory_lists_organisations_with_sector_place_and_people_count(signed_in, session):
    client, _ = signed_in
    trust = factories.organisation(session, name="Test Leisure Trust", sector="leisure", place_code="E08000012")
    factories.organisation(session, name="Test Council", sector="public")
    for n in range(3):
        factories.stakeholder(session, name=f"Leisure Person {n}", organisation_id=trust.id)
    session.commit()
    page = client.get("/organisations")
    assert page.status_code == 200 and page.text.lstrip().startswith("<!DOCTYPE html>")
    assert (f'<th scope="row"><a href="/organisations/{trust.id}">Test Leisure Trust</a></th>'
            "<td>Leisure</td><td>Liverpool</td><td>3</td>") in page.text
    assert re.search(r'Test Council</a></th><td>Public sector</td><td></td><td>0</td>', page.text)
    results = _results(page.text)
    assert results.index("Test Council") < results.index("Test Leisure Trust")  # by name
    # The People tab stays current; no new header item; the two directories point at each other.
    assert re.search(r'href="/people" aria-current="page"', page.text)
    assert 'class="nhsuk-header__navigation-link" href="/organisations"' not in page.text
    assert '<a href="/people">Browse people</a>' in page.text
    assert '<a href="/organisations">Browse organisations</a>' in client.get("/people").text


def test_search_by_name_as_page_and_as_fragment(signed_in, session):
    client, _ = signed_in
    factories.organisation(session, name="Test Leisure Trust", sector="leisure")
    factories.organisation(session, name="Test Council", sector="public")
    factories.organisation(session, name="100% Active_CIC", sector="vcfse")
    session.commit()
    page = client.get("/organisations?q=  leisure ")
    assert page.status_code == 200
    assert "Test Leisure Trust" in _results(page.text) and "Test Council" not in page.text
    assert "Organisations matching “  leisure ”" in page.text
    assert 'value="  leisure "' in page.text  # what was typed is kept in the box
    # LIKE wildcards are searched for literally
    assert "100% Active_CIC" in client.get("/organisations", params={"q": "0% a"}).text
    assert "Test Council" not in client.get("/organisations", params={"q": "%"}).text
    assert "Test Council" not in client.get("/organisations", params={"q": "_"}).text
    fragment = client.get("/organisations?q=council", headers=HTMX)
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text and "<h1>Organisations</h1>" in fragment.text
    assert "Test Council" in fragment.text and "Test Leisure Trust" not in fragment.text
    nothing = client.get("/organisations?q=zzz", headers=HTMX)
    assert "No organisation matches “zzz”." in nothing.text
    too_long = client.get("/organisations?q=" + "x" * 101)
    assert too_long.status_code == 422 and "text/html" in too_long.headers["content-type"]


def test_sector_filter_offers_only_sectors_in_use_and_rejects_unknown_ones(signed_in, session):
    client, _ = signed_in
    factories.organisation(session, name="Test Leisure Trust", sector="leisure")
    factories.organisation(session, name="Test Council", sector="public")
    factories.organisation(session, name="Test Leisure Council", sector="public")
    session.commit()
    page = client.get("/organisations")
    options = re.findall(r'<option value="([^"]*)"', page.text)
    assert options == ["", "leisure", "public"]
    filtered = client.get("/organisations?sector=public")
    assert '<option value="public" selected>' in filtered.text
    results = _results(filtered.text)
    assert "Test Council" in results and "Test Leisure Council" in results and "Test Leisure Trust" not in results
    both = _results(client.get("/organisations?sector=public&q=leisure").text)
    assert "Test Leisure Council" in both and "Test Council<" not in both and "Test Leisure Trust" not in both
    empty = client.get("/organisations?sector=sport")
    assert empty.status_code == 200 and "No organisation matches in Sport." in empty.text
    for bad in ["nonsense", "public|sport", "<b>"]:
        response = client.get("/organisations", params={"sector": bad})
        assert response.status_code == 422 and "text/html" in response.headers["content-type"], bad


def test_paging_follows_the_cursor_and_keeps_the_search(signed_in, session, monkeypatch):
    client, _ = signed_in
    monkeypatch.setattr(directory, "PAGE_SIZE", 2)
    for n in range(5):
        factories.organisation(session, name=f"Paged Org {n}", sector="sport")
    factories.organisation(session, name="Paged Other", sector="public")
    session.commit()
    seen, url = [], "/organisations?q=paged&sector=sport"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += re.findall(r">(Paged [^<]+)</a></th>", page.text)
        more = re.search(r'<a href="(/organisations\?[^"]+)">More organisations</a>', page.text)
        url = more.group(1).replace("&amp;", "&") if more else None
        if url:
            assert "q=paged" in url and "sector=sport" in url
    assert seen == [f"Paged Org {n}" for n in range(5)]
    assert client.get("/organisations?cursor=not-a-cursor").status_code == 400


def test_organisation_page_shows_details_people_and_current_seats(signed_in, session):
    client, _ = signed_in
    org = factories.organisation(session, name="Test Leisure Trust", sector="leisure", place_code="E08000012",
                                 website="https://leisure.example.org")
    other = factories.organisation(session, name="Test Council", sector="public")
    board = factories.group(session, name="Test Board", kind="board")
    working = factories.group(session, name="Test Working Group", kind="working")
    zed = factories.stakeholder(session, name="Zed Zephyr", organisation_id=org.id, job_title="Director")
    amy = factories.stakeholder(session, name="Amy Able", organisation_id=org.id)
    outsider = factories.stakeholder(session, name="Olly Outsider", organisation_id=other.id)
    lent = factories.stakeholder(session, name="Lee Lent", organisation_id=org.id)
    factories.stakeholder(session, name="Nobody Elsewhere", organisation_id=other.id)
    factories.membership(session, group=board, stakeholder=zed, role="chair")
    factories.membership(session, group=working, stakeholder=amy)
    factories.membership(session, group=board, stakeholder=outsider, on_behalf_of_id=org.id)  # on its behalf
    factories.membership(session, group=working, stakeholder=lent, on_behalf_of_id=other.id)
    factories.membership(session, group=working, stakeholder=zed, start_date=date(2022, 1, 1),
                         end_date=date.today() - timedelta(days=1))  # ended: not shown
    factories.membership(session, group=board, stakeholder=factories.stakeholder(session, name="Not Ours"))
    session.commit()

    page = client.get(f"/organisations/{org.id}")
    assert page.status_code == 200 and page.text.lstrip().startswith("<!DOCTYPE html>")
    text = page.text
    assert "<h1>Test Leisure Trust</h1>" in text and "Liverpool" in text and "Leisure" in text
    assert '<a href="https://leisure.example.org" rel="noopener noreferrer">' in text
    assert re.search(r'href="/people" aria-current="page"', text)
    people = text[text.index('id="people-heading"'):text.index('id="seats-heading"')]
    # Each person's name links to their profile.
    assert f'<th scope="row"><a href="/people/{amy.id}">Amy Able</a></th><td></td>' in people
    assert f'<th scope="row"><a href="/people/{zed.id}">Zed Zephyr</a></th><td>Director</td>' in people
    assert people.index("Amy Able") < people.index("Lee Lent") < people.index("Zed Zephyr")
    assert "Olly Outsider" not in people and "Nobody Elsewhere" not in people
    seats = re.findall(r'<tr><td><a href="(/groups/[a-z0-9-]+)">([^<]+)</a></td><td><a href="/people/\d+">([^<]+)</a>'
                       r'([^<]*)</td><td>([^<]+)</td></tr>', text[text.index('id="seats-heading"'):])
    seats = [(href, group, name + behalf, role) for href, group, name, behalf, role in seats]
    assert seats == [
        (f"/groups/{board.slug}", "Test Board", "Zed Zephyr", "Chair"),
        (f"/groups/{board.slug}", "Test Board", "Olly Outsider (on behalf of Test Leisure Trust)", "Member"),
        (f"/groups/{working.slug}", "Test Working Group", "Amy Able", "Member"),
        (f"/groups/{working.slug}", "Test Working Group", "Lee Lent (on behalf of Test Council)", "Member"),
    ]
    fragment = client.get(f"/organisations/{org.id}", headers=HTMX)
    assert "<html" not in fragment.text and "<h1>Test Leisure Trust</h1>" in fragment.text


def test_an_organisation_with_nobody_says_so(signed_in, session):
    client, _ = signed_in
    org = factories.organisation(session, name="Test Empty Org", website="javascript:alert(1)")
    session.commit()
    page = client.get(f"/organisations/{org.id}")
    assert page.status_code == 200
    assert "No one from this organisation is in the directory." in page.text
    assert "No one holds a seat on a group for this organisation at the moment." in page.text
    assert "Not tied to one Place" in page.text
    assert 'href="javascript:' not in page.text and "javascript:alert(1)" in page.text  # shown, never linked


def test_unknown_organisation_is_a_404_page_and_malformed_id_a_422_page(signed_in):
    client, _ = signed_in
    missing = client.get("/organisations/987654")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "<h1>Page not found</h1>" in missing.text
    for bad in ["abc", "0", "-1", "99999999999999999999"]:
        malformed = client.get(f"/organisations/{bad}")
        assert malformed.status_code == 422 and "text/html" in malformed.headers["content-type"], bad


def test_user_text_is_escaped(signed_in, session):
    client, _ = signed_in
    org = factories.organisation(session, name="<script>alert(1)</script> Trust", sector="vcfse")
    factories.stakeholder(session, name="<b>Bold</b> Person", job_title="<i>Lead</i>", organisation_id=org.id)
    group = factories.group(session, name="<em>Group</em>", slug="xss-org-group")
    person = factories.stakeholder(session, name="Plain Person", organisation_id=org.id)
    factories.membership(session, group=group, stakeholder=person)
    session.commit()
    for url in ["/organisations", "/organisations?q=<script>", f"/organisations/{org.id}", "/people"]:
        text = client.get(url).text
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url
    detail = client.get(f"/organisations/{org.id}").text
    assert "<b>Bold</b>" not in detail and "&lt;b&gt;Bold&lt;/b&gt;" in detail
    assert "<i>Lead</i>" not in detail and "<em>Group</em>" not in detail and "&lt;em&gt;Group&lt;/em&gt;" in detail


def test_signed_out_visitors_are_sent_to_sign_in(anonymous_client, session):
    org = factories.organisation(session, name="Test Private Trust")
    session.commit()
    for url in ["/organisations", f"/organisations/{org.id}"]:
        response = anonymous_client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), url
        assert "Test Private Trust" not in response.text


def test_queries_stay_constant_as_organisations_and_people_grow(signed_in, session, count_queries):
    client, _ = signed_in
    board = factories.group(session, name="Test Board", kind="board")
    working = factories.group(session, name="Test Working Group", kind="working")
    org = factories.organisation(session, name="Test Growing Trust", sector="leisure", place_code="E08000012")
    first = factories.stakeholder(session, name="First Person", organisation_id=org.id)
    factories.membership(session, group=board, stakeholder=first)
    session.commit()
    with count_queries() as list_few:
        assert client.get("/organisations").status_code == 200
    with count_queries() as detail_few:
        assert client.get(f"/organisations/{org.id}").status_code == 200
    sectors = ["public", "sport", "education", "vcfse"]
    for n in range(12):
        extra = factories.organisation(session, name=f"Extra Org {n}", sector=sectors[n % 4],
                                       place_code="E08000011" if n % 2 else None)
        factories.stakeholder(session, name=f"Extra Person {n}", organisation_id=extra.id)
    for n in range(8):
        person = factories.stakeholder(session, name=f"Growing Person {n}", organisation_id=org.id)
        factories.membership(session, group=working if n % 2 else board, stakeholder=person, role="member")
    session.commit()
    with count_queries() as list_many:
        page = client.get("/organisations")
        assert "Extra Org 11" in page.text and "<td>9</td>" in page.text
    with count_queries() as detail_many:
        assert "Growing Person 7" in client.get(f"/organisations/{org.id}").text
    assert list_many.count == list_few.count
    assert detail_many.count == detail_few.count

from tests import factories


def test_create_group_with_generated_slug_and_parent(client):
    board = client.post("/api/v1/groups", json={"name": "Physical Activity Board", "kind": "board", "code": "ATAB"})
    assert board.status_code == 201
    child = client.post("/api/v1/groups", json={
        "name": "Age Well Thematic Group", "kind": "thematic", "code": "AW",
        "remit": "Older people.", "parent_id": board.json()["id"],
    })
    assert child.status_code == 201, child.text
    assert child.json()["slug"] == "age-well-thematic-group"
    kids = client.get(f"/api/v1/groups?parent_id={board.json()['id']}").json()["items"]
    assert [g["code"] for g in kids] == ["AW"]


def test_group_uniqueness(client):
    client.post("/api/v1/groups", json={"name": "Start Well", "kind": "thematic", "code": "SW"})
    for body in ({"name": "start well", "kind": "thematic"},
                 {"name": "Other", "kind": "thematic", "code": "SW"},
                 {"name": "Other", "slug": "start-well", "kind": "thematic"}):
        assert client.post("/api/v1/groups", json=body).status_code == 409, body


def test_group_validation(client):
    for body in ({"name": "X", "kind": "committee"},
                 {"name": "X", "kind": "board", "code": "lower"},
                 {"name": "X", "kind": "board", "slug": "Not A Slug"},
                 {"name": "X", "kind": "board", "remit": "r" * 5001},
                 {"name": "X", "kind": "board", "parent_id": 4040}):
        r = client.post("/api/v1/groups", json=body)
        assert r.status_code == 422, (body, r.text)
    assert client.get("/api/v1/groups").json()["items"] == []


def test_parent_cycle_refused(client, session):
    top = factories.group(session)
    middle = factories.group(session, parent_id=top.id)
    bottom = factories.group(session, parent_id=middle.id)
    session.commit()
    r = client.patch(f"/api/v1/groups/{top.id}", json={"parent_id": bottom.id})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "parent_id"]
    assert client.patch(f"/api/v1/groups/{top.id}", json={"parent_id": top.id}).status_code == 422
    assert client.get(f"/api/v1/groups/{top.id}").json()["parent_id"] is None


def test_filter_by_kind_and_member_count(client, session):
    board = factories.group(session, kind="board")
    factories.group(session, kind="thematic")
    for _ in range(3):
        factories.membership(session, group=board, stakeholder=factories.stakeholder(session))
    session.commit()
    boards = client.get("/api/v1/groups?kind=board").json()["items"]
    assert [g["id"] for g in boards] == [board.id]
    assert boards[0]["member_count"] == 3
    assert client.get(f"/api/v1/groups/{board.id}").json()["member_count"] == 3


def test_groups_have_no_delete(client, session):
    group = factories.group(session)
    session.commit()
    assert client.delete(f"/api/v1/groups/{group.id}").status_code == 405

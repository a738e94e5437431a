"""The meeting page, its printable chair's summary, document downloads and the group's meetings."""

from datetime import UTC, datetime, timedelta

from api.auth import service as auth_service
from tests import factories
from tests.api.test_documents import PDF
from tests.web.conftest import sign_in


def _meeting_with_record(client, session, app, secretary_email="web.sec@example.org"):
    group = factories.group(session, name="Web Meeting Group", kind="thematic", code="WMG")
    secretary, account = factories.person_with_account(session, secretary_email, name="Sasha Secretary")
    member = factories.stakeholder(session, name="Morgan Member")
    factories.membership(session, group=group, stakeholder=secretary, role="secretary")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    sec = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "title": "Quarterly", "starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00",
        "venue": "Lakeside"}).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    open_item = client.post(f"{url}/agenda-items", headers=sec, json={"title": "Falls prevention",
                                                                     "lead_id": member.id}).json()
    secret_item = client.post(f"{url}/agenda-items", headers=sec, json={"title": "Tender", "confidential": True}).json()
    client.put(f"{url}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": secretary.id, "status": "present"}, {"stakeholder_id": member.id, "status": "apologies"}]})
    client.put(f"{url}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": open_item["id"], "text": "Classes **expanded**. <script>alert(1)</script>"},
        {"agenda_item_id": secret_item["id"], "text": "Tender scores."}]})
    client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": open_item["id"], "text": "Fund 10 classes."})
    client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "meeting_id": meeting["id"],
                                                      "text": "Book venues", "owner_id": member.id})
    client.post(f"{url}/documents", headers=sec, files={"file": ("pack.pdf", PDF, "application/pdf")},
                data={"title": "Meeting pack"})
    return group, meeting, sec


def test_meeting_page_shows_the_record_to_members(client_factory, client, session, app, person):
    group, meeting, _ = _meeting_with_record(client, session, app)
    browser = client_factory()
    sign_in(browser, "web.sec@example.org")
    page = browser.get(f"/meetings/{meeting['id']}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Quarterly, 16 January 2024</h1>" in text and "16 January 2024, 2pm to 4:30pm" in text
    assert "WMG/01/24/01" in text and "Lead: Morgan Member" in text
    assert "Classes <strong>expanded</strong>." in text and "<script>alert(1)</script>" not in text
    assert "Present (1)" in text and "Apologies (1)" in text
    assert "Fund 10 classes." in text and "Book venues" in text
    assert "Tender scores." in text and "Confidential" in text  # a member sees the confidential item
    document = browser.get(page.text.split('href="/documents/')[1].split('"')[0].join(["/documents/", ""]))
    assert document.status_code == 200 and document.content.startswith(b"%PDF")

    summary = browser.get(f"/meetings/{meeting['id']}/summary")
    assert "Chair's summary report" in summary.text and "Fund 10 classes." in summary.text

    group_page = browser.get(f"/groups/{group.slug}")
    assert f'href="/meetings/{meeting["id"]}"' in group_page.text


def test_outsiders_see_neither_drafts_nor_confidential_items(client_factory, client, session, app, person):
    _, meeting, _ = _meeting_with_record(client, session, app)
    person("web.outsider@example.org")
    browser = client_factory()
    sign_in(browser, "web.outsider@example.org")
    page = browser.get(f"/meetings/{meeting['id']}")
    assert page.status_code == 200
    assert "Tender" not in page.text and "Classes" not in page.text  # confidential item; draft minutes
    assert "Falls prevention" in page.text
    assert browser.get("/meetings/987654").status_code == 404
    assert browser.get("/documents/987654").status_code == 404


def test_meeting_page_costs_the_same_queries_for_a_bigger_meeting(client_factory, client, session, app,
                                                                  count_queries):
    group, meeting, sec = _meeting_with_record(client, session, app)
    browser = client_factory()
    sign_in(browser, "web.sec@example.org")
    with count_queries() as few:
        browser.get(f"/meetings/{meeting['id']}")
    people = [factories.stakeholder(session, name=f"Extra {n}") for n in range(8)]
    for extra in people[:5]:  # leads and owners hold a seat in the group; the others are guests
        factories.membership(session, group=group, stakeholder=extra)
    session.commit()
    url = f"/api/v1/meetings/{meeting['id']}"
    items = client.get(f"{url}/attendance", headers=sec).json()["items"]
    client.put(f"{url}/attendance", headers=sec, json={"items": [
        *[{"stakeholder_id": i["stakeholder_id"], "status": i["status"]} for i in items],
        *[{"stakeholder_id": p.id, "status": "present"} for p in people]]})
    for n in range(5):
        item = client.post(f"{url}/agenda-items", headers=sec, json={"title": f"Item {n}",
                                                                    "lead_id": people[n].id}).json()
        client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "meeting_id": meeting["id"],
                                                          "agenda_item_id": item["id"], "text": f"Action {n}",
                                                          "owner_id": people[n].id})
    with count_queries() as many:
        assert "Action 4" in browser.get(f"/meetings/{meeting['id']}").text
    assert many.count == few.count


def test_group_page_lists_upcoming_and_recent_meetings(client_factory, client, session, app):
    group, meeting, sec = _meeting_with_record(client, session, app)
    soon = datetime.now(UTC) + timedelta(days=10)
    future = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat()})
    assert future.status_code == 201, future.text
    future = future.json()
    browser = client_factory()
    sign_in(browser, "web.sec@example.org")
    page = browser.get(f"/groups/{group.slug}").text
    coming = page[page.index("Coming up"):page.index("Recent")]
    assert f'/meetings/{future["id"]}' in coming and f'/meetings/{meeting["id"]}' in page[page.index("Recent"):]

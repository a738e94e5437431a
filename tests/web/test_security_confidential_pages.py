"""The web pages follow an agenda item's confidentiality at read time (issue 11, finding 1): a
paper, minute, decision or action recorded while the item was open disappears from every page
for non-members as soon as the item is made confidential."""

from api.auth import service as auth_service
from tests import factories
from tests.api.test_documents import PDF
from tests.web.conftest import sign_in


def _record(client, session, app):
    group = factories.group(session, name="Confidential Pages Group", kind="thematic", code="CPG")
    secretary, account = factories.person_with_account(session, "cpg.sec@example.org", name="Cass Secretary")
    member, _ = factories.person_with_account(session, "cpg.member@example.org", name="Mo Member")
    factories.person_with_account(session, "cpg.outsider@example.org", name="Oz Outsider")
    factories.membership(session, group=group, stakeholder=secretary, role="secretary")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    sec = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "title": "Quarterly", "starts_at": "2024-01-16T14:00:00+00:00",
        "ends_at": "2024-01-16T16:30:00+00:00"}).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    item = client.post(f"{url}/agenda-items", headers=sec, json={"title": "Leisure contract"}).json()
    paper = client.post(f"{url}/documents", headers=sec, files={"file": ("tender.pdf", PDF, "application/pdf")},
                        data={"title": "Quokka tender evaluation", "agenda_item_id": str(item["id"])}).json()
    client.put(f"{url}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": item["id"], "text": "Quokka bids were scored."}]})
    client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": item["id"],
                                                       "text": "Quokka bid preferred."})
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": meeting["id"], "agenda_item_id": item["id"],
        "text": "Negotiate the quokka contract"}).json()
    return group, meeting, item, paper, action, sec


def _pages(browser, group, meeting, paper, action) -> dict[str, bool]:
    """Whether each page shows the item's record."""
    return {
        "download": browser.get(f"/documents/{paper['id']}").status_code == 200,
        "meeting page": "Quokka tender evaluation" in browser.get(f"/meetings/{meeting['id']}").text,
        "meeting decision": "Quokka bid preferred" in browser.get(f"/meetings/{meeting['id']}").text,
        "summary": "quokka" in browser.get(f"/meetings/{meeting['id']}/summary").text.lower(),
        "group page": "Quokka tender evaluation" in browser.get(f"/groups/{group.slug}").text,
        "action page": browser.get(f"/actions/{action['id']}").status_code == 200,
        "action log": "Negotiate the quokka contract" in browser.get(
            "/actions", params={"group": group.id}).text,
        "search": any(hit in browser.get("/search", params={"q": "quokka"}).text
                      for hit in ("<mark>", "Quokka tender evaluation")),
    }


def test_pages_hide_an_items_record_once_it_is_confidential(client_factory, client, session, app):
    group, meeting, item, paper, action, sec = _record(client, session, app)
    outsider, member = client_factory(), client_factory()
    assert sign_in(outsider, "cpg.outsider@example.org").status_code == 303
    assert sign_in(member, "cpg.member@example.org").status_code == 303
    record = (group, meeting, paper, action)
    # The draft minute is members-only whatever the item; the rest is open to any signed-in person.
    before = _pages(outsider, *record)
    assert {k for k, v in before.items() if not v} <= {"summary"}, before

    r = client.patch(f"/api/v1/agenda-items/{item['id']}", headers=sec, json={"confidential": True})
    assert r.status_code == 200, r.text

    after = _pages(outsider, *record)
    assert not any(after.values()), {k for k, v in after.items() if v}
    download = outsider.get(f"/documents/{paper['id']}")
    assert download.status_code == 404 and not download.content.startswith(b"%PDF")
    seen = _pages(member, *record)
    assert all(seen.values()), {k for k, v in seen.items() if not v}
    # A member is told that the paper is confidential now.
    assert "Quokka tender evaluation</a>" in member.get(f"/meetings/{meeting['id']}").text
    assert ", confidential)" in member.get(f"/groups/{group.slug}").text

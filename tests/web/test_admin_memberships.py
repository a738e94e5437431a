"""Membership administration pages: choose a group, add, change role, end, history, CSV import."""

import re
from datetime import date

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.authz import SYSTEM_SUBJECT
from api.core.types import today
from api.registry import service
from api.registry.models import Membership
from tests import factories
from tests.web.conftest import hidden_field, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("member.admin@example.org", is_admin=True, name="Morgan Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


@pytest.fixture
def board(session):
    group = factories.group(session, name="Membership Board", kind="board", code="MB")
    org = factories.organisation(session, name="Example Leisure Trust", sector="leisure")
    chair = factories.stakeholder(session, name="Casey Chair", email="casey.chair@example.org", organisation_id=org.id)
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2023, 4, 1))
    newcomer = factories.stakeholder(session, name="Nico Newcomer", email="nico.newcomer@example.org")
    session.commit()
    return group, chair, newcomer, org


def _token(client, slug) -> str:
    return hidden_field(client.get(f"/admin/memberships/{slug}").text, "csrf_token")


def _seats(session, group_id):
    session.expire_all()
    return [(m.stakeholder_id, m.role, m.start_date, m.end_date, m.on_behalf_of_id) for m in session.exec(
        select(Membership).where(Membership.group_id == group_id).order_by(Membership.id))]


def _seat_of(session, group_id, stakeholder_id) -> Membership:
    session.expire_all()
    return session.exec(select(Membership).where(Membership.group_id == group_id,
                                                 Membership.stakeholder_id == stakeholder_id)).one()


def test_group_list_shows_current_member_counts(admin_client, board):
    group, *_ = board
    page = admin_client.get("/admin/memberships")
    assert page.status_code == 200
    row = re.search(rf'href="/admin/memberships/{group.slug}">Membership Board.*?</tr>', page.text, re.S).group(0)
    assert '<td class="ata-num">1</td>' in row
    assert 'href="/admin/memberships"' in admin_client.get("/admin").text
    for path in ("/admin/memberships", f"/admin/memberships/{group.slug}", f"/admin/memberships/{group.slug}/import"):
        full, fragment = admin_client.get(path), admin_client.get(path, headers=HTMX)
        assert full.status_code == fragment.status_code == 200, path
        assert "<html" in full.text and "<html" not in fragment.text and "<h1" in fragment.text, path
        assert fragment.headers["vary"] == "HX-Request" and fragment.headers["cache-control"] == "no-store", path


def test_group_page_lists_members_with_forms(admin_client, board):
    group, *_ = board
    page = admin_client.get(f"/admin/memberships/{group.slug}")
    assert page.status_code == 200
    assert "Casey Chair" in page.text and "Example Leisure Trust" in page.text and "1 April 2023" in page.text
    seat = re.search(r'id="seat-(\d+)"', page.text).group(1)
    assert f'action="/admin/memberships/{group.slug}/members/{seat}/role"' in page.text
    assert f'id="end-{seat}" name="end_date" type="date"' in page.text and today().isoformat() in page.text
    assert "Nico Newcomer (nico.newcomer@example.org)" in page.text
    assert 'aria-live="polite"' in page.text
    # The fixture's own seat was made by the system: it shows in the history.
    assert re.search(r"<td>Casey Chair</td>\s*<td>Added</td>", page.text)


def test_add_change_role_and_end_without_javascript(admin_client, board, session):
    group, _chair, newcomer, org = board
    token = _token(admin_client, group.slug)
    added = admin_client.post(f"/admin/memberships/{group.slug}/members", data={
        "csrf_token": token, "stakeholder_id": str(newcomer.id), "role": "member", "start_date": "2024-09-01",
        "on_behalf_of_id": str(org.id)}, follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"] == f"/admin/memberships/{group.slug}?done=added#members"
    seat = _seat_of(session, group.id, newcomer.id)
    assert (seat.role, seat.start_date, seat.on_behalf_of_id) == ("member", date(2024, 9, 1), org.id)

    changed = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/role",
                                data={"csrf_token": token, "role": "secretary"}, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"].endswith("?done=role#members")
    assert _seat_of(session, group.id, newcomer.id).role == "secretary"

    # Ending asks first: the row's button leads to a confirmation page, whose button ends it.
    asked = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/end",
                              data={"csrf_token": token, "end_date": today().isoformat()}, follow_redirects=False)
    assert asked.status_code == 303 and "/end?end_date=" in asked.headers["location"]
    assert _seat_of(session, group.id, newcomer.id).end_date is None
    confirm = admin_client.get(asked.headers["location"])
    assert "End Nico Newcomer&#39;s membership of Membership Board?" in confirm.text
    ended = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/end", follow_redirects=False,
                              data={"csrf_token": token, "end_date": today().isoformat(), "confirmed": "yes"})
    assert ended.status_code == 303
    assert _seat_of(session, group.id, newcomer.id).end_date == today()

    page = admin_client.get(f"/admin/memberships/{group.slug}?done=ended")
    assert "Membership ended." in page.text
    members = page.text.split('id="members"')[1].split("</section>")[0]
    assert "Nico Newcomer" not in members
    history = page.text.split('id="history"')[1]
    assert re.search(r"<td>Nico Newcomer</td>\s*<td>Ended</td>", history)
    assert re.search(r"<td>Nico Newcomer</td>\s*<td>Role changed</td>", history)
    assert "Member <span aria-hidden=\"true\">→</span>" in history and "Secretary" in history
    assert "member.admin@example.org" in history
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_label == "member.admin@example.org",
                                                          AuditEvent.entity_type == "membership")).all()
    assert sorted(actions) == ["membership.create", "membership.update", "membership.update"]


def test_htmx_change_swaps_the_section_and_announces_it(admin_client, board, session):
    group, chair, *_ = board
    seat = _seat_of(session, group.id, chair.id)
    token = _token(admin_client, group.slug)
    r = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/role",
                          data={"csrf_token": token, "role": "vice_chair"}, headers=HTMX)
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request"
    assert "<h1" not in r.text and r.text.lstrip().startswith('<div id="membership-status" hx-swap-oob="innerHTML">')
    assert "Casey Chair is now Vice chair." in r.text
    assert '<section id="members"' in r.text
    assert '<section id="history" aria-labelledby="history-heading" hx-swap-oob="true">' in r.text
    ended = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/end",
                              data={"csrf_token": token, "end_date": "2022-01-01"}, headers=HTMX)
    assert ended.status_code == 422
    assert "The end date cannot be before the membership started (01/04/2023)" in ended.text
    assert f'id="end-{seat.id}" name="end_date" type="date"\n                     value="2022-01-01"' in ended.text
    assert _seat_of(session, group.id, chair.id).end_date is None


def test_errors_rerender_with_422_and_keep_what_was_typed(admin_client, board, session):
    group, chair, _newcomer, org = board
    before = _seats(session, group.id)
    token = _token(admin_client, group.slug)
    url = f"/admin/memberships/{group.slug}/members"

    empty = admin_client.post(url, data={"csrf_token": token, "stakeholder_id": "", "role": "king",
                                         "start_date": "next tuesday"})
    assert empty.status_code == 422
    for message in ("Choose the person to add", "Choose a role", "Enter the date the membership starts"):
        assert message in empty.text
    assert 'id="start_date" name="start_date" type="date"\n             value="next tuesday"' in empty.text

    overlap = admin_client.post(url, data={"csrf_token": token, "stakeholder_id": str(chair.id), "role": "observer",
                                           "start_date": "2024-01-01", "on_behalf_of_id": str(org.id)})
    assert overlap.status_code == 422 and "already has a membership of this group" in overlap.text
    assert f'<option value="{chair.id}" selected>' in overlap.text
    assert '<option value="observer" selected>' in overlap.text
    assert f'<option value="{org.id}" selected>' in overlap.text

    unknown = admin_client.post(url, data={"csrf_token": token, "stakeholder_id": "987654", "role": "member",
                                           "start_date": "2024-01-01"})
    assert unknown.status_code == 422 and "Select a person from the list" in unknown.text

    seat = _seat_of(session, group.id, chair.id)
    early = admin_client.post(f"{url}/{seat.id}/end", data={"csrf_token": token, "end_date": "2020-05-05"})
    assert early.status_code == 422 and "<h1>Members of Membership Board</h1>" in early.text
    assert 'value="2020-05-05"' in early.text and f'href="#end-{seat.id}"' in early.text
    bad_role = admin_client.post(f"{url}/{seat.id}/role", data={"csrf_token": token, "role": "emperor"})
    assert bad_role.status_code == 422 and f'href="#role-{seat.id}"' in bad_role.text
    assert _seats(session, group.id) == before


def test_a_seat_of_another_group_is_not_found(admin_client, board, session):
    group, *_ = board
    other = factories.group(session, name="Other Group")
    person = factories.stakeholder(session)
    seat = factories.membership(session, group=other, stakeholder=person)
    session.commit()
    r = admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/end",
                          data={"csrf_token": _token(admin_client, group.slug), "end_date": today().isoformat()})
    assert r.status_code == 404
    assert _seat_of(session, other.id, person.id).end_date is None
    assert admin_client.get("/admin/memberships/no-such-group").status_code == 404


def test_changes_need_the_csrf_token(admin_client, board, session):
    group, chair, newcomer, _ = board
    before = _seats(session, group.id)
    seat = _seat_of(session, group.id, chair.id)
    base = f"/admin/memberships/{group.slug}"
    for path, data in [(f"{base}/members", {"stakeholder_id": str(newcomer.id), "role": "member",
                                            "start_date": "2024-01-01"}),
                       (f"{base}/members/{seat.id}/role", {"role": "member"}),
                       (f"{base}/members/{seat.id}/end", {"end_date": today().isoformat()}),
                       (f"{base}/import/apply", {"csv_text": "email,role\nnico.newcomer@example.org,member\n"})]:
        assert admin_client.post(path, data=data).status_code == 403, path
        assert admin_client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert _seats(session, group.id) == before


def test_people_who_are_not_admins_are_refused(client_factory, person, board, session):
    group, chair, newcomer, _ = board
    member, _ = person("not.an.admin@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    token = hidden_field(browser.get("/").text, "csrf_token")
    seat = _seat_of(session, group.id, chair.id)
    before = _seats(session, group.id)
    base = f"/admin/memberships/{group.slug}"
    for path in ("/admin/memberships", base, f"{base}/import"):
        assert browser.get(path).status_code == 403, path
    for path, data in [(f"{base}/members", {"stakeholder_id": str(newcomer.id), "role": "member",
                                            "start_date": "2024-01-01"}),
                       (f"{base}/members/{seat.id}/role", {"role": "member"}),
                       (f"{base}/members/{seat.id}/end", {"end_date": today().isoformat()}),
                       (f"{base}/import/apply", {"csv_text": "email,role\nnico.newcomer@example.org,member\n"})]:
        assert browser.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert _seats(session, group.id) == before


def test_member_page_costs_the_same_queries_for_more_members(admin_client, board, session, count_queries):
    group, *_ = board
    url = f"/admin/memberships/{group.slug}"
    admin_client.get(url)
    with count_queries() as few:
        assert admin_client.get(url).status_code == 200
    for n in range(8):
        person = factories.stakeholder(session, name=f"Extra Member {n}",
                                       organisation_id=factories.organisation(session).id)
        seat = factories.membership(session, group=group, stakeholder=person)
        service.update_membership(session, actor=SYSTEM_SUBJECT, membership=seat, changes={"role": "observer"})
    session.commit()
    with count_queries() as many:
        page = admin_client.get(url)
    assert "Extra Member 7" in page.text
    assert many.count == few.count, many.statements
    with count_queries() as groups_few:
        admin_client.get("/admin/memberships")
    factories.group(session, name="Yet Another Group")
    session.commit()
    with count_queries() as groups_many:
        admin_client.get("/admin/memberships")
    assert groups_many.count == groups_few.count


# Bulk changes from CSV -------------------------------------------------------------------------

CSV_FILE = ("email,role,start_date,end_date\n"
            "casey.chair@example.org,member,,\n"
            "nico.newcomer@example.org,observer,2024-10-01,\n")


def test_import_preview_then_apply(admin_client, board, session):
    group, chair, newcomer, _ = board
    before = _seats(session, group.id)
    token = _token(admin_client, group.slug)
    assert admin_client.get(f"/admin/memberships/{group.slug}/import").status_code == 200
    preview = admin_client.post(f"/admin/memberships/{group.slug}/import", data={"csrf_token": token},
                                files={"file": ("members.csv", CSV_FILE.encode(), "text/csv")})
    assert preview.status_code == 200, preview.text
    assert "Nothing has been changed yet." in preview.text and "Make 2 changes" in preview.text
    assert re.search(r"Members to add</dt><dd class=\"nhsuk-summary-list__value\">1<", preview.text)
    assert re.search(r"Roles to change</dt><dd class=\"nhsuk-summary-list__value\">1<", preview.text)
    assert _seats(session, group.id) == before  # a preview writes nothing

    digest = hidden_field(preview.text, "digest")
    csv_text = hidden_field(preview.text, "csv_text")
    assert "casey.chair@example.org,member" in csv_text
    applied = admin_client.post(f"/admin/memberships/{group.slug}/import/apply",
                                data={"csrf_token": token, "csv_text": CSV_FILE, "digest": digest},
                                follow_redirects=False)
    assert applied.status_code == 303 and applied.headers["location"].endswith("?done=imported#members")
    assert _seat_of(session, group.id, chair.id).role == "member"
    new_seat = _seat_of(session, group.id, newcomer.id)
    assert (new_seat.role, new_seat.start_date) == ("observer", date(2024, 10, 1))
    assert "The changes from the file have been made." in admin_client.get(applied.headers["location"]).text


def test_import_pasted_text_with_errors_shows_them_and_offers_no_apply(admin_client, board, session):
    group, *_ = board
    before = _seats(session, group.id)
    token = _token(admin_client, group.slug)
    bad = "email,role\nnobody@example.org,member\ncasey.chair@example.org,captain\n"
    r = admin_client.post(f"/admin/memberships/{group.slug}/import", data={"csrf_token": token, "csv_text": bad})
    assert r.status_code == 422
    assert "The file has 2 problems" in r.text and "no one in the directory has the email address" in r.text
    assert "&#39;captain&#39; is not a role" in r.text
    assert "/import/apply" not in r.text
    assert "nobody@example.org,member" in r.text  # kept in the text box
    # Even posted straight to apply, a file with problems changes nothing.
    direct = admin_client.post(f"/admin/memberships/{group.slug}/import/apply",
                               data={"csrf_token": token, "csv_text": bad, "digest": "0" * 64})
    assert direct.status_code == 422
    assert _seats(session, group.id) == before


def test_import_shows_the_new_plan_if_memberships_changed_after_the_preview(admin_client, board, session):
    group, chair, *_ = board
    token = _token(admin_client, group.slug)
    preview = admin_client.post(f"/admin/memberships/{group.slug}/import", data={"csrf_token": token},
                                files={"file": ("members.csv", CSV_FILE.encode(), "text/csv")})
    digest = hidden_field(preview.text, "digest")
    seat = _seat_of(session, group.id, chair.id)
    admin_client.post(f"/admin/memberships/{group.slug}/members/{seat.id}/role",
                      data={"csrf_token": token, "role": "member"})
    before = _seats(session, group.id)
    r = admin_client.post(f"/admin/memberships/{group.slug}/import/apply",
                          data={"csrf_token": token, "csv_text": CSV_FILE, "digest": digest})
    assert r.status_code == 409
    assert "changed after your preview" in r.text and "Make 1 change" in r.text
    assert hidden_field(r.text, "digest") != digest
    assert _seats(session, group.id) == before


def test_import_refuses_files_that_are_not_csv_or_too_large(admin_client, board, session):
    group, *_ = board
    before = _seats(session, group.id)
    token = _token(admin_client, group.slug)
    url = f"/admin/memberships/{group.slug}/import"
    pdf = admin_client.post(url, data={"csrf_token": token}, files={"file": ("m.pdf", b"%PDF-1.4", "application/pdf")})
    assert pdf.status_code == 422 and "Send the memberships as a CSV file" in pdf.text
    latin = admin_client.post(url, data={"csrf_token": token},
                              files={"file": ("m.csv", "email,role\nzoë@example.org,member\n".encode("latin-1"),
                                              "text/csv")})
    assert latin.status_code == 422 and "not UTF-8" in latin.text
    big = admin_client.post(url, data={"csrf_token": token},
                            files={"file": ("m.csv", b"email,role\n" + b"x" * (1024 * 1024), "text/csv")})
    assert big.status_code == 422 and "larger than the limit" in big.text
    nothing = admin_client.post(url, data={"csrf_token": token, "csv_text": ""})
    assert nothing.status_code == 422 and "Choose a CSV file, or paste its contents" in nothing.text
    assert _seats(session, group.id) == before

"""Every page fits a 390px phone (defect 10): an admin visits each GET page with data in it (a
meeting with minutes, decisions and actions; a Place update, a pilot, an indicator) and each must
scroll only up and down (`scrollWidth <= 390`) and pass axe-core there.

One browser test, so the sweep stays quick; every page is visited, and all failures are reported
together. Pages another piece of work is rebuilding are listed in OWNED_ELSEWHERE: their failures
are reported as warnings, not failures, until that work lands.
"""

import warnings
from datetime import date

from api.auth import service as auth_service
from tests import factories
from tests.e2e.conftest import PHONE, accessible_at_both_widths, axe_violations, sign_in_as
from tests.factories import PLACES

# Pages being built or rebuilt in other work (issue 15): the people directory and profiles, pilots'
# pages and my contributions. Their failures here are warnings until that work lands.
OWNED_ELSEWHERE = ("/people", "/pilots/", "/contributions")


def _arrange(client, session, app, person):
    admin, _ = person("sweep.admin@example.org", is_admin=True, name="Sasha Sweeper")
    organisation = factories.organisation(session, name="Sweep Leisure Trust with a Long Name Limited",
                                          sector="leisure", website="https://leisure.example.org/a/long/path")
    group = factories.group(session, name="Sweep Physical Activity and Workforce Development Group",
                            kind="working", code="SWG")
    secretary, account = factories.person_with_account(session, "sweep.secretary@example.org",
                                                       name="Morgan Secretary", organisation_id=organisation.id)
    factories.membership(session, group=group, stakeholder=admin, role="chair", start_date=date(2023, 1, 1))
    factories.membership(session, group=group, stakeholder=secretary, role="secretary", start_date=date(2023, 1, 1))
    session.commit()
    sec = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "title": "Quarterly review", "starts_at": "2024-02-06T10:00:00+00:00",
        "ends_at": "2024-02-06T11:30:00+00:00", "venue": "Committee Room 1, Town Hall"}).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    item = client.post(f"{url}/agenda-items", headers=sec,
                       json={"title": "Workforce training offer and the physical activity pathway"}).json()
    client.put(f"{url}/minutes", headers=sec, json={"items": [{
        "agenda_item_id": item["id"],
        "text": "The **training** offer reached 56 people; see https://example.org/a/very/long/link/to/a/report"}]})
    client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": item["id"],
                                                      "text": "Extend the training to every Place."})
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": meeting["id"], "agenda_item_id": item["id"],
        "text": "Share the training dates with every Place", "owner_id": secretary.id,
        "due_date": "2024-03-01"}).json()
    client.post(f"/api/v1/places/{PLACES[5]}/updates", json={
        "period": "2024-Q1", "plan_status": "launched", "people_reached": 9000, "people_more_active": 3000})
    pilot = client.post("/api/v1/pilots", json={"name": "Sweep Pilot", "pathway": "workforce", "status": "scaling",
                                                "summary": "Training staff.", "place_codes": [PLACES[5]]}).json()
    return admin, organisation, group, meeting, action, pilot


def test_every_page_fits_a_phone_and_passes_axe(page, client, session, app, person, indicator):
    admin, organisation, group, meeting, action, pilot = _arrange(client, session, app, person)
    pages = [
        "/", "/groups", f"/groups/{group.slug}", f"/meetings/{meeting['id']}", f"/meetings/{meeting['id']}/summary",
        "/actions", f"/actions/{action['id']}", "/places", f"/places/{PLACES[5]}", "/pilots", "/indicators",
        f"/indicators/{indicator['id']}", "/people", "/organisations", f"/organisations/{organisation.id}",
        "/search?q=training", "/admin", "/admin/users", "/admin/clients", "/admin/audit", "/admin/mail",
        "/admin/memberships", f"/admin/memberships/{group.slug}", f"/admin/memberships/{group.slug}/import",
        "/admin/indicators/upload", "/account/email", "/account/password",
        # The forms behind the pages above.
        f"/groups/{group.slug}/forward-plan", f"/groups/{group.slug}/standing-items",
        f"/groups/{group.slug}/meetings/new", f"/groups/{group.slug}/meeting-series/new",
        f"/meetings/{meeting['id']}/edit", f"/meetings/{meeting['id']}/cancel", f"/people/{admin.id}/interests",
        f"/people/{admin.id}", f"/pilots/{pilot['id']}", "/contributions",
    ]
    sign_in_as(page, admin.email)
    page.set_viewport_size(PHONE)
    failures: dict[str, list[str]] = {}
    for path in pages:
        response = page.goto(path)
        problems = []
        if response is None or response.status != 200:
            problems.append(f"status {response.status if response else 'none'}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                    && !(el.parentElement && el.parentElement.closest('.ata-scroll, [role=region][tabindex]')))
                .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                      + (el.className && typeof el.className === 'string'
                                         ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))""")
            problems.append(f"scrolls sideways ({width}px): {wide}")
        violations = axe_violations(page)
        if violations:
            problems.append(f"axe: {violations}")
        if problems:
            failures[path] = problems
    elsewhere = {path: problems for path, problems in failures.items() if path.startswith(OWNED_ELSEWHERE)}
    if elsewhere:
        warnings.warn(f"pages being fixed elsewhere still fail at 390px: {elsewhere}", stacklevel=1)
    mine = {path: problems for path, problems in failures.items() if path not in elsewhere}
    assert not mine, "\n".join(f"{path}: {'; '.join(problems)}" for path, problems in mine.items())
    # The pages this piece of work changed, at both widths, for the README's screenshots: the
    # dashboard's minutes in words, a search with marked words, the audit log naming things.
    for path, shot in [("/", "home"), ("/search?q=training", "search-results"), ("/admin/audit", "audit-log")]:
        page.goto(path)
        accessible_at_both_widths(page, shot=shot)
    assert page.console_errors == []

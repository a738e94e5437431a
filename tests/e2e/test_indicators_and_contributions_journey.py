"""An admin adds an indicator, checks a file of its values with a count above its denominator
(the preview lists the problem, nothing is imported), then a good file (preview, then import),
and reads the tartan rug: every Place on screen at 1280px, one Place at a time on a phone. A
member changes a contribution (a date in the future refused first) and deletes another through
its confirmation step. Every page passes axe at 1280px and 390px; screenshots go to
docs/screenshots/."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlmodel import func, select

from api.authz import SYSTEM_SUBJECT
from api.indicators.models import Indicator, IndicatorValue
from api.outcomes import service as outcomes
from api.outcomes.models import Contribution
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as
from tests.factories import PLACES

HEADER = "indicator_id,area_code,period,breakdown,value,lower_ci,upper_ci,count,denominator\n"
ENGLAND, SUBREGION = "E92000001", "E54000008"


def _good_file() -> bytes:
    """England at 30%; the areas above, around and below it (higher is better)."""
    lines = [f"91000,{ENGLAND},2023/24,Persons,30,29.8,30.2,30000,100000\n",
             f"91000,{SUBREGION},2023/24,Persons,31,30.5,31.5,3100,10000\n"]
    for n, code in enumerate(PLACES):
        value = (25, 30, 35)[n % 3]
        lines.append(f"91000,{code},2023/24,Persons,{value},{value - 2},{value + 2},{value * 10},1000\n")
    return (HEADER + "".join(lines)).encode()


def _values(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def _focus_is_in_the_result(page) -> None:
    """The answer is swapped in under the form and focus moves to it (its heading or summary)."""
    page.wait_for_function("document.querySelector('#upload-result').contains(document.activeElement)")


def test_an_admin_adds_an_indicator_checks_and_imports_its_values_and_reads_the_rug(page, session, person):
    admin, _ = person("e2e.indicators@example.org", is_admin=True, name="Ira Indicators")
    sign_in_as(page, admin.email)
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Add an indicator").click()
    page.wait_for_url("**/admin/indicators/new")

    # A form sent with its required fields empty says what to do, and nothing is saved.
    page.get_by_label("Id", exact=True).fill("91000")
    page.get_by_role("button", name="Add the indicator").click()
    expect(page).to_have_title(re.compile(r"^Error: Add an indicator"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a name")
    expect(summary).to_contain_text("Choose a unit")
    expect(summary).to_contain_text("Choose whether higher or lower is better")
    accessible_at_both_widths(page)
    session.expire_all()
    assert session.get(Indicator, "91000") is None

    page.get_by_label("Name", exact=True).fill("Percentage of adults walking for travel")
    page.get_by_label("Definition (optional)").fill("Adults walking for travel at least three days a week.")
    page.get_by_label("Theme (optional)").fill("Physical activity")
    page.get_by_label("Unit", exact=True).select_option("percent")
    page.get_by_label("Better is").select_option("higher_is_better")
    page.get_by_label("Source (optional)").fill("Active Lives Adult Survey")
    page.get_by_role("button", name="Add the indicator").click()
    page.wait_for_url("**/admin/indicators/91000/edit?done=created")
    expect(page.get_by_role("status")).to_contain_text("Indicator added.")
    expect(page.locator("#notice")).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Percentage of adults walking for travel")
    accessible_at_both_widths(page, shot="indicator-edit")

    # A change to its details.
    page.get_by_label("Frequency (optional)").fill("annual, each November")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/admin/indicators/91000/edit?done=saved")
    expect(page.get_by_role("status")).to_contain_text("Changes saved.")
    session.expire_all()
    assert session.get(Indicator, "91000").frequency == "annual, each November"

    # The upload page lists the ids it accepts; a count above its denominator is found and
    # nothing is imported.
    page.get_by_role("link", name="uploading a CSV file").click()
    page.wait_for_url("**/admin/indicators/upload")
    expect(page.locator("#accepted-indicators")).to_contain_text("91000")
    expect(page.locator("#accepted-indicators")).to_contain_text("Percentage of adults walking for travel")
    bad = _good_file().decode().replace(f"91000,{PLACES[0]},2023/24,Persons,25,23,27,250,1000",
                                        f"91000,{PLACES[0]},2023/24,Persons,25,23,27,1250,1000")
    page.get_by_label("CSV file").set_input_files(files=[{"name": "walking.csv", "mimeType": "text/csv",
                                                          "buffer": bad.encode()}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    _focus_is_in_the_result(page)
    problems = page.locator("#upload-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("4")
    expect(problems.first).to_contain_text("the count (1,250) is above its denominator (1,000)")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert _values(session) == 0
    accessible_at_both_widths(page)

    # A good file: the preview, then the import.
    page.get_by_label("CSV file").set_input_files(files=[{"name": "walking.csv", "mimeType": "text/csv",
                                                          "buffer": _good_file()}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check complete: nothing imported yet")).to_be_visible()
    _focus_is_in_the_result(page)
    expect(page.locator("#preview-counts")).to_contain_text("Percentage of adults walking for travel")
    expect(page.locator("#preview-rows tbody tr")).to_have_count(10)
    expect(page.locator("#preview-rows")).to_contain_text("England")
    assert _values(session) == 0
    accessible_at_both_widths(page, shot="indicator-upload-preview")
    page.get_by_role("button", name="Import 11 values").click()
    page.wait_for_url("**/admin/indicators/upload?done=imported&written=11")
    expect(page.get_by_role("status").first).to_contain_text("Import complete: 11 values added or changed.")
    assert _values(session) == 11

    # The tartan rug: every area's column on screen at 1280px, nothing to scroll.
    page.goto("/indicators")
    rug = page.locator(".ata-rug-wide")
    expect(rug).to_be_visible()
    headers = rug.locator("thead th")
    expect(headers).to_have_count(3 + 1 + len(PLACES))
    for n in range(headers.count()):
        box = headers.nth(n).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, headers.nth(n).inner_text()
    assert rug.evaluate("region => region.scrollWidth <= region.clientWidth")
    row = rug.locator("tbody tr").first
    expect(row).to_contain_text("Worse")
    expect(row).to_contain_text("Similar")
    expect(row).to_contain_text("Better")
    accessible_at_both_widths(page, shot="tartan-rug")

    # On a phone: one area at a time, chosen with a plain form.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(rug).to_be_hidden()
    page.get_by_label("Area", exact=True).select_option(label="Liverpool")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/indicators?place=E08000012*")
    expect(page.get_by_role("heading", name="Liverpool compared with England")).to_be_visible()
    card = page.locator(".ata-rug-card").first
    expect(card).to_contain_text("Percentage of adults walking for travel")
    liverpool = (25, 30, 35)[PLACES.index("E08000012") % 3]
    expect(card).to_contain_text(f"{liverpool}.0")
    expect(card).to_contain_text({25: "Worse", 30: "Similar", 35: "Better"}[liverpool])
    accessible_at_both_widths(page)
    assert page.console_errors == [] or all(e.startswith("422 ") for e in page.console_errors), page.console_errors


def _log(session, person_id: int, description: str, on: date, kind: str = "event") -> Contribution:
    made = outcomes.add_contribution(session, actor=SYSTEM_SUBJECT, data={
        "stakeholder_id": person_id, "kind": kind, "description": description, "date": on, "group_id": None,
        "place_code": None, "people_reached": 40, "hours": 2})
    session.commit()
    return made


def test_a_member_changes_a_contribution_and_deletes_another(page, session, person):
    member, _ = person("e2e.contributor@example.org", name="Cara Contributor")
    walk = _log(session, member.id, "Led a lunchtime walk for the team", date(2024, 5, 11))
    talk = _log(session, member.id, "Gave a talk at the school", date(2024, 6, 3), kind="advocacy")
    walk, talk = SimpleNamespace(id=walk.id), SimpleNamespace(id=talk.id)  # ids only: the rows change under us
    sign_in_as(page, member.email)
    page.get_by_role("link", name="See all my contributions").click()
    page.wait_for_url("**/contributions")
    cards = page.locator(".ata-contributions > li")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Gave a talk at the school")
    accessible_at_both_widths(page, shot="contributions")

    # Change the walk: a date in the future is refused, the typed text kept.
    page.locator(f"#contribution-{walk.id}").get_by_role("link", name="Change").click()
    page.wait_for_url(f"**/contributions/{walk.id}/edit")
    accessible_at_both_widths(page, shot="contribution-edit")
    page.get_by_label("What you did").fill("Led a lunchtime walk for the whole floor")
    page.get_by_label("Date").fill((date.today() + timedelta(days=3)).isoformat())
    page.get_by_label("People reached").fill("55")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile(r"^Error: Change a contribution"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a date in the past or today")
    expect(page.get_by_label("What you did")).to_have_value("Led a lunchtime walk for the whole floor")
    accessible_at_both_widths(page)
    session.expire_all()
    assert session.get(Contribution, walk.id).description == "Led a lunchtime walk for the team"
    page.get_by_label("Date").fill("2024-05-12")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/contributions?done=saved&changed={walk.id}")
    expect(page.locator("#notice")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Contribution changed.")
    expect(page.locator(f"#contribution-{walk.id}")).to_contain_text("Led a lunchtime walk for the whole floor")
    expect(page.locator(f"#contribution-{walk.id}")).to_contain_text("12 May 2024")

    # Delete the talk, after the confirmation step.
    page.locator(f"#contribution-{talk.id}").get_by_role("link", name="Delete").click()
    page.wait_for_url(f"**/contributions/{talk.id}/delete")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to delete this contribution?")
    expect(page.locator("main")).to_contain_text("Gave a talk at the school")
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Delete the contribution").click()
    page.wait_for_url("**/contributions?done=deleted")
    expect(page.get_by_role("status")).to_contain_text("Contribution deleted.")
    expect(cards).to_have_count(1)
    session.expire_all()
    assert session.get(Contribution, talk.id) is None and session.get(Contribution, walk.id) is not None
    assert page.console_errors == [], page.console_errors

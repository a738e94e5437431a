"""An admin checks a file of indicator values (progress shown, the preview announced), imports it,
then checks a file with bad rows (the report, nothing written), then finds the import in the
audit log; both pages pass axe-core. Screenshots go to docs/screenshots/."""


from playwright.sync_api import expect
from sqlmodel import func, select

from api.indicators.models import IndicatorValue
from tests.e2e.conftest import accessible, sign_in_as
from tests.factories import INACTIVE, PLACES

HEADER = "indicator_id,area_code,period,breakdown,value,lower_ci,upper_ci,count,denominator,note\n"
PERIODS = [f"{year}/{(year + 1) % 100:02d}" for year in range(1990, 2030)]
# Records, as the page's own scripts run, whether the progress bar and the "checking" message
# were on screen while the request was under way (over loopback it is over in milliseconds).
WATCH = """() => {
  window.__seen = {progress: false, busy: false};
  document.addEventListener("htmx:xhr:progress", () => {
    if (!document.querySelector("#upload-progress-area").hidden) window.__seen.progress = true;
  });
  document.addEventListener("htmx:beforeSwap", () => {
    const busy = document.querySelector("#upload-busy");
    window.__seen.busy = getComputedStyle(busy).display !== "none";
  });
}"""


def _csv(rows: int) -> bytes:
    lines = [f"93014,{PLACES[n % len(PLACES)]},{PERIODS[n // len(PLACES)]},Persons,{20 + n % 7},{18 + n % 7},"
             f"{22 + n % 7},{200 + n},1000,\n" for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


def _values(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def test_admin_uploads_values_reads_the_report_and_finds_the_import_in_the_audit_log(page, client, session, person):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    admin, _ = person("e2e.uploader@example.org", is_admin=True, name="Uma Uploader")
    sign_in_as(page, admin.email)
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Upload indicator values").click()
    page.wait_for_url("**/admin/indicators/upload")
    expect(page.locator("#upload-progress-area")).to_be_hidden()
    accessible(page)

    # A few hundred rows: the progress bar appears and fills, then the result is announced.
    page.evaluate(WATCH)
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "inactivity.csv", "mimeType": "text/csv", "buffer": _csv(360)}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#upload-result-heading")).to_be_focused()
    expect(page.get_by_role("heading", name="Check complete: nothing imported yet")).to_be_visible()
    expect(page.locator("#upload-result")).to_contain_text("would add or change 360 values")
    expect(page.locator("#upload-progress")).to_be_visible()
    assert page.locator("#upload-progress").evaluate("bar => bar.value") == 100
    assert page.evaluate("window.__seen") == {"progress": True, "busy": True}
    expect(page.locator("#upload-busy")).to_be_hidden()
    assert page.get_by_role("heading", level=1).count() == 1  # the result was swapped in, not a page
    assert _values(session) == 0
    page.get_by_role("button", name="Import 360 values").click()
    page.wait_for_url("**/admin/indicators/upload?done=imported*")
    expect(page.get_by_role("status").first).to_contain_text("Import complete: 360 values added or changed.")
    assert _values(session) == 360
    accessible(page)

    # Bad rows: the report, line by line, and nothing written.
    bad = _csv(5).decode().replace("93014,E06000050", "99999,E06000050").replace(",22,20,24,", ",lots,20,24,")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    page.wait_for_function("document.querySelector('#upload-result').contains(document.activeElement)")
    problems = page.locator("#upload-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("indicator_id")
    expect(problems.nth(1)).to_contain_text("'lots' is not a number")
    assert _values(session) == 360
    accessible(page, "indicator-upload")

    # The audit log lists the one import (the refused file wrote nothing) and filters to it.
    page.get_by_role("link", name="Admin").first.click()  # the header's, not the breadcrumb
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/admin/audit")
    accessible(page)
    page.get_by_label("Type of record").select_option("indicator_value")
    page.wait_for_url("**/admin/audit?entity_type=indicator_value*")
    rows = page.locator("#audit-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Indicator values imported")
    expect(rows.first).to_contain_text("Uma Uploader (e2e.uploader@example.org)")
    expect(rows.first).to_contain_text("360")
    expect(page.locator("#audit-status")).to_have_text("Showing 1 event")
    page.get_by_label("Action").fill("indicators.imp")
    expect(page.locator("#audit-results")).to_contain_text("No events match these filters.")
    page.get_by_label("Action").fill("indicators.import")
    expect(rows).to_have_count(1)
    page.wait_for_url("**action=indicators.import*")
    accessible(page, "admin-audit")
    # The pushed address is a page of its own.
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    expect(page.get_by_label("Type of record")).to_have_value("indicator_value")
    expect(rows).to_have_count(1)
    # A filter that cannot be right is refused in place (422), and correcting it brings the events back.
    page.get_by_label("Record ID").fill("9" * 70)
    expect(page.get_by_role("alert")).to_contain_text("Record ID must be 64 characters or fewer")
    expect(page.locator("#audit-results")).to_contain_text("Correct the filters to see events.")
    accessible(page)
    page.get_by_label("Record ID").fill("")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
    # The only failed requests were the two refused on purpose (422s, shown on the page).
    unexpected = [e for e in page.console_errors if not e.startswith("422 ")]
    assert unexpected == [] and len(page.console_errors) == 2, page.console_errors


def test_the_upload_works_without_javascript(browser, server, client, session, person):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    admin, _ = person("e2e.nojs@example.org", is_admin=True)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, admin.email)
    page.goto("/admin/indicators/upload")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "values.csv", "mimeType": "text/csv", "buffer": _csv(20)}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check complete: nothing imported yet")).to_be_visible()
    assert _values(session) == 0
    page.get_by_role("button", name="Import 20 values").click()
    expect(page.get_by_text("Import complete: 20 values added or changed.")).to_be_visible()
    assert _values(session) == 20
    page.goto("/admin/audit?since=2026-02-30")
    expect(page.get_by_role("alert")).to_contain_text("Since must be a real date")
    context.close()

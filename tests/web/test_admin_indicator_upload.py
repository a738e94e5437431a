"""Uploading indicator values as CSV from the admin page, in two steps: checking the file shows
what would be imported and writes nothing; importing sends the checked text back with the
preview's digest. The API's importer and limits, every problem reported by line and column, all
or nothing, admins only, CSRF checked."""

import html as markup
import re

import pytest
from sqlmodel import func, select

from api.audit.models import AuditEvent
from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE
from tests.web.conftest import hidden_field, sign_in

IMPORT_URL = "/admin/indicators/upload/import"

HEADER = "indicator_id,area_code,period,breakdown,value,lower_ci,upper_ci,count,denominator,note\n"
GOOD = HEADER + "".join(f"93014,{code},2022/23,Persons,{20 + n},{18 + n},{22 + n},{200 + n},1000,\n"
                        for n, code in enumerate(["E08000012", "E08000015", "E06000049"]))
URL = "/admin/indicators/upload"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture
def admin_client(client, client_factory, person):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    admin, _ = person("upload.admin@example.org", is_admin=True, name="Uma Uploader")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(browser) -> str:
    return hidden_field(browser.get(URL).text, "csrf_token")


def _upload(browser, body: str | bytes, *, name="values.csv", kind="text/csv", token: str | None = None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    return browser.post(URL, data={"csrf_token": _token(browser) if token is None else token},
                        files={"file": (name, data, kind)}, headers=headers or {})


def _import(browser, checked) -> object:
    """The second step: the preview's own import form, sent as the browser sends it."""
    html = checked.text
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "name", "digest")}
    text = re.search(r'name="csv_text" value="([^"]*)"', html, re.S)[1]
    fields["csv_text"] = markup.unescape(text)
    return browser.post(IMPORT_URL, files={key: (None, value) for key, value in fields.items()},
                        follow_redirects=False)


def _upload_and_import(browser, body: str):
    checked = _upload(browser, body)
    assert checked.status_code == 200, checked.text
    return _import(browser, checked)


def _values(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def _imports(session) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == "indicators.import")).all())


def test_the_page_has_a_csv_file_field_lists_the_ids_it_accepts_and_the_csrf_token(admin_client):
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert '<input class="nhsuk-file-upload" id="file" name="file" type="file" accept=".csv,text/csv"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'hx-encoding="multipart/form-data"' in page.text
    assert '<progress id="upload-progress"' in page.text and 'hx-indicator="#upload-busy"' in page.text
    assert 'aria-live="polite"' in page.text and ">Check the file</button>" in page.text
    accepted = page.text[page.text.index('id="accepted-indicators"'):]
    assert "<code>93014</code>" in accepted and "Percentage of physically inactive adults" in accepted
    assert 'href="/admin/indicators/93014/edit"' in accepted
    assert 'href="/admin/indicators/upload"' in admin_client.get("/admin").text


def test_checking_a_good_file_previews_it_and_writes_nothing_then_import_writes_it(admin_client, client, session):
    checked = _upload(admin_client, GOOD)
    assert checked.status_code == 200
    assert "Check complete: nothing imported yet" in checked.text and "<h1>Upload indicator values</h1>" in checked.text
    assert "would add or change <strong>3</strong> values" in checked.text
    counts = checked.text[checked.text.index('id="preview-counts"'):checked.text.index('id="preview-rows"')]
    cells = re.findall(r'</span>([\d,]+)</td>', counts)
    assert cells == ["3", "3", "0", "0"]  # rows, new, changed, unchanged for 93014
    first = checked.text[checked.text.index('id="preview-rows"'):]
    assert "Liverpool" in first and "Add" in first and ">Import 3 values</button>" in checked.text
    assert _values(session) == 0 and _imports(session) == 0
    imported = _import(admin_client, checked)
    assert imported.status_code == 303
    assert imported.headers["location"] == "/admin/indicators/upload?done=imported&written=3"
    notice = admin_client.get(imported.headers["location"]).text
    assert 'role="status"' in notice and "Import complete: 3 values added or changed." in notice
    rows = client.get("/api/v1/indicators/93014/data").json()["items"]
    assert {(r["area_code"], r["value"]) for r in rows} == {("E08000012", 20), ("E08000015", 21), ("E06000049", 22)}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "indicators.import")).one()
    assert event.actor_label == "upload.admin@example.org" and event.after["rows_written"] == 3
    # The same file again would change nothing, and says so; htmx gets only the result.
    again = _upload(admin_client, GOOD, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "Nothing would change" in again.text and "<h1" not in again.text
    assert 'id="upload-result-heading"' in again.text and 'id="import-form"' not in again.text
    assert _values(session) == 3


def test_an_import_whose_values_changed_since_the_check_shows_the_new_preview(admin_client, client, session):
    checked = _upload(admin_client, GOOD)
    # Meanwhile someone imports one of the rows through the API.
    one = HEADER + GOOD.splitlines()[1] + "\n"
    api = client.post("/api/v1/indicators/import", files={"file": ("v.csv", one.encode(), "text/csv")})
    assert api.status_code == 200
    stale = _import(admin_client, checked)
    assert stale.status_code == 409 and "changed after the file was checked" in stale.text
    assert "would add or change <strong>2</strong> values" in stale.text and _values(session) == 1
    assert _imports(session) == 1  # only the API's
    assert _import(admin_client, stale).status_code == 303 and _values(session) == 3


def test_a_tampered_import_is_refused(admin_client, session):
    checked = _upload(admin_client, GOOD)
    html = checked.text.replace(",20,18,22,", ",21,18,22,")
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "name", "digest")}
    fields["csv_text"] = markup.unescape(re.search(r'name="csv_text" value="([^"]*)"', html, re.S)[1])
    refused = admin_client.post(IMPORT_URL, files={key: (None, value) for key, value in fields.items()})
    assert refused.status_code == 409 and _values(session) == 0


def test_warnings_are_listed(admin_client, session):
    text = GOOD.replace("note\n", "note,Area Name\n", 1)
    response = _upload(admin_client, text)
    assert response.status_code == 200 and "column &#39;Area Name&#39; is not used and was ignored" in response.text


def _problems(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr role="row" class="nhsuk-table__row"><td[^>]*><span[^>]*>Line </span>(\d*)</td>'
                      r'<td[^>]*><span[^>]*>Column </span>([^<]*)</td><td[^>]*><span[^>]*>Problem </span>([^<]*)</td>',
                      text)


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(admin_client, session):
    bad = HEADER + "\n".join([
        "93014,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 2: fine
        "99999,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 3: unknown indicator
        "93014,W99999999,2022/23,Persons,20,18,22,200,1000,",          # 4: unknown area
        "93014,E08000015,2022/23,Persons,<b>twenty</b>,18,22,200,1000,",  # 5: text in a number
        "93014,E06000049,2022/23,Persons,20,18,22,2000,1000,",         # 6: count above its denominator
    ]) + "\n"
    response = _upload(admin_client, bad)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text and "4 problem(s) found; nothing was imported." in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error: " in response.text
    rows = _problems(response.text)
    assert [(line, column) for line, column, _ in rows] == [
        ("3", "indicator_id"), ("4", "area_code"), ("5", "value"), ("6", "count")]
    assert rows[3][2] == "the count (2,000) is above its denominator (1,000)"
    assert "&#39;&lt;b&gt;twenty&lt;/b&gt;&#39; is not a number" in response.text  # escaped, never markup
    assert 'id="import-form"' not in response.text
    assert _values(session) == 0 and _imports(session) == 0  # the good line 2 was not written either
    fragment = _upload(admin_client, bad, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<h1" not in fragment.text and 'id="upload-problems"' in fragment.text


def test_a_long_report_lists_every_problem_up_to_the_importers_limit(admin_client, session):
    bad = HEADER + "".join(f"93014,E08000012,2022/23,Persons,x{n},18,22,200,1000,\n" for n in range(120))
    response = _upload(admin_client, bad)
    assert response.status_code == 422
    assert len(_problems(response.text)) == 120 and "Problems found (120)" in response.text
    assert _values(session) == 0


@pytest.mark.parametrize(("body", "name", "kind", "message"), [
    (PNG, "chart.png", "image/png", "The file is not UTF-8 text."),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe", "values.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "The file is not UTF-8 text."),
    (b"", "values.csv", "text/csv", "The file is empty."),
    (GOOD + "93014,E06000050,2022/23,Persons,20,18,22,200,1000,a\x00b\n", "values.csv", "text/csv",
     "The file is not CSV text: it contains NUL characters."),
    (GOOD.replace(",", ";"), "values.csv", "text/csv", "is the file comma-separated?"),
])
def test_files_of_the_wrong_kind_are_refused_clearly(admin_client, session, body, name, kind, message):
    response = _upload(admin_client, body, name=name, kind=kind)
    assert response.status_code == 422
    assert message in response.text and "Nothing was imported" in response.text
    assert _values(session) == 0


def test_no_file_chosen_is_a_clear_422(admin_client, session):
    token = _token(admin_client)
    without = admin_client.post(URL, data={"csrf_token": token})
    assert without.status_code == 422 and "Select a CSV file to check." in without.text
    # What a browser sends when no file was chosen: a part with an empty filename.
    empty = admin_client.post(URL, data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 422 and "Select a CSV file to check." in empty.text


def test_a_file_over_the_limit_is_413_and_nothing_is_written(admin_client, app, session):
    app.state.settings.max_upload_mb = 1
    try:
        response = _upload(admin_client, GOOD + "x" * (1024 * 1024))
    finally:
        app.state.settings.max_upload_mb = 25
    assert response.status_code == 413
    assert "The file is larger than the limit of 1 MB." in response.text and "Nothing was imported" in response.text
    assert _values(session) == 0


def test_people_who_are_not_admins_are_refused_and_nothing_is_written(admin_client, client_factory, person, session):
    member, _ = person("not.admin@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    assert browser.get(URL).status_code == 403
    token = hidden_field(browser.get("/").text, "csrf_token")
    response = browser.post(URL, data={"csrf_token": token}, files={"file": ("values.csv", GOOD.encode(), "text/csv")})
    assert response.status_code == 403
    assert _values(session) == 0 and _imports(session) == 0


def test_a_missing_or_wrong_csrf_token_is_refused(admin_client, session):
    missing = admin_client.post(URL, files={"file": ("values.csv", GOOD.encode(), "text/csv")})
    assert missing.status_code == 403
    wrong = _upload(admin_client, GOOD, token="not-the-token")
    assert wrong.status_code == 403
    assert _values(session) == 0 and _imports(session) == 0


def test_the_import_step_is_for_admins_with_the_csrf_token_only(admin_client, client_factory, person, session):
    checked = _upload(admin_client, GOOD)
    digest = hidden_field(checked.text, "digest")
    member, _ = person("not.admin.either@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    token = hidden_field(browser.get("/").text, "csrf_token")
    fields = {"csrf_token": token, "name": "v.csv", "digest": digest, "csv_text": GOOD}
    assert browser.post(IMPORT_URL, files={k: (None, v) for k, v in fields.items()}).status_code == 403
    without = {k: (None, v) for k, v in fields.items() if k != "csrf_token"}
    assert admin_client.post(IMPORT_URL, files=without).status_code == 403
    assert _values(session) == 0 and _imports(session) == 0
    # An import form sent empty asks for a file again.
    empty = {"csrf_token": _token(admin_client), "digest": digest, "csv_text": ""}
    response = admin_client.post(IMPORT_URL, files={k: (None, v) for k, v in empty.items()})
    assert response.status_code == 422 and "Select a CSV file to check." in response.text


def test_a_checked_file_larger_than_a_form_field_usually_may_be_is_imported(admin_client, session):
    # Over a megabyte (the form parser's default for one field): an ignored column pads each row.
    columns = ",".join(f"padding{n}" for n in range(5))
    cells = ",".join(["x" * 100_000] * 5)  # each within the csv module's field limit
    padded = GOOD.replace("note\n", f"note,{columns}\n", 1).replace(",1000,\n", f",1000,,{cells}\n")
    assert len(padded) > 1024 * 1024
    checked = _upload(admin_client, padded)
    assert checked.status_code == 200 and ">Import 3 values</button>" in checked.text
    imported = _import(admin_client, checked)
    assert imported.status_code == 303 and _values(session) == 3

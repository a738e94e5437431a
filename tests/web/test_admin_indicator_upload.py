"""Uploading indicator values as CSV from the admin page: the API's importer and limits, every
problem reported by line and column, all or nothing, admins only, CSRF checked."""

import re

import pytest
from sqlmodel import func, select

from api.audit.models import AuditEvent
from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE
from tests.web.conftest import hidden_field, sign_in

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


def _values(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def _imports(session) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == "indicators.import")).all())


def test_the_page_has_a_csv_file_field_and_the_csrf_token(admin_client):
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert '<input class="nhsuk-file-upload" id="file" name="file" type="file" accept=".csv,text/csv"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'hx-encoding="multipart/form-data"' in page.text
    assert '<progress id="upload-progress"' in page.text and 'hx-indicator="#upload-busy"' in page.text
    assert 'aria-live="polite"' in page.text
    assert 'href="/admin/indicators/upload"' in admin_client.get("/admin").text


def test_a_good_file_imports_and_the_values_are_readable(admin_client, client, session):
    response = _upload(admin_client, GOOD)
    assert response.status_code == 200
    assert "Import complete" in response.text and "<strong>3</strong> values added or changed" in response.text
    assert "<h1>Upload indicator values</h1>" in response.text  # without JavaScript: the whole page
    rows = client.get("/api/v1/indicators/93014/data").json()["items"]
    assert {(r["area_code"], r["value"]) for r in rows} == {("E08000012", 20), ("E08000015", 21), ("E06000049", 22)}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "indicators.import")).one()
    assert event.actor_label == "upload.admin@example.org" and event.after["rows_written"] == 3
    # The same file again changes nothing, and says so; htmx gets only the result.
    again = _upload(admin_client, GOOD, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "Nothing changed" in again.text and "<h1" not in again.text
    assert 'id="upload-result-heading"' in again.text and _values(session) == 3


def test_warnings_are_listed(admin_client, session):
    text = GOOD.replace("note\n", "note,Area Name\n", 1)
    response = _upload(admin_client, text)
    assert response.status_code == 200 and "column &#39;Area Name&#39; is not used and was ignored" in response.text


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(admin_client, session):
    bad = HEADER + "\n".join([
        "93014,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 2: fine
        "99999,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 3: unknown indicator
        "93014,W99999999,2022/23,Persons,20,18,22,200,1000,",          # 4: unknown area
        "93014,E08000015,2022/23,Persons,<b>twenty</b>,18,22,200,1000,",  # 5: text in a number
        "93014,E06000049,2022/23,Persons,20,18,22,200,1000,",          # 6: fine
    ]) + "\n"
    response = _upload(admin_client, bad)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text and "3 problem(s) found; nothing was imported." in response.text
    rows = re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", response.text)
    assert [(line, column) for line, column, _ in rows] == [("3", "indicator_id"), ("4", "area_code"), ("5", "value")]
    assert "&#39;&lt;b&gt;twenty&lt;/b&gt;&#39; is not a number" in response.text  # escaped, never markup
    assert _values(session) == 0 and _imports(session) == 0  # the good lines 2 and 6 were not written either
    fragment = _upload(admin_client, bad, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<h1" not in fragment.text and 'id="upload-problems"' in fragment.text


def test_a_long_report_lists_the_first_rows_and_counts_the_rest(admin_client, session):
    bad = HEADER + "".join(f"93014,E08000012,2022/23,Persons,x{n},18,22,200,1000,\n" for n in range(120))
    response = _upload(admin_client, bad)
    assert response.status_code == 422
    assert len(re.findall(r"<tr><td>\d+</td>", response.text)) == 50
    assert "And 70 more problems not listed here." in response.text
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
    assert without.status_code == 422 and "Select a CSV file to upload." in without.text
    # What a browser sends when no file was chosen: a part with an empty filename.
    empty = admin_client.post(URL, data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 422 and "Select a CSV file to upload." in empty.text


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


def test_check_only_counts_what_would_change_and_writes_nothing(admin_client, session):
    checked = admin_client.post(URL, data={"csrf_token": _token(admin_client), "check_only": "true"},
                                files={"file": ("values.csv", GOOD.encode(), "text/csv")})
    assert checked.status_code == 200
    assert "Check complete: nothing was imported" in checked.text
    assert "<strong>3</strong> values would be" in checked.text
    assert _values(session) == 0 and _imports(session) == 0
    assert "Import complete" in _upload(admin_client, GOOD).text and _values(session) == 3
    corrected = GOOD.replace(",20,18,22,", ",21.5,18,22,")
    again = admin_client.post(URL, data={"csrf_token": _token(admin_client), "check_only": "true"},
                              files={"file": ("values.csv", corrected.encode(), "text/csv")})
    assert "<strong>1</strong> value would be" in again.text and _imports(session) == 1
    session.expire_all()
    assert {v.value for v in session.exec(select(IndicatorValue))} == {20, 21, 22}  # the change was not written
    unknown_area = HEADER + "93014,E99999999,2022/23,Persons,1,,,,,\n"
    bad = admin_client.post(URL, data={"csrf_token": _token(admin_client), "check_only": "true"},
                            files={"file": ("values.csv", unknown_area.encode(), "text/csv")})
    assert bad.status_code == 422 and "Nothing was imported" in bad.text

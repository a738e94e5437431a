"""Importing indicator values: validate every row, write all or nothing, re-import is a no-op."""

from sqlmodel import func, select

from api.auth import service as auth_service
from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE

HEADER = "indicator_id,area_code,period,breakdown,value,lower_ci,upper_ci,count,denominator,note\n"
GOOD = HEADER + "".join(f"93014,{code},2022/23,Persons,{20 + n},{18 + n},{22 + n},{200 + n},1000,\n"
                        for n, code in enumerate(["E08000012", "E08000015", "E06000049"]))


def _import(client, text: str | bytes, name="values.csv"):
    body = text.encode() if isinstance(text, str) else text
    return client.post("/api/v1/indicators/import", files={"file": (name, body, "text/csv")})


def _count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def test_import_then_reimport_changes_nothing(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    first = _import(client, GOOD)
    assert first.status_code == 200 and first.json() == {"rows_written": 3, "warnings": []}
    assert _count(session) == 3
    again = _import(client, GOOD)
    assert again.json()["rows_written"] == 0 and _count(session) == 3
    changed = _import(client, GOOD.replace(",20,18,22,", ",21,18,22,"))
    assert changed.json()["rows_written"] == 1
    meta = client.get("/api/v1/indicators/93014").json()
    assert meta["last_updated"] is not None


def test_fingertips_headers_are_accepted_and_unknown_columns_warned(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    fingertips = ("Indicator ID,Indicator Name,Area Code,Area Name,Sex,Age,Category Type,Category,Time period,Value,"
                  "Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n"
                  "93014,Inactive adults,E08000012,Liverpool,Persons,19+ yrs,,,2021/22,25.1,23.0,27.3,251,1000,\n"
                  "93014,Inactive adults,E08000012,Liverpool,Persons,19+ yrs,Deprivation,Most deprived decile,"
                  "2021/22,31.2,28.0,34.5,312,1000,\n")
    result = _import(client, "\ufeff" + fingertips).json()
    assert result["rows_written"] == 2
    assert any("Indicator Name" in w for w in result["warnings"]) and any("Age" in w for w in result["warnings"])
    rows = client.get("/api/v1/indicators/93014/data").json()["items"]
    assert {r["breakdown"] for r in rows} == {"Persons", "Most deprived decile"}


def test_every_bad_row_is_reported_and_nothing_is_written(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    bad = HEADER + "\n".join([
        "93014,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 2: fine
        "93014,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 3: duplicate of line 2
        "99999,E08000012,2022/23,Persons,20,18,22,200,1000,",          # 4: unknown indicator
        "93014,W99999999,2022/23,Persons,20,18,22,200,1000,",          # 5: unknown area
        "93014,E08000015,2022/23,Persons,twenty,18,22,200,1000,",      # 6: text in a number
        "93014,E06000049,2022/23,Persons,20,25,22,200,1000,",          # 7: lower above upper
        "93014,E06000050,2022/23,Persons,20,18,22,200,0,",             # 8: denominator 0
        "93014,E06000007,,Persons,20,18,22,200,1000,",                 # 9: no period
    ]) + "\n"
    response = _import(client, bad)
    assert response.status_code == 422
    problems = {(e["line"], e["column"]) for e in response.json()["errors"]}
    assert {(3, None), (4, "indicator_id"), (5, "area_code"), (6, "value"), (7, "lower_ci"), (8, "denominator"),
            (9, "period")} <= problems
    assert (2, None) not in problems
    assert _count(session) == 0


def test_malformed_files(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    semicolons = _import(client, GOOD.replace(",", ";"))
    assert semicolons.status_code == 422 and "comma-separated" in semicolons.json()["detail"]
    assert _import(client, "").status_code == 422
    assert _import(client, b"\xff\xfe\x00b\x00a\x00d").status_code == 422
    assert _import(client, HEADER.replace("area_code,", "")).status_code == 422
    injected = _import(client, HEADER + '93014,E08000012,2022/23,Persons,20,18,22,200,1000,"=HYPERLINK(""x"")"\n')
    assert injected.status_code == 200
    exported = client.get("/api/v1/indicators/93014/data?format=csv").text
    assert "'=HYPERLINK" in exported  # neutralised on the way out
    assert _count(session) == 1


def test_only_admins_import_and_size_is_limited(client, app, person, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    _, account = person("not.an.admin@example.org")
    token = auth_service.user_token(app.state.settings, account).token
    refused = client.post("/api/v1/indicators/import", headers={"Authorization": f"Bearer {token}"},
                          files={"file": ("values.csv", GOOD.encode(), "text/csv")})
    assert refused.status_code == 403 and _count(session) == 0
    app.state.settings.max_upload_mb = 1
    try:
        big = _import(client, HEADER + "x" * (1024 * 1024 + 10))
        assert big.status_code == 413
    finally:
        app.state.settings.max_upload_mb = 25


def test_intervals_are_computed_from_count_and_denominator(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)  # ci_method wilson, per 100
    client.post("/api/v1/indicators", json={**INACTIVE, "id": "90000", "name": "Rate", "unit": "rate",
                                            "ci_method": "byar", "multiplier": 100000})
    text = ("indicator_id,area_code,period,count,denominator,value,lower_ci,upper_ci\n"
            "93014,E08000012,2022/23,81,263,,,\n"           # Newcombe (1998): 0.2553 to 0.3662
            "93014,E08000015,2022/23,15,148,10.1,9,11\n"    # given limits are kept
            "90000,E08000012,2022/23,100,50000,,,\n")       # Byar: 162.72 to 243.26 per 100,000
    result = _import(client, text).json()
    assert result["rows_written"] == 3 and any("computed" in w for w in result["warnings"])
    rows = {(r["indicator_id"], r["area_code"]): r
            for r in client.get("/api/v1/data?indicator=93014&indicator=90000").json()["items"]}
    liverpool = rows[("93014", "E08000012")]
    assert round(liverpool["value"], 2) == 30.80
    assert (round(liverpool["lower_ci"], 2), round(liverpool["upper_ci"], 2)) == (25.53, 36.62)
    assert liverpool["lower_ci_998"] < liverpool["lower_ci"] and liverpool["upper_ci_998"] > liverpool["upper_ci"]
    assert (rows[("93014", "E08000015")]["lower_ci"], rows[("93014", "E08000015")]["upper_ci"]) == (9, 11)
    rate = rows[("90000", "E08000012")]
    assert (round(rate["lower_ci"], 2), round(rate["upper_ci"], 2)) == (162.72, 243.26)


def test_dry_run_counts_what_would_change_and_writes_nothing(client, session):
    client.post("/api/v1/indicators", json=INACTIVE)
    url = "/api/v1/indicators/import?dry_run=true"
    checked = client.post(url, files={"file": ("values.csv", GOOD.encode(), "text/csv")})
    assert checked.status_code == 200 and checked.json() == {"rows_written": 3, "warnings": []}
    assert _count(session) == 0 and client.get("/api/v1/indicators/93014").json()["last_updated"] is None
    _import(client, GOOD)
    corrected = GOOD.replace(",20,18,22,", ",21.5,18,22,")
    changed = client.post(url, files={"file": ("v.csv", corrected.encode(), "text/csv")})
    assert changed.json()["rows_written"] == 1
    session.expire_all()
    assert 21.5 not in {v.value for v in session.exec(select(IndicatorValue))}
    bad = client.post(url, files={"file": ("v.csv", (HEADER + "93014,E99999999,2022/23,Persons,1,,,,,\n").encode(),
                                           "text/csv")})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")

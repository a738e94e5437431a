"""Outcome pages: progress by Place, pilots, the tartan rug and an indicator's chart and table."""

from sqlalchemy import insert

from api.indicators.models import IndicatorValue
from api.outcomes.models import PlaceUpdate
from tests.factories import PLACES

HTMX = {"HX-Request": "true"}


def _england(engine, value=25.0, period="2022/23"):
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [{
            "indicator_id": "93014", "area_code": "E92000001", "period": period, "breakdown": "Persons",
            "value": value, "lower_ci": value - 0.1, "upper_ci": value + 0.1, "note": ""}])


def test_places_page_shows_the_target_by_place_and_over_time(signed_in, session):
    client, _ = signed_in
    session.add_all([PlaceUpdate(place_code="E08000012", period="2024-Q1", plan_status="launched",
                                 people_reached=9000, people_more_active=3000, narrative="Parks programme grew."),
                     PlaceUpdate(place_code="E08000015", period="2024-Q2", plan_status="signed_off",
                                 people_reached=4000, people_more_active=1500)])
    session.commit()
    page = client.get("/places")
    assert page.status_code == 200
    assert "4,500 of 150,000 people (3.0%)" in page.text
    assert 'role="img" aria-label="Progress bar: 3.0% of the 150,000 target"' in page.text
    table = page.text[page.text.index("People more active and plan status by Place"):]
    assert '<a href="/places/E08000012">Liverpool</a></th>' in table and "3,000" in table and "Launched" in table
    assert "2024-Q1</td>" in table and "No update yet" in table
    fragment = client.get("/places", headers=HTMX)
    assert "<html" not in fragment.text and "4,500 of 150,000" in fragment.text


def test_pilots_page_shows_status_and_measures(signed_in, client):
    admin_made = client.post("/api/v1/pilots", headers={"Authorization": client.headers.get("Authorization", "")},
                             json={"name": "Test Walking Pilot", "pathway": "talking therapies", "status": "learning",
                                   "summary": "Walks with therapists.", "place_codes": ["E06000007"],
                                   "measures": [{"name": "Programme length", "value": 12, "unit": "weeks"}]})
    assert admin_made.status_code == 201, admin_made.text
    web, _ = signed_in
    page = web.get("/pilots")
    assert "Test Walking Pilot" in page.text and "Learning" in page.text and "Warrington" in page.text
    assert "Programme length" in page.text and "12 weeks" in page.text


def test_tartan_rug_compares_each_place_in_words_as_well_as_colours(signed_in, indicator, engine):
    client, _ = signed_in
    _england(engine, 25.0)
    page = client.get("/indicators")
    assert page.status_code == 200
    rug = page.text[page.text.index('<table class="nhsuk-table ata-rug">'):]
    rug = rug[:rug.index("</table>")]
    # 2022/23 values are 21+n with CI 19+n..23+n: Cheshire East (21, 19..23) is better than 25.
    assert 'ata-rug--better">21.0<span class="ata-rug__word">Better</span>' in rug
    assert 'ata-rug--worse">29.0<span class="ata-rug__word">Worse</span>' in rug
    assert rug.count("ata-rug--similar") >= 1 and ">25.0<" in rug
    assert all(f"ata-rug--{w}" in page.text for w in ("better", "similar", "worse"))


def test_indicator_page_has_a_chart_and_the_same_numbers_in_a_table(signed_in, indicator, engine):
    client, _ = signed_in
    _england(engine, 25.0, "2021/22")
    _england(engine, 24.0)
    page = client.get(f"/indicators/93014?area={PLACES[5]}")
    assert page.status_code == 200
    assert '<svg class="ata-chart"' in page.text and "<polyline" in page.text
    assert "Liverpool, 2022/23: 26.0" in page.text  # the point's title
    assert '<th scope="row">Liverpool</th>' in page.text
    assert "Cannot be calculated" in page.text  # two periods only
    assert client.get("/indicators/nope").status_code == 404
    assert client.get("/indicators/93014?area=Liverpool").status_code == 422


def test_the_rug_costs_the_same_queries_for_more_indicators(signed_in, client, indicator, engine, count_queries):
    web, _ = signed_in
    _england(engine)
    with count_queries() as one:
        web.get("/indicators")
    for n in range(5):
        client.post("/api/v1/indicators", json={**indicator, "id": f"X{n}", "name": f"Extra {n}"})
        with engine.begin() as connection:
            connection.execute(insert(IndicatorValue), [
                {"indicator_id": f"X{n}", "area_code": code, "period": "2022/23", "breakdown": "Persons",
                 "value": 20.0, "lower_ci": 19.0, "upper_ci": 21.0, "note": ""} for code in [*PLACES, "E92000001"]])
    with count_queries() as six:
        page = web.get("/indicators")
    assert page.text.count('<th scope="row"><a href="/indicators/') == 6
    assert six.count == one.count


def test_every_new_page_is_a_full_page_and_an_htmx_fragment(signed_in):
    client, _ = signed_in
    for path in ["/", "/actions", "/places", "/pilots", "/indicators"]:
        full, fragment = client.get(path), client.get(path, headers=HTMX)
        assert full.status_code == fragment.status_code == 200, path
        assert "<html" in full.text and "<html" not in fragment.text and "<h1>" in fragment.text, path
        assert fragment.headers["vary"] == "HX-Request" and fragment.headers["cache-control"] == "no-store", path

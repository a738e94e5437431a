"""fingertips_py (the Python client analysts use with Fingertips) against the real service under
uvicorn, changed only in its base URL: it reads published data, metadata and areas, and an
unpublished indicator is not served to it."""

import pytest
from sqlalchemy import insert

from api.indicators.models import Indicator, IndicatorValue
from tests.e2e.conftest import server  # noqa: F401 (the uvicorn server fixture, over the test database)
from tests.factories import PLACES

fingertips_py = pytest.importorskip("fingertips_py")
from fingertips_py import api_calls, metadata, retrieve_data  # noqa: E402

ENGLAND = "E92000001"
PUBLISHED, UNPUBLISHED = "93014", "90999"
PERIODS = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]


@pytest.fixture
def pointed_at_us(server, monkeypatch):  # noqa: F811 (the fixture imported above)
    """fingertips_py with its base URL (a module-level name each of its modules copies) set to ours."""
    base = f"{server}/fingertips/api/"
    for module in (api_calls, metadata, retrieve_data):
        monkeypatch.setattr(module, "base_url", base)
    return base


@pytest.fixture
def published_data(session, engine):
    session.add_all([
        Indicator(id=PUBLISHED, name="Percentage of physically inactive adults", unit="percent", multiplier=100,
                  polarity="lower_is_better", published=True, ci_method="wilson", source="Active Lives Adult Survey",
                  definition="Adults doing less than 30 minutes of moderate activity a week."),
        Indicator(id=UNPUBLISHED, name="Secret draft indicator", unit="percent", polarity="lower_is_better",
                  published=False),
    ])
    session.commit()
    rows = [{"indicator_id": indicator_id, "area_code": area, "period": period, "breakdown": "Persons",
             "value": 20.0 + n + p, "lower_ci": 19.0 + n + p, "upper_ci": 21.0 + n + p, "count": 200.0 + n,
             "denominator": 1000.0, "note": ""}
            for indicator_id in (PUBLISHED, UNPUBLISHED)
            for p, area in enumerate([ENGLAND, *PLACES]) for n, period in enumerate(PERIODS)]
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), rows)


def test_get_data_by_indicator_ids(pointed_at_us, published_data):
    frame = fingertips_py.get_data_by_indicator_ids([int(PUBLISHED)], 502)
    assert list(frame.columns[:4]) == ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name"]
    assert len(frame) == (1 + len(PLACES)) * len(PERIODS)
    assert set(frame["Indicator ID"]) == {int(PUBLISHED)}
    assert set(frame["Area Code"]) == {ENGLAND, *PLACES}
    liverpool = frame[(frame["Area Code"] == "E08000012") & (frame["Time period"] == "2022/23")].iloc[0]
    p = [ENGLAND, *PLACES].index("E08000012")
    assert liverpool["Value"] == pytest.approx(20.0 + 4 + p)
    assert liverpool["Lower CI 95.0 limit"] == pytest.approx(19.0 + 4 + p)
    assert liverpool["Area Type"] == "Counties & UAs (from Apr 2023)"
    assert liverpool["Sex"] == "Persons" and liverpool["Age"] == "All ages"
    assert liverpool["Compared to England value or percentiles"] == "Worse"
    assert liverpool["Time period Sortable"] == 20220000


def test_get_metadata_for_indicator(pointed_at_us, published_data):
    meta = fingertips_py.get_metadata_for_indicator(int(PUBLISHED))
    assert meta["IndicatorId"] == int(PUBLISHED)
    assert meta["Descriptive"]["Name"] == "Percentage of physically inactive adults"
    multiplier, method = fingertips_py.get_multiplier_and_calculation_for_indicator(int(PUBLISHED))
    assert (multiplier, method) == (100, "Wilson")
    frame = fingertips_py.get_metadata_for_indicator_as_dataframe([int(PUBLISHED)])
    assert frame["Indicator"].tolist() == ["Percentage of physically inactive adults"]


def test_get_areas_for_area_type_and_the_lists(pointed_at_us, published_data):
    areas = fingertips_py.get_areas_for_area_type(502)
    assert set(areas) == set(PLACES)
    assert areas["E08000012"]["Name"] == "Liverpool"
    assert fingertips_py.get_areas_for_area_type(15)[ENGLAND]["Name"] == "England"
    assert fingertips_py.get_all_sexes() == {4: "Persons", 1: "Male", 2: "Female"}
    assert fingertips_py.get_age_id("All ages") == 1
    assert fingertips_py.get_area_types_as_dict()[221]["ShortName"] == "ICBs"
    available = fingertips_py.get_all_areas_for_all_indicators()
    assert set(available) == {int(PUBLISHED)}
    assert set(available[int(PUBLISHED)]) == {15, 401, 402, 501, 502}


def test_an_unpublished_indicator_is_not_served(pointed_at_us, published_data):
    # fingertips_py retries a failed CSV request and parses whatever came back: here the 404's
    # problem document, with nothing of the indicator in it.
    frame = fingertips_py.get_data_by_indicator_ids([int(UNPUBLISHED)], 502)
    assert "Area Code" not in frame.columns
    assert "not-found" in frame.to_csv() and "Secret" not in frame.to_csv()
    assert fingertips_py.get_metadata_for_indicator(int(UNPUBLISHED)) is None
    with pytest.raises(NameError):
        fingertips_py.get_metadata_for_indicator_as_dataframe([int(UNPUBLISHED)])

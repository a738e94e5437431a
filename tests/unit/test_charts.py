"""Chart geometry and number formatting (web/charts.py): axes written like the tables, counts from
zero, room measured for labels, and one style per area on every chart."""

import itertools

import pytest
from jinja2 import Environment, FileSystemLoader

from web import charts
from web.templating import TEMPLATES_DIR


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (90676.0, None, "90,676"), (90676, None, "90,676"), (1234.56, None, "1,234.6"), (0.0, None, "0"),
    (-0.04, None, "0"), (2.5, 2, "2.50"), (1_500_000, 0, "1,500,000"), (None, None, "\u2013"),
])
def test_numbers_are_written_with_separators_and_no_stray_decimals(value, decimals, text):
    assert charts.number(value, decimals) == text


@pytest.mark.parametrize(("low", "high", "ticks", "decimals"), [
    (0, 90676, [0, 25000, 50000, 75000, 100000], 0),
    (0, 3000, [0, 1000, 2000, 3000], 0),
    (0, 1, [0, 0.25, 0.5, 0.75, 1], 2),
    (0, 0.7, [0, 0.2, 0.4, 0.6, 0.8], 1),
    (19.3, 29.8, [15, 20, 25, 30], 0),
])
def test_axis_steps_are_round_numbers_covering_the_values(low, high, ticks, decimals):
    found, places = charts.nice_ticks(low, high)
    assert found == pytest.approx(ticks) and places == decimals
    assert found[0] <= low and found[-1] >= high


def _tick_texts(chart) -> list[str]:
    return [text for _, text in chart["y_ticks"]]


def test_a_count_axis_starts_at_zero_and_has_no_decimals_or_negatives():
    chart = charts.lines({"Cumulative people more active": [("2024-Q1", 3000.0)]}, ["2024-Q1"], counts=True)
    assert _tick_texts(chart) == ["0", "1,000", "2,000", "3,000"]
    big = charts.lines({"People": [("2024-Q1", 90676.0), ("2024-Q2", 120000.0)]}, ["2024-Q1", "2024-Q2"],
                       counts=True)
    assert "90676.0" not in str(big) and _tick_texts(big)[0] == "0"
    assert all("." not in text and "-" not in text for text in _tick_texts(big))
    assert big["lines"][0].dots[0][3] == "90,676"


def test_an_axis_never_goes_below_zero_when_no_value_does():
    # Values near zero, padded below for a rate: the padding stops at zero.
    chart = charts.lines({"Liverpool": [("2021/22", 0.5), ("2022/23", 9.0)]}, ["2021/22", "2022/23"])
    assert float(_tick_texts(chart)[0]) == 0
    # Negative values are drawn as they are.
    falling = charts.lines({"Change": [("2021/22", -4.0), ("2022/23", 6.0)]}, ["2021/22", "2022/23"])
    assert _tick_texts(falling)[0].startswith("-")


def test_the_left_margin_fits_the_widest_axis_label_and_the_periods_fit_the_ends():
    small = charts.lines({"A": [("2024-Q1", 3.0), ("2024-Q2", 4.0)]}, ["2024-Q1", "2024-Q2"], counts=True)
    large = charts.lines({"A": [("2024-Q1", 1_000_000.0), ("2024-Q2", 2_500_000.0)]}, ["2024-Q1", "2024-Q2"],
                         counts=True)
    widest = max(charts.text_width(t) for t in _tick_texts(large))
    assert large["left"] > widest and large["left"] > small["left"]
    first_x, first = large["x_ticks"][0]
    last_x, last = large["x_ticks"][-1]
    assert first_x - charts.text_width(first) / 2 >= 0
    assert last_x + charts.text_width(last) / 2 <= large["width"]


def test_crowded_period_labels_are_thinned_but_the_last_always_shows():
    periods = [f"{year}-Q{q}" for year in range(2015, 2026) for q in range(1, 5)]
    chart = charts.lines({"A": [(p, float(i)) for i, p in enumerate(periods)]}, periods, counts=True)
    xs = [x for x, _ in chart["x_ticks"]]
    assert chart["x_ticks"][-1][1] == periods[-1] and len(xs) < len(periods)
    assert all(b - a >= charts.text_width("2015-Q1") for a, b in itertools.pairwise(xs))


def test_bars_leave_room_for_the_longest_label_and_value():
    chart = charts.bars([("Cheshire West and Chester", 1200.0), ("Halton", 90676.0), ("Wirral", -5.0)])
    assert chart["x"] > charts.text_width("Cheshire West and Chester")
    longest = max(chart["bars"], key=lambda b: b.width)
    assert chart["x"] + longest.width + 6 + charts.text_width(longest.text) <= chart["width"]
    assert [b.text for b in chart["bars"]] == ["1,200", "90,676", "-5"]
    assert chart["bars"][2].width == 0  # counts below zero are not drawn backwards


def test_each_area_keeps_its_style_whatever_the_order_of_the_series():
    periods = ["2021/22", "2022/23"]
    one = charts.lines({"England": [("2021/22", 1.0)], "Wirral": [("2021/22", 2.0)]}, periods)
    other = charts.lines({"Cheshire East": [("2021/22", 2.0)], "England": [("2021/22", 1.0)]}, periods)
    styles = {line.name: line.style.key for chart in (one, other) for line in chart["lines"]}
    assert styles == {"England": "england", "Wirral": "area", "Cheshire East": "area"}
    coded = charts.lines({"C&M": [("2021/22", 1.0)]}, periods, codes={"C&M": charts.SUBREGION})
    assert coded["lines"][0].style.key == "subregion"


def test_the_legend_draws_each_key_with_its_lines_own_style():
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    macros = env.get_template("partials/charts.html").module
    chart = charts.lines({"Wirral": [("2021/22", 2.0), ("2022/23", 3.0)],
                          "England": [("2021/22", 1.0), ("2022/23", 1.5)]}, ["2021/22", "2022/23"])
    html = str(macros.line_chart(chart, "A chart"))
    svg, legend = html.split('<ul class="ata-legend">')
    for key in ("england", "area"):
        assert f"ata-chart__line--{key}" in svg and f"ata-chart__line--{key}" in legend
        assert f"ata-chart__dot--{key}" in svg and f"ata-chart__dot--{key}" in legend
    assert "England <span class=\"nhsuk-body-s\">(dashed line, square markers)" in legend
    assert "Wirral, 2022/23: 3.0</title>" in svg  # a rate, to one place as in the table beside it

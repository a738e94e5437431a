"""Geometry for the server-rendered SVG charts (the markup is in templates/partials/charts.html).

Every chart is drawn from numbers that a table beside it also shows; the SVG is a picture of
the table, so nothing depends on seeing it.

Text in an SVG does not wrap or grow its box, so the space for labels is measured here (an
estimate from the number of characters at the charts' 13px font, rounded up) and the drawing
moves over to make room, instead of letting long names run off the edge. Axis steps are "nice"
numbers (1, 2 or 5 times a power of ten) and written the way the tables write numbers.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
TOP, BOTTOM, GAP = 16, 40, 10
FONT = 13
# A generous average advance for the charts' sans-serif at 13px: wide enough for digits and capitals.
CHAR = 7.6

ENGLAND, SUBREGION = "E92000001", "E54000008"


@dataclass(frozen=True)
class Style:
    """How one series is drawn; the legend draws its key with the very same class."""

    key: str
    words: str      # the line described in words, for the legend


# One style per kind of area, the same on every chart: England is always the dark dashed line,
# Cheshire and Merseyside the dotted one, a Place (or the partnership's own total) the solid blue.
STYLES = {
    "area": Style("area", "solid line, round markers"),
    "england": Style("england", "dashed line, square markers"),
    "subregion": Style("subregion", "dotted line, diamond markers"),
}


def style_for(name: str, code: str | None = None) -> Style:
    """The style of an area's series, by its GSS code when known, else by its name."""
    if code == ENGLAND or (code is None and name == "England"):
        return STYLES["england"]
    if code == SUBREGION or (code is None and name == "Cheshire and Merseyside"):
        return STYLES["subregion"]
    return STYLES["area"]


def text_width(text: str, size: int = FONT) -> float:
    """An over-estimate of how wide `text` is drawn, so that nothing measured by it is clipped."""
    return math.ceil(len(text) * CHAR * size / FONT)


def number(value: float | None, decimals: int | None = None) -> str:
    """"90,676" (never "90676.0"); a fraction with `decimals` places, or as few as it needs up to one."""
    if value is None:
        return "\u2013"  # an en dash, as the tables show a gap
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return "0" if text in {"-0", "-0.0"} else text


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], int]:
    """Evenly spaced round values covering low..high (about `count` of them), and the decimal
    places they need."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    ticks = [round(start + i * step, 10) for i in range(round((stop - start) / step) + 1)]
    decimals = next(d for d in range(4) if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-6 or d == 3)
    return ticks, decimals


# Bars -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str        # the value as written beside the bar
    width: float
    y: float


def bars(items: list[tuple[str, float]], *, row: int = 28, width: int = WIDTH) -> dict:
    """Horizontal bars from zero (counts never go below it): the label column as wide as the
    longest label, the longest bar leaving room for its value after it."""
    texts = [number(value) for _, value in items]
    label_width = max((text_width(label) for label, _ in items), default=0) + GAP
    value_width = max((text_width(t) for t in texts), default=0) + GAP
    room = max(width - label_width - value_width, 40)
    top = max([0, *(v for _, v in items)]) or 1
    drawn = [Bar(label, value, text, round(room * max(value, 0) / top, 1), i * row)
             for i, ((label, value), text) in enumerate(zip(items, texts, strict=True))]
    return {"bars": drawn, "height": len(items) * row + 4, "width": width, "x": label_width}


def share(value: float, of: float, width: int = 560) -> float:
    """The filled length of a progress bar `width` long, never more than full or less than empty."""
    return round(width * min(max(value, 0) / of, 1), 1) if of else 0.0


# Lines ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    name: str
    style: Style
    points: str              # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, str, str]]  # x, y, period, value as written


def lines(series: dict[str, list[tuple[str, float | None]]], periods: list[str], *,
          codes: dict[str, str] | None = None, counts: bool = False) -> dict:
    """Line chart geometry: one polyline per series over shared periods, with axis ticks.

    `codes` names each series' area (GSS code), so that its style is the area's on every chart;
    `counts` starts the axis at zero. An axis never goes below zero when no value does."""
    values = [v for points in series.values() for _, v in points if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if counts or not values:
        low = min(low, 0.0)
    elif high == low:
        low, high = low - 1, high + 1
    else:
        pad = (high - low) * 0.1
        low, high = low - pad, high + pad
    if values and min(values) >= 0:
        low = max(low, 0.0)
    ticks, decimals = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1]
    tick_texts = [number(t, decimals) for t in ticks]

    left = max(text_width(t) for t in tick_texts) + GAP
    # The first and last period labels are centred on the ends of the axis: half of each must fit.
    if periods:
        left = max(left, text_width(periods[0]) / 2 + 2)
    right = text_width(periods[-1]) / 2 + 2 if periods else GAP
    inner_w, inner_h = WIDTH - left - right, HEIGHT - TOP - BOTTOM
    span_x = max(len(periods) - 1, 1)
    spacing = inner_w / span_x
    widest = max((text_width(p) for p in periods), default=0) + GAP
    every = max(1, math.ceil(widest / spacing)) if len(periods) > 1 else 1

    def x(period: str) -> float:
        position = periods.index(period) if len(periods) > 1 else 0.5
        return round(left + inner_w * position / (span_x if len(periods) > 1 else 1), 1)

    def y(value: float) -> float:
        return round(TOP + inner_h * (1 - (value - low) / (high - low)), 1)

    drawn = []
    for name, points in series.items():
        # Counts are whole; other values to one place, as the tables beside the charts write them.
        dots = [(x(p), y(v), p, number(v, None if counts else 1)) for p, v in points if v is not None and p in periods]
        drawn.append(Line(name, style_for(name, (codes or {}).get(name)),
                          " ".join(f"{a},{b}" for a, b, _, _ in dots), dots))
    shown = [(x(p), p) for i, p in enumerate(periods) if i % every == 0 or i == len(periods) - 1]
    if len(shown) > 1 and shown[-1][0] - shown[-2][0] < widest:
        shown.pop(-2)  # the last period always shows; its neighbour gives way if they would touch
    return {"width": WIDTH, "height": HEIGHT, "left": left, "bottom": HEIGHT - BOTTOM, "right": WIDTH - right,
            "top": TOP, "lines": drawn, "y_ticks": [(y(t), text) for t, text in zip(ticks, tick_texts, strict=True)],
            "x_ticks": shown}

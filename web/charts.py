"""Geometry for the server-rendered SVG charts (the markup is in templates/partials/charts.html).

Every chart is drawn from numbers that a table beside it also shows; the SVG is a picture of
the table, so nothing depends on seeing it.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float
    y: float


def bars(items: list[tuple[str, float]], *, scale_to: float | None = None, row: int = 28,
         width: int = 360) -> tuple[list[Bar], int]:
    """Horizontal bars, longest = `width` px (or in proportion to `scale_to`); (bars, height)."""
    top = max([scale_to or 0, *(v for _, v in items)]) or 1
    return [Bar(label, value, round(width * max(value, 0) / top, 1), i * row) for i, (label, value) in
            enumerate(items)], len(items) * row


@dataclass(frozen=True)
class Line:
    name: str
    points: str              # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, str, float]]  # x, y, period, value


def lines(series: dict[str, list[tuple[str, float | None]]], periods: list[str]) -> dict:
    """Line chart geometry: one polyline per series over shared periods, with axis ticks."""
    values = [v for points in series.values() for _, v in points if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    span_x = max(len(periods) - 1, 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(period: str) -> float:
        return round(LEFT + inner_w * periods.index(period) / span_x, 1)

    def y(value: float) -> float:
        return round(TOP + inner_h * (1 - (value - low) / (high - low)), 1)

    drawn = []
    for name, points in series.items():
        dots = [(x(p), y(v), p, v) for p, v in points if v is not None and p in periods]
        drawn.append(Line(name, " ".join(f"{a},{b}" for a, b, _, _ in dots), dots))
    ticks = [(y(low + (high - low) * i / 4), round(low + (high - low) * i / 4, 1)) for i in range(5)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "bottom": HEIGHT - BOTTOM, "right": WIDTH - RIGHT,
            "top": TOP, "lines": drawn, "y_ticks": ticks, "x_ticks": [(x(p), p) for p in periods]}

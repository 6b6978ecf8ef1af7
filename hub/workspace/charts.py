"""Charts drawn on the server as inline SVG: no script, readable by screen readers (the SVG has a
title and a description, and the template repeats the numbers in a table)."""

from dataclasses import dataclass
from itertools import count

WIDTH, HEIGHT = 600, 180
PAD_TOP, PAD_BOTTOM, PAD_START = 12, 24, 36
_ids = count(1)


@dataclass
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    show_label: bool


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × a power of ten)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    rows: list[tuple[str, float]], *, title: str, description: str, unit: str = ""
) -> dict:
    """Geometry for templates/workspace/charts/bars.html from (label, value) rows."""
    chart_id = f"chart-{next(_ids)}"
    top = _nice_max(max((v for _l, v in rows), default=0))
    inner_w, inner_h = WIDTH - PAD_START, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = inner_w / max(1, len(rows))
    every = max(1, len(rows) // 8)  # at most about 8 axis labels
    bars = []
    for i, (label, value) in enumerate(rows):
        height = inner_h * max(0, value) / top
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(PAD_START + i * slot + slot * 0.15, 1),
                y=round(PAD_TOP + inner_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                show_label=i % every == 0,
            )
        )
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "unit": unit,
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "axis_max": top,
        "axis_mid": top / 2,
        "baseline": PAD_TOP + inner_h,
        "mid_y": PAD_TOP + inner_h / 2,
        "top_y": PAD_TOP,
        "label_y": HEIGHT - 6,
        "pad_start": PAD_START,
        "rows": rows,
    }

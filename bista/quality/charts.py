"""Server-side SVG charts: stacked bars and lines, with no JavaScript and no style attributes (the CSP forbids
them; SVG presentation attributes are fine). Each chart is `<svg role="img">` labelled by its own <title>
and <desc>; each bar segment or point may link to the events behind it. A data table with the same figures
and links goes beside every chart (the template's job), so nothing is only in the picture.

Pure: figures in, markup out. Colours are the Okabe–Ito palette, distinguishable with colour blindness.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999")
WIDTH = 720
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 60
INK = "#1f2933"
GRID = "#d9dee3"
FONT = "system-ui, sans-serif"
LEGEND_LINE = 18
CHAR_WIDTH = 6.6  # an estimate of a character's width at font-size 12, for laying out the legend


def _html(template: str, *args: object) -> SafeString:
    """`format_html` with numbers written with one decimal (coordinates) or as integers."""
    return format_html(template, *(f"{arg:.1f}" if isinstance(arg, float) else arg for arg in args))


@dataclass(frozen=True)
class Series:
    """One coloured series: a value per period, and optionally a link per period (None: no link). A line chart
    takes None for a period without a value (a gap in the line, no marker); a bar chart does not."""

    label: str
    values: Sequence[int | None]
    links: Sequence[str | None] = ()

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_max(value: int) -> int:
    """A round upper bound for the y axis (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, ...), at least `value`."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    steps = (1, 2, 3, 4, 5, 6, 8, 10) if magnitude == 1 else (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    return next(int(step * magnitude) for step in steps if step * magnitude >= value)


def ticks(top: int) -> list[int]:
    """Up to six evenly spaced whole-number ticks from 0 to `top`."""
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + 1, step))


def _plot(periods: int) -> tuple[float, float, float]:
    """(plot width, plot height, slot width per period)."""
    width = WIDTH - LEFT - RIGHT
    height = HEIGHT - TOP - BOTTOM
    return width, height, width / max(periods, 1)


def _frame(
    chart_id: str,
    title: str,
    description: str,
    top: int,
    periods: Sequence[str],
    groups: Sequence[str] | None,
    legend_lines: int,
) -> list[SafeString]:
    """The opening tag, title, description, gridlines, y ticks and x labels."""
    width, height, slot = _plot(len(periods))
    parts = [
        _html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc" '
            'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
            'class="chart" font-family="{3}" font-size="12" id="{0}">',
            chart_id,
            WIDTH,
            HEIGHT + LEGEND_LINE * max(legend_lines - 1, 0),
            FONT,
        ),
        _html('<title id="{}-title">{}</title>', chart_id, title),
        _html('<desc id="{}-desc">{}</desc>', chart_id, description),
    ]
    for tick in ticks(top):
        y = TOP + height - height * tick / top
        parts.append(
            _html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                LEFT,
                y,
                LEFT + width,
                y,
                GRID,
                LEFT - 6,
                y + 4,
                INK,
                tick,
            )
        )
    parts.append(
        _html(
            '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1.5"/>',
            LEFT,
            TOP + height,
            LEFT + width,
            INK,
        )
    )
    base = TOP + height
    for index, label in enumerate(periods):
        x = LEFT + slot * (index + 0.5)
        parts.append(_html('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>', x, base + 16, INK, label))
    if groups:
        # A second line of labels (e.g. the year under its tertials), centred under each run of equal labels,
        # with a separator between runs.
        start = 0
        for index in range(1, len(groups) + 1):
            if index == len(groups) or groups[index] != groups[start]:
                x = LEFT + slot * (start + index) / 2
                parts.append(
                    _html(
                        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-weight="bold">{}</text>',
                        x,
                        base + 34,
                        INK,
                        groups[start],
                    )
                )
                if index < len(groups):
                    sep = LEFT + slot * index
                    parts.append(
                        _html(
                            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>',
                            sep,
                            TOP,
                            base + 38,
                            GRID,
                        )
                    )
                start = index
    return parts


def _point_label(series: Series, period: str, group: str | None, value: int) -> str:
    when = f"{period} {group}" if group else period
    return f"{series.label}, {when}: {value}"


def _linked(url: str | None, inner: SafeString) -> SafeString:
    if not url:
        return inner
    return _html('<a href="{}">{}</a>', url, inner)


def _legend_positions(series: Sequence[Series]) -> list[tuple[float, int]]:
    """(x, line) of each legend item, wrapping onto new lines below the chart when the width is used up."""
    positions = []
    x, line = float(LEFT), 0
    for item in series:
        width = 17 + CHAR_WIDTH * len(item.label) + 18
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, line = float(LEFT), line + 1
        positions.append((x, line))
        x += width
    return positions


def _legend(series: Sequence[Series], marker: str) -> SafeString:
    """A legend in the SVG (the data table beside the chart is the accessible version)."""
    items = []
    for index, (item, (x, line)) in enumerate(zip(series, _legend_positions(series), strict=True)):
        y = HEIGHT - 8 + LEGEND_LINE * line
        if marker == "line":
            swatch = _html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                x,
                y - 4,
                x + 14,
                y - 4,
                colour(index),
            )
        else:
            swatch = _html('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', x, y - 10, colour(index))
        items.append(_html('{}<text x="{}" y="{}" fill="{}">{}</text>', swatch, x + 17, y, INK, item.label))
    return _html('<g aria-hidden="true">{}</g>', mark_safe("".join(items)))  # noqa: S308 - built by format_html


def _legend_lines(series: Sequence[Series]) -> int:
    return 1 + max((line for _, line in _legend_positions(series)), default=0)


def _empty(parts: list[SafeString], message: str) -> None:
    parts.append(
        _html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
            LEFT + (WIDTH - LEFT - RIGHT) / 2,
            TOP + (HEIGHT - TOP - BOTTOM) / 2,
            INK,
            message,
        )
    )


def _finish(parts: list[SafeString]) -> SafeString:
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part built by format_html


def _check(periods: Sequence[str], series: Sequence[Series], groups: Sequence[str] | None) -> None:
    for item in series:
        if len(item.values) != len(periods):
            raise ValueError(f"series {item.label!r} has {len(item.values)} values for {len(periods)} periods")
        if any(value is not None and value < 0 for value in item.values):
            raise ValueError("counts cannot be negative")
    if groups is not None and len(groups) != len(periods):
        raise ValueError("one group label per period")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    groups: Sequence[str] | None = None,
    empty_message: str = "Inga händelser under perioden.",
) -> SafeString:
    """Stacked bars: one bar per period, one segment per series (bottom up in series order)."""
    _check(periods, series, groups)
    if any(value is None for item in series for value in item.values):
        raise ValueError("a bar chart needs a count for every period")
    totals = [sum(item.values[i] or 0 for item in series) for i in range(len(periods))]
    top = nice_max(max(totals, default=0))
    parts = _frame(chart_id, title, description, top, periods, groups, _legend_lines(series))
    _, height, slot = _plot(len(periods))
    bar = max(slot * 0.6, 2.0)
    base = TOP + height
    if not any(totals):
        _empty(parts, empty_message)
    for index, period in enumerate(periods):
        x = LEFT + slot * index + (slot - bar) / 2
        bottom = float(base)
        group = groups[index] if groups else None
        for number, item in enumerate(series):
            value = item.values[index]
            if not value:
                continue
            size = height * value / top
            bottom -= size
            rect = _html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                'stroke-width="1"><title>{}</title></rect>',
                x,
                bottom,
                bar,
                size,
                colour(number),
                _point_label(item, period, group, value),
            )
            parts.append(_linked(item.link(index), rect))
    parts.append(_legend(series, "bar"))
    return _finish(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    groups: Sequence[str] | None = None,
    empty_message: str = "Inga händelser under perioden.",
) -> SafeString:
    """One line per series with a marker (and link) at each period; a period without a value (None) is a gap."""
    _check(periods, series, groups)
    top = nice_max(max((value for item in series for value in item.values if value is not None), default=0))
    parts = _frame(chart_id, title, description, top, periods, groups, _legend_lines(series))
    _, height, slot = _plot(len(periods))
    base = TOP + height
    if not any(any(item.values) for item in series):
        _empty(parts, empty_message)
    for number, item in enumerate(series):
        points = [
            None if value is None else (LEFT + slot * (index + 0.5), base - height * value / top)
            for index, value in enumerate(item.values)
        ]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is not None:
                run.append(point)
                continue
            if len(run) > 1:
                parts.append(
                    _html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
                        " ".join(f"{x:.1f},{y:.1f}" for x, y in run),
                        colour(number),
                    )
                )
            run = []
        for index, point in enumerate(points):
            value = item.values[index]
            if point is None or value is None:
                continue
            x, y = point
            group = groups[index] if groups else None
            dot = _html(
                '<circle cx="{}" cy="{}" r="5" fill="{}" stroke="#ffffff" stroke-width="1.5">'
                "<title>{}</title></circle>",
                x,
                y,
                colour(number),
                _point_label(item, periods[index], group, value),
            )
            parts.append(_linked(item.link(index) if value else None, dot))
    parts.append(_legend(series, "line"))
    return _finish(parts)

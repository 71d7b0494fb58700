"""Charts, drawn by one library — matplotlib (ADR 0015) — for the web and for the documents.

- `bar_chart` and `line_chart`: inline SVG for a page. Each chart is `<svg role="img">` labelled by its own
  <title> and <desc>; each bar segment or point has a <title> ("Kategori, T1 2024: 3") and may link to the
  records behind it. The page's Content Security Policy forbids style attributes and <style> elements, so the
  SVG's styles are rewritten as presentation attributes and its ids are prefixed with the chart's id (two
  charts on a page never share an id). No JavaScript.
- `line_chart_png`: a PNG for Word and PDF, with each value written at its point and a target as a labelled
  dashed line (not only a colour).

A data table with the same figures (and links) goes beside every chart — the template's or the document's
job — so nothing is only in the picture. Colours are the Okabe–Ito palette, told apart with colour
blindness. The y axis fits the figures: counts start at 0 with whole-number ticks; a line of shares or rates
starts at 0 unless its values lie far above it, and never runs to 100 % for a figure of a few per cent.

Pure: figures in, markup or bytes out. matplotlib's object API only (no pyplot), so it is safe in threads.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported by the functions that draw, not with this module: the pages and commands that import
# this module's callers would otherwise pay its ~0.3 s at every process start.

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999")
TARGET = "#D55E00"  # Okabe–Ito vermilion
INK = "#1f2933"
GRID = "#d9dee3"
WIDTH_IN, HEIGHT_IN = 8.5, 3.4  # inches; the SVG scales to the page's width
LEGEND_ROW_IN = 0.3
EMPTY_TEXT = "Inga händelser under perioden."
# The SVG properties that are also presentation attributes (what a `style` may be rewritten into).
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-opacity",
    "opacity",
    "clip-path",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
}
_RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # real <text>, searchable and readable
    "svg.hashsalt": "bista",  # the same figures give the same markup
    "font.family": "DejaVu Sans",  # the PDF's font; it has å, ä, ö and the en dash
    "font.size": 10,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
}


@dataclass(frozen=True)
class Series:
    """One coloured series: a value per period, and optionally a link per period (None: no link). A line chart
    takes None for a period without a value (a gap in the line, no marker); a bar chart does not."""

    label: str
    values: Sequence[float | None]
    links: Sequence[str | None] = ()

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _check(
    periods: Sequence[str], series: Sequence[Series], groups: Sequence[str] | None, *, counts: bool = True
) -> None:
    """Counts are never negative (a negative one is a bug upstream); other figures (a result in kronor) may be."""
    for item in series:
        if len(item.values) != len(periods):
            raise ValueError(f"series {item.label!r} has {len(item.values)} values for {len(periods)} periods")
        if counts and any(value is not None and value < 0 for value in item.values):
            raise ValueError("counts cannot be negative")
    if groups is not None and len(groups) != len(periods):
        raise ValueError("one group label per period")


def _legend_columns(series: Sequence[Series]) -> int:
    """As many legend columns as the longest label lets fit on a row of about 110 characters."""
    return max(1, min(len(series), 110 // max((len(item.label) + 6 for item in series), default=1)))


def _legend_rows(series: Sequence[Series]) -> int:
    return max(1, -(-len(series) // _legend_columns(series)))


def _figure(series: Sequence[Series]) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = _legend_rows(series)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN + LEGEND_ROW_IN * (rows - 1)), dpi=100)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=1)
    axes.set_axisbelow(True)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))
    return figure, axes


CHAR_IN = 0.075  # the width of a character of the 10 pt DejaVu Sans, about (inches)
PLOT_IN = WIDTH_IN * (0.98 - 0.09)


def _label_step(periods: Sequence[str]) -> int:
    """Every period's label when they fit side by side; else every second, third… (from the first), so that
    labels never run into each other. Each point's text and the table beside the chart still name every period."""
    if not periods:
        return 1
    room = PLOT_IN / len(periods)
    needed = (max(len(label) for label in periods) + 1.5) * CHAR_IN
    return max(1, math.ceil(needed / room))


def _x_axis(axes: Any, periods: Sequence[str], groups: Sequence[str] | None) -> None:
    """A label per period; under them each run of equal group labels (the year under its tertials), centred,
    with a thin line between runs."""
    from matplotlib.transforms import blended_transform_factory

    step = _label_step(periods)
    axes.set_xticks(range(len(periods)), [label if index % step == 0 else "" for index, label in enumerate(periods)])
    axes.set_xlim(-0.5, max(len(periods), 1) - 0.5)
    if not groups:
        return
    below = blended_transform_factory(axes.transData, axes.transAxes)
    start = 0
    for index in range(1, len(groups) + 1):
        if index == len(groups) or groups[index] != groups[start]:
            axes.annotate(
                groups[start],
                xy=((start + index - 1) / 2, 0),
                xycoords=below,
                xytext=(0, -18),  # points under the period labels
                textcoords="offset points",
                ha="center",
                va="top",
                weight="bold",
            )
            if index < len(groups):
                axes.axvline(index - 0.5, color=GRID, linewidth=1)
            start = index


def _legend(figure: Figure, axes: Any, series: Sequence[Series]) -> None:
    """The legend under the plot, below the period and group labels; the figure keeps room for it (inches)."""
    labels_in = 0.6
    below = labels_in + LEGEND_ROW_IN * _legend_rows(series)
    figure.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=below / figure.get_figheight())
    if not series:
        return
    axes.legend(
        loc="upper left",
        bbox_to_anchor=(0.05, (below - labels_in) / figure.get_figheight()),
        bbox_transform=figure.transFigure,
        ncols=_legend_columns(series),
        frameon=False,
        handlelength=1.2,
    )


def _empty(axes: Any, message: str) -> None:
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center")
    axes.set_ylim(0, 1)


def _point_label(
    series: Series, period: str, group: str | None, value: float, value_text: Callable[[float], str] = str
) -> str:
    when = f"{period} {group}" if group else period
    return f"{series.label}, {when}: {value_text(value)}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    groups: Sequence[str] | None = None,
    empty_message: str = EMPTY_TEXT,
) -> SafeString:
    """Stacked bars: one bar per period, one segment per series (bottom up in series order)."""
    _check(periods, series, groups)
    if any(value is None for item in series for value in item.values):
        raise ValueError("a bar chart needs a count for every period")
    from matplotlib import rc_context

    tips: dict[str, str] = {}
    with rc_context(_RC):
        figure, axes = _figure(series)
        _x_axis(axes, periods, groups)
        bottoms: list[float] = [0.0] * len(periods)
        for number, item in enumerate(series):
            values = [value or 0 for value in item.values]
            bars = axes.bar(range(len(periods)), values, 0.6, bottom=bottoms, color=colour(number), label=item.label)
            for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
                if not value:
                    bar.set_linewidth(0)  # nothing to draw (hidden, it would hide the legend's swatch too)
                    continue
                gid = f"{chart_id}-s{number}-p{index}"
                bar.set_gid(gid)
                bar.set_edgecolor("#ffffff")
                tips[gid] = _point_label(item, periods[index], groups[index] if groups else None, value)
                bar.set_url(item.link(index))
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        if not any(bottoms):
            _empty(axes, empty_message)
        _legend(figure, axes, series)
        return _svg(figure, chart_id, title, description, tips)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    groups: Sequence[str] | None = None,
    empty_message: str = EMPTY_TEXT,
    value_text: Callable[[float], str] | None = None,
) -> SafeString:
    """One line per series with a marker (and link) at each period; a period without a value (None) is a gap.
    Counts by default (whole-number ticks); with `value_text`, any figures, written by it on the axis and in each
    point's text (a share as "4,3 %", hours as "12,5 h"), and then a figure may be below zero (a deficit)."""
    _check(periods, series, groups, counts=value_text is None)
    from matplotlib import rc_context
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    tips: dict[str, str] = {}
    text = value_text or str
    with rc_context(_RC):
        figure, axes = _figure(series)
        _x_axis(axes, periods, groups)
        if value_text is not None:
            axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
            axes.yaxis.set_major_formatter(FuncFormatter(lambda tick, _pos: value_text(tick)))
        for number, item in enumerate(series):
            ys = [float("nan") if value is None else value for value in item.values]
            axes.plot(range(len(periods)), ys, color=colour(number), linewidth=2.5, label=item.label)
            for index, value in enumerate(item.values):
                if value is None:
                    continue
                (marker,) = axes.plot([index], [value], "o", color=colour(number), markersize=8)
                marker.set_markeredgecolor("#ffffff")
                gid = f"{chart_id}-s{number}-p{index}"
                marker.set_gid(gid)
                tips[gid] = _point_label(item, periods[index], groups[index] if groups else None, value, text)
                if value:
                    marker.set_url(item.link(index))
        if not any(any(item.values) for item in series):
            _empty(axes, empty_message)
        elif min(value for item in series for value in item.values if value is not None) >= 0:
            axes.set_ylim(bottom=0)
            axes.margins(y=0.12)
        else:  # a result below zero (a deficit): the axis follows the figures, and zero is drawn as a line
            axes.axhline(0, color=INK, linewidth=0.8)
            axes.margins(y=0.12)
        _legend(figure, axes, series)
        return _svg(figure, chart_id, title, description, tips)


# --- SVG for a page with a strict Content Security Policy ------------------------------------------------


def _attributes(style: str) -> str:
    """`fill: #fff; stroke-width: 2` → ` fill="#fff" stroke-width="2"` (what is no presentation attribute, such
    as the font family the page sets for the whole chart, is dropped)."""
    out = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name == "font":  # shorthand "10px 'DejaVu Sans'": keep the size
            name, value = "font-size", value.split()[0] if value else ""
        if name in _PRESENTATION and value:
            out.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(out)


def _titled(body: str, gid: str, text: str, points: re.Pattern[str]) -> str:
    """The point's group gets its <title>; its link, if it has one, the same text as its accessible name (the
    shape inside the link has none)."""
    opening = f'<g id="{gid}">'
    start = body.find(opening)
    if start < 0:
        return body
    body = body[: start + len(opening)] + f"<title>{text}</title>" + body[start + len(opening) :]
    following = points.search(body, start + len(opening))
    link = body.find("<a href=", start)
    if link != -1 and (following is None or link < following.start()):
        end = body.index(">", link)
        body = body[:end] + f' aria-label="{text}"' + body[end:]
    return body


def _svg(figure: Figure, chart_id: str, title: str, description: str, tips: dict[str, str]) -> SafeString:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    raw = buffer.getvalue()
    view_box = re.search(r'viewBox="([^"]+)"', raw)
    body = raw[raw.index(">", raw.index("<svg")) + 1 :]
    body = re.sub(r"<metadata>.*?</metadata>|<style[^>]*>.*?</style>", "", body, flags=re.S)
    body = re.sub(r'style="([^"]*)"', lambda m: _attributes(m.group(1)).strip(), body)
    body = body.replace("xlink:href=", "href=")
    # Prefix matplotlib's own ids (clip paths, groups) so that two charts on one page never share one.
    own = set(re.findall(r'id="([^"]+)"', body)) - set(tips)
    for name in own:
        body = body.replace(f'id="{name}"', f'id="{chart_id}-{name}"').replace(f"#{name})", f"#{chart_id}-{name})")
        body = body.replace(f'href="#{name}"', f'href="#{chart_id}-{name}"')
    points = re.compile(rf'<g id="{re.escape(chart_id)}-s\d+-p\d+">')
    for gid, tip in tips.items():
        body = _titled(body, gid, html.escape(tip), points)
    body = body.replace(' target="_blank"', "")
    # A picture is an img; one with links to follow is a figure (an img's content is not reachable).
    role = "figure" if "<a href=" in body else "img"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="{role}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="{view_box.group(1) if view_box else "0 0 518 230"}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" class="chart" font-family="system-ui, sans-serif" id="{chart_id}">'
        f'<title id="{chart_id}-title">{html.escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{html.escape(description)}</desc>'
    )
    # Every text in it is escaped: ours by html.escape, the labels by matplotlib's SVG writer.
    return mark_safe(head + body.strip())  # noqa: S308


# --- PNG for the documents -------------------------------------------------------------------------------


def line_chart_png(
    *,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    value_text: Callable[[Decimal], str],
    target: Decimal | None = None,
    target_text: str = "",
) -> bytes:
    """A line over the periods (a missing value leaves a gap) with each value written at its point by
    `value_text` (Swedish number format), and the target, if any, as a dashed line labelled `target_text`."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    values = [float(v) for _, v in points if v is not None]
    with rc_context(_RC):
        figure = Figure(figsize=(7.6, 3.2), dpi=100)
        axes = figure.add_subplot()
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", color=GRID, linewidth=1)
        axes.set_axisbelow(True)
        axes.set_title(title[:90], loc="left", fontsize=13, color=INK)
        axes.set_xticks(range(len(points)), [label for label, _ in points])
        axes.set_xlim(-0.5, max(len(points), 1) - 0.5)
        ys = [float("nan") if v is None else float(v) for _, v in points]
        axes.plot(range(len(points)), ys, color=PALETTE[0], linewidth=2.5, marker="o", markersize=7)
        for index, (_, value) in enumerate(points):
            if value is not None:
                axes.annotate(value_text(value), (index, float(value)), textcoords="offset points", xytext=(0, 8))
        if target is not None:
            axes.axhline(float(target), color=TARGET, linestyle=(0, (5, 4)), linewidth=2)
            axes.annotate(
                target_text,
                (0, float(target)),
                xycoords=("axes fraction", "data"),
                color=TARGET,
                textcoords="offset points",
                xytext=(4, 4),
            )
            values.append(float(target))
        if not values:
            axes.text(0.5, 0.5, "Inga värden ännu.", transform=axes.transAxes, ha="center", va="center")
            axes.set_ylim(0, 1)
        else:
            low, high = min(values), max(values)
            # From 0 unless the figures lie far above it (then the axis would flatten what changes).
            bottom = 0.0 if low >= 0 and low <= 0.5 * high else low - 0.15 * (high - low or abs(high) or 1)
            axes.set_ylim(bottom, high + 0.18 * (high - bottom or 1))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda tick, _pos: value_text(Decimal(str(round(tick, 6))))))
        figure.subplots_adjust(left=0.11, right=0.98, top=0.86, bottom=0.12)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()

"""An indicator's outcome over the years as a PNG line chart (for the DOCX, the PDF and the goal page).

Drawn with Pillow, no browser and no plotting library. The same figures are always in a table beside or
above the chart (the indicator table, and the page's data table), so nothing is only in the picture. The
target, when there is one, is a dashed line, labelled, not only coloured.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from bista.governance import rules

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 80, 30, 62, 46
INK = (31, 41, 51)
GRID = (217, 222, 227)
LINE = (0, 114, 178)  # Okabe–Ito blue
TARGET = (213, 94, 0)  # Okabe–Ito vermilion


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (the PDF's font, with å, ä, ö and the en dash); Pillow's own font if it is not installed."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _nice_top(value: float) -> float:
    """A round upper bound for the axis, at least `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value))) / 10
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(value)


def line_chart_png(
    *,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    target: Decimal | None = None,
    decimals: int = 1,
    unit_of_measure: str = "",
) -> bytes:
    """A line over the periods (missing values leave a gap), with each value written at its point."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((LEFT, 14), title[:90], fill=INK, font=_font(18))
    values = [float(v) for _, v in points if v is not None]
    if target is not None:
        values.append(float(target))
    highest = max(values, default=0.0)
    # A share's axis ends at 100 % when nothing is above it (a target of 100 % is then the top line).
    top = 100.0 if unit_of_measure.strip() == "%" and 0 < highest <= 100 else _nice_top(highest * 1.1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    small = _font(13)
    for i in range(6):
        tick = top * i / 5
        y = base - plot_h * i / 5
        draw.line([(LEFT, y), (LEFT + plot_w, y)], fill=GRID, width=1)
        draw.text((LEFT - 8, y), rules.format_value(Decimal(str(tick)), decimals), fill=INK, font=small, anchor="rm")
    draw.line([(LEFT, base), (LEFT + plot_w, base)], fill=INK, width=2)
    slot = plot_w / max(len(points), 1)
    coordinates: list[tuple[float, float] | None] = []
    for index, (label, value) in enumerate(points):
        x = LEFT + slot * (index + 0.5)
        draw.text((x, base + 16), label, fill=INK, font=small, anchor="mm")
        coordinates.append(None if value is None else (x, base - plot_h * float(value) / top))
    if target is not None:
        y = base - plot_h * float(target) / top
        x = float(LEFT)
        while x < LEFT + plot_w:
            draw.line([(x, y), (min(x + 10, LEFT + plot_w), y)], fill=TARGET, width=2)
            x += 18
        draw.text(
            (LEFT + 4, y - 4),
            f"Årsmål {rules.format_value(target, decimals, unit_of_measure)}",
            fill=TARGET,
            font=small,
            anchor="lb",
        )
    previous: tuple[float, float] | None = None
    for point in coordinates:
        if point is not None and previous is not None:
            draw.line([previous, point], fill=LINE, width=3)
        previous = point
    for (_, value), point in zip(points, coordinates, strict=True):
        if point is None or value is None:
            continue
        x, y = point
        draw.ellipse([(x - 5, y - 5), (x + 5, y + 5)], fill=LINE, outline="white")
        draw.text((x, y - 10), rules.format_value(value, decimals), fill=INK, font=small, anchor="mb")
    if not any(point is not None for point in coordinates):
        draw.text((LEFT + plot_w / 2, TOP + plot_h / 2), "Inga värden ännu.", fill=INK, font=small, anchor="mm")
    buffer = io.BytesIO()
    # A few colours are enough: a palette image is a third of the pixels to compress, here and in the PDF.
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=32).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()

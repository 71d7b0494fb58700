"""PDF documents (WeasyPrint) rendered from Django templates made for print (`core/print_base.html`: A4, page
numbers, the project's own fonts); every asset comes from the project. Each context renders its own
templates with this one function instead of importing another's renderer."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict[str, Any], *, full_fonts: bool = False) -> bytes:
    """Render a print template to PDF bytes. `full_fonts` embeds whole fonts instead of subsets: for long
    documents subsetting (fontTools, without HarfBuzz's subsetter) takes longer than the rest of the writing."""
    from weasyprint import HTML  # imported here: loading the layout engine is slow and only PDFs need it

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf(full_fonts=full_fonts)  # type: ignore[no-any-return]

"""PDF documents (WeasyPrint) rendered from Django templates; every asset comes from the project."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template made for print (see care/print_base.html) to PDF bytes."""
    from weasyprint import HTML  # imported here: loading the layout engine is slow and only PDFs need it

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()  # type: ignore[no-any-return]

"""The printable guide (办事指南) of an item as a PDF, rendered by WeasyPrint with CJK fonts."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from catalog.models import ServiceItem


def guide_pdf(*, item: ServiceItem, guide_url: str) -> bytes:
    """Render the whole guide of a published item; the QR code leads to its online page."""
    qr_svg = segno.make(guide_url, error="m").svg_data_uri(scale=3, border=1)
    html = render_to_string(
        "catalog/guide_pdf.html",
        {"item": item, "guide_url": guide_url, "qr_svg": qr_svg, "printed": timezone.localdate()},
    )
    # WeasyPrint takes a second to import; only processes that print pay for it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=guide_url).write_pdf()
    return pdf


def guide_pdf_filename(item: ServiceItem) -> str:
    return f"guide-{item.basic_code}{('-' + item.variant) if item.variant else ''}.pdf"

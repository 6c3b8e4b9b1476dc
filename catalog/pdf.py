"""The printable guide (办事指南) of an item as a PDF, rendered by WeasyPrint with CJK fonts."""

from __future__ import annotations

from typing import Any

import segno
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalog.models import ServiceItem


def template_pdf(template: str, context: dict[str, Any], base_url: str | None = None) -> bytes:
    """Render a template (with today's date as `printed`) to PDF; the CSS names the CJK fonts."""
    html = render_to_string(template, {**context, "printed": timezone.localdate()})
    # WeasyPrint takes a second to import; only processes that print pay for it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


def guide_pdf(*, item: ServiceItem, guide_url: str) -> bytes:
    """Render the whole guide of a published item; the QR code leads to its online page."""
    qr_svg = segno.make(guide_url, error="m").svg_data_uri(scale=3, border=1)
    return template_pdf(
        "catalog/guide_pdf.html",
        {"item": item, "guide_url": guide_url, "qr_svg": qr_svg},
        base_url=guide_url,
    )


def guide_pdf_response(request: HttpRequest, item: ServiceItem, *, download: bool) -> HttpResponse:
    """The guide as a PDF answer; its QR code leads to the item's page on the public site."""
    guide_url = request.build_absolute_uri(
        reverse(
            "portal:item", kwargs={"center": item.center.slug, "code": item.implementation_code}
        )
    )
    response = HttpResponse(
        guide_pdf(item=item, guide_url=guide_url), content_type="application/pdf"
    )
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{guide_pdf_filename(item)}"'
    return response


def guide_pdf_filename(item: ServiceItem) -> str:
    return f"guide-{item.basic_code}{('-' + item.variant) if item.variant else ''}.pdf"

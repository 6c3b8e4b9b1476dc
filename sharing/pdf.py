"""The certificate as a PDF (WeasyPrint, as the case notices) with the QR code that verifies it."""

from __future__ import annotations

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from catalog.pdf import template_pdf
from sharing.models import Certificate


def verification_path(certificate: Certificate) -> str:
    """The public page that says whether the certificate is genuine and valid."""
    path = reverse("sharing:verify", kwargs={"identifier": certificate.identifier})
    return f"{path}?{urlencode({'s': certificate.token})}"


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate with its data, its identifier and the QR code of `verify_url`."""
    qr_svg = segno.make(verify_url, error="m").svg_data_uri(scale=3, border=1)
    return template_pdf(
        "sharing/certificate_pdf.html",
        {"certificate": certificate, "verify_url": verify_url, "qr_svg": qr_svg},
    )


def certificate_pdf_for(request: HttpRequest, certificate: Certificate) -> bytes:
    return certificate_pdf(
        certificate=certificate,
        verify_url=request.build_absolute_uri(verification_path(certificate)),
    )

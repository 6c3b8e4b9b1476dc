"""The case's written notices as PDFs (WeasyPrint with CJK fonts, as the catalog's guide)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Case, CaseDecision, CorrectionNotice


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, {**context, "printed": timezone.localdate()})
    # WeasyPrint takes a second to import; only processes that print pay for it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def correction_notice_pdf(*, notice: CorrectionNotice) -> bytes:
    """一次性告知书: every missing or faulty material at once."""
    return _pdf("cases/correction_notice_pdf.html", {"notice": notice, "case": notice.case})


def acceptance_notice_pdf(*, case: Case) -> bytes:
    """受理通知书 with the due dates."""
    return _pdf("cases/acceptance_notice_pdf.html", {"case": case})


def decision_pdf(*, decision: CaseDecision) -> bytes:
    """准予 / 不予行政许可决定书: the outcome, its reason or the gaps to follow."""
    return _pdf("cases/decision_pdf.html", {"decision": decision, "case": decision.case})

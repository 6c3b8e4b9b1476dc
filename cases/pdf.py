"""The case's written notices as PDFs (WeasyPrint with CJK fonts, as the catalog's guide)."""

from __future__ import annotations

from cases.models import Case, CaseDecision, CorrectionNotice
from catalog.pdf import template_pdf


def correction_notice_pdf(*, notice: CorrectionNotice) -> bytes:
    """一次性告知书: every missing or faulty material at once."""
    return template_pdf("cases/correction_notice_pdf.html", {"notice": notice, "case": notice.case})


def acceptance_notice_pdf(*, case: Case) -> bytes:
    """受理通知书 with the due dates."""
    return template_pdf("cases/acceptance_notice_pdf.html", {"case": case})


def decision_pdf(*, decision: CaseDecision) -> bytes:
    """准予 / 不予行政许可决定书: the outcome, its reason or the gaps to follow."""
    return template_pdf("cases/decision_pdf.html", {"decision": decision, "case": decision.case})

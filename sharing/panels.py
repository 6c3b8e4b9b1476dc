"""The registry's panel on the case page (the `cases.hooks.case_panels` hook): the certificates
that provide the case's materials, and the applicant's certificates that could."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import User
from cases.models import Case
from sharing.selectors import certificate_uses_of_case, certificates_for_materials
from sharing.services import PROVIDE_STATUSES, certificate_uses_consult


def case_panel(request: HttpRequest, case: Case) -> SafeString:
    user = request.user
    if not isinstance(user, User):
        return SafeString("")
    today = timezone.localdate()
    uses = list(certificate_uses_of_case(case))
    is_applicant = case.applicant_user_id == user.pk
    offers = (
        certificates_for_materials(case=case, user=user, today=today)
        if is_applicant and case.status in PROVIDE_STATUSES
        else []
    )
    if not uses and not offers:
        return SafeString("")
    if uses and not is_applicant:
        certificate_uses_consult(case=case, user=user)
    rows = [(use, use.certificate.status_on(today)) for use in uses]
    return render_to_string(
        "sharing/_case_panel.html",
        {"case": case, "rows": rows, "offers": offers},
        request=request,
    )

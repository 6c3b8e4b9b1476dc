"""Pages of the certificate registry: public verification, the holder's certificates and PDFs,
and the issuing department's list with suspension, revocation and cancellation."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cases.selectors import case_get_for
from govhall.errors import ConflictError
from govhall.identifiers import mask_id, mask_name
from sharing import services
from sharing.models import Certificate, CertificateUse
from sharing.pdf import certificate_pdf_for, verification_path
from sharing.selectors import (
    certificate_verify,
    certificates_managed_by,
    certificates_of_holder,
    holder_identifiers,
    managed_scope,
)
from sharing.signing import signing_key


def _run(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run one service for a form, and say on the next page what came of it."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (ConflictError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@require_GET
def verify(request: HttpRequest, identifier: str) -> HttpResponse:
    """Where the certificate's QR code leads: genuine or not, valid today or not."""
    result = certificate_verify(
        identifier=identifier, token=request.GET.get("s", ""), today=timezone.localdate()
    )
    return render(
        request, "sharing/verify.html", {"result": result, "identifier": identifier[:200]}
    )


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    """The center's public key, for verifying certificates offline (docs/sharing.md)."""
    response = HttpResponse(signing_key().public_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="govhall-certificates.pem"'
    return response


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in holder's certificates, with their PDFs and what verification shows."""
    user = _user(request)
    today = timezone.localdate()
    certificates = [
        (certificate, certificate.status_on(today), verification_path(certificate))
        for certificate in certificates_of_holder(user).prefetch_related(
            Prefetch("uses", CertificateUse.objects.select_related("case", "used_by"))
        )
    ]
    return render(request, "sharing/mine.html", {"certificates": certificates})


def _holder_or_manager(user: User, identifier: str) -> Certificate:
    """The certificate, to its holder and to those who manage it; 404 to anyone else."""
    certificate = (
        Certificate.objects.select_related("type", "issuer", "issuer__center")
        .filter(
            Q(holder_identifier__in=holder_identifiers(user))
            | Q(pk__in=certificates_managed_by(user).values("pk")),
            identifier=identifier,
        )
        .first()
    )
    if certificate is None:
        raise Http404(_("No certificate of yours has this identifier."))
    return certificate


@login_required
@require_GET
def pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = _holder_or_manager(_user(request), identifier)
    response = HttpResponse(
        certificate_pdf_for(request, certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def disclosure(request: HttpRequest, identifier: str) -> HttpResponse:
    user = _user(request)
    certificate = _holder_or_manager(user, identifier)
    _run(
        request,
        lambda: services.certificate_disclosure_set(
            certificate=certificate,
            holder_identifiers=holder_identifiers(user),
            fields=request.POST.getlist("field"),
        ),
        _("Saved: verification shows what you chose."),
    )
    return redirect("sharing:mine")


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """The certificates a department head or the administrator may change, newest first."""
    user = _user(request)
    if managed_scope(user) is None:
        raise PermissionDenied(_("This list is for department heads and the administrator."))
    query = request.GET.get("q", "").strip()[:100]
    certificates = certificates_managed_by(user)
    if query:
        certificates = certificates.filter(
            Q(identifier=query) | Q(number=query) | Q(holder_identifier=query.upper())
        )
    rows = [
        (certificate, mask_name(certificate.holder_name), mask_id(certificate.holder_identifier))
        for certificate in certificates[:100]
    ]
    return render(request, "sharing/manage.html", {"rows": rows, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def manage_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    user = _user(request)
    certificate = (
        certificates_managed_by(user).filter(identifier=identifier).select_related("type").first()
    )
    if certificate is None:
        raise Http404(_("No certificate you manage has this identifier."))
    if request.method == "POST":
        _run(
            request,
            lambda: services.certificate_status_change(
                certificate=certificate,
                action=request.POST.get("action", ""),
                actor=user,
                reason=request.POST.get("reason", ""),
            ),
            _("Done."),
        )
        return redirect("sharing:manage_detail", identifier=certificate.identifier)
    today = timezone.localdate()
    return render(
        request,
        "sharing/manage_detail.html",
        {
            "certificate": certificate,
            "status": certificate.status_on(today),
            "holder_name": mask_name(certificate.holder_name),
            "holder_identifier": mask_id(certificate.holder_identifier),
            "history": certificate.status_changes.select_related("changed_by"),
            "verify_path": verification_path(certificate),
            "actions": services.StatusAction.choices,
        },
    )


@login_required
@require_POST
def provide(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant takes a material of their case from the registry."""
    user = _user(request)
    case = case_get_for(user=user, number=number)
    material = request.POST.get("material", "")

    def take() -> object:
        if not material.isdigit():
            raise ValidationError(_("Choose the material to provide."))
        return services.certificate_use_provide(
            case=case,
            material_id=int(material),
            identifier=request.POST.get("identifier", ""),
            user=user,
        )

    _run(request, take, _("Done."))
    return redirect("cases:detail", number=case.number)

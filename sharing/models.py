"""The certificate registry (电子证照库): certificate types, certificates, status history."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import ApplicantKind, Case, CaseCertificate
from catalog.models import Department, MaterialSpec

# GB/T 36904: the object identifier arc of electronic certificates, then type, issuer, serial,
# version and an ISO 7064 MOD 37,36 check character.
IDENTIFIER_PREFIX = "1.2.156.3005.2"
IDENTIFIER_VERSION = "01"
# The leading characters of the signature that the QR code carries: 132 bits, enough that no one
# guesses them, short enough for a small QR code.
TOKEN_LENGTH = 22

type_code_validator = RegexValidator(
    r"^[A-Z0-9]+(_[A-Z0-9]+)*$",
    _("A type code uses capital letters and digits, words joined by single underscores."),
)


class CertificateStatus(models.TextChoices):
    """The certificate status codes of GB/T 36904-style registries (DESIGN §3): keep the codes."""

    VALID = "01", _("Valid")  # 有效
    SUSPENDED = "02", _("Suspended")  # 暂停
    REVOKED = "03", _("Revoked")  # 撤销
    CANCELLED = "04", _("Deregistered")  # 注销
    EXPIRED = "05", _("Expired")  # 过期
    OTHER = "99", _("Other")


# The statuses whose certificates may still change (and expire).
LIVE_STATUSES = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


class CertificateSource(models.TextChoices):
    CASE = "case", _("Issued on a case's approval")
    PUSH = "push", _("Pushed by a department system")


class CertificateType(models.Model):
    """A kind of certificate (证照类型) that one department issues, with the data it carries.

    `fields` is a list of `{"key": ..., "label": ..., "required": bool}`: the data fields of
    every certificate of the type.
    """

    code = models.CharField(
        _("type code"),
        max_length=30,
        validators=[type_code_validator],
        help_text=_("As materials name it (e.g. BUSINESS_LICENCE); part of every identifier."),
    )
    name = models.CharField(_("name"), max_length=60)
    issuer = models.ForeignKey(
        Department,
        verbose_name=_("issuing department"),
        on_delete=models.PROTECT,
        related_name="certificate_types",
    )
    fields = models.JSONField(_("data fields"), default=list, blank=True)
    valid_years = models.PositiveSmallIntegerField(
        _("valid for (years)"),
        null=True,
        blank=True,
        help_text=_("Blank: certificates of this type do not expire."),
    )
    last_serial = models.PositiveIntegerField(_("last serial number"), default=0, editable=False)

    class Meta:
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")
        ordering = ["issuer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "name"], name="certificate_type_unique_name"),
            # The code is national (every market bureau issues BUSINESS_LICENCE); the issuer's
            # USCC beside it in the identifier tells them apart.
            models.UniqueConstraint(fields=["issuer", "code"], name="certificate_type_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier_code(self) -> str:
        """The code as it stands in identifiers: ISO 7064 checks letters and digits only."""
        return self.code.replace("_", "")

    def field_keys(self) -> list[str]:
        return [str(field["key"]) for field in self.fields]

    def field_labels(self) -> dict[str, str]:
        return {str(field["key"]): str(field.get("label") or field["key"]) for field in self.fields}

    def clean(self) -> None:
        super().clean()
        problems = fields_schema_problems(self.fields)
        if problems:
            raise ValidationError({"fields": problems})
        if self.code:
            # A department issues some dozens of types: comparing them all is cheap.
            others = (
                CertificateType.objects.filter(issuer_id=self.issuer_id)
                .exclude(pk=self.pk)
                .values_list("code", flat=True)
            )
            if any(other.replace("_", "") == self.identifier_code for other in others):
                raise ValidationError(
                    {"code": _("Another type of the issuer has this code but for underscores.")}
                )


def fields_schema_problems(fields: Any) -> list[str]:
    """What is wrong with a type's data fields schema (empty when it is well formed)."""
    if not isinstance(fields, list):
        return [str(_("The data fields are a list of {key, label, required}."))]
    problems: list[str] = []
    keys: set[str] = set()
    for position, field in enumerate(fields, start=1):
        key = field.get("key") if isinstance(field, dict) else None
        if not isinstance(key, str) or not key.strip() or len(key) > 40:
            problems.append(
                str(_("Field %(n)s needs a key of 1 to 40 characters.") % {"n": position})
            )
            continue
        if key in keys:
            problems.append(str(_("The key %(key)s appears twice.") % {"key": key}))
        keys.add(key)
        label = field.get("label", "")
        if not isinstance(label, str) or len(label) > 60:
            problems.append(
                str(_("The label of %(key)s is text of at most 60 characters.") % {"key": key})
            )
        if not isinstance(field.get("required", False), bool):
            problems.append(str(_("The 'required' of %(key)s is true or false.") % {"key": key}))
    return problems


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def due_to_expire(self, today: dt.date) -> CertificateQuerySet:
        """Live certificates whose last valid day has passed."""
        return self.filter(status__in=LIVE_STATUSES, expires_on__lt=today)


class Certificate(models.Model):
    """An electronic certificate (电子证照) in the registry, signed by the center's key."""

    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    type = models.ForeignKey(
        CertificateType,
        verbose_name=_("certificate type"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    number = models.CharField(
        _("certificate number"), max_length=60, help_text=_("The number printed on it (证照编号).")
    )
    holder_kind = models.CharField(_("holder kind"), max_length=8, choices=ApplicantKind.choices)
    holder_identifier = models.CharField(_("holder's ID number or USCC"), max_length=18)
    holder_name = models.CharField(_("holder"), max_length=100)
    issuer = models.ForeignKey(
        Department, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Blank: no expiry.")
    )
    status = models.CharField(
        _("status"),
        max_length=2,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    status_changed_at = models.DateTimeField(_("status since"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    disclosed_fields = models.JSONField(
        _("fields shown on verification"),
        default=list,
        blank=True,
        help_text=_("The data fields the holder chose to show to whoever verifies."),
    )
    signature = models.CharField(_("signature"), max_length=100, editable=False)
    key_id = models.CharField(_("signing key"), max_length=16, editable=False)
    source = models.CharField(_("source"), max_length=8, choices=CertificateSource.choices)
    case_certificate = models.OneToOneField(
        CaseCertificate,
        verbose_name=_("case's certificate record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registry_certificate",
    )
    created_at = models.DateTimeField(_("entered"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["type", "number"], name="certificate_unique_number")
        ]
        indexes = [
            models.Index(fields=["holder_identifier", "status"], name="certificate_holder_status"),
            # The daily expiry sweep.
            models.Index(fields=["status", "expires_on"], name="certificate_expiry_idx"),
            models.Index(fields=["issuer", "-issued_on"], name="certificate_issuer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"

    @property
    def token(self) -> str:
        """What the QR code carries besides the identifier: the signature's first characters."""
        return self.signature[:TOKEN_LENGTH]

    def signed_payload(self) -> bytes:
        """The canonical serialisation the signature covers (docs/sharing.md).

        UTF-8 JSON with sorted keys and no spaces. The status is not signed: it changes, and the
        registry answers it live.
        """
        content = {
            "format": 1,
            "identifier": self.identifier,
            "type": self.type.code,
            "number": self.number,
            "holder_kind": self.holder_kind,
            "holder_identifier": self.holder_identifier,
            "holder_name": self.holder_name,
            "issuer": self.issuer.uscc,
            "issued_on": self.issued_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "data": self.data,
        }
        return json.dumps(
            content, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode()

    def status_on(self, day: dt.date) -> CertificateStatus:
        """The status on `day`: a live certificate past its last day counts as expired even
        before the daily sweep marks it."""
        status = CertificateStatus(self.status)
        if status in LIVE_STATUSES and self.expires_on is not None and self.expires_on < day:
            return CertificateStatus.EXPIRED
        return status

    def valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and self.status_on(day) == CertificateStatus.VALID

    def disclosed_data(self) -> list[tuple[str, str]]:
        """The (label, value) pairs of the data fields the holder chose to show."""
        labels = self.type.field_labels()
        return [
            (labels.get(key, key), str(self.data.get(key, "")))
            for key in self.disclosed_fields
            if key in self.data
        ]

    def data_items(self) -> list[tuple[str, str]]:
        labels = self.type.field_labels()
        return [(labels.get(key, key), str(value)) for key, value in self.data.items()]


class CertificateStatusChange(models.Model):
    """One change of a certificate's status (issued, suspended, revoked, ...), with its reason."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=2, choices=CertificateStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=2, choices=CertificateStatus.choices)
    reason = models.CharField(_("reason"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("certificate status change")
        verbose_name_plural = _("certificate status changes")
        ordering = ["certificate", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '—'} → {self.to_status}"


class CertificateUse(models.Model):
    """A use of a certificate in a case (证照调用): provided by its holder for one of the case's
    materials, or consulted by a member of staff. The holder sees every use."""

    class Kind(models.TextChoices):
        PROVIDED = "provided", _("Provided for a material")
        CONSULTED = "consulted", _("Consulted by staff")
        QUERIED = "queried", _("Queried by a department system")

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="uses"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    material = models.ForeignKey(
        MaterialSpec,
        verbose_name=_("material"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("certificate use")
        verbose_name_plural = _("certificate uses")
        ordering = ["-used_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "material"],
                condition=models.Q(kind="provided"),
                name="certificate_use_one_per_material",
            ),
            models.UniqueConstraint(
                fields=["certificate", "case", "used_by"],
                condition=models.Q(kind="consulted"),
                name="certificate_use_consulted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} → {self.case_id} ({self.kind})"


# --- department systems: API keys, webhooks, the exchange feed ----------------------------------


class ApiScope(models.TextChoices):
    """What a department system's key may do."""

    READ_CASES = "cases:read", _("Read the department's cases")
    WRITE_STAGES = "stages:write", _("Write stage results and decisions")
    ISSUE_CERTIFICATES = "certificates:issue", _("Issue certificates")
    QUERY_CERTIFICATES = "certificates:query", _("Query certificates")


class ApiKey(models.Model):
    """A department system's key to the API (部门业务系统接口密钥).

    Only the SHA-256 of the secret is kept: the secret is shown once, at creation. The key acts
    through `user`, a member of staff of the department made for it alone (no password), so that
    the cases' own services check and record what it does under the key's name.
    """

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="api_keys",
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_key",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["department", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def label(self) -> str:
        """How audit entries and lists name the key."""
        return f"apikey-{self.prefix}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [str(ApiScope(scope).label) for scope in self.scopes if scope in ApiScope.values]


class WebhookEvent(models.TextChoices):
    CASE_ACCEPTED = "case.accepted", _("Case accepted")
    CASE_NOT_ACCEPTED = "case.not_accepted", _("Case not accepted or refused")
    CASE_CORRECTION = "case.correction", _("Correction requested or handed in")
    CASE_SUSPENDED = "case.special_procedure", _("Special procedure started or ended")
    CASE_CONCLUDED = "case.concluded", _("Case concluded")
    CASE_WITHDRAWN = "case.withdrawn", _("Case withdrawn")
    STAGE_DUE = "stage.due", _("Stage due today")
    CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued")


class WebhookSubscription(models.Model):
    """A department's URL that receives the events it chose, signed with its own secret."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="webhooks",
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Kept readable: the registry signs every delivery with it.
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["department", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(e).label) for e in self.events if e in WebhookEvent.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One event for one subscription; sent until the receiver answers 2xx or attempts run out."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=30, choices=WebhookEvent.choices)
    # What happened, once per subscription whatever the sweeps' overlap: `case_event:123`.
    event_key = models.CharField(max_length=80)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="webhook_delivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered, or why nothing came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"


class FeedCursor(models.Model):
    """How far a sweep of the registry (webhook events, the exchange feed) has read a table."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"

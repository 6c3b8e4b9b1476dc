"""Admin of the registry: certificate types are edited here; certificates only read."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from catalog.admin import CenterScopedMixin
from govhall.admin import ReadOnlyAdmin
from sharing.models import (
    ApiKey,
    Certificate,
    CertificateStatusChange,
    CertificateType,
    WebhookDelivery,
)

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _Inline = admin.TabularInline[Any, Any]
else:  # the admin classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin
    _Inline = admin.TabularInline


@admin.register(CertificateType)
class CertificateTypeAdmin(CenterScopedMixin, _ModelAdmin):
    # A center's administrator keeps the types of his center's departments only.
    center_path = "issuer__center"
    list_display = ("code", "name", "issuer", "valid_years", "last_serial")
    list_filter = ("issuer__center",)
    search_fields = ("code", "name")
    readonly_fields = ("last_serial",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code and issuer stand in issued certificates' identifiers and signatures.
        if obj is not None and obj.certificates.exists():
            return ("code", "issuer", "last_serial")
        return self.readonly_fields


class StatusChangeInline(_Inline):
    model = CertificateStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "reason", "changed_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "type", "number", "issuer", "issued_on", "expires_on", "status")
    list_filter = ("status", "source")
    search_fields = ("=identifier", "=number")
    inlines = [StatusChangeInline]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Keys are created and revoked on /certificates/systems/ or with `govhall api_key`."""

    list_display = ("name", "department", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("department__center",)
    search_fields = ("=prefix", "name")
    exclude = ("secret_hash",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_key", "subscription", "event", "status", "attempts", "created_at")
    list_filter = ("status", "event")

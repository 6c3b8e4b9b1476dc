"""The user admin: Django's, with the person's full name and mobile, and the reset of a user's
two-factor authenticator."""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import two_factor_reset
from audit.services import request_ip

if TYPE_CHECKING:
    _DjangoUserAdmin = DjangoUserAdmin[User]
else:  # not subscriptable at run time
    _DjangoUserAdmin = DjangoUserAdmin


# The authenticators' keys are secrets, and removing one is done by the audited action below.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(_DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("full_name", "mobile", "first_name", "last_name", "email")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "mobile", "password1", "password2"),
            },
        ),
    )
    list_display = ("username", "full_name", "mobile", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "mobile", "email")
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor log-in (the user enrols again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        administrator = request.user
        assert isinstance(administrator, User)
        reset = sum(
            two_factor_reset(user=user, administrator=administrator, ip=request_ip(request))
            for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "Two-factor log-in reset for %(count)d user.",
                "Two-factor log-in reset for %(count)d users.",
                reset,
            )
            % {"count": reset},
            messages.SUCCESS,
        )

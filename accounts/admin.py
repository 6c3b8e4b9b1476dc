"""The user admin: Django's, with the person's full name and mobile."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User

if TYPE_CHECKING:
    _DjangoUserAdmin = DjangoUserAdmin[User]
else:  # not subscriptable at run time
    _DjangoUserAdmin = DjangoUserAdmin


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

"""Department systems' API keys: creation (the secret shown once), revocation, the bearer check
with its scope and rate limit per key."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts.models import User
from accounts.roles import Role
from audit.services import audit_record
from catalog.models import Department, StaffProfile
from govhall.errors import ConflictError
from govhall.throttle import attempt_count
from sharing.models import ApiKey, ApiScope

# `ghk_<prefix>_<secret>`: the prefix finds the key, the secret (256 bits) proves it.
KEY_MARK = "ghk"
RATE_WINDOW_SECONDS = 60


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _roles_for(scopes: Iterable[str]) -> list[Role]:
    """The roles the key's user needs for the cases' own checks to let it do its scopes."""
    scopes = set(scopes)
    roles: list[Role] = []
    if scopes & {ApiScope.READ_CASES, ApiScope.WRITE_STAGES, ApiScope.QUERY_CERTIFICATES}:
        roles.append(Role.REVIEWER)
    if ApiScope.WRITE_STAGES in scopes:
        # Works any stage of its department and decides, like the head's own system.
        roles.append(Role.DEPARTMENT_HEAD)
    return roles


def may_manage_keys(user: User, department: Department) -> bool:
    """The department's head, or the administrator of its center."""
    profile = getattr(user, "staff_profile", None)
    if profile is None or not user.is_active or profile.center_id != department.center_id:
        return False
    if hasattr(user, "api_key"):
        return False
    roles = set(user.role_names())
    if Role.ADMINISTRATOR in roles:
        return True
    return Role.DEPARTMENT_HEAD in roles and profile.department_id == department.pk


def departments_managed_by(user: User) -> QuerySet[Department]:
    """The departments whose keys and webhooks the user manages."""
    profile = getattr(user, "staff_profile", None)
    if profile is None or not user.is_active or hasattr(user, "api_key"):
        return Department.objects.none()
    roles = set(user.role_names())
    departments = Department.objects.filter(center_id=profile.center_id)
    if Role.ADMINISTRATOR in roles:
        return departments
    if Role.DEPARTMENT_HEAD in roles and profile.department_id is not None:
        return departments.filter(pk=profile.department_id)
    return Department.objects.none()


@transaction.atomic
def apikey_create(
    *,
    department: Department,
    name: str,
    scopes: list[str],
    actor: User | None,
    now: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key of the department and its secret, which is not kept and cannot be shown again.

    `actor` None: created on the command line by the operator.
    """
    now = now or timezone.now()
    if actor is not None and not may_manage_keys(actor, department):
        raise PermissionDenied(
            _("Only the department's head or the administrator manage its keys.")
        )
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationError(
            {"name": _("Name the key (the system that uses it), 1 to 80 characters.")}
        )
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    prefix = secrets.token_hex(4)
    secret = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    user = User.objects.create_user(
        # The username is the key's label: the cases' audit entries name the key.
        username=f"apikey-{prefix}",
        full_name=f"{department.short_name or department.name}: {name}",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    for role in _roles_for(scopes):
        group, _created = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    StaffProfile.objects.create(
        user=user,
        center_id=department.center_id,
        department=department,
        badge_number=f"API-{prefix}",
        title=str(_("Department system")),
    )
    key = ApiKey.objects.create(
        department=department,
        name=name,
        prefix=prefix,
        secret_hash=secret_digest(secret),
        scopes=[scope for scope in ApiScope.values if scope in scopes],
        user=user,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action="apikey.created",
        actor=actor,
        target_type="sharing.apikey",
        target_id=key.label,
        center_id=department.center_id,
        data={"department": department.pk, "name": name, "scopes": key.scopes},
    )
    return key, secret


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor: User | None, now: dt.datetime | None = None) -> ApiKey:
    """Revoke the key: refused from the next request on."""
    now = now or timezone.now()
    if actor is not None and not may_manage_keys(actor, key.department):
        raise PermissionDenied(
            _("Only the department's head or the administrator manage its keys.")
        )
    if ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now) != 1:
        raise ConflictError(_("This key is already revoked."))
    User.objects.filter(pk=key.user_id).update(is_active=False)
    key.revoked_at = now
    audit_record(
        action="apikey.revoked",
        actor=actor,
        target_type="sharing.apikey",
        target_id=key.label,
        center_id=key.department.center_id,
        data={"department": key.department_id, "name": key.name},
    )
    return key


def apikey_for_secret(secret: str, *, now: dt.datetime | None = None) -> ApiKey | None:
    """The live key whose secret this is, or None; compared in constant time."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_MARK or len(parts[1]) != 8:
        return None
    key = (
        ApiKey.objects.select_related("department", "department__center", "user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, secret_digest(secret)):
        return None
    now = now or timezone.now()
    # A coarse last use is enough and keeps a busy system from writing on every request.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def rate_limit() -> int:
    """Requests a key may make per minute."""
    limit: int = getattr(settings, "GOVHALL_API_KEY_REQUESTS_PER_MINUTE", 600)
    return limit


class ApiKeyAuth(HttpBearer):
    """A department system's key holding `scope`: 401 without a live key, 403 without the scope,
    429 beyond the key's rate."""

    def __init__(self, scope: ApiScope) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = apikey_for_secret(token)
        if key is None:
            return None
        if attempt_count(f"sharing:apikey:{key.pk}", RATE_WINDOW_SECONDS) > rate_limit():
            raise HttpError(
                429,
                _("This key made more than %(n)s requests in a minute: wait and try again.")
                % {"n": rate_limit()},
            )
        if not key.has_scope(self.scope):
            raise PermissionDenied(
                _("This key may not do this: it lacks the scope “%(scope)s”.")
                % {"scope": self.scope.label}
            )
        request.api_key = key  # type: ignore[attr-defined]
        request.user = key.user
        return key


def request_key(request: HttpRequest) -> ApiKey:
    key = getattr(request, "api_key", None)
    assert isinstance(key, ApiKey)
    return key


def keys_of(departments: QuerySet[Department]) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(Q(department__in=departments)).select_related("department")

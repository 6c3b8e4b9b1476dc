"""Signal receivers that only record: sign-ins, permission changes and catalog changes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed
from django.http import HttpRequest
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from audit.selectors import user_center_id
from audit.services import audit_record, request_ip

HISTORY_CHANGES = {"+": "create", "~": "change", "-": "delete"}
M2M_CHANGES = {"post_add": "add", "post_remove": "remove", "pre_clear": "clear"}


def _current_request() -> HttpRequest | None:
    # simple_history's middleware keeps the request of this thread: the only way to learn who
    # changed a many-to-many relation, which Django's signal does not say.
    request: HttpRequest | None = getattr(HistoricalRecords.context, "request", None)
    return request


def _request_user(request: HttpRequest | None) -> AbstractBaseUser | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) else None


def _logged_in(sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **_: Any) -> None:
    audit_record(
        action="auth.login",
        actor=user,
        target_type="user",
        target_id=user.get_username(),
        center_id=user_center_id(user),
        ip=request_ip(request),
    )


def _logged_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **_: Any
) -> None:
    if user is None:
        return
    audit_record(
        action="auth.logout",
        actor=user,
        target_type="user",
        target_id=user.get_username(),
        center_id=user_center_id(user),
        ip=request_ip(request),
    )


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    # Only the name tried: Django masks the password in `credentials`, and it is never kept.
    user_model = get_user_model()
    username = str(credentials.get(user_model.USERNAME_FIELD, ""))[:64]
    known = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    audit_record(
        action="auth.login_failed",
        target_type="user",
        target_id=username,
        center_id=user_center_id(known) if known is not None else None,
        data={"known_user": known is not None},
        ip=request_ip(request),
    )


def _holder_label(holder: models.Model) -> str:
    if isinstance(holder, AbstractBaseUser):
        return holder.get_username()
    return str(holder)


def _granted_labels(model: type[models.Model], pks: set[Any]) -> list[str]:
    if model is Permission:
        return sorted(
            f"{app}.{codename}"
            for app, codename in Permission.objects.filter(pk__in=pks).values_list(
                "content_type__app_label", "codename"
            )
        )
    names = Group.objects.filter(pk__in=pks).values_list("name", flat=True)
    return sorted(str(name) for name in names)


def _permissions_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **_: Any,
) -> None:
    change = M2M_CHANGES.get(action)
    if change is None:
        return
    holder_field, granted_field = _THROUGH_FIELDS[sender]
    holder_model = sender._meta.get_field(holder_field).related_model
    granted_model = sender._meta.get_field(granted_field).related_model
    assert isinstance(holder_model, type) and issubclass(holder_model, models.Model)
    assert isinstance(granted_model, type) and issubclass(granted_model, models.Model)
    if change == "clear":
        side = granted_field if reverse else holder_field
        pairs = set(
            sender._default_manager.filter(**{side: instance.pk}).values_list(
                f"{holder_field}_id", f"{granted_field}_id"
            )
        )
    elif reverse:
        pairs = {(holder, instance.pk) for holder in pk_set or ()}
    else:
        pairs = {(instance.pk, granted) for granted in pk_set or ()}
    by_holder: dict[Any, set[Any]] = defaultdict(set)
    for holder_pk, granted_pk in pairs:
        by_holder[holder_pk].add(granted_pk)
    if not by_holder:
        return
    request = _current_request()
    holders = holder_model._default_manager.in_bulk(list(by_holder))
    for holder_pk, granted in sorted(by_holder.items()):
        holder = holders.get(holder_pk)
        if holder is None:
            continue
        is_user = isinstance(holder, AbstractBaseUser)
        audit_record(
            action="auth.permissions",
            actor=_request_user(request),
            target_type="user" if is_user else holder_model._meta.model_name or "",
            target_id=_holder_label(holder),
            center_id=user_center_id(holder) if isinstance(holder, AbstractBaseUser) else None,
            data={
                "change": change,
                f"{granted_field}s": _granted_labels(granted_model, granted),
            },
            ip=request_ip(request),
        )


def _history_created(
    sender: Any,
    instance: models.Model,
    history_instance: Any,
    history_user: AbstractBaseUser | None = None,
    **_: Any,
) -> None:
    opts = instance._meta
    request = _current_request()
    audit_record(
        action=f"{opts.app_label}.change",
        actor=history_user,
        target_type=opts.model_name or "",
        target_id=str(instance.pk),
        center_id=_center_of(instance),
        data={
            "model": opts.label,
            "change": HISTORY_CHANGES.get(history_instance.history_type, ""),
            "history_id": history_instance.pk,
        },
        ip=request_ip(request),
    )


def _center_of(instance: models.Model) -> int | None:
    """The center a catalog row belongs to: its own, its item's, or itself if it is one."""
    if instance._meta.model_name == "center":
        return int(instance.pk)
    center_id = getattr(instance, "center_id", None)
    if center_id is None and getattr(instance, "item_id", None) is not None:
        center_id = getattr(getattr(instance, "item", None), "center_id", None)
    return int(center_id) if center_id is not None else None


_THROUGH_FIELDS: dict[type[models.Model], tuple[str, str]] = {}


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    user_model = get_user_model()
    _THROUGH_FIELDS.update(
        {
            user_model.groups.through: ("user", "group"),
            user_model.user_permissions.through: ("user", "permission"),
            Group.permissions.through: ("group", "permission"),
        }
    )
    user_logged_in.connect(_logged_in, dispatch_uid="audit.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="audit.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    for through in _THROUGH_FIELDS:
        m2m_changed.connect(
            _permissions_changed, sender=through, dispatch_uid=f"audit.permissions.{through}"
        )
    post_create_historical_record.connect(_history_created, dispatch_uid="audit.history")

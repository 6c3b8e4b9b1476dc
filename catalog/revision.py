"""The catalog's revision token: what cached public pages are keyed on.

Every write to a catalog row (admin, Excel import, services, demo data) replaces the token
inside the writer's transaction, so a rolled-back write changes nothing. Readers keep the token
for at most `TOKEN_SECONDS` per process: another process's write shows within that time.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.models import (
    AutoRule,
    Bundle,
    BundleItem,
    CatalogRevision,
    Center,
    Counter,
    Department,
    Fee,
    ItemField,
    ItemTypeMapping,
    LifeEvent,
    MaterialSpec,
    ProcessStep,
    Question,
    QueueCategory,
    ServiceItem,
    StaffProfile,
    StageSpec,
)

TOKEN_SECONDS = 1.0
_ROW_ID = 1
_memo: tuple[float, str] | None = None

# The rows whose changes show on public pages.
WATCHED_MODELS: tuple[type[models.Model], ...] = (
    Center,
    Department,
    QueueCategory,
    Counter,
    StaffProfile,
    LifeEvent,
    ItemTypeMapping,
    ServiceItem,
    MaterialSpec,
    ItemField,
    Fee,
    ProcessStep,
    StageSpec,
    Question,
    AutoRule,
    Bundle,
    BundleItem,
)


def catalog_revision() -> str:
    """The current token, read from the database at most once a second per process."""
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < TOKEN_SECONDS:
        return _memo[1]
    token = CatalogRevision.objects.filter(pk=_ROW_ID).values_list("token", flat=True).first()
    if token is None:
        token = catalog_revision_bump()
    _memo = (now, token)
    return token


def catalog_revision_bump() -> str:
    """Give the catalog a new token (inside the caller's transaction, if any)."""
    global _memo
    token = uuid.uuid4().hex
    if not CatalogRevision.objects.filter(pk=_ROW_ID).update(token=token):
        CatalogRevision.objects.update_or_create(pk=_ROW_ID, defaults={"token": token})
    _memo = None
    return token


def _changed(**kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    catalog_revision_bump()


def watch_catalog_writes() -> None:
    """Connect the bump to every save, delete and link change of the watched rows.

    Bulk writes send no signals: whoever bulk-creates catalog rows calls the bump itself.
    """
    for model in WATCHED_MODELS:
        uid = f"catalog-revision-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
    for through in (
        ServiceItem.counters.through,
        ServiceItem.life_events.through,
        Counter.categories.through,
    ):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"catalog-revision-{through}")

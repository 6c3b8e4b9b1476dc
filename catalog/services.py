"""Writes of the service catalog: items keep their derived columns (codes, search text) current."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from accounts.models import User
from catalog.models import ServiceItem


def search_text_for(*texts: str) -> str:
    """What item search matches: the texts, their full pinyin and their pinyin initials.

    `营业执照` gives `营业执照 yingyezhizhao yyzz`, so that a visitor can type any of them.
    """
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        syllables = lazy_pinyin(text, style=Style.NORMAL, errors="ignore")
        initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
        parts += [text, "".join(syllables), "".join(initials)]
    return " ".join(parts).lower()


def item_refresh_derived(*, item: ServiceItem) -> None:
    """Set the implementation code and search text from the item's own fields (not saved)."""
    item.implementation_code = item.compute_implementation_code()
    item.search_text = search_text_for(item.name, item.department.short_name, item.department.name)


@transaction.atomic
def item_save(*, item: ServiceItem) -> ServiceItem:
    """Validate and save an item with its derived columns; history records the change."""
    item_refresh_derived(item=item)
    item.full_clean()
    item.save()
    return item


class ItemStatusError(Exception):
    """The item is not in a status the requested change starts from."""


def _item_change_status(
    *, item: ServiceItem, allowed_from: set[str], status: str, user: User | None
) -> ServiceItem:
    # The row lock serialises concurrent changes; saving the row (not a bulk update) lets
    # django-simple-history record who changed the status and when.
    locked = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if locked.status not in allowed_from:
        raise ItemStatusError(
            _("“%(item)s” is %(status)s and cannot become %(target)s.")
            % {
                "item": locked.name,
                "status": locked.get_status_display(),
                "target": ServiceItem.Status(status).label,
            }
        )
    locked.status = status
    locked._history_user = user  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def item_publish(*, item: ServiceItem, user: User | None = None) -> ServiceItem:
    """Publish a draft or retired item: its guide becomes public."""
    return _item_change_status(
        item=item,
        allowed_from={ServiceItem.Status.DRAFT, ServiceItem.Status.RETIRED},
        status=ServiceItem.Status.PUBLISHED,
        user=user,
    )


@transaction.atomic
def item_retire(*, item: ServiceItem, user: User | None = None) -> ServiceItem:
    """Retire a published item: it leaves the public catalog but keeps its history."""
    return _item_change_status(
        item=item,
        allowed_from={ServiceItem.Status.PUBLISHED},
        status=ServiceItem.Status.RETIRED,
        user=user,
    )

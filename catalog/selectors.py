"""Reads of the service catalog: whose center a user administers, and the catalog's compliance."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Sum
from django.db.models.lookups import GreaterThan

from catalog.models import Center, ServiceItem, ServiceItemQuerySet, StaffProfile


def center_for_user(user: AbstractBaseUser | AnonymousUser) -> Center | None:
    """The center whose catalog this user works on: their staff profile's, or None."""
    if not user.is_authenticated:
        return None
    profile = StaffProfile.objects.select_related("center").filter(user_id=user.pk).first()
    return profile.center if profile is not None else None


def promise_exceeds_rule() -> GreaterThan[Any]:
    """A filter expression: the item promises more days than floor(statutory × ratio) allows.

    For whole days, promised > floor(statutory × ratio) holds exactly when
    promised × denominator > statutory × numerator, which the database computes in integers.
    """
    ratio = Fraction(settings.GOVHALL_PROMISE_RATIO).limit_denominator(1000)
    return GreaterThan(
        F("promised_days") * ratio.denominator, F("statutory_days") * ratio.numerator
    )


def items_not_compliant(center: Center) -> ServiceItemQuerySet:
    """Published items of the center whose promised limit breaks the 40 % rule (事前 check)."""
    return ServiceItem.objects.of_center(center).published().filter(promise_exceeds_rule())


def days_saved_total(center: Center) -> int:
    """Working days saved over the center's published items: Σ (statutory − promised)."""
    total = (
        ServiceItem.objects.of_center(center)
        .published()
        .aggregate(saved=Sum(F("statutory_days") - F("promised_days")))["saved"]
    )
    return int(total or 0)

"""Reads of feedback: who works which rectifications, and a case's ratings for its applicant."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from catalog.selectors import center_for_user
from feedback.models import Rating, Rectification


@dataclass(frozen=True)
class RectificationScope:
    """A department head's department in its center."""

    center_id: int
    department_id: int


def rectification_scope(user: AbstractBaseUser | AnonymousUser) -> RectificationScope | None:
    """Department heads work their department's rectifications; everyone else has none."""
    if not isinstance(user, User) or not user.is_active:
        return None
    center = center_for_user(user)
    if center is None or Role.DEPARTMENT_HEAD.value not in user.role_names():
        return None
    department_id = user.staff_profile.department_id
    if department_id is None:
        return None
    return RectificationScope(center_id=center.pk, department_id=department_id)


def rectifications_for(scope: RectificationScope) -> QuerySet[Rectification]:
    return Rectification.objects.filter(
        center_id=scope.center_id, department_id=scope.department_id
    ).select_related("rating__case__item")


def rectification_get_for(scope: RectificationScope, pk: int) -> Rectification:
    rectification = rectifications_for(scope).filter(pk=pk).first()
    if rectification is None:
        raise Http404(_("There is no such rectification in your department."))
    return rectification


def own_concluded_case(*, user: User, number: str) -> Case:
    """The applicant's own case; anyone else's is 404, so that numbers cannot be probed."""
    case = (
        Case.objects.select_related("item", "ticket")
        .filter(number=number, applicant_user_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if case is None:
        raise Http404(_("There is no case %(number)s among yours.") % {"number": number})
    return case


def case_ratings(case: Case) -> QuerySet[Rating]:
    return Rating.objects.filter(case=case).select_related("rectification")

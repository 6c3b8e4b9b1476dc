"""Reads of supervision: who sees which part, the lights board, violations and notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseQuerySet, Light
from catalog.models import Center
from catalog.selectors import center_for_user
from supervision.models import NoticeState, SupervisionNotice, Violation, ViolationState

# Roles that watch the whole center; a supervisor also decides (notices, violations).
CENTER_WIDE = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


@dataclass(frozen=True)
class SupervisionScope:
    """What a person sees of supervision: the center's whole, or one department's part."""

    center: Center
    department_id: int | None
    supervises: bool

    def answers_for(self, department_id: int) -> bool:
        """A department head answers (explains violations, answers notices) for his own."""
        return self.department_id is not None and self.department_id == department_id


def supervision_scope(user: AbstractBaseUser | AnonymousUser) -> SupervisionScope | None:
    """Supervisors and administrators see the center, a department head his department; None
    for everyone else."""
    if not isinstance(user, User) or not user.is_active:
        return None
    center = center_for_user(user)
    if center is None:
        return None
    roles = set(user.role_names())
    if roles & CENTER_WIDE:
        return SupervisionScope(
            center=center, department_id=None, supervises=Role.SUPERVISOR.value in roles
        )
    department_id = user.staff_profile.department_id
    if Role.DEPARTMENT_HEAD.value in roles and department_id is not None:
        return SupervisionScope(center=center, department_id=department_id, supervises=False)
    return None


def _cases(scope: SupervisionScope) -> CaseQuerySet:
    cases = Case.objects.filter(center=scope.center)
    if scope.department_id is not None:
        cases = cases.filter(department_id=scope.department_id)
    return cases


def light_counts(scope: SupervisionScope, today: dt.date) -> dict[str, int]:
    """The number of running cases under each light."""
    return {light.value: _cases(scope).lit(light, today).count() for light in Light}


def lit_cases(
    scope: SupervisionScope,
    today: dt.date,
    *,
    light: Light,
    department_id: int | None = None,
    item_id: int | None = None,
) -> CaseQuerySet:
    """The running cases under `light`, gravest (earliest due) first."""
    cases = _cases(scope).lit(light, today)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if item_id is not None:
        cases = cases.filter(item_id=item_id)
    # The relations come in their own small queries: joined, they would be joined to every
    # running case before the sort picks the page, as the planners expect a handful of rows
    # under each light (the date ranges look independent to them) and nest the joins.
    return cases.prefetch_related("item", "department", "handled_by").order_by(
        "promised_due", "number"
    )


def violations_for(
    scope: SupervisionScope,
    *,
    states: tuple[str, ...] = (ViolationState.OPEN, ViolationState.EXPLAINED),
    rule: str = "",
    department_id: int | None = None,
) -> QuerySet[Violation]:
    violations = Violation.objects.filter(center=scope.center, state__in=states)
    if scope.department_id is not None:
        violations = violations.filter(department_id=scope.department_id)
    if department_id is not None:
        violations = violations.filter(department_id=department_id)
    if rule:
        violations = violations.filter(rule=rule)
    # Loaded apart, as for `lit_cases`: the sort picks the page before anything is joined.
    return violations.prefetch_related("case", "stage", "department", "person", "counter").order_by(
        "-detected_at", "-pk"
    )


def notices_for(
    scope: SupervisionScope, *, states: tuple[str, ...] = tuple(NoticeState.values)
) -> QuerySet[SupervisionNotice]:
    notices = SupervisionNotice.objects.filter(center=scope.center, state__in=states)
    if scope.department_id is not None:
        notices = notices.filter(department_id=scope.department_id)
    return notices.select_related("department", "case", "issued_by").order_by("-issued_at", "-pk")

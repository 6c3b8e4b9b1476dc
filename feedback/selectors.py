"""Reads of feedback: a center's deadlines, who works which rectifications and appeals, who the
rater of a bad rating is, and a case's ratings for its applicant."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from catalog.models import StaffProfile
from catalog.selectors import center_for_user
from feedback.models import FeedbackPolicy, Rating, RatingAppeal, Rectification
from hall.models import PadRating


def feedback_policy_for(center_id: int) -> FeedbackPolicy:
    """The center's deadlines; a center without its own row has the defaults of the settings
    (`GOVHALL_RECTIFICATION_CALL_BACK_DAYS`, `GOVHALL_RECTIFICATION_DAYS`,
    `GOVHALL_RATING_WINDOW_DAYS`), which default to 1, 5 and 30."""
    policy = FeedbackPolicy.objects.filter(center_id=center_id).first()
    if policy is not None:
        return policy
    return FeedbackPolicy(
        center_id=center_id,
        call_back_days=int(getattr(settings, "GOVHALL_RECTIFICATION_CALL_BACK_DAYS", 1)),
        rectification_days=int(getattr(settings, "GOVHALL_RECTIFICATION_DAYS", 5)),
        rating_window_days=int(getattr(settings, "GOVHALL_RATING_WINDOW_DAYS", 30)),
    )


@dataclass(frozen=True)
class RaterContact:
    """Who gave a rating, as far as we know: an account, a name, a mobile number."""

    user: User | None
    name: str
    mobile: str

    @property
    def real_name(self) -> bool:
        """A rater we can reach (实名): their call-back is compulsory."""
        return self.user is not None or bool(self.mobile)


def _case_of_ticket(pad_rating: PadRating) -> Case | None:
    return (
        Case.objects.select_related("applicant_user")
        .filter(ticket_id=pad_rating.ticket_id)
        .order_by("pk")
        .first()
    )


def rater_contact(
    *, rating: Rating | None = None, pad_rating: PadRating | None = None
) -> RaterContact:
    """The rater of an online, SMS or comment rating, or of a pad rating.

    A pad rating's rater is the person of its ticket: the mobile given when the ticket was taken,
    else the appointment's (name, mobile and account), else the applicant of a case started from
    the ticket. A pad rating with none of these is anonymous.
    """
    if rating is not None:
        case = rating.case
        user = rating.rater or (case.applicant_user if case is not None else None)
        return RaterContact(
            user=user,
            name=rating.rater_name or (case.applicant_name if case is not None else ""),
            mobile=rating.rater_mobile or (case.mobile if case is not None else ""),
        )
    assert pad_rating is not None
    ticket = pad_rating.ticket
    appointment = getattr(ticket, "appointment", None)
    case = _case_of_ticket(pad_rating)
    return RaterContact(
        user=(appointment.user if appointment is not None else None)
        or (case.applicant_user if case is not None else None),
        name=(appointment.name if appointment is not None else "")
        or (case.applicant_name if case is not None else ""),
        mobile=ticket.mobile
        or (appointment.mobile if appointment is not None else "")
        or (case.mobile if case is not None else ""),
    )


def rectification_contact(rectification: Rectification) -> RaterContact:
    return rater_contact(rating=rectification.rating, pad_rating=rectification.pad_rating)


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


_RECTIFICATION_RELATED = (
    "rating__case__item",
    "rating__case__applicant_user",
    "rating__rater",
    "pad_rating__ticket__item",
    "pad_rating__counter",
    "pad_rating__staff",
)


def rectifications_for(scope: RectificationScope) -> QuerySet[Rectification]:
    return Rectification.objects.filter(
        center_id=scope.center_id, department_id=scope.department_id
    ).select_related(*_RECTIFICATION_RELATED)


def rectification_get_for(scope: RectificationScope, pk: int) -> Rectification:
    rectification = rectifications_for(scope).filter(pk=pk).first()
    if rectification is None:
        raise Http404(_("There is no such rectification in your department."))
    return rectification


@dataclass(frozen=True)
class AppealScope:
    """What a member of staff sees of appeals: their own ratings (a clerk), their department's
    (its head), or the whole center's, to decide (a supervisor)."""

    center_id: int
    user_id: int
    department_id: int | None
    decides: bool


def appeal_scope(user: AbstractBaseUser | AnonymousUser) -> AppealScope | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    profile = StaffProfile.objects.filter(user_id=user.pk).first()
    if profile is None:
        return None
    roles = set(user.role_names())
    if Role.SUPERVISOR.value in roles:
        return AppealScope(
            center_id=profile.center_id, user_id=user.pk, department_id=None, decides=True
        )
    head = Role.DEPARTMENT_HEAD.value in roles and profile.department_id is not None
    return AppealScope(
        center_id=profile.center_id,
        user_id=user.pk,
        department_id=profile.department_id if head else None,
        decides=False,
    )


_APPEAL_RELATED = (
    "rating__case",
    "pad_rating__ticket",
    "pad_rating__counter",
    "appealed_by",
    "decided_by",
)


def appeals_for(scope: AppealScope) -> QuerySet[RatingAppeal]:
    appeals = RatingAppeal.objects.filter(center_id=scope.center_id)
    if scope.decides:
        return appeals.select_related(*_APPEAL_RELATED)
    if scope.department_id is not None:
        appeals = appeals.filter(department_id=scope.department_id)
    else:
        appeals = appeals.filter(
            Q(rating__staff_id=scope.user_id) | Q(pad_rating__staff_id=scope.user_id)
        )
    return appeals.select_related(*_APPEAL_RELATED)


def appeal_get_for(scope: AppealScope, pk: int) -> RatingAppeal:
    appeal = appeals_for(scope).filter(pk=pk).first()
    if appeal is None:
        raise Http404(_("There is no such appeal among those you may see."))
    return appeal


def rectifications_appealable(scope: AppealScope) -> QuerySet[Rectification]:
    """The bad ratings (each has a rectification) the user may appeal and has not yet."""
    rows = Rectification.objects.filter(
        center_id=scope.center_id,
        rating__appeal__isnull=True,
        pad_rating__appeal__isnull=True,
    )
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    else:
        rows = rows.filter(
            Q(rating__staff_id=scope.user_id) | Q(pad_rating__staff_id=scope.user_id)
        )
    return rows.select_related(*_RECTIFICATION_RELATED).order_by("-opened_at")


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

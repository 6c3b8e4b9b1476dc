"""Writes of feedback: ratings of concluded cases, their signed SMS links and rectifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import message_send
from audit.services import audit_record
from cases.models import CONCLUDED, Case
from catalog.models import StaffProfile
from feedback.models import (
    BAD_LEVELS,
    FixView,
    Level,
    Rating,
    RatingChannel,
    RatingLink,
    Rectification,
    RectificationState,
)
from govhall.errors import ConflictError
from hall.sms import send_sms
from workdays.calendar import add_working_days
from workdays.selectors import calendar_current

LINK_SALT = "feedback.rating-link"


def rating_window_days() -> int:
    return int(getattr(settings, "GOVHALL_RATING_WINDOW_DAYS", 30))


def rating_link_days() -> int:
    return int(getattr(settings, "GOVHALL_RATING_LINK_DAYS", 7))


@dataclass(frozen=True)
class RatingInput:
    """What the rater says: the level, the optional online indicators and a comment."""

    level: int
    indicators: dict[str, int | None] = field(default_factory=dict)
    comment: str = ""


INDICATORS = ("efficiency", "guide_accuracy", "convenience", "ease_of_use")


def _clean(given: RatingInput) -> RatingInput:
    errors: dict[str, str] = {}
    if given.level not in Level.values:
        errors["level"] = _(
            "Choose one of the five levels, from very satisfied to very dissatisfied."
        )
    for name, value in given.indicators.items():
        if name not in INDICATORS:
            errors[name] = _("There is no such indicator.")
        elif value is not None and value not in Level.values:
            errors[name] = _("Choose one of the five levels, or leave it blank.")
    comment = given.comment.strip()
    if len(comment) > 500:
        errors["comment"] = _("Keep the comment under 500 characters.")
    if errors:
        raise ValidationError(errors)
    return RatingInput(level=given.level, indicators=given.indicators, comment=comment)


def _counter_id(case: Case) -> int | None:
    """The counter that served the case: its ticket's, else the handler's usual counter."""
    if case.ticket_id is not None and case.ticket is not None:
        return case.ticket.counter_id
    if case.handled_by_id is None:
        return None
    profile = StaffProfile.objects.filter(user_id=case.handled_by_id).first()
    return profile.counter_id if profile is not None else None


def _rectification_open(rating: Rating, *, now: dt.datetime) -> Rectification:
    calendar = calendar_current()
    today = timezone.localdate(now)
    call_back = int(getattr(settings, "GOVHALL_RECTIFICATION_CALL_BACK_DAYS", 1))
    rectify = int(getattr(settings, "GOVHALL_RECTIFICATION_DAYS", 5))
    rectification = Rectification.objects.create(
        rating=rating,
        center_id=rating.center_id,
        department_id=rating.department_id,
        opened_at=now,
        call_back_due=add_working_days(calendar, today, call_back),
        rectify_due=add_working_days(calendar, today, rectify),
    )
    audit_record(
        action="rectification.open",
        target_type="rectification",
        target_id=str(rectification.pk),
        center_id=rating.center_id,
        data={"case": rating.case.number, "level": rating.level},
    )
    rater = rating.rater or rating.case.applicant_user
    if rater is not None:
        message_send(
            user=rater,
            subject=_(
                "We are sorry about case %(number)s: the department will call you back by %(day)s."
            )
            % {"number": rating.case.number, "day": rectification.call_back_due.isoformat()},
            link=reverse("feedback:case", args=[rating.case.number]),
            kind="rectification",
        )
    return rectification


@transaction.atomic
def rating_give(
    *,
    case: Case,
    channel: RatingChannel,
    given: RatingInput,
    rater: User | None,
    now: dt.datetime | None = None,
) -> Rating:
    """一事一评: one rating of a concluded case per channel, within the rating window.

    A bad rating opens its rectification at once, so the department's deadline starts now.
    """
    now = now or timezone.now()
    given = _clean(given)
    if case.status not in CONCLUDED or case.concluded_at is None:
        raise ConflictError(_("A case can be rated once it has concluded."))
    if now > case.concluded_at + dt.timedelta(days=rating_window_days()):
        raise ConflictError(
            _("The time to rate this case has passed: ratings are open for %(days)s days.")
            % {"days": rating_window_days()}
        )
    if Rating.objects.filter(case=case, channel=channel).exists():
        raise ConflictError(_("This case has already been rated through this channel."))
    rating = Rating(
        case=case,
        channel=channel,
        level=given.level,
        comment=given.comment,
        rater=rater,
        center_id=case.center_id,
        item_id=case.item_id,
        department_id=case.item.department_id,
        counter_id=_counter_id(case),
        staff_id=case.handled_by_id,
        rated_at=now,
        **{name: given.indicators.get(name) for name in INDICATORS},
    )
    rating.full_clean(exclude=["case", "rater"], validate_constraints=False)
    try:
        # A savepoint: a concurrent second rating must fail alone, not the caller's transaction.
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ConflictError(_("This case has already been rated through this channel.")) from None
    audit_record(
        action="rating.give",
        actor=rater,
        target_type="rating",
        target_id=str(rating.pk),
        center_id=case.center_id,
        data={"case": case.number, "channel": channel, "level": rating.level},
    )
    if rating.level in BAD_LEVELS:
        _rectification_open(rating, now=now)
    return rating


def _link_token(link: RatingLink) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(str(link.pk))


@transaction.atomic
def rating_link_issue(*, case: Case, now: dt.datetime | None = None) -> str:
    """Text the applicant a signed link to rate the concluded case; returns the link's path.

    One link per case: a case already sent one is refused, so the sweep never texts twice.
    """
    now = now or timezone.now()
    if case.status not in CONCLUDED:
        raise ConflictError(_("A case can be rated once it has concluded."))
    if not case.mobile:
        raise ConflictError(_("The applicant left no mobile number to text the link to."))
    link, created = RatingLink.objects.get_or_create(case=case, defaults={"sent_at": now})
    if not created:
        raise ConflictError(_("The rating link of this case has already been sent."))
    path = reverse("feedback:link", args=[_link_token(link)])
    url = getattr(settings, "GOVHALL_SITE_URL", "") + path
    text = _("Case %(number)s has concluded. Rate our service within %(days)s days: %(url)s") % {
        "number": case.number,
        "days": rating_link_days(),
        "url": url,
    }
    mobile = case.mobile
    transaction.on_commit(lambda: send_sms(mobile=mobile, text=text))
    audit_record(
        action="rating_link.issue",
        target_type="case",
        target_id=case.number,
        center_id=case.center_id,
    )
    return path


def rating_links_send_due(*, now: dt.datetime | None = None) -> int:
    """Text a rating link for each case concluded in the last day that has none yet."""
    now = now or timezone.now()
    due = Case.objects.filter(
        status__in=CONCLUDED,
        concluded_at__gte=now - dt.timedelta(days=1),
        concluded_at__lte=now,
        rating_link__isnull=True,
    ).exclude(mobile="")
    sent = 0
    for case in due.order_by("concluded_at"):
        try:
            rating_link_issue(case=case, now=now)
        except ConflictError:
            # Another worker texted this case between the query and now.
            continue
        sent += 1
    return sent


def rating_link_case(*, token: str) -> Case:
    """The case a link rates, while the link holds: 404 when tampered, 409 when spent or old."""
    signer = signing.TimestampSigner(salt=LINK_SALT)
    try:
        pk = signer.unsign(token, max_age=dt.timedelta(days=rating_link_days()))
    except signing.SignatureExpired:
        raise ConflictError(_("This rating link has expired.")) from None
    except signing.BadSignature:
        raise Http404(_("This rating link is not valid.")) from None
    link = RatingLink.objects.select_related("case__item").filter(pk=pk).first()
    if link is None:
        raise Http404(_("This rating link is not valid."))
    if link.used_at is not None:
        raise ConflictError(_("This rating link has already been used."))
    return link.case


@transaction.atomic
def rating_give_by_link(
    *, token: str, given: RatingInput, now: dt.datetime | None = None
) -> Rating:
    """Rate through the texted link, which works once."""
    now = now or timezone.now()
    case = rating_link_case(token=token)
    spent = RatingLink.objects.filter(case=case, used_at__isnull=True).update(used_at=now)
    if spent != 1:
        raise ConflictError(_("This rating link has already been used."))
    return rating_give(case=case, channel=RatingChannel.SMS, given=given, rater=None, now=now)


def _rater(rectification: Rectification) -> User | None:
    return rectification.rating.rater or rectification.rating.case.applicant_user


def _move(
    rectification: Rectification,
    *,
    old: RectificationState,
    actor: User,
    action: str,
    subject: str,
    **changes: object,
) -> Rectification:
    moved = Rectification.objects.filter(pk=rectification.pk, state=old).update(**changes)
    if moved != 1:
        raise ConflictError(_("This rectification is no longer at that step: reload the page."))
    rectification.refresh_from_db()
    case = rectification.rating.case
    audit_record(
        action=action,
        actor=actor,
        target_type="rectification",
        target_id=str(rectification.pk),
        center_id=rectification.center_id,
        data={"case": case.number, "state": rectification.state},
    )
    rater = _rater(rectification)
    if rater is not None and rater.pk != actor.pk:
        message_send(
            user=rater,
            subject=subject,
            link=reverse("feedback:case", args=[case.number]),
            kind="rectification",
        )
    return rectification


@transaction.atomic
def rectification_call_back(
    *, rectification: Rectification, staff: User, note: str, now: dt.datetime | None = None
) -> Rectification:
    """回访: the department called the rater back and verified the complaint."""
    if not note.strip():
        raise ValidationError({"note": _("Write down what the rater said on the call.")})
    return _move(
        rectification,
        old=RectificationState.OPEN,
        actor=staff,
        action="rectification.call_back",
        subject=_("The department called you back about your rating of case %(number)s.")
        % {"number": rectification.rating.case.number},
        state=RectificationState.CALLED_BACK,
        called_back_at=now or timezone.now(),
        call_back_note=note.strip(),
        handled_by=staff,
    )


@transaction.atomic
def rectification_rectify(
    *, rectification: Rectification, staff: User, fix: str, now: dt.datetime | None = None
) -> Rectification:
    """整改: the department records what it put right; the rater is asked for a view."""
    if not fix.strip():
        raise ValidationError({"fix": _("Describe what was put right.")})
    return _move(
        rectification,
        old=RectificationState.CALLED_BACK,
        actor=staff,
        action="rectification.rectify",
        subject=_("Your rating of case %(number)s led to a fix: tell us what you think of it.")
        % {"number": rectification.rating.case.number},
        state=RectificationState.RECTIFIED,
        rectified_at=now or timezone.now(),
        fix=fix.strip(),
    )


@transaction.atomic
def rectification_view_give(
    *, rectification: Rectification, user: User, view: int, now: dt.datetime | None = None
) -> Rectification:
    """The rater's view of the fix (满意 / 基本满意 / 不满意) closes the rectification."""
    if _rater(rectification) != user:
        raise PermissionDenied(_("Only the rater gives a view of the fix."))
    if view not in FixView.values:
        raise ValidationError({"view": _("Choose satisfied, basically satisfied or dissatisfied.")})
    return _move(
        rectification,
        old=RectificationState.RECTIFIED,
        actor=user,
        action="rectification.view",
        subject="",
        state=RectificationState.CLOSED,
        view=view,
        viewed_at=now or timezone.now(),
    )

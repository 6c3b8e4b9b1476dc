"""Writes of feedback: ratings (online, SMS link, public comment; the pad's arrive through a hall
hook), their signed SMS links, the rectification of bad ones and appeals against them."""

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
from accounts.roles import Role
from accounts.services import message_send
from audit.services import audit_record
from cases.models import CONCLUDED, Case
from cases.selectors import QueryThrottled, case_public_lookup
from catalog.models import ServiceItem, StaffProfile
from feedback.models import (
    BAD_LEVELS,
    AppealReason,
    AppealState,
    CallBackOutcome,
    FixView,
    Level,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLink,
    Rectification,
    RectificationState,
    ViewSource,
)
from feedback.selectors import feedback_policy_for, rater_contact, rectification_contact
from govhall.errors import ConflictError
from hall.models import PadRating
from hall.services.booking import clean_mobile
from hall.sms import send_sms
from supervision.services import supervisors_of
from workdays.calendar import add_working_days
from workdays.selectors import calendar_current

LINK_SALT = "feedback.rating-link"
VIEW_LINK_SALT = "feedback.view-link"


def rating_link_days() -> int:
    return int(getattr(settings, "GOVHALL_RATING_LINK_DAYS", 7))


def _site_url(path: str) -> str:
    return str(getattr(settings, "GOVHALL_SITE_URL", "")) + path


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


def rating_reference(*, rating: Rating | None, pad_rating: PadRating | None) -> str:
    """What a rating is about, readable by people: the case number, the pad's ticket and its
    day, or the public comment's number."""
    if pad_rating is not None:
        ticket = pad_rating.ticket
        return f"{ticket.number} {ticket.service_date.isoformat()}"
    assert rating is not None
    if rating.case is not None:
        return rating.case.number
    return _("comment %(number)s") % {"number": rating.pk}


def rectification_reference(rectification: Rectification) -> str:
    return rating_reference(rating=rectification.rating, pad_rating=rectification.pad_rating)


def _rater_link(rectification: Rectification) -> str:
    """Where the rater with an account follows the rectification."""
    rating = rectification.rating
    if rating is not None and rating.case is not None:
        return reverse("feedback:case", args=[rating.case.number])
    return ""


def _rectification_open(
    *,
    rating: Rating | None = None,
    pad_rating: PadRating | None = None,
    center_id: int,
    department_id: int,
    now: dt.datetime,
) -> Rectification:
    calendar = calendar_current()
    today = timezone.localdate(now)
    policy = feedback_policy_for(center_id)
    contact = rater_contact(rating=rating, pad_rating=pad_rating)
    rectification = Rectification.objects.create(
        rating=rating,
        pad_rating=pad_rating,
        real_name=contact.real_name,
        center_id=center_id,
        department_id=department_id,
        opened_at=now,
        call_back_due=add_working_days(calendar, today, policy.call_back_days),
        rectify_due=add_working_days(calendar, today, policy.rectification_days),
    )
    reference = rectification_reference(rectification)
    level = rating.level if rating is not None else pad_rating.level if pad_rating else 0
    audit_record(
        action="rectification.open",
        target_type="rectification",
        target_id=str(rectification.pk),
        center_id=center_id,
        data={"subject": reference, "level": level, "real_name": contact.real_name},
    )
    text = _("We are sorry about %(subject)s: the department will call you back by %(day)s.") % {
        "subject": reference,
        "day": rectification.call_back_due.isoformat(),
    }
    if contact.user is not None:
        message_send(
            user=contact.user, subject=text, link=_rater_link(rectification), kind="rectification"
        )
    elif contact.mobile:
        send_sms(mobile=contact.mobile, text=text)
    return rectification


@transaction.atomic
def rating_give(
    *,
    case: Case,
    channel: RatingChannel,
    given: RatingInput,
    rater: User | None,
    rater_name: str = "",
    rater_mobile: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """一事一评: one rating of a concluded case per channel, within the center's rating window.

    A bad rating opens its rectification at once, so the department's deadline starts now.
    """
    now = now or timezone.now()
    given = _clean(given)
    if case.status not in CONCLUDED or case.concluded_at is None:
        raise ConflictError(_("A case can be rated once it has concluded."))
    window = feedback_policy_for(case.center_id).rating_window_days
    if now > case.concluded_at + dt.timedelta(days=window):
        raise ConflictError(
            _("The time to rate this case has passed: ratings are open for %(days)s days.")
            % {"days": window}
        )
    if Rating.objects.filter(case=case, channel=channel).exists():
        raise ConflictError(_("This case has already been rated through this channel."))
    rating = Rating(
        case=case,
        channel=channel,
        level=given.level,
        comment=given.comment,
        rater=rater,
        rater_name=rater_name,
        rater_mobile=rater_mobile,
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
        _rectification_open(
            rating=rating,
            center_id=rating.center_id,
            department_id=rating.department_id,
            now=now,
        )
    return rating


@dataclass(frozen=True)
class CommentInput:
    """The public comment form: an item, optionally a case by its number and the last four
    characters of the applicant's identifier, and optionally the rater's name and mobile."""

    item_id: int | None
    case_number: str = ""
    id_tail: str = ""
    name: str = ""
    mobile: str = ""


def _comment_case(*, given: CommentInput, item: ServiceItem, address: str) -> Case | None:
    number = given.case_number.strip()
    if not number and not given.id_tail.strip():
        return None
    if not number or len(given.id_tail.strip()) != 4:
        raise ValidationError(
            {
                "case_number": _(
                    "To rate a case, give its number and the last four characters of the "
                    "applicant's ID; or leave both blank."
                )
            }
        )
    try:
        found = case_public_lookup(number=number, id_tail=given.id_tail, address=address)
    except QueryThrottled:
        raise ConflictError(
            _("Too many attempts with wrong case numbers: try again in an hour.")
        ) from None
    if found is None:
        raise ValidationError(
            {"case_number": _("No case has this number with these last four characters.")}
        )
    case = Case.objects.select_related("item", "ticket").get(number=found.number)
    if case.item_id != item.pk:
        raise ValidationError({"case_number": _("This case is not of the item you chose.")})
    return case


@transaction.atomic
def rating_comment_give(
    *,
    comment: CommentInput,
    given: RatingInput,
    address: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """The public comment form (channel "comment"): anyone rates an item and its department.

    With a case (its number and the applicant's ID's last four characters) the rating is that
    case's comment-channel rating, once. A name and mobile make it real-name: a bad one is then
    called back.
    """
    now = now or timezone.now()
    given = _clean(given)
    item = (
        ServiceItem.objects.filter(pk=comment.item_id, status=ServiceItem.Status.PUBLISHED)
        .select_related("department")
        .first()
        if comment.item_id
        else None
    )
    if item is None:
        raise ValidationError({"item": _("Choose the service item you rate.")})
    name = comment.name.strip()
    mobile = ""
    if comment.mobile.strip():
        try:
            mobile = clean_mobile(comment.mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc.messages}) from None
    if len(name) > 60:
        raise ValidationError({"name": _("Keep the name under 60 characters.")})
    if name and not mobile:
        raise ValidationError(
            {"mobile": _("Give a mobile number with your name, so we can call you back.")}
        )
    case = _comment_case(given=comment, item=item, address=address)
    if case is not None:
        return rating_give(
            case=case,
            channel=RatingChannel.COMMENT,
            given=given,
            rater=None,
            rater_name=name,
            rater_mobile=mobile,
            now=now,
        )
    rating = Rating.objects.create(
        channel=RatingChannel.COMMENT,
        level=given.level,
        comment=given.comment,
        rater_name=name,
        rater_mobile=mobile,
        center_id=item.center_id,
        item_id=item.pk,
        department_id=item.department_id,
        rated_at=now,
        **{key: given.indicators.get(key) for key in INDICATORS},
    )
    audit_record(
        action="rating.give",
        target_type="rating",
        target_id=str(rating.pk),
        center_id=item.center_id,
        data={"item": item.pk, "channel": RatingChannel.COMMENT, "level": rating.level},
    )
    if rating.level in BAD_LEVELS:
        _rectification_open(
            rating=rating, center_id=item.center_id, department_id=item.department_id, now=now
        )
    return rating


def _pad_department_id(pad_rating: PadRating) -> int:
    """The department answering for a service at the counter: the ticket's item's, else its
    queue's, else the counter's, else the staff member's; 0 when none is known."""
    ticket = pad_rating.ticket
    if ticket.item is not None:
        return ticket.item.department_id
    if ticket.category.department_id is not None:
        return ticket.category.department_id
    if pad_rating.counter.department_id is not None:
        return pad_rating.counter.department_id
    profile = StaffProfile.objects.filter(user_id=pad_rating.staff_id).first()
    return (profile.department_id or 0) if profile is not None else 0


def pad_rating_received(pad_rating: PadRating) -> None:
    """The hall's `pad_rated` hook: a bad rating on the counter pad opens its rectification,
    inside the transaction that stores the rating."""
    if pad_rating.level not in BAD_LEVELS:
        return
    _rectification_open(
        pad_rating=pad_rating,
        center_id=pad_rating.counter.center_id,
        department_id=_pad_department_id(pad_rating),
        now=pad_rating.created_at,
    )


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
    text = _("Case %(number)s has concluded. Rate our service within %(days)s days: %(url)s") % {
        "number": case.number,
        "days": rating_link_days(),
        "url": _site_url(path),
    }
    send_sms(mobile=case.mobile, text=text)
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


# Rectification --------------------------------------------------------------------------------


def _move(
    rectification: Rectification,
    *,
    old: RectificationState,
    actor: User | None,
    action: str,
    subject: str,
    **changes: object,
) -> Rectification:
    moved = Rectification.objects.filter(pk=rectification.pk, state=old).update(**changes)
    if moved != 1:
        raise ConflictError(_("This rectification is no longer at that step: reload the page."))
    rectification.refresh_from_db()
    reference = rectification_reference(rectification)
    audit_record(
        action=action,
        actor=actor,
        target_type="rectification",
        target_id=str(rectification.pk),
        center_id=rectification.center_id,
        data={"subject": reference, "state": rectification.state},
    )
    rater = rectification_contact(rectification).user
    if subject and rater is not None and (actor is None or rater.pk != actor.pk):
        message_send(
            user=rater, subject=subject, link=_rater_link(rectification), kind="rectification"
        )
    return rectification


@transaction.atomic
def rectification_call_back(
    *,
    rectification: Rectification,
    staff: User,
    note: str,
    outcome: CallBackOutcome = CallBackOutcome.REACHED,
    now: dt.datetime | None = None,
) -> Rectification:
    """回访: the department called the rater back and verified the complaint.

    Every real-name rating must be called back (the rater reached); an anonymous one has nobody
    to call, and records "no contact" instead.
    """
    note = note.strip()
    if outcome == CallBackOutcome.REACHED and not rectification.real_name:
        raise ConflictError(
            _("This rating is anonymous: there is nobody to call. Record that there is no contact.")
        )
    if outcome == CallBackOutcome.NO_CONTACT and rectification.real_name:
        raise ConflictError(
            _("A real-name rating must be called back: reach the rater, then record the call.")
        )
    if outcome == CallBackOutcome.REACHED and not note:
        raise ValidationError({"note": _("Write down what the rater said on the call.")})
    return _move(
        rectification,
        old=RectificationState.OPEN,
        actor=staff,
        action="rectification.call_back",
        subject=_("The department called you back about your rating of %(subject)s.")
        % {"subject": rectification_reference(rectification)},
        state=RectificationState.CALLED_BACK,
        called_back_at=now or timezone.now(),
        call_back_outcome=outcome,
        call_back_note=note,
        handled_by=staff,
    )


def _view_token(rectification: Rectification) -> str:
    return signing.TimestampSigner(salt=VIEW_LINK_SALT).sign(str(rectification.pk))


@transaction.atomic
def rectification_rectify(
    *, rectification: Rectification, staff: User, fix: str, now: dt.datetime | None = None
) -> Rectification:
    """整改: the department records what it put right; the rater is asked for a view.

    A rater with an account is asked in the message box (on the case's page); one known only by
    a mobile number (a pad's or a comment's rater) is texted a signed link that works once.
    """
    now = now or timezone.now()
    if not fix.strip():
        raise ValidationError({"fix": _("Describe what was put right.")})
    reference = rectification_reference(rectification)
    rectification = _move(
        rectification,
        old=RectificationState.CALLED_BACK,
        actor=staff,
        action="rectification.rectify",
        subject=_("Your rating of %(subject)s led to a fix: tell us what you think of it.")
        % {"subject": reference},
        state=RectificationState.RECTIFIED,
        rectified_at=now,
        fix=fix.strip(),
    )
    contact = rectification_contact(rectification)
    if _rater_link(rectification) and contact.user is not None:
        return rectification
    if contact.mobile:
        Rectification.objects.filter(pk=rectification.pk).update(view_link_sent_at=now)
        rectification.view_link_sent_at = now
        path = reverse("feedback:view_link", args=[_view_token(rectification)])
        text = _(
            "About %(subject)s: %(fix)s Tell us what you think of the fix within %(days)s days: "
            "%(url)s"
        ) % {
            "subject": reference,
            "fix": rectification.fix[:60],
            "days": rating_link_days(),
            "url": _site_url(path),
        }
        send_sms(mobile=contact.mobile, text=text)
    return rectification


def _view_close(
    rectification: Rectification,
    *,
    actor: User | None,
    view: int,
    source: ViewSource,
    now: dt.datetime | None,
) -> Rectification:
    """The rater's view of the fix (满意 / 基本满意 / 不满意), however given, closes it."""
    if view not in FixView.values:
        raise ValidationError({"view": _("Choose satisfied, basically satisfied or dissatisfied.")})
    return _move(
        rectification,
        old=RectificationState.RECTIFIED,
        actor=actor,
        action="rectification.view",
        subject="",
        state=RectificationState.CLOSED,
        view=view,
        view_source=source,
        viewed_at=now or timezone.now(),
    )


@transaction.atomic
def rectification_view_give(
    *, rectification: Rectification, user: User, view: int, now: dt.datetime | None = None
) -> Rectification:
    """The rater's view of the fix (满意 / 基本满意 / 不满意) closes the rectification."""
    if rectification_contact(rectification).user != user:
        raise PermissionDenied(_("Only the rater gives a view of the fix."))
    return _view_close(rectification, actor=user, view=view, source=ViewSource.ONLINE, now=now)


def view_link_rectification(*, token: str) -> Rectification:
    """The rectification a texted view link is for, while it holds: 404 when tampered, 409 when
    used, expired or not (or no longer) awaiting a view."""
    signer = signing.TimestampSigner(salt=VIEW_LINK_SALT)
    try:
        pk = signer.unsign(token, max_age=dt.timedelta(days=rating_link_days()))
    except signing.SignatureExpired:
        raise ConflictError(_("This link has expired.")) from None
    except signing.BadSignature:
        raise Http404(_("This link is not valid.")) from None
    rectification = (
        Rectification.objects.select_related(
            "rating__case__item", "pad_rating__ticket__item", "pad_rating__counter"
        )
        .filter(pk=pk, view_link_sent_at__isnull=False)
        .first()
    )
    if rectification is None:
        raise Http404(_("This link is not valid."))
    if rectification.view_link_used_at is not None:
        raise ConflictError(_("This link has already been used."))
    if rectification.state != RectificationState.RECTIFIED:
        raise ConflictError(_("This rectification no longer awaits your view."))
    return rectification


@transaction.atomic
def rectification_view_give_by_link(
    *, token: str, view: int, now: dt.datetime | None = None
) -> Rectification:
    """The rater's view of the fix through the texted link, which works once."""
    now = now or timezone.now()
    rectification = view_link_rectification(token=token)
    if view not in FixView.values:
        raise ValidationError({"view": _("Choose satisfied, basically satisfied or dissatisfied.")})
    spent = Rectification.objects.filter(
        pk=rectification.pk, view_link_used_at__isnull=True
    ).update(view_link_used_at=now)
    if spent != 1:
        raise ConflictError(_("This link has already been used."))
    return _view_close(rectification, actor=None, view=view, source=ViewSource.LINK, now=now)


@transaction.atomic
def rectification_view_record(
    *, rectification: Rectification, staff: User, view: int, now: dt.datetime | None = None
) -> Rectification:
    """The rater's view given on the phone, written down by the department; it closes the
    rectification. Only a rater we could call gives one."""
    if not rectification.real_name:
        raise ConflictError(_("An anonymous rater cannot be asked: close without a view."))
    return _view_close(rectification, actor=staff, view=view, source=ViewSource.PHONE, now=now)


@transaction.atomic
def rectification_close(
    *, rectification: Rectification, staff: User, now: dt.datetime | None = None
) -> Rectification:
    """Close the rectification of an anonymous rating once fixed: there is nobody to ask."""
    if rectification.real_name:
        raise ConflictError(
            _("A real-name rating closes with the rater's view: ask them, or record it.")
        )
    return _move(
        rectification,
        old=RectificationState.RECTIFIED,
        actor=staff,
        action="rectification.close",
        subject="",
        state=RectificationState.CLOSED,
        viewed_at=now or timezone.now(),
    )


# Appeals --------------------------------------------------------------------------------------


@transaction.atomic
def rating_appeal_file(
    *,
    rectification: Rectification,
    user: User,
    reason: str,
    explanation: str,
    now: dt.datetime | None = None,
) -> RatingAppeal:
    """申诉: the clerk rated, or the head of the department, appeals a bad rating as malicious or
    mistaken; the center's supervisors are told and decide."""
    now = now or timezone.now()
    rating, pad_rating = rectification.rating, rectification.pad_rating
    staff_id = rating.staff_id if rating is not None else pad_rating.staff_id if pad_rating else 0
    profile = StaffProfile.objects.filter(user_id=user.pk).first()
    is_head = (
        profile is not None
        and profile.center_id == rectification.center_id
        and profile.department_id == rectification.department_id
        and user.has_role(Role.DEPARTMENT_HEAD)
    )
    if staff_id != user.pk and not is_head:
        raise PermissionDenied(
            _("Only the member of staff rated, or the department's head, may appeal a rating.")
        )
    errors: dict[str, str] = {}
    if reason not in AppealReason.values:
        errors["reason"] = _("Say whether the rating was malicious or mistaken.")
    explanation = explanation.strip()
    if not explanation:
        errors["explanation"] = _("Explain why the rating should not count.")
    elif len(explanation) > 2000:
        errors["explanation"] = _("Keep the explanation under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    appeal = RatingAppeal(
        rating=rating,
        pad_rating=pad_rating,
        center_id=rectification.center_id,
        department_id=rectification.department_id,
        reason=reason,
        explanation=explanation,
        appealed_by=user,
        appealed_at=now,
    )
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:
        raise ConflictError(_("This rating has already been appealed.")) from None
    reference = rating_reference(rating=appeal.rating, pad_rating=appeal.pad_rating)
    audit_record(
        action="rating_appeal.file",
        actor=user,
        target_type="rating_appeal",
        target_id=str(appeal.pk),
        center_id=appeal.center_id,
        data={"subject": reference, "reason": reason},
    )
    for supervisor in supervisors_of(appeal.center_id):
        message_send(
            user=supervisor,
            subject=_("An appeal against the rating of %(subject)s awaits your decision.")
            % {"subject": reference},
            link=reverse("feedback:appeal", args=[appeal.pk]),
            kind="rating_appeal",
        )
    return appeal


@transaction.atomic
def rating_appeal_decide(
    *,
    appeal: RatingAppeal,
    supervisor: User,
    upheld: bool,
    note: str,
    now: dt.datetime | None = None,
) -> RatingAppeal:
    """A supervisor of the center upholds the appeal (the rating no longer counts in the
    statistics, but stays in the record) or rejects it; either way with a note."""
    now = now or timezone.now()
    profile = StaffProfile.objects.filter(user_id=supervisor.pk).first()
    if (
        profile is None
        or profile.center_id != appeal.center_id
        or not supervisor.has_role(Role.SUPERVISOR)
    ):
        raise PermissionDenied(_("Appeals are decided by the center's supervisors."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Give the reason for the decision.")})
    state = AppealState.UPHELD if upheld else AppealState.REJECTED
    moved = RatingAppeal.objects.filter(pk=appeal.pk, state=AppealState.PENDING).update(
        state=state, decided_by=supervisor, decided_at=now, decision_note=note
    )
    if moved != 1:
        raise ConflictError(_("This appeal has been decided already: reload the page."))
    appeal.refresh_from_db()
    reference = rating_reference(rating=appeal.rating, pad_rating=appeal.pad_rating)
    audit_record(
        action="rating_appeal.decide",
        actor=supervisor,
        target_type="rating_appeal",
        target_id=str(appeal.pk),
        center_id=appeal.center_id,
        data={"subject": reference, "state": state},
    )
    message_send(
        user=appeal.appealed_by,
        subject=(
            _("Your appeal against the rating of %(subject)s is upheld.")
            if upheld
            else _("Your appeal against the rating of %(subject)s is rejected.")
        )
        % {"subject": reference},
        body=note,
        link=reverse("feedback:appeal", args=[appeal.pk]),
        kind="rating_appeal",
    )
    return appeal

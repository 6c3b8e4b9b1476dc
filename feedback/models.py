"""Ratings (好差评) of cases, counter services and items, their links, rectifications, appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from catalog.models import Center
from hall.models import PadRating

# The five levels of the national rules (DESIGN §3), shared with the counter pad so that the
# statistics of both channels read the same numbers: 5 is very satisfied, 1 very dissatisfied.
Level = PadRating.Level


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    SMS = "sms", _("SMS link")
    COMMENT = "comment", _("Public comment")


class FeedbackPolicy(models.Model):
    """A center's deadlines of ratings and rectifications; a center without a row uses defaults."""

    center = models.OneToOneField(Center, on_delete=models.CASCADE, related_name="feedback_policy")
    call_back_days = models.PositiveSmallIntegerField(
        _("call back within (working days)"), default=1
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("rectify within (working days)"), default=5
    )
    rating_window_days = models.PositiveSmallIntegerField(
        _("ratings open for (days after the case concludes)"), default=30
    )

    class Meta:
        verbose_name = _("feedback policy")
        verbose_name_plural = _("feedback policies")

    def __str__(self) -> str:
        return str(self.center)


class RatingQuerySet(models.QuerySet["Rating"]):
    def counted(self) -> RatingQuerySet:
        """The ratings that count in statistics: all but those whose appeal was upheld."""
        return self.exclude(appeal__state=AppealState.UPHELD)


class Rating(models.Model):
    """One rating through one channel: of a concluded case (一事一评) or, through the public
    comment form, of an item and its department.

    The item, department, counter and staff member are stored as ids when the rating is given, so
    statistics group by them without joining through the case.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(
        _("efficiency"), choices=Level.choices, null=True, blank=True
    )
    guide_accuracy = models.PositiveSmallIntegerField(
        _("accuracy of the guide"), choices=Level.choices, null=True, blank=True
    )
    convenience = models.PositiveSmallIntegerField(
        _("convenience"), choices=Level.choices, null=True, blank=True
    )
    ease_of_use = models.PositiveSmallIntegerField(
        _("ease of use"), choices=Level.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
    )
    # Given on the public comment form by a rater who chose to be known (实名).
    rater_name = models.CharField(_("name"), max_length=60, blank=True)
    rater_mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    center_id = models.IntegerField()
    item_id = models.IntegerField()
    department_id = models.IntegerField()
    counter_id = models.IntegerField(null=True, blank=True)
    staff_id = models.IntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "channel"], name="rating_one_per_case_and_channel"
            )
        ]
        indexes = [
            models.Index(fields=["center_id", "department_id", "rated_at"], name="rating_dept_idx")
        ]

    def __str__(self) -> str:
        subject = self.case.number if self.case is not None else f"item {self.item_id}"
        return f"{subject} {self.get_channel_display()} {self.get_level_display()}"


class RatingLink(models.Model):
    """The signed link texted to the applicant; `used_at` makes it work once."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating_link")
    sent_at = models.DateTimeField(_("sent"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    def __str__(self) -> str:
        return self.case.number


class RectificationState(models.TextChoices):
    OPEN = "open", _("Open")
    CALLED_BACK = "called_back", _("Called back")  # 已回访
    RECTIFIED = "rectified", _("Rectified")  # 已整改
    CLOSED = "closed", _("Rater's view recorded")


class FixView(models.IntegerChoices):
    """The rater's view of the fix."""

    SATISFIED = 4, _("Satisfied")  # 满意
    BASICALLY_SATISFIED = 3, _("Basically satisfied")  # 基本满意
    DISSATISFIED = 2, _("Dissatisfied")  # 不满意


class CallBackOutcome(models.TextChoices):
    REACHED = "reached", _("Rater reached")
    NO_CONTACT = "no_contact", _("No contact: anonymous rating")  # 匿名, 无法回访


class ViewSource(models.TextChoices):
    """How the rater's view of the fix reached us."""

    ONLINE = "online", _("On the site")
    LINK = "link", _("By the texted link")
    PHONE = "phone", _("On the phone")


class Rectification(models.Model):
    """差评整改: the follow-up of a bad rating, online or from the pad, with working-day deadlines.

    Exactly one of `rating` and `pad_rating` is set.
    """

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="rectification"
    )
    pad_rating = models.OneToOneField(
        PadRating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification",
    )
    # A rater we can reach (an account or a mobile number) must be called back (实名差评 100%).
    real_name = models.BooleanField(_("real-name rating"), default=False)
    center_id = models.IntegerField()
    department_id = models.IntegerField()
    state = models.CharField(
        _("state"), max_length=12, choices=RectificationState.choices, default="open"
    )
    opened_at = models.DateTimeField(_("opened"))
    call_back_due = models.DateField(_("call back due"))
    rectify_due = models.DateField(_("rectification due"))
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    call_back_outcome = models.CharField(
        _("call-back outcome"), max_length=12, choices=CallBackOutcome.choices, blank=True
    )
    call_back_note = models.TextField(_("what the rater said"), blank=True)
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    fix = models.TextField(_("what was put right"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    view = models.PositiveSmallIntegerField(
        _("rater's view of the fix"), choices=FixView.choices, null=True, blank=True
    )
    viewed_at = models.DateTimeField(_("view given"), null=True, blank=True)
    view_source = models.CharField(
        _("view given"), max_length=8, choices=ViewSource.choices, blank=True
    )
    # The signed link texted to a pad or SMS rater without an account, to give the view once.
    view_link_sent_at = models.DateTimeField(_("view link sent"), null=True, blank=True)
    view_link_used_at = models.DateTimeField(_("view link used"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["call_back_due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=False, pad_rating__isnull=True)
                | Q(rating__isnull=True, pad_rating__isnull=False),
                name="rectification_one_rating",
            )
        ]
        indexes = [
            models.Index(
                fields=["center_id", "department_id", "state", "rectify_due"],
                name="rectification_worklist_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_state_display()}"


class AppealReason(models.TextChoices):
    MALICIOUS = "malicious", _("Malicious rating")  # 恶意差评
    MISTAKEN = "mistaken", _("Mistaken rating")  # 误评


class AppealState(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class RatingAppeal(models.Model):
    """申诉: the clerk rated, or the department head, asks that a bad rating not count.

    Exactly one of `rating` and `pad_rating` is set. An upheld appeal takes the rating out of the
    statistics; the rating itself stays in the record.
    """

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="appeal"
    )
    pad_rating = models.OneToOneField(
        PadRating, on_delete=models.PROTECT, null=True, blank=True, related_name="appeal"
    )
    center_id = models.IntegerField()
    department_id = models.IntegerField()
    reason = models.CharField(_("reason"), max_length=10, choices=AppealReason.choices)
    explanation = models.TextField(_("explanation"), max_length=2000)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appealed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appealed_at = models.DateTimeField(_("appealed"))
    state = models.CharField(
        _("state"), max_length=10, choices=AppealState.choices, default=AppealState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("rating appeal")
        verbose_name_plural = _("rating appeals")
        ordering = ["-appealed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=False, pad_rating__isnull=True)
                | Q(rating__isnull=True, pad_rating__isnull=False),
                name="rating_appeal_one_rating",
            )
        ]
        indexes = [
            models.Index(fields=["center_id", "state", "appealed_at"], name="appeal_worklist_idx")
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_reason_display()} {self.get_state_display()}"

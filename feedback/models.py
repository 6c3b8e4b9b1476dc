"""Ratings of concluded cases (好差评), their signed SMS links and the rectification of bad ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from hall.models import PadRating

# The five levels of the national rules (DESIGN §3), shared with the counter pad so that the
# statistics of both channels read the same numbers: 5 is very satisfied, 1 very dissatisfied.
Level = PadRating.Level


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    SMS = "sms", _("SMS link")


class Rating(models.Model):
    """One rating of a concluded case through one channel (一事一评).

    The item, department, counter and staff member are stored as ids when the rating is given, so
    statistics group by them without joining through the case.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ratings")
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
    center_id = models.IntegerField()
    item_id = models.IntegerField()
    department_id = models.IntegerField()
    counter_id = models.IntegerField(null=True, blank=True)
    staff_id = models.IntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"))

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
        return f"{self.case.number} {self.get_channel_display()} {self.get_level_display()}"


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


class Rectification(models.Model):
    """差评整改: the follow-up of a bad rating, with working-day deadlines."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    center_id = models.IntegerField()
    department_id = models.IntegerField()
    state = models.CharField(
        _("state"), max_length=12, choices=RectificationState.choices, default="open"
    )
    opened_at = models.DateTimeField(_("opened"))
    call_back_due = models.DateField(_("call back due"))
    rectify_due = models.DateField(_("rectification due"))
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
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

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["call_back_due", "pk"]
        indexes = [
            models.Index(
                fields=["center_id", "department_id", "state", "rectify_due"],
                name="rectification_worklist_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_state_display()}"

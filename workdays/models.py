"""The working-day calendar's tables: holidays, make-up working days and the years covered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")


class Source(models.TextChoices):
    PACKAGE = "package", _("holidays package")
    OFFICIAL = "official", _("Official schedule")
    MANUAL = "manual", _("Entered by hand")


class YearStatus(models.TextChoices):
    OFFICIAL = "official", _("Official")
    PROVISIONAL = "provisional", _("Provisional")


class Holiday(models.Model):
    """A day off on a weekday (节假日) or a weekend day worked instead (调休上班)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class CalendarYear(models.Model):
    """A year the calendar covers (日历年度): official once the State Council's schedule is in."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=YearStatus.choices,
        default=YearStatus.PROVISIONAL,
        help_text=_("Provisional: holidays computed by rule, make-up working days not yet known."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarVersion(models.Model):
    """One row whose token changes with every edit of the calendar: the cache key of its readers.

    A random token rather than a counter, so a rolled-back edit never hands its number to the next.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return self.token

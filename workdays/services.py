"""Writes of the working-day calendar: seeding from the package, CSV import, administrators' edits.

Every write changes the calendar's version token (the readers' cache key) and, once committed,
calls the `workdays.hooks.calendar_changed` hooks with the years it changed.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from holidays import country_holidays

from workdays.hooks import notify_calendar_changed
from workdays.models import CalendarVersion, CalendarYear, DayKind, Holiday, Source, YearStatus

# The years the package can compute and a calendar may hold.
MIN_YEAR = 1950
MAX_YEAR = 2099
DEFAULT_FIRST_YEAR = 2019
CSV_HEADER = ["date", "kind", "name"]
NAME_MAX_LENGTH = Holiday._meta.get_field("name").max_length or 100


@dataclass(frozen=True)
class ImportResult:
    year: int
    holidays: int
    makeup_days: int
    replaced: int


def default_seed_years() -> tuple[int, int]:
    """2019 to two years after the current one: cases accepted now run into next year."""
    return DEFAULT_FIRST_YEAR, timezone.localdate().year + 2


def _calendar_touched(years: set[int]) -> None:
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid4().hex})
    CalendarYear.objects.filter(year__in=years).update(updated_at=timezone.now())
    transaction.on_commit(partial(notify_calendar_changed, set(years)))


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("The year must lie between %(min)s and %(max)s, not %(year)s.")
            % {"min": MIN_YEAR, "max": MAX_YEAR, "year": year},
            code="year_out_of_bounds",
        )


def _festival(name: str) -> str:
    festival = name.split("（")[0]
    return "春节" if festival == "农历除夕" else festival


def _makeup_name(day: date, days_off: dict[date, str]) -> str:
    # The package names the rest day a make-up day pays for ("休息日（由 2026-10-10 调休）"):
    # name the make-up day after the festival nearest to that rest day.
    rest = next((d for d, name in days_off.items() if day.isoformat() in name), day)
    festivals = {d: _festival(n) for d, n in days_off.items() if not n.startswith("休息日")}
    nearest = min(festivals, key=lambda d: abs((d - rest).days), default=None)
    if nearest is None or abs((nearest - rest).days) > 10:
        return "调休上班"
    return f"{festivals[nearest]}调休上班"


def _package_days(year: int) -> dict[date, tuple[str, str]]:
    """The package's days of `year`: date → (kind, Chinese name)."""
    package = country_holidays("CN", years=year, language="zh_CN")
    days_off = {d: str(name) for d, name in package.items() if d.year == year}
    makeup = {d for d in package.weekend_workdays if d.year == year}
    days: dict[date, tuple[str, str]] = {
        d: (DayKind.HOLIDAY, name) for d, name in days_off.items() if d not in makeup
    }
    days.update({d: (DayKind.WORKDAY, _makeup_name(d, days_off)) for d in makeup})
    return days


@transaction.atomic
def calendar_seed(*, first_year: int, last_year: int) -> int:
    """Fill the years from the `holidays` package; returns how many day rows it created.

    Idempotent. A year with the package's make-up days is official, one without them provisional.
    Years imported or kept by hand (source official/manual) are left alone, and so are official
    or manual day rows in the package's years; the package's own rows follow its newest version.
    """
    _check_year(first_year)
    _check_year(last_year)
    if first_year > last_year:
        raise ValidationError(
            _("The first year %(first)s comes after the last year %(last)s.")
            % {"first": first_year, "last": last_year},
            code="years_reversed",
        )
    created = 0
    changed: set[int] = set()
    for year in range(first_year, last_year + 1):
        wanted = _package_days(year)
        has_makeup = any(kind == DayKind.WORKDAY for kind, _name in wanted.values())
        status = YearStatus.OFFICIAL if has_makeup else YearStatus.PROVISIONAL
        calendar_year, year_created = CalendarYear.objects.get_or_create(
            year=year, defaults={"status": status, "source": Source.PACKAGE}
        )
        if year_created:
            changed.add(year)
        elif calendar_year.source != Source.PACKAGE:
            continue
        elif calendar_year.status != status:
            calendar_year.status = status
            calendar_year.save(update_fields=["status", "updated_at"])
            changed.add(year)
        existing = {h.date: h for h in Holiday.objects.filter(date__year=year)}
        stale = [
            h.pk for d, h in existing.items() if h.source == Source.PACKAGE and d not in wanted
        ]
        if stale:
            Holiday.objects.filter(pk__in=stale).delete()
            changed.add(year)
        new = [
            Holiday(date=d, kind=kind, name=name, source=Source.PACKAGE)
            for d, (kind, name) in sorted(wanted.items())
            if d not in existing
        ]
        if new:
            Holiday.objects.bulk_create(new)
            created += len(new)
            changed.add(year)
        for d, (kind, name) in wanted.items():
            row = existing.get(d)
            if row and row.source == Source.PACKAGE and (row.kind, row.name) != (kind, name):
                row.kind, row.name = kind, name
                row.save(update_fields=["kind", "name"])
                changed.add(year)
    if changed:
        _calendar_touched(changed)
    return created


def _parse_csv(year: int, text: str) -> list[Holiday]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None or [c.strip().lower() for c in header] != CSV_HEADER:
        raise ValidationError(_("Line 1 must be the header “date,kind,name”."), code="csv_header")
    errors: list[str] = []
    days: list[Holiday] = []
    first_line: dict[date, int] = {}
    kinds = {k.value for k in DayKind}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            errors.append(
                _("Line %(line)s: expected 3 columns (date,kind,name), found %(count)s.")
                % {"line": line, "count": len(row)}
            )
            continue
        raw_date, kind, name = (cell.strip() for cell in row)
        try:
            day = datetime.strptime(raw_date, "%Y-%m-%d").date()  # noqa: DTZ007 -- a date only
        except ValueError:
            errors.append(
                _("Line %(line)s: “%(value)s” is not a date of the form YYYY-MM-DD.")
                % {"line": line, "value": raw_date}
            )
            continue
        if day.year != year:
            errors.append(
                _("Line %(line)s: %(date)s does not lie in %(year)s.")
                % {"line": line, "date": day.isoformat(), "year": year}
            )
        if day in first_line:
            errors.append(
                _("Line %(line)s: %(date)s is listed twice (first on line %(first)s).")
                % {"line": line, "date": day.isoformat(), "first": first_line[day]}
            )
        else:
            first_line[day] = line
        kind = kind.lower()
        if kind not in kinds:
            errors.append(
                _("Line %(line)s: the kind “%(value)s” is unknown: use holiday or workday.")
                % {"line": line, "value": kind}
            )
        elif kind == DayKind.WORKDAY and day.weekday() < 5:
            errors.append(
                _("Line %(line)s: %(date)s is a weekday, so it cannot be a make-up working day.")
                % {"line": line, "date": day.isoformat()}
            )
        if not name:
            errors.append(_("Line %(line)s: the name is missing.") % {"line": line})
        elif len(name) > NAME_MAX_LENGTH:
            errors.append(
                _("Line %(line)s: the name is longer than %(max)s characters.")
                % {"line": line, "max": NAME_MAX_LENGTH}
            )
        days.append(Holiday(date=day, kind=kind, name=name))
    if errors:
        raise ValidationError(errors, code="csv_rows")
    if not days:
        raise ValidationError(_("The file lists no days below its header."), code="csv_empty")
    return days


@transaction.atomic
def calendar_import_csv(*, year: int, text: str, source: str = Source.OFFICIAL) -> ImportResult:
    """Replace the days of `year` by the CSV's (`date,kind,name`) and mark the year official.

    Every row is checked first: if any is wrong, nothing is saved and the `ValidationError` names
    each bad line.
    """
    _check_year(year)
    if source not in (Source.OFFICIAL, Source.MANUAL):
        raise ValidationError(
            _("An imported calendar's source must be official or manual, not %(source)s.")
            % {"source": source},
            code="import_source",
        )
    days = _parse_csv(year, text)
    replaced, _deleted = Holiday.objects.filter(date__year=year).delete()
    for day in days:
        day.source = source
    Holiday.objects.bulk_create(days)
    CalendarYear.objects.update_or_create(
        year=year, defaults={"status": YearStatus.OFFICIAL, "source": source}
    )
    _calendar_touched({year})
    return ImportResult(
        year=year,
        holidays=sum(d.kind == DayKind.HOLIDAY for d in days),
        makeup_days=sum(d.kind == DayKind.WORKDAY for d in days),
        replaced=replaced,
    )


@transaction.atomic
def holiday_save(*, holiday: Holiday) -> Holiday:
    """Save a day entered or changed by hand; its source becomes manual."""
    years = {holiday.date.year}
    if holiday.pk:
        old = Holiday.objects.filter(pk=holiday.pk).values_list("date", flat=True).first()
        if old:
            years.add(old.year)
    holiday.source = Source.MANUAL
    holiday.full_clean()
    holiday.save()
    _calendar_touched(years)
    return holiday


@transaction.atomic
def holidays_delete(*, holidays: Iterable[Holiday]) -> int:
    """Delete days; returns how many."""
    pks = [h.pk for h in holidays]
    years = set(Holiday.objects.filter(pk__in=pks).values_list("date__year", flat=True))
    deleted, _deleted = Holiday.objects.filter(pk__in=pks).delete()
    if deleted:
        _calendar_touched(years)
    return deleted


@transaction.atomic
def calendar_year_save(*, calendar_year: CalendarYear) -> CalendarYear:
    """Save a year kept by hand (its source becomes manual, so seeding leaves it alone)."""
    _check_year(calendar_year.year)
    years = {calendar_year.year}
    if calendar_year.pk:
        old = CalendarYear.objects.filter(pk=calendar_year.pk).values_list("year", flat=True)
        years.update(old)
    calendar_year.source = Source.MANUAL
    calendar_year.full_clean()
    calendar_year.save()
    _calendar_touched(years)
    return calendar_year


@transaction.atomic
def calendar_years_delete(*, calendar_years: Iterable[CalendarYear]) -> int:
    """Take years out of the calendar, with their days; returns how many years."""
    years = {y.year for y in calendar_years}
    Holiday.objects.filter(date__year__in=years).delete()
    deleted, _deleted = CalendarYear.objects.filter(year__in=years).delete()
    if deleted:
        _calendar_touched(years)
    return deleted

"""`govhall seed_history --cases N`: years of the demo center's case history, for measuring.

The cases are spread over the working days of the last `--years` years ending today, by item
(a fixed, skewed popularity), numbered per day as `case_number_next` numbers them. Most are
concluded (approved, with tolerated gaps, denied), some withdrawn or not accepted, some went
through a special procedure or an extension; a few hundredths of a percent are still running
today with a mix of green, yellow, red and severe lights, some suspended, some awaiting
acceptance. Accepted cases get their approval stages (the item's, or the default review and
decision). Every case has its events; the sweep's event cursor moves past them, as history was
supervised in its day.

Rows are written straight into the tables in batches, each batch in a transaction: executemany
on SQLite (synchronous off for the session), COPY on PostgreSQL. Working-day arithmetic runs over
one precomputed `WorkingDayTable`, equal to the calendar's functions but O(1) per case.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.roles import Role
from cases.models import (
    ApplicantKind,
    Case,
    CaseDecision,
    CaseEvent,
    CaseExtension,
    CaseNumberCounter,
    CaseStage,
    CaseStatus,
    CaseSuspension,
    Channel,
    DeliveryMethod,
    ExtensionStatus,
    Light,
    StageStatus,
    SuspensionKind,
)
from cases.services import _default_specs
from catalog.demo_data import DEMO_CENTER_SLUG, GIVEN_NAME_CHARACTERS, SURNAMES
from catalog.models import Center, ServiceItem, StaffProfile, StageSpec
from govhall.identifiers import resident_id_with_check, uscc_with_check
from supervision.efficiency import WorkingDayTable
from supervision.models import SweepCursor
from supervision.services import EVENT_CURSOR
from workdays.calendar import Calendar
from workdays.selectors import calendar_load

BATCH = 20_000
APPLICANTS = 20_000  # people and companies come back: a pool of applicants, reused
SUSPENDED = "suspended"
DECIDING_ROLES = (Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD, Role.REVIEWER)
# Shares of the running cases (besides those awaiting acceptance) by light, and suspended.
RUNNING_MIX: tuple[tuple[str, float], ...] = (
    (Light.GREEN, 0.70),
    (Light.YELLOW, 0.14),
    (Light.RED, 0.10),
    (Light.SEVERE, 0.03),
    (SUSPENDED, 0.03),
)
AWAITING = "awaiting"
HISTORY = ""
# Plain values: the database drivers are handed ints and strs, not enum members.
RECEIVED, ACCEPTED, PROCESSING = (
    int(CaseStatus.RECEIVED),
    int(CaseStatus.ACCEPTED),
    int(CaseStatus.PROCESSING),
)
NOT_ACCEPTED, WITHDRAWN_EARLY = (
    int(CaseStatus.NOT_ACCEPTED),
    int(CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE),
)
SPECIAL_START, WITHDRAWN = int(CaseStatus.SPECIAL_START), int(CaseStatus.WITHDRAWN)
APPROVED, WITH_GAPS, DENIED = (
    int(CaseStatus.CONCLUDED_APPROVED),
    int(CaseStatus.CONCLUDED_WITH_GAPS),
    int(CaseStatus.CONCLUDED_DENIED),
)
WAITING, ACTIVE, DONE = str(StageStatus.WAITING), str(StageStatus.ACTIVE), str(StageStatus.DONE)
DELIVERY = (str(DeliveryMethod.COUNTER), str(DeliveryMethod.ELECTRONIC), str(DeliveryMethod.MAIL))


@dataclass(frozen=True)
class HistorySummary:
    cases: int
    running: dict[str, int]
    events: int
    stages: int
    suspensions: int
    extensions: int
    decisions: int
    first_day: str
    last_day: str
    seconds: float


@dataclass(frozen=True)
class _Stage:
    step: int
    name: str
    department_id: int
    role: str
    days: int


@dataclass(frozen=True)
class _Item:
    pk: int
    department_id: int
    promised: int
    statutory: int
    lead: int
    subject: str
    online: bool
    stages: tuple[_Stage, ...]


@dataclass(frozen=True)
class _Plan:
    """A case before its details: its day of receipt, its item and what it is today."""

    received: dt.date
    item: int  # index into the items
    kind: str  # HISTORY, AWAITING, "suspended" or a light
    days_elapsed: int = 0


class _Writer:
    """Bulk inserts of plain rows: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def insert(
        self, model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert the rows; columns not named take their field's default (the same for all)."""
        if not rows:
            return
        concrete = {field.name: field for field in model._meta.concrete_fields}
        named = [concrete[name] for name in fields]
        defaults = [
            field
            for field in concrete.values()
            if field not in named and not field.primary_key and field.has_default()
        ]
        if defaults:
            tail = tuple(
                field.get_db_prep_save(field.get_default(), connection) for field in defaults
            )
            rows = [row + tail for row in rows]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(f.get_attname_column()[1]) for f in [*named, *defaults]
        )
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(named) + len(defaults)))
                # Table and columns come from the models, quoted; the values are parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)

    def fast(self) -> None:
        """Settings for a bulk load: losing it to a crash means seeding again, nothing more."""
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SET synchronous_commit TO off")
            elif not connection.in_atomic_block:  # SQLite refuses it inside a transaction
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-262144")
                cursor.execute("PRAGMA temp_store=MEMORY")

    def sequences_reset(self, models_: Sequence[type[models.Model]]) -> None:
        """After rows with explicit primary keys, the next automatic key follows them."""
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models_)):
                cursor.execute(statement)

    def analyze(self, models_: Sequence[type[models.Model]]) -> None:
        with connection.cursor() as cursor:
            for model in models_:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


CASE_FIELDS = (
    "id",
    "center",
    "item",
    "department",
    "number",
    "channel",
    "applicant_kind",
    "applicant_name",
    "id_number",
    "uscc",
    "mobile",
    "form_data",
    "status",
    "submitted_at",
    "received_day",
    "acceptance_due",
    "accepted_at",
    "clock_start",
    "promised_days",
    "statutory_days",
    "promised_due",
    "statutory_due",
    "warn_on",
    "due_provisional",
    "concluded_at",
    "corrections_count",
    "idempotency_key",
    "handled_by",
)
EVENT_FIELDS = ("case", "from_status", "to_status", "actor", "at", "note")
STAGE_FIELDS = (
    "case",
    "step",
    "name",
    "department",
    "role",
    "days",
    "suspended_days",
    "status",
    "assignee",
    "started_at",
    "started_on",
    "due",
    "warn_on",
    "finished_at",
    "finished_by",
    "result",
)
SUSPENSION_FIELDS = (
    "case",
    "kind",
    "reason",
    "expected_days",
    "started_at",
    "start_day",
    "started_by",
    "ended_at",
    "end_day",
    "ended_by",
    "result",
    "working_days",
)
EXTENSION_FIELDS = (
    "case",
    "days",
    "reason",
    "status",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "note",
)
DECISION_FIELDS = (
    "case",
    "outcome",
    "reason",
    "gaps",
    "gaps_due",
    "decided_by",
    "decided_at",
    "delivery_method",
    "tracking_number",
    "delivered_at",
    "delivered_by",
)
SUSPENSION_REASONS = {
    SuspensionKind.EXPERT_REVIEW: "申请事项涉及专业技术问题，需组织专家评审",
    SuspensionKind.INSPECTION: "需对经营场所进行现场勘验",
    SuspensionKind.TESTING: "需委托检验检测机构出具检测报告",
    SuspensionKind.HEARING: "申请事项直接关系他人重大利益，依申请组织听证",
}
DENIAL_REASON = "经审查，申请人不符合法定条件，依法作出不予许可决定"
GAPS = "非关键材料容缺受理，申请人承诺限期补齐"


class _Stamps:
    """Naive UTC timestamps as the databases take them, from a local day and a time of day."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self._midnights: dict[dt.date, dt.datetime] = {}

    def at(self, day: dt.date, seconds: int) -> str:
        midnight = self._midnights.get(day)
        if midnight is None:
            local = dt.datetime.combine(day, dt.time.min, tzinfo=self.zone)
            midnight = local.astimezone(dt.UTC).replace(tzinfo=None)
            self._midnights[day] = midnight
        return str(midnight + dt.timedelta(seconds=seconds))


class HistorySeeder:
    def __init__(self, *, center: Center, calendar: Calendar, years: int, seed: int) -> None:
        self.center = center
        self.calendar = calendar
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        start = self.today.replace(year=self.today.year - years)
        last_year = max(calendar.years)
        if start.year - 1 not in calendar.years or self.today.year + 1 > last_year:
            raise CommandError(
                f"The working-day calendar covers {min(calendar.years)}–{last_year}; the history "
                f"needs {start.year - 1}–{self.today.year + 1}. Run `govhall seed_calendar "
                f"--first-year {start.year - 1}` first."
            )
        self.table = WorkingDayTable(
            calendar, dt.date(start.year - 1, 1, 1), dt.date(last_year, 12, 31)
        )
        self.days = [day for day in self.table.working_days() if start <= day <= self.today]
        self.stamps = _Stamps()
        self.writer = _Writer()
        self.items = self._items()
        self.weights = self._popularity(len(self.items))
        self._staff()
        self._applicants()
        self.counts = {"events": 0, "stages": 0, "suspensions": 0, "extensions": 0, "decisions": 0}

    # --- what the center has -----------------------------------------------------------------

    def _items(self) -> list[_Item]:
        specs: dict[int, list[StageSpec]] = {}
        for spec in StageSpec.objects.filter(item__center=self.center).order_by(
            "item_id", "position", "pk"
        ):
            specs.setdefault(spec.item_id, []).append(spec)
        items = []
        for item in (
            ServiceItem.objects.of_center(self.center)
            .published()
            .select_related("department")
            .order_by("pk")
        ):
            stages: list[_Stage] = []
            step, previous_group = 0, ""
            # Parallel stages share a step, as cases.services._stages_create numbers them.
            # Items without stage definitions get the default review → decision, as the cases
            # service gives them on acceptance; on-the-spot items conclude without stages.
            item_specs = specs.get(item.pk) or (
                _default_specs(item) if item.promised_days > 0 else []
            )
            for spec in item_specs:
                if not (spec.parallel_group and spec.parallel_group == previous_group):
                    step += 1
                previous_group = spec.parallel_group
                department = spec.department_id or item.department_id
                stages.append(_Stage(step, spec.name, department, spec.role, spec.days))
            items.append(
                _Item(
                    pk=item.pk,
                    department_id=item.department_id,
                    promised=item.promised_days,
                    statutory=item.statutory_days,
                    lead=item.warning_lead(),
                    subject=item.subject,
                    online=item.online_level >= ServiceItem.OnlineLevel.PARTLY_ONLINE,
                    stages=tuple(stages),
                )
            )
        if not items:
            raise CommandError("The center has no published items: run `govhall seed_demo`.")
        return items

    def _popularity(self, count: int) -> list[float]:
        """A few items take most cases (Zipf-like), in an order fixed by the seed."""
        weights = [1 / (rank + 1) ** 0.9 for rank in range(count)]
        self.rng.shuffle(weights)
        return weights

    def _staff(self) -> None:
        profiles = list(
            StaffProfile.objects.filter(center=self.center).values_list(
                "user_id", "department_id", "counter_id", "user__groups__name"
            )
        )
        clerks: dict[int | None, list[int]] = {}
        deciders: dict[int, list[int]] = {}
        for user_id, department_id, counter_id, role in profiles:
            if role == Role.CLERK and counter_id is not None:
                clerks.setdefault(department_id, []).append(user_id)
            elif department_id is not None and role in DECIDING_ROLES:
                deciders.setdefault(department_id, []).append(user_id)
        if not clerks:
            raise CommandError("The center has no counter clerks: run `govhall seed_demo`.")
        self.general_clerks = clerks.get(None) or next(iter(clerks.values()))
        self.clerks = clerks
        self.deciders = deciders
        supervisors = [u for u, _d, _c, role in profiles if role == Role.SUPERVISOR]
        self.anyone = supervisors[:1] or self.general_clerks[:1]

    def _applicants(self) -> None:
        rng = self.rng
        birth = dt.date(1950, 1, 1)
        self.people: list[tuple[str, str, str]] = []
        self.companies: list[tuple[str, str, str]] = []
        for number in range(APPLICANTS):
            name = rng.choice(SURNAMES) + "".join(
                rng.choices(GIVEN_NAME_CHARACTERS, k=rng.choice((1, 2, 2)))
            )
            born = birth + dt.timedelta(days=rng.randrange(365 * 55))
            body = f"511602{born:%Y%m%d}{number % 1000:03d}"
            mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            self.people.append((name, resident_id_with_check(body), mobile))
            company = f"{name[0]}{rng.choice(GIVEN_NAME_CHARACTERS)}商贸有限公司"
            uscc = uscc_with_check(f"91511602MA{number:07d}")
            self.companies.append((company, uscc, mobile))

    # --- the plan ------------------------------------------------------------------------------

    def plan(self, total: int) -> list[_Plan]:
        """Every case's day, item and fate, in order of receipt."""
        mean_promised = sum(
            item.promised * weight for item, weight in zip(self.items, self.weights, strict=True)
        ) / sum(self.weights)
        # As many running as a steady flow leaves open: the day's cases times the mean limit.
        running = max(8, round(total / len(self.days) * max(mean_promised, 1)))
        awaiting = max(2, running // 20)
        flat = [
            plan
            for kind, share in RUNNING_MIX
            for plan in self._running_plan(kind, max(1, round(running * share)))
        ]
        last_two = self.days[-2:]
        picks = self.rng.choices(range(len(self.items)), self.weights, k=awaiting)
        flat += [_Plan(self.rng.choice(last_two), item, AWAITING) for item in picks]
        history = max(total - len(flat), 0)
        day_weights = [1 + 0.15 * index / len(self.days) for index in range(len(self.days))]
        days = self.rng.choices(self.days, day_weights, k=history)
        items = self.rng.choices(range(len(self.items)), self.weights, k=history)
        flat += [_Plan(day, item, HISTORY) for day, item in zip(days, items, strict=True)]
        flat.sort(key=lambda plan: plan.received)
        return flat[:total]

    def _running_plan(self, kind: str, count: int) -> list[_Plan]:
        """Running cases received so many working days ago that today they show `kind`."""
        eligible = [
            index
            for index, item in enumerate(self.items)
            if item.promised > item.lead and (kind != Light.RED or item.statutory > item.promised)
        ]
        weights = [self.weights[index] for index in eligible]
        plans = []
        for index in self.rng.choices(eligible, weights, k=count):
            item = self.items[index]
            # Working days since acceptance that give the light today; a suspended case
            # stopped somewhere within its promised limit.
            candidates: dict[str, range] = {
                Light.GREEN: range(0, item.promised - item.lead),
                Light.YELLOW: range(item.promised - item.lead, item.promised + 1),
                Light.RED: range(item.promised + 1, item.statutory + 1),
                Light.SEVERE: range(item.statutory + 1, item.statutory + 15),
                SUSPENDED: range(1, item.promised),
            }
            elapsed = self.rng.choice(candidates[kind])
            received = self.table.working_day_with_days_left(self.today, elapsed)
            plans.append(_Plan(received, index, kind, elapsed))
        return plans

    # --- rows ------------------------------------------------------------------------------------

    def write(self, plans: list[_Plan]) -> dict[str, int]:
        self.writer.fast()
        first_pk = (Case.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        events_before = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        counters = dict(CaseNumberCounter.objects.values_list("day", "last"))
        existing = set(counters)
        running: dict[str, int] = {}
        pk = first_pk
        for start in range(0, len(plans), BATCH):
            rows = _Rows()
            for plan in plans[start : start + BATCH]:
                sequence = counters.get(plan.received, 0) + 1
                counters[plan.received] = sequence
                number = f"GH{plan.received:%Y%m%d}-{sequence:06d}"
                self._case(rows, pk, number, plan)
                if plan.kind:
                    running[plan.kind] = running.get(plan.kind, 0) + 1
                pk += 1
            with transaction.atomic():
                rows.write(self.writer)
            for key in self.counts:
                self.counts[key] += len(getattr(rows, key))
        with transaction.atomic():
            self.writer.insert(
                CaseNumberCounter,
                ("day", "last"),
                [(day, last) for day, last in counters.items() if day not in existing],
            )
            for day in existing:
                CaseNumberCounter.objects.filter(day=day).update(last=counters[day])
        self.writer.sequences_reset([Case])
        self._history_swept(events_before)
        self.writer.analyze(
            [Case, CaseEvent, CaseStage, CaseSuspension, CaseExtension, CaseDecision]
        )
        return running

    def _history_swept(self, events_before: int) -> None:
        """History was supervised in its day: when the sweep had read every event before the
        seeding, it goes on from the seeded ones rather than judging five years anew."""
        cursor = SweepCursor.objects.filter(name=EVENT_CURSOR).first()
        if (cursor.last_id if cursor else 0) < events_before:
            return
        last = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        SweepCursor.objects.update_or_create(name=EVENT_CURSOR, defaults={"last_id": last})

    def _time(self) -> int:
        """Seconds after local midnight within opening hours (8:30 to 17:30)."""
        return self.rng.randrange(30_600, 63_000)

    def _applicant(self, item: _Item) -> tuple[str, str, str, str, str]:
        legal = item.subject == ServiceItem.Subject.LEGAL or (
            item.subject == ServiceItem.Subject.BOTH and self.rng.random() < 0.3
        )
        if legal:
            name, uscc, mobile = self.rng.choice(self.companies)
            return str(ApplicantKind.LEGAL), name, "", uscc, mobile
        name, id_number, mobile = self.rng.choice(self.people)
        return str(ApplicantKind.PERSON), name, id_number, "", mobile

    def _clerk(self, item: _Item) -> int:
        own = self.clerks.get(item.department_id)
        if own and self.rng.random() < 0.6:
            return self.rng.choice(own)
        return self.rng.choice(self.general_clerks)

    def _decider(self, department_id: int) -> int:
        return self.rng.choice(self.deciders.get(department_id) or self.anyone)

    def _provisional(self, start: dt.date, end: dt.date) -> bool:
        return any(
            year in self.calendar.provisional_years for year in range(start.year, end.year + 1)
        )

    def _case(self, rows: _Rows, pk: int, number: str, plan: _Plan) -> None:
        rng, table, item = self.rng, self.table, self.items[plan.item]
        kind, name, id_number, uscc, mobile = self._applicant(item)
        online = item.online and rng.random() < 0.4
        channel = str(Channel.ONLINE if online else Channel.COUNTER)
        received = plan.received
        received_seconds = self._time()
        submitted = self.stamps.at(received, received_seconds)
        acceptance_due = table.add(received, 5)
        clerk = self._clerk(item)
        rows.events.append((pk, None, RECEIVED, None, submitted, ""))
        base = [
            pk,
            self.center.pk,
            item.pk,
            item.department_id,
            number,
            channel,
            kind,
            name,
            id_number,
            uscc,
            mobile,
            "{}",
        ]
        fate = rng.random()
        status: int
        if plan.kind == AWAITING or (plan.kind == HISTORY and fate < 0.018):
            status = RECEIVED
            if plan.kind == HISTORY:
                status = WITHDRAWN_EARLY if fate < 0.006 else NOT_ACCEPTED
                at = self.stamps.at(received, min(received_seconds + 1800, 86_000))
                rows.events.append((pk, RECEIVED, status, clerk, at, ""))
            rows.cases.append(
                (
                    *base,
                    status,
                    submitted,
                    received,
                    acceptance_due,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    False,
                    None,
                    0,
                    "",
                    clerk if plan.kind == HISTORY else None,
                )
            )
            return
        # Accepted: at the counter on the day, online on the next working day at the latest.
        if online and plan.kind == HISTORY and received < self.today:
            clock_start = table.add(received, rng.choice((0, 1)))
        else:
            clock_start = received
        accepted = self.stamps.at(
            clock_start,
            received_seconds + 600 if clock_start == received else self._time(),
        )
        rows.events.append((pk, RECEIVED, ACCEPTED, clerk, accepted, ""))
        promised, statutory = item.promised, item.statutory
        suspended = extended = 0
        if plan.kind == HISTORY:
            used = self._days_used(item)
            if promised >= 3 and rng.random() < 0.02:
                suspended = rng.randint(2, 8)
            if statutory >= 20 and rng.random() < 0.01:
                extended = 10
                used = min(used + rng.randint(0, 10), statutory + 10)
            concluded_on = table.add(clock_start, used + suspended)
            if concluded_on > self.today:
                used = max(table.count(clock_start, self.today) - suspended, 0)
                concluded_on = table.add(clock_start, used + suspended)
                if concluded_on > self.today:
                    suspended, concluded_on = 0, table.add(clock_start, used)
            outcome = rng.random()
            status = (
                WITHDRAWN
                if outcome < 0.005
                else DENIED
                if outcome < 0.025
                else WITH_GAPS
                if outcome < 0.055
                else APPROVED
            )
        else:
            used, concluded_on = plan.days_elapsed, None
            status = SPECIAL_START if plan.kind == SUSPENDED else PROCESSING
        promised_due = table.add(clock_start, promised + suspended + extended)
        statutory_due = table.add(clock_start, statutory + suspended + extended)
        warn_on = table.warning_day(clock_start, promised_due, item.lead)
        concluded_at = None
        if concluded_on is not None:
            seconds = self._time()
            if concluded_on == clock_start:
                seconds = min(max(seconds, received_seconds + 1200), 86_000)
            concluded_at = self.stamps.at(concluded_on, seconds)
        decider = self._decider(item.department_id)
        if suspended or plan.kind == SUSPENDED:
            self._suspension(rows, pk, clock_start, used, suspended, decider)
        if extended:
            self._extension(rows, pk, clock_start, promised, clerk, decider)
        if item.stages:
            self._stages(rows, pk, item, clock_start, concluded_on)
        if concluded_at is not None:
            if status == WITHDRAWN:
                rows.events.append((pk, ACCEPTED, status, None, concluded_at, ""))
                concluded_at = None
            else:
                rows.events.append((pk, ACCEPTED, status, decider, concluded_at, ""))
                self._decision(rows, pk, status, concluded_on, concluded_at, decider, clerk)
        else:
            rows.events.append((pk, ACCEPTED, PROCESSING, clerk, accepted, ""))
            if status == SPECIAL_START:
                rows.events.append((pk, PROCESSING, status, decider, accepted, "特别程序"))
        rows.cases.append(
            (
                *base,
                status,
                submitted,
                received,
                acceptance_due,
                accepted,
                clock_start,
                promised,
                statutory,
                promised_due,
                statutory_due,
                warn_on,
                self._provisional(clock_start, statutory_due),
                concluded_at,
                0,
                "",
                clerk,
            )
        )

    def _days_used(self, item: _Item) -> int:
        """Working days a concluded case took: mostly early or on the day, a few late."""
        promised, statutory, draw = item.promised, item.statutory, self.rng.random()
        if promised == 0:
            return 0 if draw < 0.995 else 1
        if draw < 0.55:
            return int(promised * self.rng.random() ** 1.5)
        if draw < 0.955 or statutory == promised:
            return promised
        if draw < 0.995:
            return self.rng.randint(promised + 1, statutory)
        return statutory + self.rng.randint(1, 5)

    def _suspension(
        self, rows: _Rows, pk: int, clock_start: dt.date, used: int, days: int, by: int
    ) -> None:
        kind = str(self.rng.choice(list(SUSPENSION_REASONS)))
        start_day = self.table.add(clock_start, self.rng.randint(0, max(used - 1, 0)))
        if start_day > self.today:
            start_day = self.today
        started_at = self.stamps.at(start_day, self._time())
        if days:
            end_day = self.table.add(start_day, days)
            ended_at = self.stamps.at(end_day, self._time())
            ended: tuple[Any, ...] = (ended_at, end_day, by, "程序结束，恢复办理", days)
        else:
            ended = (None, None, None, "", 0)
        reason = SUSPENSION_REASONS[SuspensionKind(kind)]
        rows.suspensions.append((pk, kind, reason, days or 5, started_at, start_day, by, *ended))

    def _extension(
        self, rows: _Rows, pk: int, clock_start: dt.date, promised: int, by: int, head: int
    ) -> None:
        day = self.table.add(clock_start, max(promised - 1, 0))
        requested = self.stamps.at(day, 34_000)
        decided = self.stamps.at(day, 50_000)
        rows.extensions.append(
            (
                pk,
                10,
                "案情复杂，需延长审查期限",
                str(ExtensionStatus.APPROVED),
                by,
                requested,
                head,
                decided,
                "同意延期",
            )
        )

    def _stages(
        self,
        rows: _Rows,
        pk: int,
        item: _Item,
        clock_start: dt.date,
        concluded_on: dt.date | None,
    ) -> None:
        """The stages step after step; a running case's step under way is active (its last
        step at the latest), the steps after it wait."""
        table, start = self.table, clock_start
        steps = [list(group) for _step, group in itertools.groupby(item.stages, lambda s: s.step)]
        waiting = False
        for number, stages in enumerate(steps, start=1):
            end = table.add(start, max(stage.days for stage in stages))
            done = concluded_on is not None or (end < self.today and number < len(steps))
            for stage in stages:
                head = (pk, stage.step, stage.name, stage.department_id, stage.role, stage.days, 0)
                if waiting:
                    rows.stages.append(
                        (*head, WAITING, None, None, None, None, None, None, None, "")
                    )
                    continue
                due = table.add(start, stage.days)
                assignee = self._decider(stage.department_id)
                finished: tuple[Any, ...] = (None, None, "")
                if done:
                    finished_on = min(due, concluded_on or due)
                    finished = (self.stamps.at(finished_on, 54_000), assignee, "通过")
                rows.stages.append(
                    (
                        *head,
                        DONE if done else ACTIVE,
                        assignee,
                        self.stamps.at(start, 36_000),
                        start,
                        due,
                        table.warning_day(start, due, item.lead),
                        *finished,
                    )
                )
            waiting = waiting or not done
            start = end

    def _decision(
        self,
        rows: _Rows,
        pk: int,
        status: int,
        day: dt.date | None,
        at: str,
        decider: int,
        clerk: int,
    ) -> None:
        assert day is not None
        method = self.rng.choice(DELIVERY)
        tracking = f"SF{pk:012d}" if method == DeliveryMethod.MAIL else ""
        gaps = GAPS if status == WITH_GAPS else ""
        gaps_due = self.table.add(day, 10) if gaps else None
        reason = DENIAL_REASON if status == DENIED else ""
        rows.decisions.append(
            (pk, status, reason, gaps, gaps_due, decider, at, method, tracking, at, clerk)
        )


class _Rows:
    def __init__(self) -> None:
        self.cases: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.stages: list[tuple[Any, ...]] = []
        self.suspensions: list[tuple[Any, ...]] = []
        self.extensions: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []

    def write(self, writer: _Writer) -> None:
        writer.insert(Case, CASE_FIELDS, self.cases)
        writer.insert(CaseEvent, EVENT_FIELDS, self.events)
        writer.insert(CaseStage, STAGE_FIELDS, self.stages)
        writer.insert(CaseSuspension, SUSPENSION_FIELDS, self.suspensions)
        writer.insert(CaseExtension, EXTENSION_FIELDS, self.extensions)
        writer.insert(CaseDecision, DECISION_FIELDS, self.decisions)


def history_seed(*, cases: int, years: int = 5, seed: int = 2026) -> HistorySummary:
    """Write `cases` cases of history into the demo center (see the module's docstring)."""
    began = time.monotonic()
    center = Center.objects.filter(slug=DEMO_CENTER_SLUG).first()
    if center is None:
        raise CommandError("The demo center is missing: run `govhall seed_demo` first.")
    calendar = calendar_load()
    if not calendar.years:
        raise CommandError("The working-day calendar is empty: run `govhall seed_calendar`.")
    seeder = HistorySeeder(center=center, calendar=calendar, years=years, seed=seed)
    plans = seeder.plan(cases)
    running = seeder.write(plans)
    return HistorySummary(
        cases=len(plans),
        running=running,
        first_day=plans[0].received.isoformat() if plans else "",
        last_day=plans[-1].received.isoformat() if plans else "",
        seconds=round(time.monotonic() - began, 1),
        **seeder.counts,
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Fill the demo center with years of realistic case history, for measuring."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=_positive, default=2_000_000)
        parser.add_argument("--years", type=_positive, default=5)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = history_seed(cases=options["cases"], years=options["years"], seed=options["seed"])
        self.stdout.write(json.dumps(asdict(summary), ensure_ascii=False))

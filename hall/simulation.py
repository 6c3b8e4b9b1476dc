"""One day of the hall as a discrete-event simulation (SimPy) that drives the real queue services.

Visitors are drawn once from a seeded generator; the same visitors then meet three halls:

- the real one: tickets issued, called, served, rated and missed through `hall.services`, each
  call stamped with the simulated clock (`now=`), counters woken by SimPy events on arrival;
- Erlang C (M/M/c), hour by hour, one pool per group of categories that share counters;
- a baseline without sharing: one first-come-first-served queue per department (the general
  counters each given to one queue), no priorities, simulated in memory.

docs/simulation.md explains the model and the figures of a full day.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from catalog.models import Center, Counter, QueueCategory, StaffProfile
from govhall.errors import ConflictError
from govhall.identifiers import _ric_check_digit
from hall.models import Appointment, CounterState, PadRating, PriorityGroup, Ticket
from hall.services.booking import appointment_book, appointment_check_in
from hall.services.tickets import (
    counter_sign_in,
    pad_rate,
    policy_for,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_mark_missed,
    ticket_recall,
    ticket_start_service,
)
from workdays.calendar import is_working_day
from workdays.selectors import calendar_current

# Used when the working-day calendar is empty: a far-future Tuesday. Bookings need a day the
# calendar holds, so on that day appointment tickets are issued directly.
FALLBACK_DAY = dt.date(2099, 12, 1)

# Opening hours in minutes after midnight: 9:00-12:00 and 13:30-17:30.
SESSIONS: tuple[tuple[float, float], ...] = ((9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30))


def default_day() -> dt.date:
    """The first working day of December in the last year the calendar holds: far enough ahead
    that no live ticket or booking can fall on it, and inside the calendar so it can be booked."""
    calendar = calendar_current()
    if calendar.last_year is None:
        return FALLBACK_DAY
    day = dt.date(calendar.last_year, 12, 1)
    while not is_working_day(calendar, day):
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class CategoryProfile:
    """What a visitor of one queue category needs: the share of visitors and the mean service."""

    share: float
    mean_minutes: float


# Shares and means set so that each group of counters is about 75-85% busy over a 4,000-visitor
# day (busier at the peak): tax, police and social insurance are quick and frequent, real estate
# and construction slow and rarer.
CATEGORY_PROFILES: dict[str, CategoryProfile] = {
    "A": CategoryProfile(share=0.170, mean_minutes=8),
    "B": CategoryProfile(share=0.095, mean_minutes=10),
    "C": CategoryProfile(share=0.1575, mean_minutes=7),
    "D": CategoryProfile(share=0.0525, mean_minutes=15),
    "E": CategoryProfile(share=0.115, mean_minutes=9),
    "F": CategoryProfile(share=0.150, mean_minutes=7),
    "G": CategoryProfile(share=0.059, mean_minutes=8),
    "H": CategoryProfile(share=0.075, mean_minutes=18),
    "J": CategoryProfile(share=0.110, mean_minutes=10),
    "K": CategoryProfile(share=0.016, mean_minutes=12),
}
SERVICE_CV = 0.8  # coefficient of variation of the lognormal service time
WALK_UP_MEAN_MINUTES = 0.75  # from the call to the counter
APPOINTMENT_SHARE = 0.20
PRIORITY_SHARE = 0.06
PRIORITY_GROUPS = (
    (PriorityGroup.ELDERLY, 0.6),
    (PriorityGroup.DISABLED, 0.15),
    (PriorityGroup.PREGNANT, 0.15),
    (PriorityGroup.VETERAN, 0.1),
)
NO_SHOW_SHARE = 0.03
RECALL_AFTER_MINUTES = 1.0  # a no-show is recalled once after a minute, marked missed after two
RATING_SHARE = 0.9  # the others walk away without touching the pad
RATING_LEVELS = ((5, 0.85), (4, 0.11), (3, 0.03), (2, 0.007), (1, 0.003))
GENERAL_QUEUE = "综合受理"  # the baseline's own queue for category A (no department owns it)

PEAK_MORNING = 10 * 60 + 15
PEAK_AFTERNOON = 15 * 60
PEAK_WIDTH = 50.0


def arrival_intensity(minute: float) -> float:
    """Relative arrival rate at a minute of the day: a base, a mid-morning and a smaller
    mid-afternoon bump; zero outside opening hours."""
    if not any(opens <= minute < closes for opens, closes in SESSIONS):
        return 0.0
    morning = math.exp(-(((minute - PEAK_MORNING) / PEAK_WIDTH) ** 2) / 2)
    afternoon = 0.55 * math.exp(-(((minute - PEAK_AFTERNOON) / PEAK_WIDTH) ** 2) / 2)
    return 0.35 + morning + afternoon


INTENSITY_MAX = 1.4  # above arrival_intensity everywhere: the envelope of the rejection sampler


@dataclass(frozen=True)
class Visitor:
    """One visitor of the day, drawn before any hall sees them."""

    index: int
    arrival: float  # minutes after midnight
    letter: str
    queue: str  # the baseline's queue: the department (or GENERAL_QUEUE for A)
    priority_group: str
    appointment: bool
    no_show: bool
    walk_up: float
    service: float
    rating: int | None

    @property
    def occupancy(self) -> float:
        """Minutes the visitor holds a counter, from the call until it is free again."""
        return 2 * RECALL_AFTER_MINUTES if self.no_show else self.walk_up + self.service


def _choice(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    values = [value for value, _weight in weighted]
    weights = [weight for _value, weight in weighted]
    return rng.choices(values, weights=weights)[0]


def visitors_draw(
    count: int, seed: int, queues_by_letter: dict[str, list[tuple[str, float]]]
) -> list[Visitor]:
    """`count` visitors in arrival order.

    Arrival times are a non-homogeneous Poisson process conditioned on its total: given the
    count, the times are independent draws from the intensity (rejection sampling), sorted.
    """
    rng = random.Random(seed)
    first = SESSIONS[0][0]
    last = SESSIONS[-1][1]
    arrivals: list[float] = []
    while len(arrivals) < count:
        minute = rng.uniform(first, last)
        if rng.uniform(0, INTENSITY_MAX) < arrival_intensity(minute):
            arrivals.append(minute)
    arrivals.sort()
    letters = [(letter, profile.share) for letter, profile in CATEGORY_PROFILES.items()]
    sigma = math.sqrt(math.log(1 + SERVICE_CV**2))
    visitors = []
    for index, arrival in enumerate(arrivals):
        letter: str = _choice(rng, letters)
        mean = CATEGORY_PROFILES[letter].mean_minutes
        priority = rng.random() < PRIORITY_SHARE
        visitors.append(
            Visitor(
                index=index,
                arrival=arrival,
                letter=letter,
                queue=_choice(rng, queues_by_letter[letter]),
                priority_group=_choice(rng, PRIORITY_GROUPS) if priority else PriorityGroup.NONE,
                appointment=not priority and rng.random() < APPOINTMENT_SHARE,
                no_show=rng.random() < NO_SHOW_SHARE,
                walk_up=rng.expovariate(1 / WALK_UP_MEAN_MINUTES),
                service=rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma),
                rating=_choice(rng, RATING_LEVELS) if rng.random() < RATING_SHARE else None,
            )
        )
    return visitors


# --- Erlang C ---------------------------------------------------------------------------------


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue (Wq) of M/M/c; infinite when the offered load reaches the servers."""
    if arrival_rate <= 0:
        return 0.0
    offered = arrival_rate / service_rate
    if servers <= 0 or offered >= servers:
        return math.inf
    blocking = 1.0  # Erlang B by its stable recursion, then Erlang C from it
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    load = offered / servers
    waiting_probability = blocking / (1 - load * (1 - blocking))
    return waiting_probability / (servers * service_rate - arrival_rate)


@dataclass(frozen=True)
class Pool:
    """Categories that share counters, with all the open counters serving any of them."""

    letters: frozenset[str]
    counters: int


def pools_of(open_counters: dict[int, frozenset[str]]) -> list[Pool]:
    """Connected groups of the category-counter graph: two categories served by one counter
    fall into one pool with the counters of both."""
    parent: dict[str, str] = {}

    def root(letter: str) -> str:
        while parent.setdefault(letter, letter) != letter:
            letter = parent[letter]
        return letter

    for letters in open_counters.values():
        first, *rest = sorted(letters)
        for letter in rest:
            parent[root(letter)] = root(first)
    groups: dict[str, set[str]] = defaultdict(set)
    for letters in open_counters.values():
        for letter in letters:
            groups[root(letter)].add(letter)
    return [
        Pool(
            letters=frozenset(group),
            counters=sum(1 for letters in open_counters.values() if letters & group),
        )
        for group in groups.values()
    ]


def hour_slots() -> list[tuple[float, float]]:
    return [
        (start, min(start + 60, closes))
        for opens, closes in SESSIONS
        for start in [opens + 60 * k for k in range(math.ceil((closes - opens) / 60))]
    ]


@dataclass(frozen=True)
class ErlangDay:
    mean_wait: float
    overloaded_pool_hours: int


def erlang_c_day(visitors: Sequence[Visitor], pools: Sequence[Pool]) -> ErlangDay:
    """Erlang C hour by hour and pool by pool, weighted by arrivals.

    λ is the pool's arrivals in the hour per minute, 1/μ the mean occupancy of the pool's
    visitors over the day, c its open counters. An hour with λ ≥ cμ has no steady state: it
    counts as a fluid queue growing from empty, whose arrivals wait (ρ - 1)·T/2 on average.
    """
    total = 0.0
    weight = 0
    overloaded = 0
    for pool in pools:
        members = [v for v in visitors if v.letter in pool.letters]
        if not members:
            continue
        service_rate = len(members) / sum(v.occupancy for v in members)
        for start, end in hour_slots():
            arrivals = sum(1 for v in members if start <= v.arrival < end)
            if not arrivals:
                continue
            rate = arrivals / (end - start)
            wait = erlang_c_wait(rate, service_rate, pool.counters)
            if math.isinf(wait):
                overloaded += 1
                wait = (rate / (pool.counters * service_rate) - 1) * (end - start) / 2
            total += wait * arrivals
            weight += arrivals
    return ErlangDay(mean_wait=total / weight if weight else 0.0, overloaded_pool_hours=overloaded)


# --- The baseline: one queue per department, no sharing --------------------------------------


def baseline_counters(
    visitors: Sequence[Visitor],
    open_counters: Sequence[tuple[str | None, frozenset[str]]],
    queue_letters: dict[str, str],
) -> dict[str, int]:
    """Counters per baseline queue: a department's counters stay with it; each general counter
    (no department) goes to the queue it may serve with the most work per counter so far."""
    work: dict[str, float] = defaultdict(float)
    for visitor in visitors:
        work[visitor.queue] += visitor.occupancy
    assigned: dict[str, int] = defaultdict(int)
    general: list[frozenset[str]] = []
    for department, letters in open_counters:
        if department is None:
            general.append(letters)
        else:
            assigned[department] += 1
    for letters in general:
        candidates = [q for q, letter in queue_letters.items() if letter in letters and work[q]]
        if not candidates:
            continue
        best = max(
            candidates,
            key=lambda q: (work[q] / assigned[q] if assigned[q] else math.inf, work[q], q),
        )
        assigned[best] += 1
    return dict(assigned)


@dataclass(frozen=True)
class BaselineDay:
    waits: list[float]
    unserved: int
    max_queue: int


def baseline_day(visitors: Sequence[Visitor], counters: dict[str, int]) -> BaselineDay:
    """Each department's visitors in one first-come-first-served line at its own counters."""
    env = simpy.Environment(initial_time=SESSIONS[0][0])
    resources = {queue: simpy.Resource(env, capacity=n) for queue, n in counters.items() if n}
    waits: list[float] = []
    queued = [0, 0]  # now, most

    def visit(visitor: Visitor, resource: Any) -> Generator[Any, Any, None]:
        yield env.timeout(visitor.arrival - env.now)
        queued[0] += 1
        queued[1] = max(queued)
        with resource.request() as request:
            yield request
            queued[0] -= 1
            if not visitor.no_show:
                waits.append(env.now - visitor.arrival)
            yield env.timeout(visitor.occupancy)

    unserved = 0
    for visitor in visitors:
        resource = resources.get(visitor.queue)
        if resource is None:
            unserved += 1
        else:
            env.process(visit(visitor, resource))
    env.run()
    return BaselineDay(waits=waits, unserved=unserved, max_queue=queued[1])


# --- The real hall ---------------------------------------------------------------------------


class SilentSms:
    """The simulated citizens' phones: booking confirmations are queued to this backend, which
    sends them nowhere."""

    def send(self, *, mobile: str, text: str) -> None:
        return None


def _resident_id(index: int) -> str:
    """A valid, made-up resident ID per visitor (Beijing Dongcheng, born 1950 onwards)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=index % 20000)
    body = f"110101{birth:%Y%m%d}{index % 1000:03d}"
    return body + _ric_check_digit(body)


def _slot_starts(minute: float, slot_minutes: int) -> list[dt.time]:
    """The slot the visitor arrives in, then the next one (check-in opens before a slot)."""
    for opens, closes in SESSIONS:
        if opens <= minute < closes:
            first = opens + (minute - opens) // slot_minutes * slot_minutes
            starts = [first, first + slot_minutes]
            return [
                dt.time(int(start) // 60, int(start) % 60)
                for start in starts
                if start + slot_minutes <= closes
            ]
    return []


# ---------------------------------------------------------------------------


@dataclass
class _Idle:
    """A counter waiting for an arrival; `active` is cleared once it stops waiting."""

    event: Any
    active: bool = True


@dataclass
class _OpenCounter:
    counter: Counter
    staff: User
    letters: frozenset[str]
    open_minutes: float = 0.0


@dataclass
class HallDay:
    """The real services on a SimPy clock: one process issues tickets, one per counter calls."""

    day: dt.date
    categories: dict[str, QueueCategory]
    counters: list[_OpenCounter]
    visitors: list[Visitor]
    progress: Callable[[str], None]
    env: Any = field(init=False)
    idle: dict[str, deque[_Idle]] = field(init=False)
    visitor_of: dict[int, Visitor] = field(init=False)
    appointments: dict[int, Appointment] = field(init=False)
    waiting: int = 0
    max_queue: int = 0
    appointments_direct: int = 0

    def __post_init__(self) -> None:
        self.env = simpy.Environment(initial_time=SESSIONS[0][0])
        self.idle = defaultdict(deque)
        self.visitor_of = {}
        self.appointments = {}

    def now(self) -> dt.datetime:
        midnight = dt.datetime.combine(self.day, dt.time(), tzinfo=timezone.get_default_timezone())
        return midnight + dt.timedelta(minutes=self.env.now)

    def book(self, slot_minutes: int) -> None:
        """Visitors with an appointment book it the evening before, in the slot they will come
        in (or the next one); when neither can be booked, they come as walk-ins with an
        appointment ticket issued directly."""
        booked_at = dt.datetime.combine(
            self.day - dt.timedelta(days=1), dt.time(20), tzinfo=timezone.get_default_timezone()
        )
        for visitor in self.visitors:
            if not visitor.appointment:
                continue
            for start in _slot_starts(visitor.arrival, slot_minutes):
                try:
                    appointment = appointment_book(
                        category=self.categories[visitor.letter],
                        day=self.day,
                        slot_start=start,
                        id_number=_resident_id(visitor.index),
                        name=f"模拟访客{visitor.index}",
                        mobile=f"139{visitor.index:08d}",
                        now=booked_at,
                    )
                except (ValidationError, ConflictError):
                    continue
                self.appointments[visitor.index] = appointment
                break
            else:
                self.appointments_direct += 1

    def run(self) -> None:
        for open_counter in self.counters:
            counter_sign_in(counter=open_counter.counter, staff=open_counter.staff, now=self.now())
        self.env.process(self._arrivals())
        for open_counter in self.counters:
            self.env.process(self._counter(open_counter))
        self.env.run()

    def _wake(self, letter: str) -> None:
        """Wake the counter idle longest among those serving this category, if any."""
        line = self.idle[letter]
        while line:
            idle = line.popleft()
            if idle.active:
                idle.active = False
                idle.event.succeed(letter)
                return

    def _arrivals(self) -> Generator[Any, Any, None]:
        step = max(1, len(self.visitors) // 10)
        for visitor in self.visitors:
            yield self.env.timeout(visitor.arrival - self.env.now)
            appointment = self.appointments.get(visitor.index)
            if appointment is not None:
                ticket = appointment_check_in(appointment=appointment, now=self.now())
            else:
                ticket = ticket_issue(
                    category=self.categories[visitor.letter],
                    source=Ticket.Source.APPOINTMENT
                    if visitor.appointment
                    else Ticket.Source.KIOSK,
                    priority_group=visitor.priority_group,
                    now=self.now(),
                )
            self.visitor_of[ticket.pk] = visitor
            self.waiting += 1
            self.max_queue = max(self.max_queue, self.waiting)
            self._wake(visitor.letter)
            if visitor.index % step == 0:
                self.progress(f"{self.now():%H:%M} {visitor.index} tickets, {self.waiting} waiting")

    def _counter(self, open_counter: _OpenCounter) -> Generator[Any, Any, None]:
        env = self.env
        counter, staff = open_counter.counter, open_counter.staff
        for opens, closes in SESSIONS:
            if env.now < opens:
                yield env.timeout(opens - env.now)
            started = env.now
            woken_for: str | None = None
            while True:
                ticket = ticket_call_next(counter=counter, staff=staff, now=self.now())
                if ticket is None:
                    if env.now >= closes:
                        break
                    idle = _Idle(env.event())
                    for letter in open_counter.letters:
                        self.idle[letter].append(idle)
                    outcome = yield idle.event | env.timeout(closes - env.now)
                    idle.active = False
                    woken_for = outcome.todict().get(idle.event)
                    continue
                self.waiting -= 1
                visitor = self.visitor_of[ticket.pk]
                if woken_for is not None and visitor.letter != woken_for:
                    # Another queue's ticket came first: hand the wake-up on.
                    self._wake(woken_for)
                woken_for = None
                yield from self._serve(open_counter, visitor)
            open_counter.open_minutes += max(env.now, closes) - started

    def _serve(self, open_counter: _OpenCounter, visitor: Visitor) -> Generator[Any, Any, None]:
        env = self.env
        counter, staff = open_counter.counter, open_counter.staff
        if visitor.no_show:
            yield env.timeout(RECALL_AFTER_MINUTES)
            ticket_recall(counter=counter, staff=staff, now=self.now())
            yield env.timeout(RECALL_AFTER_MINUTES)
            ticket_mark_missed(counter=counter, staff=staff, now=self.now())
            return
        yield env.timeout(visitor.walk_up)
        ticket_start_service(counter=counter, staff=staff, now=self.now())
        yield env.timeout(visitor.service)
        ticket = ticket_finish(counter=counter, staff=staff, now=self.now())
        if visitor.rating is not None:
            pad_rate(ticket=ticket, level=visitor.rating, now=self.now())


# --- Putting it together ---------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def simulated_day_clear(center: Center, day: dt.date) -> int:
    """Delete the center's tickets and bookings of the simulated day (with ratings and events)."""
    tickets = Ticket.objects.of_day(center, day)
    with transaction.atomic():
        Appointment.objects.filter(center=center, day=day).delete()
        CounterState.objects.filter(ticket__in=tickets).update(ticket=None)
        PadRating.objects.filter(ticket__in=tickets).delete()
        deleted, _by_model = tickets.delete()
    return deleted


def _queues_by_letter(counters: Sequence[Counter]) -> dict[str, list[tuple[str, float]]]:
    """The baseline queue a visitor of each category joins: the departments serving it, weighted
    by their counters in the whole center; category A has its own general queue."""
    weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for counter in counters:
        if counter.department is None:
            continue
        for category in counter.categories.all():
            weights[category.letter][counter.department.short_name] += 1
    queues: dict[str, list[tuple[str, float]]] = {}
    for letter in CATEGORY_PROFILES:
        queues[letter] = sorted(weights[letter].items()) or [(GENERAL_QUEUE, 1.0)]
    return queues


def simulate_day(
    *,
    center: Center,
    visitors: int,
    counters: int,
    seed: int,
    day: dt.date,
    progress: Callable[[str], None] = lambda _message: None,
) -> dict[str, object]:
    """Run the day and return its figures (the JSON object of `govhall simulate_day`)."""
    started = time.perf_counter()
    all_counters = list(
        Counter.objects.filter(center=center)
        .select_related("center", "department")
        .prefetch_related(Prefetch("categories", queryset=QueueCategory.objects.order_by("letter")))
        .order_by("number")
    )
    opened = all_counters[:counters]
    profiles = StaffProfile.objects.filter(counter__in=opened).select_related("user").order_by("pk")
    staff_of: dict[int, User] = {}
    for profile in profiles:
        staff_of.setdefault(profile.counter_id or 0, profile.user)
    missing = [c.number for c in opened if c.pk not in staff_of]
    if missing:
        raise ValueError(f"counters without staff: {missing}")
    categories = {
        category.letter: category
        for category in QueueCategory.objects.filter(center=center).select_related("center")
    }
    open_counters = [
        _OpenCounter(
            counter=counter,
            staff=staff_of[counter.pk],
            letters=frozenset(c.letter for c in counter.categories.all()),
        )
        for counter in opened
    ]
    served_letters = frozenset().union(*(c.letters for c in open_counters))
    queues_by_letter = _queues_by_letter(all_counters)
    everyone = visitors_draw(visitors, seed, queues_by_letter)
    # The kiosk offers only queues with an open counter: the rest are turned away.
    admitted = [v for v in everyone if v.letter in served_letters]

    cleared = simulated_day_clear(center, day)
    if cleared:
        progress(f"deleted {cleared} rows of an earlier simulation of {day}")
    states = _counter_states_save([c.counter for c in open_counters])
    hall = HallDay(
        day=day,
        categories=categories,
        counters=open_counters,
        visitors=admitted,
        progress=progress,
    )
    try:
        with override_settings(GOVHALL_SMS_BACKEND=f"{__name__}.SilentSms"):
            hall.book(policy_for(center).slot_minutes)
            progress(f"{len(hall.appointments)} appointments booked for {day}")
            hall.run()
    finally:
        _counter_states_restore(states)
    simulated = time.perf_counter() - started

    rows = list(
        Ticket.objects.of_day(center, day).values_list(
            "status", "issued_at", "called_at", "finished_at", "missed_at"
        )
    )
    waits = [
        (called - issued).total_seconds() / 60
        for status, issued, called, _f, _m in rows
        if status == Ticket.Status.DONE and called is not None
    ]
    busy = 0.0  # minutes from each call until the counter was free again
    for _status, _issued, called, finished, missed in rows:
        freed = finished or missed
        if called is not None and freed is not None:
            busy += (freed - called).total_seconds() / 60
    open_minutes = sum(c.open_minutes for c in open_counters)

    pools = pools_of({c.counter.pk: c.letters for c in open_counters})
    erlang = erlang_c_day(admitted, pools)
    queue_letters = {
        queue: letter for letter, queues in queues_by_letter.items() for queue, _w in queues
    }
    baseline = baseline_day(
        admitted,
        baseline_counters(
            admitted,
            [
                (c.counter.department.short_name if c.counter.department else None, c.letters)
                for c in open_counters
            ],
            queue_letters,
        ),
    )
    statuses = [status for status, *_rest in rows]
    return {
        "day": day.isoformat(),
        "seed": seed,
        "visitors": visitors,
        "counters": len(open_counters),
        "served": statuses.count(Ticket.Status.DONE),
        "missed": statuses.count(Ticket.Status.MISSED),
        "left": len(statuses)
        - statuses.count(Ticket.Status.DONE)
        - statuses.count(Ticket.Status.MISSED),
        "turned_away": len(everyone) - len(admitted),
        "appointments_booked": len(hall.appointments),
        "appointments_direct": hall.appointments_direct,
        "priority": sum(1 for v in admitted if v.priority_group),
        "ratings": PadRating.objects.filter(
            ticket__center=center, ticket__service_date=day
        ).count(),
        "mean_wait_min": round(sum(waits) / len(waits), 2) if waits else 0.0,
        "p95_wait_min": round(percentile(waits, 0.95), 2),
        "max_queue": hall.max_queue,
        "utilisation": round(busy / open_minutes, 4) if open_minutes else 0.0,
        "erlang_c_mean_wait_min": round(erlang.mean_wait, 2),
        "erlang_c_overloaded_pool_hours": erlang.overloaded_pool_hours,
        "baseline_mean_wait_min": round(sum(baseline.waits) / len(baseline.waits), 2)
        if baseline.waits
        else 0.0,
        "baseline_p95_wait_min": round(percentile(baseline.waits, 0.95), 2),
        "baseline_max_queue": baseline.max_queue,
        "baseline_unserved": baseline.unserved,
        "seconds": round(simulated, 1),
    }


def _counter_states_save(counters: Sequence[Counter]) -> list[CounterState]:
    """The open counters' states before the run; they are closed so the simulation can sign in."""
    for counter in counters:
        CounterState.objects.get_or_create(counter=counter, defaults={"since": timezone.now()})
    states = list(CounterState.objects.filter(counter__in=counters))
    CounterState.objects.filter(pk__in=[s.pk for s in states]).update(
        status=CounterState.Status.CLOSED, staff=None, ticket=None, pause_reason=""
    )
    return states


def _counter_states_restore(states: Sequence[CounterState]) -> None:
    CounterState.objects.bulk_update(
        states, ["status", "staff", "ticket", "pause_reason", "since"], batch_size=200
    )

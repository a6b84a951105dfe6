"""A believable, entirely fictional contact centre for the demo, deterministic from a seed.

Nothing here reads the clock: hire dates are relative to an explicit `as_of` date, shifts are
minutes after local midnight, and the daily call volumes are calibrated against the staffing so
that the simulated service level mostly sits around its target.

Schedules: `day_schedule` is the centre's plan for a day (every call-taker's shift cut into
open time, breaks, lunch and now and then a meeting, training or coaching). The floor
simulator follows the same plan, so what the screens compare the floor against is exactly
what the simulated agents were told to do.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from pathlib import Path

# The reference date hire dates are counted back from (the committed sample roster uses it).
DEMO_AS_OF = date(2026, 11, 23)

ROSTER_COLUMNS = ("staff_id", "name", "team", "role", "hire_date", "acd_agent")
ROLES = ("agent", "supervisor", "team_lead", "trainer", "manager", "client_services")

# --- the daily arrival curve ---------------------------------------------------------------
# (local hour, relative volume): quiet night, morning ramp, peaks ~10:00-11:30 and ~14:00-15:30.
_SHAPE_ANCHORS: tuple[tuple[float, float], ...] = (
    (0.0, 0.07),
    (2.0, 0.045),
    (4.0, 0.04),
    (5.5, 0.08),
    (7.0, 0.30),
    (8.0, 0.62),
    (9.0, 0.85),
    (10.0, 1.00),
    (11.5, 0.98),
    (12.5, 0.80),
    (13.25, 0.80),
    (14.0, 0.94),
    (15.5, 0.92),
    (16.5, 0.72),
    (18.0, 0.52),
    (19.5, 0.34),
    (21.0, 0.20),
    (22.5, 0.11),
    (24.0, 0.07),
)


def arrival_shape(hour: float) -> float:
    """Relative arrival intensity at a local hour of day (0-24), peak 1.0."""
    h = hour % 24.0
    for (h0, v0), (h1, v1) in zip(_SHAPE_ANCHORS, _SHAPE_ANCHORS[1:], strict=False):
        if h0 <= h <= h1:
            return v0 + (v1 - v0) * (h - h0) / (h1 - h0)
    return _SHAPE_ANCHORS[-1][1]  # pragma: no cover


# --- value types ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SimQueue:
    name: str  # the Asterisk queue name used in queue_log
    label: str
    sl_seconds: int  # service-level threshold: answered within this many seconds
    sl_target: float  # target fraction answered within sl_seconds
    share: float  # rough share of the centre's volume (used to skill agents)
    aht_mean_s: float  # mean talk time (log-normal)
    aht_sigma: float  # log-normal shape
    patience_mean_s: float  # mean caller patience before abandoning (log-normal)
    max_wait_s: int | None  # queue timeout -> EXITWITHTIMEOUT
    wrapup_s: int  # Asterisk wrapuptime: not offered calls this long after one ends
    did: str  # the number callers dial
    # Expected calls per local half-hour (48 values from 00:00), sized to the staffing.
    forecast: tuple[float, ...] = ()

    @property
    def daily_calls(self) -> float:
        return sum(self.forecast)

    def rate(self, hour: float) -> float:
        """Expected arrivals per second at a local hour of day (linear between half-hours)."""
        if not self.forecast:
            return 0.0
        n = len(self.forecast)
        x = (hour % 24.0) * n / 24.0 - 0.5
        i = math.floor(x)
        frac = x - i
        v0, v1 = self.forecast[i % n], self.forecast[(i + 1) % n]
        return (v0 + (v1 - v0) * frac) * n / 86400.0


@dataclass(frozen=True, slots=True)
class Shift:
    start_minute: int  # minutes after local midnight
    minutes: int  # paid length including breaks

    @property
    def start(self) -> time:
        return time(self.start_minute // 60 % 24, self.start_minute % 60)

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.minutes


@dataclass(frozen=True, slots=True)
class SimStaff:
    staff_id: str
    name: str
    team: str
    role: str
    hire_date: date
    member: str | None  # ACD member name in queue_log (e.g. PJSIP/2001); None if no calls
    queues: tuple[str, ...]  # skilled queues (empty for non-agents)
    shift: Shift | None

    @property
    def takes_calls(self) -> bool:
        return self.role == "agent" and self.member is not None and bool(self.queues)


@dataclass(frozen=True, slots=True)
class Centre:
    name: str
    queues: list[SimQueue]
    staff: list[SimStaff]

    @property
    def agents(self) -> list[SimStaff]:
        return [s for s in self.staff if s.takes_calls]

    def queue(self, name: str) -> SimQueue:
        for q in self.queues:
            if q.name == name:
                return q
        raise KeyError(name)


# --- fictional names -----------------------------------------------------------------------
_FIRST = (
    "Amara", "Bartosz", "Chiara", "Devika", "Elif", "Farah", "Gunnar", "Hana", "Ifeoma",
    "Joaquín", "Kalani", "Lior", "Mireille", "Nikhil", "Oona", "Priya", "Quentin", "Rosalind",
    "Søren", "Tamsin", "Ulrich", "Valentina", "Wren", "Xiomara", "Yusuf", "Zofia", "Anouk",
    "Benedikt", "Carys", "Dario", "Esme", "Florin", "Greta", "Hamza", "Inés", "Jovan", "Keiko",
    "Leandro", "Maëlle", "Nnamdi", "Odette", "Paolo", "Rania", "Silas", "Thandiwe", "Uma",
    "Viktor", "Wairimu", "Yara", "Zeynep", "Matteo", "Siobhan", "Tobias", "Aiyana", "Bram",
    "Celeste", "Emeka", "Freya", "Gideon", "Harriet", "Ilse", "Kwame", "Lucía", "Marek",
    "Noor", "Orla", "Pavel", "Rhiannon", "Sanjay", "Tove", "Yohannes", "Aurelio", "Brigid",
    "Cormac", "Dagny", "Eitan", "Fatima", "Giulia", "Hiroshi", "Imogen", "Jasper", "Kerstin",
)  # fmt: skip
_LAST = (
    "Achterberg", "Brannigan", "Cardoso", "Dunmore", "Ekwueme", "Ferreira", "Grünewald",
    "Halvorsen", "Ibarra", "Jablonski", "Kavanagh", "Lindqvist", "Marchetti", "Nakashima",
    "Okafor", "Pennington", "Quigley", "Rasmussen", "Salazar", "Takahashi", "Underhill",
    "Vasquez", "Whitcombe", "Yilmaz", "Zielinski", "Abernathy", "Bhattacharya", "Castellano",
    "Delacroix", "Fairweather", "Gallagher", "Haddad", "Iwasaki", "Kowalczyk", "Lachance",
    "Moreau", "Novak", "Oyelaran", "Petrakis", "Ramírez", "Sørensen", "Thorne", "Umarov",
    "Varga", "Wójcik", "Yamada", "Zambrano", "Ngata", "O'Hare", "Mendes", "Aldana", "Brooksby",
    "Chaudhry", "Dimitriou", "Eriksen", "Fonseca", "Gatling", "Hollis", "Ivanova", "Kamau",
    "Lorimer", "Mwangi", "Nightingale", "Ostrowski", "Pradhan", "Rourke", "Szabo", "Tremblay",
)  # fmt: skip

_DAY_TEAMS = ("Aurora", "Borealis", "Cascade", "Driftwood", "Ember", "Foxglove", "Granite")
_NIGHT_TEAM = "Nightjar"
_TEAM_SIZE = 10  # day agents per team (a few fewer in practice)


# --- the queues ----------------------------------------------------------------------------
def _queues() -> list[SimQueue]:
    return [
        SimQueue("sales", "Sales", 20, 0.8, 0.30, 300.0, 0.6, 110.0, None, 5, "+18005550101"),
        SimQueue("support", "Support", 30, 0.8, 0.38, 420.0, 0.65, 140.0, None, 10, "+18005550102"),
        SimQueue("billing", "Billing", 20, 0.8, 0.20, 240.0, 0.55, 120.0, 150, 5, "+18005550103"),
        SimQueue("retention", "Retention", 60, 0.8, 0.12, 360.0, 0.6, 200.0, 600, 10, "+18005550104"),
    ]  # fmt: skip


# --- staffing ------------------------------------------------------------------------------
_SLOTS = 48  # half-hour slots in a day
_DAY_STARTS = tuple(range(6 * 60, 15 * 60 + 31, 30))  # candidate day-shift starts (minutes)
_NIGHT_STARTS = (21 * 60 + 30, 22 * 60, 22 * 60, 22 * 60 + 30, 22 * 60 + 30, 23 * 60)


def in_seat(shift_start: int, minutes: int) -> list[tuple[int, float]]:
    """(half-hour slot mod 48, expected fraction in seat) over a shift: breaks ~2h in and
    ~1h45 before the end, lunch around the middle (staggered, so spread over a few slots)."""
    n = minutes // 30
    weights = [1.0] * n
    weights[4] -= 0.5
    weights[n - 4] -= 0.5
    mid = n // 2
    for i in range(mid - 2, mid + 2):
        weights[i] -= 0.28
    return [((shift_start // 30 + i) % _SLOTS, w) for i, w in enumerate(weights)]


def _need() -> list[float]:
    # Square-root staffing: quiet intervals need relatively more people than busy ones.
    shape = [arrival_shape((s + 0.5) / 2.0) for s in range(_SLOTS)]
    return [v + 0.3 * math.sqrt(v) for v in shape]


def _plan_day_starts(rng: random.Random, lengths: list[int], night: list[Shift]) -> list[int]:
    """Workforce planning: place the day shifts so agents in seat follow the demand curve
    (greedy placement, then a few passes of moving single shifts to a better start)."""
    staffed = [0.0] * _SLOTS
    for sh in night:
        for s, w in in_seat(sh.start_minute, sh.minutes):
            staffed[s] += w
    supply = sum(staffed) + sum(w for ln in lengths for _, w in in_seat(0, ln))
    raw = _need()
    need = [v * supply / sum(raw) for v in raw]
    noise = [rng.random() * 0.01 for _ in _DAY_STARTS]  # breaks ties differently per seed

    def place(length: int) -> int:
        best, best_gain = _DAY_STARTS[0], -math.inf
        for st, eps in zip(_DAY_STARTS, noise, strict=True):
            # the drop in squared shortfall if this shift is added
            gain = sum(w * (2 * (need[s] - staffed[s]) - w) for s, w in in_seat(st, length))
            if gain + eps > best_gain:
                best, best_gain = st, gain + eps
        for s, w in in_seat(best, length):
            staffed[s] += w
        return best

    starts = [place(length) for length in lengths]
    for _ in range(4):
        for i, length in enumerate(lengths):
            for s, w in in_seat(starts[i], length):
                staffed[s] -= w
            starts[i] = place(length)
    return starts


def _hire_date(rng: random.Random, as_of: date, min_days: int, max_days: int) -> date:
    d = as_of - timedelta(days=rng.randint(min_days, max_days))
    return d - timedelta(days=d.weekday())  # classes start on Mondays


def _pick_queues(rng: random.Random, queues: list[SimQueue], n: int) -> tuple[str, ...]:
    names = [q.name for q in queues]
    weights = [q.share for q in queues]
    chosen: list[str] = []
    while len(chosen) < n:
        pool = [(nm, w) for nm, w in zip(names, weights, strict=True) if nm not in chosen]
        chosen.append(rng.choices([p[0] for p in pool], [p[1] for p in pool])[0])
    order = {nm: i for i, nm in enumerate(names)}
    return tuple(sorted(chosen, key=lambda nm: order[nm]))


# Calibration. In-seat time left after coaching, meetings, absence and ring-no-answers; the
# square-root-staffing margin (N agents carry about N - BETA * sqrt(N) erlangs at target);
# how much of the forecast follows the textbook curve rather than the staffing plan; and an
# overall load factor.
_AVAILABILITY = 0.93
_BETA = 0.6
_BLEND = 0.4
_LOAD = 1.08


def _calibrate(queues: list[SimQueue], agents: list[SimStaff]) -> list[SimQueue]:
    """Size each queue's half-hourly forecast to the agents planned for it."""
    share = {q.name: q.share for q in queues}
    capacity = {q.name: [0.0] * _SLOTS for q in queues}
    for a in agents:
        assert a.shift is not None
        total = sum(share[n] for n in a.queues)
        for s, w in in_seat(a.shift.start_minute, a.shift.minutes):
            for n in a.queues:
                capacity[n][s] += w * _AVAILABILITY * share[n] / total
    shape = [arrival_shape((s + 0.5) / 2.0) for s in range(_SLOTS)]
    out = []
    for q in queues:
        work_per_call = q.aht_mean_s + q.wrapup_s
        carried = [
            max(0.0, n - _BETA * math.sqrt(n)) * 1800.0 / work_per_call for n in capacity[q.name]
        ]
        k = sum(carried) / sum(shape)
        forecast = tuple(
            round(_LOAD * (_BLEND * k * v + (1 - _BLEND) * c), 2)
            for v, c in zip(shape, carried, strict=True)
        )
        out.append(replace(q, forecast=forecast))
    return out


def demo_centre(seed: int = 7, *, as_of: date = DEMO_AS_OF) -> Centre:
    """The demo centre: 4 queues, ~70 call-taking agents in teams of ~10, plus leads/staff."""
    rng = random.Random(f"floorsup-centre:{seed}")
    queues = _queues()
    n_day = len(_DAY_TEAMS) * _TEAM_SIZE - rng.randint(2, 5)

    pairs = rng.sample([(f, last) for f in _FIRST for last in _LAST], 200)
    names = iter(f"{f} {last}" for f, last in pairs)

    # Day shifts: planned against the curve, then teams are cut from agents sorted by start
    # (team members work the same pattern as their team lead).
    lengths = [510 if rng.random() < 0.7 else 480 for _ in range(n_day)]
    night = [Shift(st, 510) for st in _NIGHT_STARTS]
    starts = _plan_day_starts(rng, lengths, night)
    day_shifts = sorted(
        (Shift(st, ln) for st, ln in zip(starts, lengths, strict=True)),
        key=lambda sh: (sh.start_minute, sh.minutes),
    )

    # (team, shift, queues, hire_date) for every call-taker, day teams then the night team.
    rows: list[tuple[str, Shift, tuple[str, ...], date]] = []
    n_new = 0
    for i, sh in enumerate(day_shifts):
        team = f"Team {_DAY_TEAMS[i * len(_DAY_TEAMS) // len(day_shifts)]}"
        r = rng.random()
        if r < 0.08 or (n_new < 4 and r < 0.12):  # nesting: hired in the last two months
            n_new += 1
            hired = _hire_date(rng, as_of, 14, 60)
            skills = _pick_queues(rng, queues, 1)
        else:
            t = rng.random()
            hired = _hire_date(
                rng, as_of, *((70, 365) if t < 0.25 else (366, 1100) if t < 0.7 else (1100, 2900))
            )
            n = rng.choices((1, 2, 3), (0.3, 0.45, 0.25))[0]
            skills = _pick_queues(rng, queues, n)
        rows.append((team, sh, skills, hired))
    all_names = [q.name for q in queues]
    for j, sh in enumerate(night):  # night agents are broadly skilled: 3 of the 4 queues
        skills = tuple(nm for k, nm in enumerate(all_names) if k != j % len(all_names))
        rows.append((f"Team {_NIGHT_TEAM}", sh, skills, _hire_date(rng, as_of, 200, 2500)))

    staff_rows: list[tuple[date, str, str, str | None, tuple[str, ...], Shift | None, str]] = []
    for ext, (team, sh, skills, hired) in enumerate(rows, start=2001):
        staff_rows.append((hired, "agent", team, f"PJSIP/{ext}", skills, sh, next(names)))

    # People who take no calls.
    team_names = [f"Team {t}" for t in _DAY_TEAMS] + [f"Team {_NIGHT_TEAM}"]
    for team in team_names:
        members = [r for r in rows if r[0] == team]
        if not members:
            continue
        sh = members[len(members) // 2][1]
        hired = _hire_date(rng, as_of, 900, 4000)
        staff_rows.append((hired, "team_lead", team, None, (), sh, next(names)))
    support_roles = (
        ("supervisor", "Floor Supervisors", Shift(7 * 60, 510)),
        ("supervisor", "Floor Supervisors", Shift(11 * 60, 510)),
        ("supervisor", "Floor Supervisors", Shift(14 * 60, 510)),
        ("supervisor", "Floor Supervisors", Shift(22 * 60, 510)),
        ("trainer", "Learning & Development", Shift(8 * 60, 480)),
        ("trainer", "Learning & Development", Shift(9 * 60, 480)),
        ("manager", "Operations", Shift(8 * 60 + 30, 540)),
        ("client_services", "Client Services", Shift(9 * 60, 480)),
        ("client_services", "Client Services", Shift(9 * 60, 480)),
    )
    for role, team, sh in support_roles:
        hired = _hire_date(rng, as_of, 700, 4500)
        staff_rows.append((hired, role, team, None, (), sh, next(names)))

    # Staff ids follow hire order, as an HR system would have handed them out.
    staff_rows.sort(key=lambda r: (r[0], r[3] or "~", r[6]))
    staff = [
        SimStaff(f"E{1001 + i}", nm, team, role, hired, member, skills, sh)
        for i, (hired, role, team, member, skills, sh, nm) in enumerate(staff_rows)
    ]
    # Present them by team and seat (extension), the way a roster export would list them.
    order = {t: i for i, t in enumerate(team_names)}
    staff.sort(
        key=lambda s: (order.get(s.team, 99), s.role != "team_lead", s.member or "", s.staff_id)
    )

    queues = _calibrate(queues, [s for s in staff if s.takes_calls])
    return Centre(name="Harbourline Contact Centre", queues=queues, staff=staff)


# --- the roster ----------------------------------------------------------------------------
def roster_rows(centre: Centre) -> list[dict[str, str]]:
    """One row per person, with exactly the roster CSV columns."""
    return [
        {
            "staff_id": s.staff_id,
            "name": s.name,
            "team": s.team,
            "role": s.role,
            "hire_date": s.hire_date.isoformat(),
            "acd_agent": s.member if s.member else "",
        }
        for s in centre.staff
    ]


def roster_csv(centre: Centre) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(ROSTER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(roster_rows(centre))
    return buf.getvalue()


def write_roster_csv(centre: Centre, path: str | Path) -> None:
    Path(path).write_text(roster_csv(centre), encoding="utf-8")


# --- schedules -----------------------------------------------------------------------------
SCHEDULE_COLUMNS = ("staff_id", "date", "start", "end", "activity")
# Planned activities; only `open` is productive (taking calls). In queue_log the simulated
# agents pause with the activity's name capitalised as the reason (`Break`, `Lunch`, ...).
ACTIVITIES = ("open", "break", "lunch", "meeting", "training", "coaching")
PRODUCTIVE_ACTIVITIES = frozenset({"open"})

_BREAK_MIN = 15
_LUNCH_MINUTES = ((30, 0.80), (45, 0.12), (60, 0.08))
_EXTRA_P = 0.16  # shifts with a meeting, training or coaching block
# (activity, weight, possible lengths in minutes)
_EXTRAS: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("coaching", 0.40, (30, 45)),
    ("training", 0.30, (30, 45, 60)),
    ("meeting", 0.30, (30, 60)),
)


@dataclass(frozen=True, slots=True)
class PlannedSegment:
    """One planned stretch of one person's shift, in minutes after local midnight of
    `shift_date` (the day the shift starts; a night shift's minutes run past 1440)."""

    staff_id: str
    shift_date: date
    start_minute: int
    end_minute: int
    activity: str

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


def seats(centre: Centre) -> dict[str, int]:
    """Each call-taker's position in their team (0, 1, ...): breaks and lunches are staggered
    by it so that a team is never all off the phones together."""
    out: dict[str, int] = {}
    per_team: dict[str, int] = {}
    for s in centre.agents:
        per_team[s.team] = per_team.get(s.team, -1) + 1
        out[s.staff_id] = per_team[s.team]
    return out


def _plan_shift(staff: SimStaff, seat: int, day: date, seed: int) -> list[PlannedSegment]:
    """One person's planned day: breaks about two hours in and 1h45 before the end, lunch
    around the middle (staggered by seat, on quarter hours), open time in between."""
    sh = staff.shift
    assert sh is not None
    rng = random.Random(f"floorsup-plan:{seed}:{day.isoformat()}:{staff.staff_id}")
    start, end = sh.start_minute, sh.end_minute
    length = sh.minutes
    blocks: list[tuple[int, int, str]] = []  # (start, end, activity), not overlapping
    lunch_len = rng.choices([m for m, _ in _LUNCH_MINUTES], [w for _, w in _LUNCH_MINUTES])[0]
    rota = day.toordinal()  # who goes first changes from day to day
    if length >= 6 * 60:
        stagger = ((seat * 2 + rota) % 5 - 2) * 15
        lunch = start + length // 2 // 15 * 15 - 15 + ((seat * 3 + rota) % 8 - 3) * 15
        lunch = min(max(lunch, start + 180), end - 150 - lunch_len)  # 3h in, 2.5h left
        b1 = min(start + 120 + stagger, lunch - _BREAK_MIN - 45)
        b2 = min(max(end - 105 - stagger, lunch + lunch_len + 45), end - _BREAK_MIN - 30)
        blocks = [
            (b1, b1 + _BREAK_MIN, "break"),
            (lunch, lunch + lunch_len, "lunch"),
            (b2, b2 + _BREAK_MIN, "break"),
        ]
    elif length >= 4 * 60:  # a short shift: one break in the middle
        mid = start + length // 2 // 15 * 15 + ((seat + rota) % 3 - 1) * 15
        blocks = [(mid, mid + _BREAK_MIN, "break")]

    # Now and then a meeting, training or coaching, in open time between two pauses.
    if blocks and rng.random() < _EXTRA_P:
        kind, _, lengths = rng.choices(_EXTRAS, [w for _, w, _ in _EXTRAS])[0]
        minutes = rng.choice(lengths)
        candidates = [
            t
            for (_, g0, _), (g1, _, _) in zip(blocks, blocks[1:], strict=False)
            for t in range(g0 + 15, g1 - 15 - minutes + 1, 15)
        ]
        if candidates:
            t = rng.choice(candidates)
            blocks.append((t, t + minutes, kind))
            blocks.sort()

    segments: list[PlannedSegment] = []
    at = start
    for t0, t1, activity in blocks:
        if t0 > at:
            segments.append(PlannedSegment(staff.staff_id, day, at, t0, "open"))
        segments.append(PlannedSegment(staff.staff_id, day, t0, t1, activity))
        at = t1
    if at < end:
        segments.append(PlannedSegment(staff.staff_id, day, at, end, "open"))
    return segments


def day_schedule(centre: Centre, day: date, seed: int = 7) -> list[PlannedSegment]:
    """Every call-taker's planned segments for the shifts that start on `day`, person by
    person (in roster order) and in time order: contiguous, not overlapping, covering the
    whole shift. Deterministic from (centre, day, seed); the floor simulator follows it."""
    seat = seats(centre)
    out: list[PlannedSegment] = []
    for s in centre.agents:
        if s.shift is not None:
            out.extend(_plan_shift(s, seat[s.staff_id], day, seed))
    return out


def _hhmm(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def schedule_rows(centre: Centre, day: date, seed: int = 7) -> list[dict[str, str]]:
    """The day's schedule as CSV rows with exactly the schedule columns. `date` is the shift's
    date and `start`/`end` local wall-clock HH:MM; a time after midnight is written as that
    next day's HH:MM, so within one person's rows (in time order) a time earlier than the one
    before it has rolled over to the next day (an `end` before its `start` runs past
    midnight; a night shift's segments wholly after midnight start before the shift did)."""
    return [
        {
            "staff_id": seg.staff_id,
            "date": seg.shift_date.isoformat(),
            "start": _hhmm(seg.start_minute),
            "end": _hhmm(seg.end_minute),
            "activity": seg.activity,
        }
        for seg in day_schedule(centre, day, seed)
    ]


def schedule_csv(centre: Centre, days: date | Iterable[date], seed: int = 7) -> str:
    """The schedule CSV text for one day or several (rows day by day)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(SCHEDULE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for d in [days] if isinstance(days, date) else days:
        writer.writerows(schedule_rows(centre, d, seed))
    return buf.getvalue()


def write_schedule_csv(
    centre: Centre, day: date | Iterable[date], path: str | Path, seed: int = 7
) -> None:
    Path(path).write_text(schedule_csv(centre, day, seed), encoding="utf-8")

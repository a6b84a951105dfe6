"""Peer mentoring, pure: who may mentor, who is a new hire needing a mentor, how much scheduled
time two people share, and a ranking of mentors for one mentee that says why.

A mentor must be far enough along the career path (`min_stage`), long enough in the centre
(`min_tenure_days`), doing well themselves (QA average over their last `qa_last_n`
evaluations on any work, schedule adherence over the last `adherence_days`), have chosen to
mentor (opting in is theirs, not a supervisor's), and have room (`capacity` mentees at once).
`eligibility` lists every reason that fails, each with its number, so a supervisor sees at once
what would have to change.

Ranking (`rank_mentors`) puts everyone who may be assigned first, and within each group the
best fit first. A mentor is only useful when they are on the floor together with the mentee,
so shared scheduled time weighs most:

- shared hours over the horizon: `SHARED_WEIGHT` (40) x min(1, hours / `SHARED_FULL_HOURS` (60))
- same team: `TEAM_WEIGHT` (20); any queue in common: `QUEUE_WEIGHT` (10)
- room to take one more: `LOAD_WEIGHT` (15) x (capacity - mentees) / capacity, 0 when full
- their QA on the mentee's work (the mean of their per-type averages over the mentee's work
  types they have scores on): `QA_WEIGHT` (15) x clamp((qa - `QA_BASE` 0.80) / `QA_SPAN` 0.20)

The best possible score is 100. Ties go by name, so the order never flickers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from floorsup.domain.career import mark_percent, meets, percent, percent_short_of

SHARED_WEIGHT = 40.0
SHARED_FULL_HOURS = 60.0  # this many shared hours over the horizon earns the full weight
TEAM_WEIGHT = 20.0
QUEUE_WEIGHT = 10.0
LOAD_WEIGHT = 15.0
QA_WEIGHT = 15.0
QA_BASE = 0.80  # QA at or below this earns nothing...
QA_SPAN = 0.20  # ...and QA_BASE + QA_SPAN (100%) earns the full weight


@dataclass(frozen=True, slots=True)
class MentorPolicy:
    min_stage: int = 3
    min_tenure_days: int = 180
    min_qa: float = 0.85  # average of their last `qa_last_n` evaluations (all work types)
    min_adherence: float = 0.90  # over the last `adherence_days`
    capacity: int = 2  # mentees at once
    new_hire_days: int = 90  # hired within this many days = a new hire who needs a mentor
    qa_last_n: int = 10
    adherence_days: int = 28
    horizon_days: int = 14  # shared scheduled hours are counted over the next N days


def validate_policy(p: MentorPolicy) -> list[str]:
    """What is wrong with a mentoring policy; empty when it can be used."""
    # Written as "not (in range)" so NaN is refused too.
    problems: list[str] = []
    if not p.min_stage >= 1:
        problems.append(f"min_stage must be at least 1 (got {p.min_stage})")
    if not p.min_tenure_days >= 0:
        problems.append(f"min_tenure_days must be 0 or more (got {p.min_tenure_days})")
    if not 0 <= p.min_qa <= 1:
        problems.append(f"min_qa must be between 0 and 1 (got {p.min_qa:g})")
    if not 0 <= p.min_adherence <= 1:
        problems.append(f"min_adherence must be between 0 and 1 (got {p.min_adherence:g})")
    if not p.capacity >= 1:
        problems.append(f"capacity must be at least 1 (got {p.capacity})")
    if not p.new_hire_days >= 0:
        problems.append(f"new_hire_days must be 0 or more (got {p.new_hire_days})")
    if not p.qa_last_n >= 1:
        problems.append(f"qa_last_n must be at least 1 (got {p.qa_last_n})")
    if not p.adherence_days >= 1:
        problems.append(f"adherence_days must be at least 1 (got {p.adherence_days})")
    if not p.horizon_days >= 1:
        problems.append(f"horizon_days must be at least 1 (got {p.horizon_days})")
    return problems


@dataclass(frozen=True, slots=True)
class Person:
    """What the rules know about one person."""

    staff_id: str
    name: str
    team: str | None
    stage: int
    hire_date: dt.date | None
    opted_in: bool  # their own choice to mentor
    qa_average: float | None  # last qa_last_n, all work types
    qa_by_type: Mapping[str, float]  # average pct per work type (their recent evaluations)
    adherence: float | None  # over the last adherence_days
    queues: frozenset[str]  # queues they are a member of
    mentees: int  # open mentorships as mentor now


def tenure_days(p: Person, today: dt.date) -> int | None:
    """Whole days since their hire date (negative before it), None without a hire date."""
    return None if p.hire_date is None else (today - p.hire_date).days


def is_new_hire(policy: MentorPolicy, p: Person, today: dt.date) -> bool:
    """Hired fewer than `new_hire_days` days ago: the hire day is day 0, so with 90 the first
    90 days count. Someone whose start date is still to come counts too (a mentor can be
    lined up before day one); without a hire date we cannot say, so no."""
    days = tenure_days(p, today)
    return days is not None and days < policy.new_hire_days


def capacity_refusal(policy: MentorPolicy, mentor: Person) -> str | None:
    """Why they cannot take one more mentee, or None when they have room."""
    if mentor.mentees >= policy.capacity:
        return f"at capacity: {mentor.mentees} of {policy.capacity} mentees"
    return None


def eligibility(policy: MentorPolicy, p: Person, today: dt.date) -> tuple[str, ...]:
    """Every reason they cannot mentor now, each naming their number and the rule; empty
    means eligible. Capacity is included: a full mentor cannot take one more."""
    reasons: list[str] = []
    if p.stage < policy.min_stage:
        reasons.append(f"stage {p.stage} (mentors are stage {policy.min_stage}+)")
    days = tenure_days(p, today)
    if days is None:
        if policy.min_tenure_days > 0:
            reasons.append(f"no hire date on record (needs {policy.min_tenure_days} days)")
    elif days < policy.min_tenure_days:
        reasons.append(f"tenure {days} days (needs {policy.min_tenure_days})")
    need_qa = mark_percent(policy.min_qa)
    if p.qa_average is None:
        reasons.append("no QA yet")
    elif not meets(p.qa_average, policy.min_qa):
        reasons.append(f"QA {percent_short_of(p.qa_average, policy.min_qa)} (needs {need_qa})")
    need_adh = mark_percent(policy.min_adherence)
    if p.adherence is None:
        reasons.append("no adherence measured yet")
    elif not meets(p.adherence, policy.min_adherence):
        shown = percent_short_of(p.adherence, policy.min_adherence)
        reasons.append(f"adherence {shown} (needs {need_adh})")
    if not p.opted_in:
        reasons.append("has not opted in to mentor")
    if (full := capacity_refusal(policy, p)) is not None:
        reasons.append(full)
    return tuple(reasons)


def _merged(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted, non-overlapping intervals covering the same time; empty or reversed ones
    (end <= start) cover nothing and are dropped."""
    out: list[tuple[float, float]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def shared_seconds(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    """Seconds both people are working: the total overlap of two sets of (start, end)
    intervals. Each side may be unsorted or overlap itself (a shift and an overtime block), so
    each is merged first and no second is counted twice. Intervals that only touch share
    nothing. O((n + m) log(n + m))."""
    xs, ys = _merged(a), _merged(b)
    total = 0.0
    i = j = 0
    while i < len(xs) and j < len(ys):
        lo = max(xs[i][0], ys[j][0])
        hi = min(xs[i][1], ys[j][1])
        if hi > lo:
            total += hi - lo
        # Drop whichever ends first: it cannot overlap anything later on the other side.
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass(frozen=True, slots=True)
class Fit:
    mentor: Person
    score: float  # higher is better, 0..100
    shared_hours: float
    reasons: tuple[str, ...]  # why they rank where they do, plain words
    refusals: tuple[str, ...]  # from eligibility(); empty = may be assigned

    @property
    def eligible(self) -> bool:
        return not self.refusals


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def _fit(
    policy: MentorPolicy,
    mentee: Person,
    work: Sequence[str],
    mentor: Person,
    shared_secs: float,
    today: dt.date,
) -> Fit:
    hours = max(shared_secs, 0.0) / 3600.0
    score = SHARED_WEIGHT * min(1.0, hours / SHARED_FULL_HOURS)
    reasons: list[str] = []
    horizon = f"in the next {policy.horizon_days} days"
    if round(hours) >= 1:
        reasons.append(f"{round(hours)} h on shift together {horizon}")
    elif hours > 0:
        reasons.append(f"under 1 h on shift together {horizon}")
    else:
        reasons.append(f"no shifts together {horizon}")

    if mentor.team and mentor.team == mentee.team:
        score += TEAM_WEIGHT
        reasons.append(f"same team ({mentor.team})")
    common = sorted(mentor.queues & mentee.queues)
    if common:
        score += QUEUE_WEIGHT
        reasons.append(f"shares queue{'s' if len(common) > 1 else ''} {', '.join(common)}")

    if policy.capacity > 0:
        score += LOAD_WEIGHT * _clamp((policy.capacity - mentor.mentees) / policy.capacity)
    reasons.append(f"{mentor.mentees} of {policy.capacity} mentees")

    scored = [w for w in dict.fromkeys(work) if w in mentor.qa_by_type]
    if scored:
        qa = sum(mentor.qa_by_type[w] for w in scored) / len(scored)
        score += QA_WEIGHT * _clamp((qa - QA_BASE) / QA_SPAN)
        reasons.append(f"QA {percent(qa)} on {', '.join(scored)}")
    elif work:
        reasons.append(f"no QA yet on {', '.join(dict.fromkeys(work))}")

    return Fit(mentor, score, hours, tuple(reasons), eligibility(policy, mentor, today))


def rank_mentors(
    policy: MentorPolicy,
    mentee: Person,
    mentee_work: Sequence[str],
    candidates: Sequence[Person],
    shared: Mapping[str, float],
    today: dt.date,
) -> list[Fit]:
    """Every candidate except the mentee themself, those who may be assigned first, each group
    by score (best first), then name. `mentee_work` is what the mentee holds plus what their
    next stage adds (what they are learning: see career.learning_work); `shared` maps a
    candidate's staff_id to the seconds they are scheduled together with the mentee over the
    horizon (missing = none). Weights: see the module docstring."""
    fits = [
        _fit(policy, mentee, mentee_work, c, shared.get(c.staff_id, 0.0), today)
        for c in candidates
        if c.staff_id != mentee.staff_id
    ]
    fits.sort(key=lambda f: (not f.eligible, -f.score, f.mentor.name, f.mentor.staff_id))
    return fits

"""The generalist career path, pure: which work people hold at each stage, the evidence for a
promotion, when someone's recent QA falls short of their stage, and the documented way back.

A centre grows generalists: everyone starts on phone (stage 1) and adds work types as they
master what they have. People keep earlier stages' work, so `held(stages, n)` is the work of
stages 1..n together.

Two different standards are judged here, on purpose:

- **Promotion evidence** for someone at stage n uses the *next* stage's rule (n + 1) on the
  next stage's new work types (`adds`). Agents learn and are evaluated on that work before the
  promotion makes it theirs, so the evidence is about the work they are taking on, not the
  work they already do. A stage that adds no work types (the mentor / lead pipeline) judges
  all the work held at n instead: what it asks for is a higher standard on everything.
- **Their stage's standard** (are they at risk?) is their *current* stage's rule on all the
  work they hold: what the stage promised they can do.

A rule reads: the last `last_n` QA evaluations on the rule's work types average at least
`average`, none is below `floor`, oldest to newest they span at least `weeks` weeks (a good
week is not mastery), and schedule adherence over that period is at least `adherence`.

Regression is never automatic. The documented method is three steps in order: a coaching
plan agreed with the person, a review of its outcome, and only then back one stage. The
domain says why a step or a promotion is refused; whether a manager overrides a refusal (with
a recorded reason) is decided outside it.

Numbers in the texts are whole percents ("88%") and weeks to one decimal ("5.1 weeks"). A
value that falls short of a mark is never shown rounded up to it: 84.6% against 85% reads
"84%", not a confusing "85% (needs 85%)".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from floorsup.domain.intervals import local_date

WEEK_SECONDS = 7 * 86400.0
# Averages of fractions carry float noise (five 0.85s may average 0.8499999999999999): a
# value this close to a mark counts as reaching it.
EPS = 1e-9


# -- numbers as people read them ----------------------------------------------------------------


def meets(value: float, mark: float) -> bool:
    """At least the mark, forgiving float noise."""
    return value >= mark - EPS


def percent(value: float) -> str:
    """A measured fraction as a whole percent: 0.876 -> "88%"."""
    return f"{round(value * 100)}%"


def percent_or_dash(value: float | None) -> str:
    """`percent`, or "—" when there is nothing measured."""
    return "—" if value is None else percent(value)


def mark_percent(mark: float) -> str:
    """A threshold as a percent: whole when it is whole ("85%"), else one decimal ("87.5%")."""
    hundred = mark * 100
    if abs(hundred - round(hundred)) < 1e-6:
        return f"{round(hundred)}%"
    return f"{hundred:.1f}%"


def percent_short_of(value: float, mark: float) -> str:
    """A fraction below `mark`, never rounded up to read as reaching it."""
    shown = round(value * 100)
    if shown >= mark * 100 - 1e-6:
        shown = math.floor(value * 100)
    return f"{shown}%"


def weeks_text(weeks: float, needed: float | None = None) -> str:
    """Weeks to one decimal; when short of `needed`, truncated so 3.96 never reads "4.0"."""
    if needed is not None and weeks < needed - EPS and round(weeks, 1) >= needed - 1e-6:
        return f"{math.floor(weeks * 10) / 10:.1f}"
    return f"{weeks:.1f}"


# -- stages -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasteryRule:
    last_n: int = 5  # the last N QA evaluations on the rule's work types...
    average: float = 0.85  # ...average at least this (a fraction, 0.85 = 85%)
    floor: float = 0.70  # ...with none below this
    weeks: float = 4.0  # ...the N spanning at least this many weeks (oldest to newest)
    adherence: float = 0.90  # ...and schedule adherence at least this (over the evidence period)


@dataclass(frozen=True, slots=True)
class Stage:
    number: int  # 1, 2, 3, ... consecutive
    name: str
    adds: tuple[str, ...]  # work types this stage adds (people keep earlier stages' work)
    rule: MasteryRule  # the standard of this stage


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage(1, "Phone", ("phone",), MasteryRule()),
    Stage(2, "Phone + email/chat", ("email", "chat"), MasteryRule()),
    Stage(3, "Escalations + back office", ("escalation", "back office"), MasteryRule(average=0.88)),
    Stage(
        4,
        "Mentor / lead pipeline",
        (),
        MasteryRule(last_n=10, average=0.90, floor=0.75, weeks=8, adherence=0.92),
    ),
)


def stage_of(stages: Iterable[Stage], number: int) -> Stage | None:
    """The stage with this number, or None (a number outside the configured path)."""
    for s in stages:
        if s.number == number:
            return s
    return None


def top_stage(stages: Iterable[Stage]) -> Stage | None:
    return max(stages, key=lambda s: s.number, default=None)


def held(stages: Iterable[Stage], n: int) -> tuple[str, ...]:
    """The work types of stages 1..n, in order and without repeats: people keep earlier
    stages' work as they add new paths."""
    out: list[str] = []
    for s in sorted(stages, key=lambda s: s.number):
        if s.number > n:
            break
        out.extend(w for w in s.adds if w not in out)
    return tuple(out)


def learning_work(stages: Sequence[Stage], stage: int) -> tuple[str, ...]:
    """What someone at `stage` works on: what they hold plus what their next stage adds (what
    they are learning). At the top stage, what they hold."""
    return held(stages, stage + 1)


def evidence_work(stages: Sequence[Stage], stage: int) -> tuple[str, ...]:
    """The work a promotion from `stage` is judged on: the next stage's new work types, or
    everything held at `stage` when the next stage adds none. Empty at the top."""
    nxt = stage_of(stages, stage + 1)
    if nxt is None:
        return ()
    return nxt.adds if nxt.adds else held(stages, stage)


def validate_stages(stages: Sequence[Stage]) -> list[str]:
    """What is wrong with a configured career path; empty when it can be used."""
    problems: list[str] = []
    if not stages:
        return ["no stages configured: the path needs at least stage 1"]
    numbers = [s.number for s in stages]
    if numbers != list(range(1, len(stages) + 1)):
        problems.append(
            "stage numbers must run 1, 2, 3, ... in order without gaps "
            f"(got {', '.join(str(n) for n in numbers)})"
        )
    added_by: dict[str, int] = {}
    for s in stages:
        where = f"stage {s.number}"
        if not s.name.strip():
            problems.append(f"{where}: the name is empty")
        problems.extend(f"{where}: {p}" for p in _rule_problems(s.rule))
        for w in s.adds:
            if w in added_by:
                first = added_by[w]
                problems.append(
                    f"{where} adds {w!r} twice"
                    if first == s.number
                    else f"{where}: {w!r} is already added by stage {first}"
                )
            else:
                added_by[w] = s.number
    return problems


def _rule_problems(r: MasteryRule) -> list[str]:
    # Written as "not (in range)" so NaN is refused too.
    problems: list[str] = []
    if not r.last_n >= 1:
        problems.append(f"last_n must be at least 1 (got {r.last_n})")
    if not 0 < r.floor <= r.average <= 1:
        problems.append(
            f"needs 0 < floor <= average <= 1 (got floor {r.floor:g}, average {r.average:g})"
        )
    if not r.weeks >= 0:
        problems.append(f"weeks must be 0 or more (got {r.weeks:g})")
    if not 0 <= r.adherence <= 1:
        problems.append(f"adherence must be between 0 and 1 (got {r.adherence:g})")
    return problems


# -- evaluations and evidence -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One QA evaluation as the rules see it."""

    at: float  # epoch seconds
    work_type: str
    pct: float  # 0..1


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # "evaluations" | "average" | "floor" | "weeks" | "adherence"
    ok: bool
    detail: str  # plain words with numbers, e.g. "average 88% (needs 85%)"


CHECK_NAMES = ("evaluations", "average", "floor", "weeks", "adherence")


@dataclass(frozen=True, slots=True)
class Evidence:
    to_stage: int
    work_types: tuple[str, ...]
    used: tuple[Evaluation, ...]  # the last N on those work types, newest first
    average: float | None
    lowest: float | None
    weeks: float | None
    adherence: float | None
    checks: tuple[Check, ...]  # always all five, in CHECK_NAMES order

    @property
    def met(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    def summary(self) -> str:
        """ "ready: <every check>" when met, else only the failed checks, joined with "; "."""
        if self.met:
            return "ready: " + "; ".join(c.detail for c in self.checks)
        return "; ".join(c.detail for c in self.failed)


def last_on(
    evaluations: Iterable[Evaluation], work_types: Iterable[str], n: int
) -> tuple[Evaluation, ...]:
    """The newest `n` evaluations on these work types, newest first (equal instants keep the
    order they were given in)."""
    wanted = set(work_types)
    mine = [e for e in evaluations if e.work_type in wanted]
    mine.sort(key=lambda e: -e.at)
    return tuple(mine[: max(n, 0)])


def _work_list(work_types: Sequence[str]) -> str:
    return ", ".join(work_types) if work_types else "no work types"


def _percent_check(
    name: str, value: float | None, mark: float, measured: str, missing: str, need: str
) -> Check:
    """A check of a fraction against its mark: "average 88% (needs 85%)", or "no average
    yet (needs 85%)" when nothing is measured (a miss is never rounded up to the mark)."""
    wanted = f"({need} {mark_percent(mark)})"
    if value is None:
        return Check(name, False, f"{missing} {wanted}")
    ok = meets(value, mark)
    shown = percent(value) if ok else percent_short_of(value, mark)
    return Check(name, ok, f"{measured} {shown} {wanted}")


def promotion_evidence(
    stages: Sequence[Stage],
    stage: int,
    evaluations: Sequence[Evaluation],
    adherence: float | None,
) -> Evidence | None:
    """The evidence for promoting someone from `stage` to the next: the next stage's rule on
    the next stage's new work (or on all held work when it adds none). None at the top stage,
    where there is nothing to be promoted to. `adherence` is theirs over the evidence period,
    None when it was never measured."""
    nxt = stage_of(stages, stage + 1)
    if nxt is None:
        return None
    rule = nxt.rule
    work = evidence_work(stages, stage)
    used = last_on(evaluations, work, rule.last_n)
    pcts = [e.pct for e in used]
    average = sum(pcts) / len(pcts) if pcts else None
    lowest = min(pcts) if pcts else None
    weeks = (used[0].at - used[-1].at) / WEEK_SECONDS if used else None

    need_weeks = f"{rule.weeks:g}"
    enough = len(used) >= rule.last_n
    if weeks is None:
        span = Check("weeks", False, f"no span yet (needs {need_weeks} weeks)")
    else:
        span = Check(
            "weeks",
            meets(weeks, rule.weeks),
            f"over {weeks_text(weeks, rule.weeks)} weeks (needs {need_weeks})",
        )
    checks = [
        Check(
            "evaluations", enough, f"{len(used)} of {rule.last_n} evaluations on {_work_list(work)}"
        ),
        _percent_check("average", average, rule.average, "average", "no average yet", "needs"),
        _percent_check("floor", lowest, rule.floor, "lowest", "no lowest score yet", "floor"),
        span,
        _percent_check(
            "adherence",
            adherence,
            rule.adherence,
            "adherence",
            "no adherence measured yet",
            "needs",
        ),
    ]

    return Evidence(
        to_stage=nxt.number,
        work_types=work,
        used=used,
        average=average,
        lowest=lowest,
        weeks=weeks,
        adherence=adherence,
        checks=tuple(checks),
    )


def promotion_refusal(stages: Sequence[Stage], stage: int, evidence: Evidence | None) -> str | None:
    """Why someone at `stage` cannot be promoted now, or None when the evidence is met."""
    top = top_stage(stages)
    if top is None:
        return "no career stages are configured"
    if stage >= top.number:
        return f"already at the top stage ({top.number} {top.name})"
    to = stage + 1
    if evidence is None:
        return f"not ready for stage {to}: no evidence gathered"
    if evidence.to_stage != to:
        # A screen holding evidence from before someone else changed the stage.
        return (
            f"the evidence is for stage {evidence.to_stage}, not stage {to}: "
            "refresh and judge again"
        )
    if evidence.met:
        return None
    return f"not ready for stage {to}: {evidence.summary()}"


# -- quality risk -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Risk:
    stage: int
    work_types: tuple[str, ...]
    used: tuple[Evaluation, ...]  # the last N (current stage's rule.last_n) on held work
    average: float | None
    lowest: float | None
    reasons: tuple[
        str, ...
    ]  # "average 78% (standard 85%)", "62% on 2026-11-02 below the floor 70%"

    def summary(self) -> str:
        return "; ".join(self.reasons)


def quality_risk(
    stages: Sequence[Stage], stage: int, evaluations: Sequence[Evaluation], tz: str
) -> Risk | None:
    """Whether someone's recent QA falls short of their current stage's standard, on all the
    work they hold. None when it does not, when there are fewer than the rule's `last_n`
    evaluations (too few to judge), or when `stage` is not on the path."""
    current = stage_of(stages, stage)
    if current is None:
        return None
    rule = current.rule
    work = held(stages, stage)
    used = last_on(evaluations, work, rule.last_n)
    if not used or len(used) < rule.last_n:
        return None
    pcts = [e.pct for e in used]
    average = sum(pcts) / len(pcts)
    lowest = min(pcts)
    reasons: list[str] = []
    if not meets(average, rule.average):
        reasons.append(
            f"average {percent_short_of(average, rule.average)} "
            f"(standard {mark_percent(rule.average)})"
        )
    for e in used:
        if not meets(e.pct, rule.floor):
            reasons.append(
                f"{percent_short_of(e.pct, rule.floor)} on {local_date(e.at, tz).isoformat()} "
                f"below the floor {mark_percent(rule.floor)}"
            )
    if not reasons:
        return None
    return Risk(stage, work, used, average, lowest, tuple(reasons))


# -- the documented way back --------------------------------------------------------------------


class Step(StrEnum):
    PLAN = "plan"  # a coaching plan agreed with the person
    REVIEW = "review"  # a review of the plan's outcome
    REGRESS = "regress"  # back one stage


STEP_TEXT: dict[Step, str] = {
    Step.PLAN: "coaching plan",
    Step.REVIEW: "review",
    Step.REGRESS: "regression",
}


def _plan_open(taken: Sequence[Step]) -> bool:
    """A plan recorded and not yet reviewed."""
    for s in reversed(taken):
        if s == Step.PLAN:
            return True
        if s in (Step.REVIEW, Step.REGRESS):
            return False
    return False


def _reviewed(taken: Sequence[Step]) -> bool:
    """A plan was recorded, then reviewed, and no newer plan is waiting for its review."""
    seen_plan = False
    reviewed = False
    for s in taken:
        if s == Step.PLAN:
            seen_plan = True
            reviewed = False
        elif s == Step.REVIEW and seen_plan:
            reviewed = True
    return reviewed


def next_step(taken: Sequence[Step]) -> Step:
    """The step the method asks for next, given the steps recorded since the risk episode
    began (oldest first): plan, then its review, then regression. A new plan after a review
    waits for its own review; after a regression a new episode starts with a plan."""
    last = taken[-1] if taken else None
    if last == Step.PLAN:
        return Step.REVIEW
    if last == Step.REVIEW:
        return Step.REGRESS
    return Step.PLAN


def step_refusal(step: Step, taken: Sequence[Step], stage: int, at_risk: bool) -> str | None:
    """Why `step` cannot be recorded now, or None. `taken` is the steps since the risk episode
    began, oldest first. A plan needs the person at risk (unless a plan is already open: it
    may be revised); a review needs a plan before it; regression needs a plan and its review,
    and a stage to go back to."""
    if step == Step.PLAN:
        if not at_risk and not _plan_open(taken):
            return "not at risk: their recent QA meets the stage's standard"
        return None
    if step == Step.REVIEW:
        if Step.PLAN not in taken:
            return "no coaching plan yet: a review follows a coaching plan"
        return None
    if stage <= 1:
        return "already at stage 1: there is no stage to go back to"
    if Step.PLAN not in taken:
        return "no coaching plan yet: regression comes after a coaching plan and its review"
    if not _reviewed(taken):
        return "the coaching plan has not been reviewed yet: regression comes after the review"
    return None

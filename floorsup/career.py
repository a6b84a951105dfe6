"""The career path and peer mentoring for the screens and reports: the store's rows put
through the domain's rules (domain/career.py, domain/mentoring.py), and the writes people
make (promote, the documented steps, moves, mentors), each checked against the rules and
the writer's role first.

Who may do what (the roster's `role`, found through the user's login, store/access.py):
trainers and managers promote, regress, assign and end mentorships; team leads,
supervisors, trainers and managers record coaching plans, reviews, moves and leadership
traits; anyone may set their own mentoring opt-in, and trainers and managers anyone's. A
refusal says why; a manager may override a rule's refusal (never a role's) with a reason,
which is kept with the record.

Evidence reads a person's QA of the last `EVIDENCE_DAYS` and their adherence over the
mentoring policy's `adherence_days`, from the closed days stored in `adherence_day`
(computed once per day, store/adherence_days.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine

from floorsup.config import Settings
from floorsup.domain.career import (
    STEP_TEXT,
    Evaluation,
    Evidence,
    Risk,
    Stage,
    Step,
    learning_work,
    next_step,
    promotion_evidence,
    promotion_refusal,
    quality_risk,
    stage_of,
    step_refusal,
)
from floorsup.domain.intervals import local_date
from floorsup.domain.mentoring import (
    Fit,
    MentorPolicy,
    Person,
    capacity_refusal,
    eligibility,
    is_new_hire,
    rank_mentors,
    shared_seconds,
)
from floorsup.store import adherence_days, career, mentoring, qa, queries, schedules
from floorsup.store.access import Actor
from floorsup.store.career import EventRow
from floorsup.store.mentoring import MentorshipRow, TraitNoteRow

EVIDENCE_DAYS = 400  # QA read for the rules: a last-N at monthly evaluations fits in a year
MENTOR_QA_DAYS = 182  # a mentor's QA is their last N evaluations of the last six months
DAY = 86400.0

PROMOTERS = frozenset({"trainer", "manager"})  # promote, regress, assign and end mentors
COACHES = PROMOTERS | {"team_lead", "supervisor"}  # plans, reviews, moves, traits
OVERRIDERS = frozenset({"manager"})  # may override a rule's refusal, with a reason


class Refused(Exception):
    """A write the rules or the writer's role do not allow; the message says why.
    `overridable`: a manager may go ahead with a reason (a rule, not a role, said no)."""

    def __init__(self, message: str, *, overridable: bool = False) -> None:
        super().__init__(message)
        self.overridable = overridable


@dataclass(frozen=True)
class CareerRow:
    person: Person
    role: str
    stage_name: str
    since: float
    evidence: Evidence | None  # for the next stage; None at the top
    risk: Risk | None  # recent quality under their stage's standard
    steps: tuple[Step, ...]  # plans and reviews recorded in the current episode
    mentor: MentorshipRow | None  # their open mentorship as a mentee
    mentees: tuple[MentorshipRow, ...]  # theirs as a mentor

    @property
    def staff_id(self) -> str:
        return self.person.staff_id

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def stage(self) -> int:
        return self.person.stage

    @property
    def ready(self) -> bool:
        return self.evidence is not None and self.evidence.met

    @property
    def next_step(self) -> Step | None:
        """The documented method's next step for someone at risk (or with one begun)."""
        if self.risk is None and not self.steps:
            return None
        return next_step(self.steps)


@dataclass(frozen=True)
class CareerView:
    now: float
    today: dt.date
    stages: tuple[Stage, ...]
    policy: MentorPolicy
    rows: tuple[CareerRow, ...]  # agents, by name
    moves: tuple[EventRow, ...]  # moves to other departments, newest first
    traits: tuple[TraitNoteRow, ...]  # leadership trait notes, newest first
    mentorships: tuple[MentorshipRow, ...]  # every mentorship, newest first

    def row(self, staff_id: str) -> CareerRow | None:
        return next((r for r in self.rows if r.staff_id == staff_id), None)

    def ready(self) -> list[CareerRow]:
        return [r for r in self.rows if r.ready]

    def at_risk(self) -> list[CareerRow]:
        return [r for r in self.rows if r.risk is not None or r.steps]

    def new_hires(self) -> list[CareerRow]:
        """New hires, the ones without a mentor first, then by hire date."""
        hires = [r for r in self.rows if is_new_hire(self.policy, r.person, self.today)]
        return sorted(hires, key=lambda r: (r.mentor is not None, r.person.hire_date or self.today))

    def mentors(self) -> list[CareerRow]:
        """Everyone mentoring now, the most mentees first."""
        return sorted((r for r in self.rows if r.mentees), key=lambda r: (-len(r.mentees), r.name))

    def pipeline(self) -> list[tuple[CareerRow | None, str, str, list[TraitNoteRow]]]:
        """Leadership candidates: everyone with a trait noted, the most traits first:
        (their row if an agent, staff id, name, their notes newest first)."""
        by: dict[str, list[TraitNoteRow]] = {}
        for t in self.traits:
            by.setdefault(t.staff_id, []).append(t)
        out = [(self.row(sid), sid, notes[0].name, notes) for sid, notes in by.items()]
        return sorted(out, key=lambda c: (-len({n.trait for n in c[3]}), -len(c[3]), c[2]))


@dataclass(frozen=True)
class Ranking:
    mentee: Person
    work: tuple[str, ...]  # what the mentee holds and is learning
    fits: tuple[Fit, ...]  # eligible first, best first
    current: MentorshipRow | None  # the mentee's mentor now, if any


# -- reading ----------------------------------------------------------------------------------
def _qa_since(now: float) -> float:
    return now - EVIDENCE_DAYS * DAY


class _Facts(NamedTuple):
    """One agent as the rules see them, and what the career view adds."""

    person: Person
    evaluations: tuple[Evaluation, ...]  # newest first (empty unless asked for)
    since: float  # at their stage since
    role: str


def _people(
    conn: Connection, settings: Settings, now: float, *, evaluations: bool = True
) -> dict[str, _Facts]:
    """Every agent on the roster as the rules see them, with their QA (newest first) when
    `evaluations` (the career rules need them; ranking mentors needs only the averages)."""
    policy = settings.mentoring
    today = local_date(now, settings.tz)
    staff = queries.staff_rows(conn, role="agent")
    stages = career.stages(conn, settings.tz)
    scores = qa.scores_since(conn, _qa_since(now)) if evaluations else {}
    averages = (
        ({}, {})
        if evaluations
        else qa.recent_averages(conn, now - MENTOR_QA_DAYS * DAY, policy.qa_last_n)
    )
    first = today - dt.timedelta(days=policy.adherence_days)
    totals = adherence_days.day_totals(conn, first, today - dt.timedelta(days=1))
    queues = queries.member_queues(conn)
    load: dict[str, int] = {}
    for m in mentoring.open_mentorships(conn):
        load[m.mentor_id] = load.get(m.mentor_id, 0) + 1
    out: dict[str, _Facts] = {}
    for s in staff:
        evals = tuple(Evaluation(at, w, p) for at, w, p in scores.get(s.staff_id, ()))
        if evaluations:
            recent = [e.pct for e in evals[: policy.qa_last_n]]
            by_type: dict[str, list[float]] = {}
            for e in evals:
                if len(by_type.setdefault(e.work_type, [])) < policy.qa_last_n:
                    by_type[e.work_type].append(e.pct)
            qa_average = sum(recent) / len(recent) if recent else None
            qa_by_type = {w: sum(v) / len(v) for w, v in by_type.items()}
        else:
            qa_average = averages[0].get(s.staff_id)
            qa_by_type = averages[1].get(s.staff_id, {})
        sched, adherent = totals.get(s.staff_id, (0.0, 0.0))
        st = stages.get(s.staff_id)
        person = Person(
            staff_id=s.staff_id,
            name=s.name,
            team=s.team,
            stage=st.stage if st else 1,
            hire_date=s.hire_date,
            opted_in=bool(st and st.opted_in),
            qa_average=qa_average,
            qa_by_type=qa_by_type,
            adherence=adherent / sched if sched > 0 else None,
            queues=queues.get(s.staff_id, frozenset()),
            mentees=load.get(s.staff_id, 0),
        )
        out[s.staff_id] = _Facts(person, evals, st.since if st else 0.0, s.role)
    return out


def read_career(engine: Engine, settings: Settings, now: float) -> CareerView:
    """Everyone's stage, evidence, risk, steps and mentors; the moves, traits and mentorships.
    Closed days' adherence not yet stored is computed first (once per day)."""
    today = local_date(now, settings.tz)
    policy, stages = settings.mentoring, settings.stages
    adherence_days.ensure_days(
        engine, settings, today - dt.timedelta(days=policy.adherence_days), today, now
    )
    with engine.connect() as conn:
        people = _people(conn, settings, now)
        ships = mentoring.history(conn)
        moves = career.events(conn, kinds=["move"])
        traits = mentoring.trait_notes(conn)
        steps = career.open_episodes(conn)
    mentor_of = {m.mentee_id: m for m in ships if m.ended_at is None}
    mentees_of: dict[str, list[MentorshipRow]] = {}
    for m in ships:
        if m.ended_at is None:
            mentees_of.setdefault(m.mentor_id, []).append(m)
    rows = []
    for sid, (person, evals, since, role) in people.items():
        st = stage_of(stages, person.stage)
        rows.append(
            CareerRow(
                person=person,
                role=role,
                stage_name=st.name if st else f"stage {person.stage}",
                since=since,
                evidence=promotion_evidence(stages, person.stage, evals, person.adherence),
                risk=quality_risk(stages, person.stage, evals, settings.tz),
                steps=tuple(Step(k) for k in steps.get(sid, ())),
                mentor=mentor_of.get(sid),
                mentees=tuple(mentees_of.get(sid, ())),
            )
        )
    return CareerView(
        now=now,
        today=today,
        stages=stages,
        policy=policy,
        rows=tuple(sorted(rows, key=lambda r: r.name)),
        moves=tuple(moves),
        traits=tuple(traits),
        mentorships=tuple(ships),
    )


def rank_for(engine: Engine, settings: Settings, now: float, mentee_id: str) -> Ranking:
    """Mentors for one new hire, ranked with the reasons. Reads the floor's facts (stage, QA,
    adherence, queues, load) and the scheduled hours of the mentee and of the people who
    could be assigned, over the policy's horizon."""
    policy = settings.mentoring
    today = local_date(now, settings.tz)
    with engine.connect() as conn:
        people = {
            sid: f.person for sid, f in _people(conn, settings, now, evaluations=False).items()
        }
        if mentee_id not in people:
            raise Refused(f"{mentee_id} is not an agent on the roster")
        mentee = people[mentee_id]
        candidates = [p for sid, p in people.items() if sid != mentee_id]
        # Only those who could be assigned need their hours (the others rank below anyway).
        hopeful = [p.staff_id for p in candidates if not eligibility(policy, p, today)]
        hours = schedules.working_intervals(
            conn, now, now + policy.horizon_days * DAY, staff_ids=[mentee_id, *hopeful]
        )
        current = next(
            (m for m in mentoring.open_mentorships(conn) if m.mentee_id == mentee_id), None
        )
    mine = hours.get(mentee_id, [])
    shared = {sid: shared_seconds(mine, hours.get(sid, [])) for sid in hopeful}
    work = learning_work(settings.stages, mentee.stage)  # what they hold and are learning
    fits = rank_mentors(policy, mentee, work, candidates, shared, today)
    return Ranking(mentee, work, tuple(fits), current)


# -- writing ----------------------------------------------------------------------------------
def _actor(who: Actor, allowed: frozenset[str] | set[str], what: str) -> str:
    """The writer's role, or a refusal naming it (before any reading or checking: the store
    refuses the write itself too). Returns the role ("manager" for floorsup itself)."""
    if who.is_system:
        return "manager"
    if who.role not in allowed:
        roles = " or ".join(sorted(r.replace("_", " ") for r in allowed))
        raise Refused(f"only a {roles} may {what}; {who.user} is {who.describe()}")
    return who.role or ""


def _rule_says_no(reason: str, role: str, override: str | None) -> str:
    """A rule said no: raises, unless a manager gave a reason to go ahead (returned, to be
    kept with the record). Only a manager is offered the override."""
    if role not in OVERRIDERS:
        if override is not None and override.strip():
            raise Refused(f"{reason}; only a manager may override")
        raise Refused(f"{reason} (a manager may override)")
    if override is None or not override.strip():
        raise Refused(reason, overridable=True)
    return override.strip()


def _same_stage(row: CareerRow, expected_stage: int | None) -> None:
    """Refuse a decision taken on a stage that has changed since (someone else moved them)."""
    if expected_stage is not None and row.stage != expected_stage:
        raise Refused(
            f"{row.name} is at stage {row.stage} now, not {expected_stage} as when you looked "
            "(someone else changed it): look again before deciding"
        )


def _row_of(engine: Engine, settings: Settings, now: float, staff_id: str) -> CareerRow:
    row = read_career(engine, settings, now).row(staff_id)
    if row is None:
        raise Refused(f"{staff_id} is not an agent on the roster")
    return row


def _evidence_json(e: Evidence | None) -> dict[str, Any]:
    if e is None:
        return {}
    return {
        "to_stage": e.to_stage,
        "work_types": list(e.work_types),
        "met": e.met,
        "checks": [dataclasses.asdict(c) for c in e.checks],
    }


def promote(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    actor: Actor,
    staff_id: str,
    reason: str,
    override: str | None = None,
    expected_stage: int | None = None,
) -> EventRow:
    """Promote someone one stage: a trainer or manager, with a reason; only on evidence
    that meets the next stage's rule, unless a manager overrides with a reason.
    `expected_stage`: the stage the decision was taken on (the screen passes it)."""
    role = _actor(actor, PROMOTERS, "promote")
    row = _row_of(engine, settings, now, staff_id)
    _same_stage(row, expected_stage)
    kept = None
    refusal = promotion_refusal(settings.stages, row.stage, row.evidence)
    if refusal is not None:
        if row.evidence is None:  # the top stage: nothing to override into
            raise Refused(refusal)
        kept = _rule_says_no(refusal, role, override)
    return career.change_stage(
        engine,
        staff_id,
        kind="promote",
        expected_stage=row.stage,
        to_stage=row.stage + 1,
        reason=reason,
        evidence=_evidence_json(row.evidence),
        actor=actor,
        now=now,
        override=kept,
    )


def take_step(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    actor: Actor,
    staff_id: str,
    step: Step,
    reason: str,
    override: str | None = None,
    expected_stage: int | None = None,
) -> EventRow:
    """One step of the documented method for someone whose quality slipped: a coaching
    plan, then a review, then (a trainer or manager) a regression of one stage, and only
    while they are still below the standard."""
    allowed = PROMOTERS if step is Step.REGRESS else COACHES
    role = _actor(actor, allowed, f"record a {STEP_TEXT[step]}")
    row = _row_of(engine, settings, now, staff_id)
    _same_stage(row, expected_stage)
    kept = None
    refusal = step_refusal(step, row.steps, row.stage, row.risk is not None)
    if refusal is None and step is Step.REGRESS and row.risk is None:
        refusal = "back at the standard: their recent QA meets it (close the episode instead)"
    if refusal is not None:
        if step is Step.REGRESS and row.stage <= 1:
            raise Refused(refusal)
        kept = _rule_says_no(refusal, role, override)
    if step is Step.REGRESS:
        evidence = {"risk": list(row.risk.reasons) if row.risk else [], "steps": list(row.steps)}
        return career.change_stage(
            engine,
            staff_id,
            kind="regress",
            expected_stage=row.stage,
            to_stage=row.stage - 1,
            reason=reason,
            evidence=evidence,
            actor=actor,
            now=now,
            override=kept,
        )
    return career.record_step(
        engine,
        staff_id,
        step.value,
        reason,
        actor=actor,
        now=now,
        override=kept,
        expected_stage=row.stage,
    )


def close_episode(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    actor: Actor,
    staff_id: str,
    reason: str,
    override: str | None = None,
    expected_stage: int | None = None,
) -> EventRow:
    """End an at-risk episode: they are back at their stage's standard. A later slip starts
    the method again from a coaching plan."""
    role = _actor(actor, COACHES, "close an at-risk episode")
    row = _row_of(engine, settings, now, staff_id)
    _same_stage(row, expected_stage)
    if not row.steps:
        raise Refused(f"{row.name} has no coaching plan or review open to close")
    kept = None
    if row.risk is not None:
        kept = _rule_says_no(
            f"still below the standard: {'; '.join(row.risk.reasons)}", role, override
        )
    return career.record_step(
        engine,
        staff_id,
        "close",
        reason,
        actor=actor,
        now=now,
        override=kept,
        expected_stage=row.stage,
    )


def record_move(
    engine: Engine, now: float, *, actor: Actor, staff_id: str, department: str, reason: str
) -> EventRow:
    """Someone grew into another department: kept as a success, shown in the growth report."""
    _actor(actor, COACHES, "record a move")
    return career.record_move(engine, staff_id, department, reason, actor=actor, now=now)


def set_opt_in(
    engine: Engine, now: float, *, actor: Actor, staff_id: str, opted_in: bool
) -> EventRow:
    """Mentoring is the person's own choice: they set it, or a trainer or manager for them."""
    if actor.staff_id != staff_id:
        _actor(actor, PROMOTERS, "set someone else's mentoring choice")
    return career.set_opt_in(engine, staff_id, opted_in, actor=actor, now=now)


def note_trait(
    engine: Engine, now: float, *, actor: Actor, staff_id: str, trait: str, evidence: str
) -> TraitNoteRow:
    """A lead notes a trait that marks a future leader, with what they saw."""
    _actor(actor, COACHES, "note leadership traits")
    return mentoring.add_trait_note(engine, staff_id, trait, evidence, actor=actor, now=now)


def assign_mentor(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    actor: Actor,
    mentor_id: str,
    mentee_id: str,
    reason: str = "",
    override: str | None = None,
    expected_mentor: str | None = None,
    check_current: bool = False,
) -> MentorshipRow:
    """Assign (or, if they have one, reassign) a new hire's mentor: a trainer or manager;
    only an eligible mentor with room, unless a manager overrides with a reason. With
    `check_current`, refused if the hire's mentor is no longer `expected_mentor` (None:
    none) as when the decision was taken (someone else paired them meanwhile)."""
    role = _actor(actor, PROMOTERS, "assign mentors")
    policy = settings.mentoring
    today = local_date(now, settings.tz)
    with engine.connect() as conn:
        people = {
            sid: f.person for sid, f in _people(conn, settings, now, evaluations=False).items()
        }
        current = next(
            (m for m in mentoring.open_mentorships(conn) if m.mentee_id == mentee_id), None
        )
    mentor = people.get(mentor_id)
    if mentor is None or mentee_id not in people:
        missing = mentor_id if mentor is None else mentee_id
        raise Refused(f"{missing} is not an agent on the roster")
    if current is not None and current.mentor_id == mentor_id:
        raise Refused(f"{mentor.name} is already {people[mentee_id].name}'s mentor")
    if check_current and (current.mentor_id if current else None) != expected_mentor:
        now_with = f"{current.mentor_name} now mentors them" if current else "their mentor has gone"
        raise Refused(
            f"{people[mentee_id].name}'s mentor changed since you looked ({now_with}): "
            "look again before deciding"
        )
    kept = None
    problems = eligibility(policy, mentor, today)
    if problems:
        kept = _rule_says_no(
            f"{mentor.name} cannot mentor now: {'; '.join(problems)}", role, override
        )
    if current is None:
        return mentoring.assign(
            engine,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            actor=actor,
            now=now,
            reason=reason,
            override=kept,
            capacity=policy.capacity,  # the store lets an override past it
            tz=settings.tz,
        )
    return mentoring.reassign(
        engine,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        actor=actor,
        now=now,
        reason=reason,
        override=kept,
        capacity=policy.capacity,
        tz=settings.tz,
    )


def end_mentorship(
    engine: Engine, now: float, *, actor: Actor, mentorship_id: int, reason: str
) -> MentorshipRow:
    _actor(actor, PROMOTERS, "end mentorships")
    return mentoring.end(engine, mentorship_id, actor=actor, now=now, reason=reason)


def capacity_text(policy: MentorPolicy, p: Person) -> str:
    """'1 of 2 mentees' (or the refusal when full)."""
    return capacity_refusal(policy, p) or f"{p.mentees} of {policy.capacity} mentees"


@dataclass(frozen=True)
class BoardLine:
    """One mentee on the mentor board, with their QA and adherence before and since."""

    ship: MentorshipRow
    qa_before: float | None  # their last evaluations before the mentorship began
    qa_since: float | None  # their evaluations since
    adherence_before: float | None  # the policy's adherence_days before it began
    adherence_since: float | None  # the closed days since


def mentor_board(engine: Engine, settings: Settings, now: float) -> list[BoardLine]:
    """Every open mentorship, the mentor's name then the mentee's, with the mentee's trends.
    Four statements whatever the number of mentorships."""
    policy = settings.mentoring
    today = local_date(now, settings.tz)
    out = []
    with engine.connect() as conn:
        ships = sorted(
            mentoring.open_mentorships(conn), key=lambda m: (m.mentor_name, m.mentee_name)
        )
        mentees = sorted({m.mentee_id for m in ships})
        scores = qa.scores_since(conn, _qa_since(now), staff_ids=mentees) if mentees else {}
        starts = {m.id: local_date(m.started_at, settings.tz) for m in ships}
        earliest = min(starts.values(), default=today) - dt.timedelta(days=policy.adherence_days)
        days = adherence_days.person_days(conn, mentees, earliest, today)
    for m in ships:
        mine = scores.get(m.mentee_id, [])
        before = [p for at, _, p in mine if at < m.started_at][: policy.qa_last_n]
        since = [p for at, _, p in mine if at >= m.started_at]
        start = starts[m.id]
        kept = days.get(m.mentee_id, [])
        out.append(
            BoardLine(
                ship=m,
                qa_before=sum(before) / len(before) if before else None,
                qa_since=sum(since) / len(since) if since else None,
                adherence_before=_ratio(
                    d
                    for d in kept
                    if start - dt.timedelta(days=policy.adherence_days) <= d[0] < start
                ),
                adherence_since=_ratio(d for d in kept if start <= d[0] < today),
            )
        )
    return out


def _ratio(days: Iterable[tuple[dt.date, float, float]]) -> float | None:
    """Adherence over some stored days: adherent over scheduled seconds."""
    sched = adherent = 0.0
    for _, s, a in days:
        sched, adherent = sched + s, adherent + a
    return adherent / sched if sched > 0 else None

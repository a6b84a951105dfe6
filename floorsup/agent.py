"""The agent page's data, read in one go: today's numbers and states, the schedule and
adherence so far, coaching history and open follow-ups, QA scores and their trend. Also the
snapshot of numbers a coaching note keeps. Time is a parameter (`now`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from floorsup.adherence import rules_from
from floorsup.config import Settings
from floorsup.domain.adherence import Actual, AgentAdherence, Segment, agent_adherence
from floorsup.domain.coaching import NoteSnapshot
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.domain.qa import QaTrend, qa_trends
from floorsup.domain.types import ANSWERED_OUTCOMES, Outcome
from floorsup.store import career, coaching, mentoring, qa, schedules
from floorsup.store.access import Actor, NotAllowed
from floorsup.store.coaching import NoteRow
from floorsup.store.qa import EvaluationRow
from floorsup.store.queries import AgentDay, agent_day, staff_day
from floorsup.store.schedules import ActualRow, SegmentRow

RECENT_NOTES = 50
QA_HISTORY = 120  # evaluations read for the trends (newest first); plenty for 12 per type


class UnknownAgent(LookupError):
    """Neither an ACD name seen nor a staff id on the roster."""


@dataclass(frozen=True, slots=True)
class CareerLine:
    stage: int
    stage_name: str
    since: float
    mentor: str | None  # their mentor's name, if they have one now
    mentees: tuple[str, ...]  # the people they mentor now


@dataclass(frozen=True, slots=True)
class AgentProfile:
    now: float
    day: AgentDay
    schedule: tuple[SegmentRow, ...]
    actuals: tuple[ActualRow, ...]
    window: tuple[float, float]  # what the timeline shows
    adherence: AgentAdherence | None
    notes: tuple[NoteRow, ...]  # newest first, at most RECENT_NOTES
    note_total: int
    follow_ups: tuple[NoteRow, ...]  # open ones, the oldest due first
    evaluations: tuple[EvaluationRow, ...]  # newest first
    trends: tuple[QaTrend, ...]
    career: CareerLine | None = None  # stage and mentoring (people on the roster)
    notes_hidden: str | None = None  # why no notes are shown: the role reads none

    @property
    def answered(self) -> int:
        return sum(1 for c in self.day.calls if c.outcome in ANSWERED_OUTCOMES)

    @property
    def handled_seconds(self) -> list[float]:
        return [
            c.talk_seconds
            for c in self.day.calls
            if c.outcome in (Outcome.ANSWERED, Outcome.TRANSFERRED) and c.talk_seconds is not None
        ]

    @property
    def aht(self) -> float | None:
        handled = self.handled_seconds
        return sum(handled) / len(handled) if handled else None

    def snapshot(self) -> NoteSnapshot:
        """The numbers a note written now keeps."""
        a = self.adherence
        state = None
        if self.day.spans and self.day.spans[-1].end is None:
            state = self.day.spans[-1].state.value
        latest = self.evaluations[0] if self.evaluations else None
        return NoteSnapshot(
            taken_at=self.now,
            calls=self.answered,
            aht_seconds=self.aht,
            adherence=a.adherence if a is not None else None,
            conformance=a.conformance if a is not None else None,
            state=state,
            qa_pct=latest.pct if latest else None,
            qa_work_type=latest.work_type if latest else None,
            qa_at=latest.evaluated_at if latest else None,
        )


def _read(
    conn: Connection,
    settings: Settings,
    now: float,
    who: Actor,
    agent: str | None,
    staff_id: str | None,
    replay: bool = False,
) -> AgentProfile:
    start, end = day_bounds(local_date(now, settings.tz), settings.tz)
    if staff_id:
        day = staff_day(conn, staff_id, start, now)
        if day is None:
            raise UnknownAgent(f"{staff_id!r} is not on the roster")
    elif agent:
        day = agent_day(conn, agent, start, now)
    else:
        raise UnknownAgent("no agent given")
    sid = day.staff_id or ""
    schedule: tuple[SegmentRow, ...] = ()
    actuals: tuple[ActualRow, ...] = ()
    if sid:
        schedule = tuple(schedules.schedule_for_day(conn, start, end, staff_id=sid).get(sid, ()))
    if day.agent:
        actuals = tuple(schedules.actuals_for_day(conn, [day.agent], start, now).get(day.agent, ()))
    notes: tuple[NoteRow, ...] = ()
    follow: tuple[NoteRow, ...] = ()
    evals: tuple[EvaluationRow, ...] = ()
    career_line: CareerLine | None = None
    total = 0
    notes_hidden: str | None = None
    if sid:
        until = now if replay else None  # a replayed past: what had been written by then
        try:
            notes = tuple(coaching.agent_notes(conn, sid, RECENT_NOTES, who=who, until=until))
            total = (
                len(notes)
                if len(notes) < RECENT_NOTES
                else coaching.note_count(conn, sid, who=who, until=until)
            )
            follow = tuple(
                coaching.follow_ups(
                    conn,
                    local_date(now, settings.tz),
                    who=who,
                    staff_id=sid,
                    upcoming=True,
                    until=until,
                )
            )
        except NotAllowed as exc:  # their role reads no coaching notes: the rest is theirs
            notes_hidden = str(exc)
        evals = tuple(qa.agent_evaluations(conn, sid, until=until, limit=QA_HISTORY))
        career_line = _career_line(conn, settings, sid)
    lo = min(
        [s.start for s in schedule] + [a.start for a in actuals if a.state.value != "logged_out"]
        or [start]
    )
    hi = max([s.end for s in schedule] + [now])
    adherence = None
    if schedule:
        adherence = agent_adherence(
            [Segment(s.start, s.end, s.activity) for s in schedule],
            [Actual(a.start, a.end, a.state, a.reason) for a in actuals],
            start=start,
            end=now,
            rules=rules_from(settings),
        )
    return AgentProfile(
        now=now,
        day=day,
        schedule=schedule,
        actuals=actuals,
        window=(max(lo, start), min(hi, end)),
        adherence=adherence,
        notes=notes,
        note_total=total,
        notes_hidden=notes_hidden,
        follow_ups=follow,
        evaluations=evals,
        trends=tuple(qa_trends(e.as_score for e in evals)),
        career=career_line,
    )


def load_agent(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    who: Actor,
    agent: str | None = None,
    staff_id: str | None = None,
    replay: bool = False,
) -> AgentProfile:
    """Everything the agent page shows, by ACD name or by staff id (one read transaction),
    with the coaching notes `who` may read (none, and `notes_hidden` saying why, for a role
    that reads none). `replay`: `now` is a past moment the user asked to see, so the notes,
    follow-ups and evaluations are those written by then (notes with their text as now)."""
    with engine.connect() as conn:
        return _read(conn, settings, now, who, agent, staff_id, replay)


def _career_line(conn: Connection, settings: Settings, staff_id: str) -> CareerLine | None:
    """Their stage and mentoring now (two small reads by staff id)."""
    st = career.stage_for(conn, staff_id, settings.tz)
    if st is None:
        return None
    stage = next((x for x in settings.stages if x.number == st.stage), None)
    ships = [m for m in mentoring.history(conn, staff_id) if m.ended_at is None]
    return CareerLine(
        stage=st.stage,
        stage_name=stage.name if stage else f"stage {st.stage}",
        since=st.since,
        mentor=next((m.mentor_name for m in ships if m.mentee_id == staff_id), None),
        mentees=tuple(m.mentee_name for m in ships if m.mentor_id == staff_id),
    )

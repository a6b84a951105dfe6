"""SQLModel tables for the domain as it is known today.

Instants are UTC epoch seconds (REAL): cheap to store, compare and index, and DST-proof.
Tables are created and changed only by the Alembic migrations in db/migrations.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, false, text
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

ROLES = ("agent", "supervisor", "team_lead", "trainer", "manager", "client_services")


class Site(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    tz: str


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    site_id: int | None = Field(default=None, foreign_key="site.id")


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    staff_id: str = Field(unique=True, index=True)
    name: str
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    role: str
    hire_date: dt.date | None = None
    login: str | None = Field(default=None, unique=True)
    active: bool = True


class AcdAgent(SQLModel, table=True):
    """A name the ACD writes in queue_log's agent field; mapped to staff by the roster.
    Names seen in the feed but not on the roster stay unmapped and still show."""

    __tablename__ = "acd_agent"
    name: str = Field(primary_key=True)
    staff_pk: int | None = Field(default=None, foreign_key="staff.id", index=True)
    # The order names were first recorded: a person's first name is the one shown.
    position: int | None = None


class Queue(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    sl_target_seconds: int = 20
    sl_target_fraction: float = 0.8


class IngestSource(SQLModel, table=True):
    """The checkpoint of one feed: which file (identity) and how far we have read."""

    __tablename__ = "ingest_source"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)
    format: str = "flat"
    dev: int | None = Field(default=None, sa_type=BigInteger)
    inode: int | None = Field(default=None, sa_type=BigInteger)
    head: str | None = None  # digest of the file's first bytes: identity across copies
    offset: int = Field(default=0, sa_type=BigInteger)
    line_no: int = 0
    lines_ok: int = 0
    lines_rejected: int = 0
    lines_duplicate: int = 0
    rotations: int = 0
    updated_at: float = 0.0


class QueueEvent(SQLModel, table=True):
    """Every line of the feed that parsed, kept raw (custom events too)."""

    __tablename__ = "queue_event"
    # One index only: every index costs ingest speed. Lookups by call go through the
    # call table's (callid, queue) index to a time range; by agent only on a rare rebuild.
    __table_args__ = (Index("ix_queue_event_ts", "ts"),)
    id: int | None = Field(default=None, primary_key=True)
    ts: float
    callid: str
    queue: str
    agent: str
    event: str
    data: str = ""  # data fields joined with "|", as in the flat file
    source_id: int | None = Field(default=None, foreign_key="ingest_source.id")


class RejectedLine(SQLModel, table=True):
    """A damaged feed line, set aside with where it was and what was wrong."""

    __tablename__ = "rejected_line"
    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="ingest_source.id", index=True)
    line_no: int
    byte_offset: int
    reason: str
    raw: str = Field(sa_column=Column(SAText, nullable=False))
    seen_at: float


class Call(SQLModel, table=True):
    """One call in one queue, derived from its events."""

    __table_args__ = (
        UniqueConstraint("callid", "queue", name="uq_call_callid_queue"),
        Index("ix_call_entered_at", "entered_at"),
        Index("ix_call_rev", "rev"),
    )
    id: int | None = Field(default=None, primary_key=True)
    callid: str
    queue: str
    entered_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    hold_seconds: float | None = None
    agent: str | None = None
    outcome: str
    # Which write last touched the row: one number per committed batch, rising. A screen
    # that holds the day's calls fetches only those with a higher `rev` than it has seen.
    rev: int = 0


class AgentStateSpan(SQLModel, table=True):
    """A stretch of one agent's time in one state, once it has ended. The state that
    lasts now is in agent_live (state, state_since): the ingest never rewrites rows here."""

    __tablename__ = "agent_state_span"
    # One index: every index costs ingest speed. The live floor reads agent_live; a past
    # instant (replay) reads spans through this index agent by agent, or scans.
    __table_args__ = (Index("ix_span_agent_start", "agent", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    agent: str
    state: str
    reason: str | None = None
    queue: str | None = None
    callid: str | None = None
    start: float
    end: float | None = None


class AgentMembership(SQLModel, table=True):
    """Which queues an agent was a member of from `since` (until their next row): written
    by the ingest on ADDMEMBER, REMOVEMEMBER and log-off, a few rows an agent a day. The
    live floor reads agent_live.queues; a past instant's floor (replay) reads this."""

    __tablename__ = "agent_membership"
    __table_args__ = (Index("ix_membership_agent_since", "agent", "since"),)
    id: int | None = Field(default=None, primary_key=True)
    agent: str
    since: float
    queues: str = ""  # "|"-joined, sorted; "" when a member of none


class AgentLive(SQLModel, table=True):
    """The ingest's per-agent state machine, saved with every batch so a restart resumes it."""

    __tablename__ = "agent_live"
    agent: str = Field(primary_key=True)
    logged_in: bool = False
    queues: str = ""  # member queues joined with "|"
    paused: bool = False
    reason: str | None = None
    call_id: str | None = None
    call_queue: str | None = None
    last_ts: float = 0.0
    state: str = "logged_out"
    state_since: float = 0.0


class ScheduleSegment(SQLModel, table=True):
    """One planned stretch of one person's shift: an activity from `start` to `end` (UTC
    epoch seconds). `shift_date` is the local date the shift belongs to (a night shift
    that runs past midnight belongs to the day it started)."""

    __tablename__ = "schedule_segment"
    __table_args__ = (
        Index("ix_schedule_staff_date", "staff_pk", "shift_date"),
        Index("ix_schedule_start", "start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    shift_date: dt.date
    start: float
    end: float
    activity: str


class AdherenceAuthorization(SQLModel, table=True):
    """A supervisor's word that a stretch out of adherence was allowed: kept, with who, when
    and why; authorised time counts as in adherence."""

    __tablename__ = "adherence_authorization"
    __table_args__ = (Index("ix_authorization_staff_start", "staff_pk", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    start: float
    end: float
    authorized_by: str
    authorized_at: float
    reason: str = Field(sa_column=Column(SAText, nullable=False))


class CoachingNote(SQLModel, table=True):
    """A coaching conversation as written now; earlier versions are in coaching_note_revision
    (a note is never overwritten in place without keeping what it said). `team_id` is the
    agent's team when the note was written, so access rules can follow it; `snapshot` is
    the agent's numbers at that moment (JSON, see domain.coaching.NoteSnapshot). Full-text
    search: the FTS5 table coaching_note_fts on SQLite (kept by triggers), a GIN index on
    PostgreSQL; both made by migration 0003."""

    __tablename__ = "coaching_note"
    __table_args__ = (
        Index("ix_note_staff_created", "staff_pk", "created_at"),
        Index("ix_note_created", "created_at"),
        Index("ix_note_team_created", "team_id", "created_at"),
        # Open follow-ups only: "due today and overdue" must not read every follow-up
        # ever closed.
        Index(
            "ix_note_follow_up_open",
            "follow_up",
            "created_at",
            sqlite_where=text("follow_up_done_at IS NULL"),
            postgresql_where=text("follow_up_done_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    author: str
    category: str
    body: str = Field(sa_column=Column(SAText, nullable=False))
    actions: str = Field(default="", sa_column=Column(SAText, nullable=False))
    follow_up: dt.date | None = None
    follow_up_done_at: float | None = None
    follow_up_done_by: str | None = None
    acknowledged: bool = False
    snapshot: str = Field(default="{}", sa_column=Column(SAText, nullable=False))
    created_at: float
    updated_at: float
    updated_by: str
    revision: int = 1


class CoachingNoteRevision(SQLModel, table=True):
    """An earlier version of a note, with who wrote that version and when."""

    __tablename__ = "coaching_note_revision"
    __table_args__ = (UniqueConstraint("note_id", "revision", name="uq_note_revision"),)
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="coaching_note.id")
    revision: int
    category: str
    body: str = Field(sa_column=Column(SAText, nullable=False))
    actions: str = Field(default="", sa_column=Column(SAText, nullable=False))
    follow_up: dt.date | None = None
    acknowledged: bool = False
    written_by: str
    written_at: float


class NoteDraft(SQLModel, table=True):
    """What is typed in a note form, saved as it is typed: it comes back after a crash, a
    closed terminal or a dropped SSH session. Gone once the note is saved or discarded.
    `seq` only ever rises, so a slow older save cannot overwrite a newer one."""

    __tablename__ = "note_draft"
    key: str = Field(primary_key=True)  # author / staff_id / note id or "new"
    author: str = Field(index=True)
    staff_id: str
    note_id: int | None = None
    payload: str = Field(sa_column=Column(SAText, nullable=False))
    seq: int = 0
    updated_at: float


class QaEvaluation(SQLModel, table=True):
    """One quality evaluation: the score out of a maximum, per-criterion scores from the
    scorecard (JSON), who evaluated and where it came from (the screen or an import)."""

    __tablename__ = "qa_evaluation"
    __table_args__ = (
        UniqueConstraint(
            "staff_pk", "evaluated_at", "evaluator", "work_type", name="uq_qa_evaluation"
        ),
        Index("ix_qa_evaluated_at", "evaluated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    evaluated_at: float
    evaluator: str
    work_type: str
    score: float
    max_score: float
    criteria: str = Field(default="{}", sa_column=Column(SAText, nullable=False))
    comments: str = Field(default="", sa_column=Column(SAText, nullable=False))
    recorded_by: str
    recorded_at: float
    source: str = "screen"


# -- career path and mentoring (migration 0004) ----------------------------------------------


class CareerStage(SQLModel, table=True):
    """Where one person stands on the career path now. No row means stage 1 since their
    hire date (nobody has changed it yet); the history is in career_event."""

    __tablename__ = "career_stage"
    staff_pk: int = Field(primary_key=True, foreign_key="staff.id")
    stage: int
    since: float
    # Their own choice to mentor (the rules decide whether they may).
    mentor_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_by: str
    updated_at: float


class CareerEvent(SQLModel, table=True):
    """One recorded step on someone's path: a promotion or regression (with the evidence
    seen and any overridden refusal), a coaching plan or review, a move to another
    department, or their choice to mentor. Never updated: the history is the audit."""

    __tablename__ = "career_event"
    __table_args__ = (Index("ix_career_event_staff_at", "staff_pk", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    kind: str  # promote | regress | plan | review | move | opt_in | opt_out
    from_stage: int | None = None
    to_stage: int | None = None
    reason: str = Field(sa_column=Column(SAText, nullable=False))
    # JSON: the checks as they stood when the step was taken
    evidence: str = Field(
        default="{}", sa_column=Column(SAText, nullable=False, server_default=text("'{}'"))
    )
    override: str | None = Field(default=None, sa_column=Column(SAText, nullable=True))
    department: str | None = None  # for "move"
    by: str
    at: float


class Mentorship(SQLModel, table=True):
    """A mentor paired with a mentee, from `started_at` until it ends. At most one open
    pairing per mentee: a partial unique index holds that on SQLite and PostgreSQL."""

    __tablename__ = "mentorship"
    __table_args__ = (
        Index(
            "uq_mentorship_open_mentee",
            "mentee_pk",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_mentorship_mentor_ended", "mentor_pk", "ended_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    mentor_pk: int = Field(foreign_key="staff.id")
    mentee_pk: int = Field(foreign_key="staff.id")
    started_at: float
    started_by: str
    reason: str = Field(
        default="", sa_column=Column(SAText, nullable=False, server_default=text("''"))
    )
    override: str | None = Field(default=None, sa_column=Column(SAText, nullable=True))
    ended_at: float | None = None
    ended_by: str | None = None
    end_reason: str | None = Field(default=None, sa_column=Column(SAText, nullable=True))


class LeadershipNote(SQLModel, table=True):
    """What someone saw of a person's leadership traits (communication, emotional
    intelligence, humility, coachability): evidence for the mentor and lead pipeline."""

    __tablename__ = "leadership_note"
    __table_args__ = (Index("ix_leadership_note_staff_created", "staff_pk", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_pk: int = Field(foreign_key="staff.id")
    trait: str
    evidence: str = Field(sa_column=Column(SAText, nullable=False))
    author: str
    created_at: float


class AdherenceDay(SQLModel, table=True):
    """One person's adherence over one closed local day, worked out once and kept: the
    mentor and mastery rules read weeks of it, and recomputing weeks of state spans on
    every screen refresh would cost what a table read does not."""

    __tablename__ = "adherence_day"
    staff_pk: int = Field(primary_key=True, foreign_key="staff.id")
    day: dt.date = Field(primary_key=True)
    scheduled_seconds: float
    adherent_seconds: float
    computed_at: float


class AuditEntry(SQLModel, table=True):
    """One write, as it was made: who (the login, and the staff member and role it mapped
    to, or that a manager acted as with --as: `via_as`), when, what (an action such as `note.add` on a table and key) and the record before
    and after (JSON; None when there was none). Append-only: triggers made by migration 0007
    refuse UPDATE and DELETE on both SQLite and PostgreSQL. Written in the same transaction
    as the change it records, so a write and its entry land together or not at all."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_login_at", "login", "at"),
        Index("ix_audit_action_at", "action", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: float
    login: str
    staff_id: str | None = None
    role: str | None = None
    via_as: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    action: str
    entity: str
    entity_key: str | None = None
    before: str | None = Field(default=None, sa_column=Column(SAText, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(SAText, nullable=True))

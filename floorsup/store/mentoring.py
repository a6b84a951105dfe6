"""Mentorships and leadership-trait notes in the store.

Who may mentor and who fits best is worked out in domain.mentoring; this module keeps the
pairings people made. Two rules are held here, inside the write's own transaction, because
only the database sees every writer: a mentee has at most one open mentorship (a partial
unique index backs the check up), and a mentor takes no more than `capacity` mentees at once
unless a manager overrides it with a recorded reason. Every write is one transaction and a
refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from floorsup.store import audit
from floorsup.store.access import Actor, NotAllowed, require
from floorsup.store.engine import write_conn
from floorsup.store.sql import execute, fetchall

TRAITS = ("communication", "emotional intelligence", "humility", "coachability")


class MentoringError(ValueError):
    """A mentoring write was refused; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class MentorshipRow:
    id: int
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    started_at: float
    started_by: str
    reason: str
    override: str | None  # the manager's reason for going past the mentor's capacity
    ended_at: float | None
    ended_by: str | None
    end_reason: str | None

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class TraitNoteRow:
    id: int
    staff_id: str
    name: str
    trait: str
    evidence: str
    author: str
    created_at: float


@dataclass(frozen=True, slots=True)
class _Person:
    pk: int
    staff_id: str
    name: str


_COLS = (
    "m.id, a.staff_id, a.name, b.staff_id, b.name, m.started_at, m.started_by, m.reason, "
    "m.override, m.ended_at, m.ended_by, m.end_reason"
)
_FROM = "FROM mentorship m JOIN staff a ON a.id = m.mentor_pk JOIN staff b ON b.id = m.mentee_pk"


def _row(r: tuple[Any, ...]) -> MentorshipRow:
    return MentorshipRow(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        r[4],
        float(r[5]),
        r[6],
        r[7],
        r[8],
        None if r[9] is None else float(r[9]),
        r[10],
        r[11],
    )


def _get(conn: Connection, mentorship_id: int) -> MentorshipRow | None:
    rows = fetchall(conn, f"SELECT {_COLS} {_FROM} WHERE m.id = ?", (mentorship_id,))
    return _row(rows[0]) if rows else None


def open_mentorships(conn: Connection) -> list[MentorshipRow]:
    """Every mentorship going on now, by mentor name, then the oldest first."""
    return [
        _row(r)
        for r in fetchall(
            conn,
            f"SELECT {_COLS} {_FROM} WHERE m.ended_at IS NULL "
            "ORDER BY a.name, a.staff_id, m.started_at, m.id",
        )
    ]


def history(conn: Connection, staff_id: str | None = None) -> list[MentorshipRow]:
    """Mentorships open and ended (of `staff_id` as mentor or mentee), newest first."""
    where, params = "", []
    if staff_id is not None:
        where = " WHERE a.staff_id = ? OR b.staff_id = ?"
        params = [staff_id, staff_id]
    return [
        _row(r)
        for r in fetchall(
            conn, f"SELECT {_COLS} {_FROM}{where} ORDER BY m.started_at DESC, m.id DESC", params
        )
    ]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _person(conn: Connection, staff_id: str, role: str) -> _Person:
    rows = fetchall(
        conn, "SELECT id, staff_id, name FROM staff WHERE staff_id = ? AND active", (staff_id,)
    )
    if not rows:
        raise MentoringError(f"{role} {staff_id!r} is not on the roster")
    return _Person(int(rows[0][0]), rows[0][1], rows[0][2])


def _lock(conn: Connection, who: _Person) -> None:
    """Hold the mentor's staff row until commit on PostgreSQL, so two pairings made at once
    are counted one after the other (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if conn.dialect.name == "postgresql":
        fetchall(conn, "SELECT id FROM staff WHERE id = ? FOR UPDATE", (who.pk,))


def _open_for(conn: Connection, mentee: _Person) -> MentorshipRow | None:
    """The mentee's open mentorship, if any."""
    rows = fetchall(
        conn,
        f"SELECT {_COLS} {_FROM} WHERE m.mentee_pk = ? AND m.ended_at IS NULL",
        (mentee.pk,),
    )
    return _row(rows[0]) if rows else None


def _mentees(conn: Connection, mentor: _Person) -> int:
    return int(
        fetchall(
            conn,
            "SELECT count(*) FROM mentorship WHERE mentor_pk = ? AND ended_at IS NULL",
            (mentor.pk,),
        )[0][0]
    )


def _day(ts: float, tz: str | None) -> str:
    zone = ZoneInfo(tz) if tz else dt.UTC
    return dt.datetime.fromtimestamp(ts, zone).date().isoformat()


def _start(
    conn: Connection,
    mentor: _Person,
    mentee: _Person,
    *,
    by: str,
    now: float,
    reason: str,
    override: str,
    capacity: int,
    tz: str | None,
) -> MentorshipRow:
    """Check the rules and write the new pairing; the caller holds the transaction."""
    _lock(conn, mentor)
    current = _open_for(conn, mentee)
    if current is not None:
        raise MentoringError(
            f"{mentee.name} already has a mentor ({current.mentor_name} since "
            f"{_day(current.started_at, tz)}): reassign instead"
        )
    load = _mentees(conn, mentor)
    if load >= capacity and not override:
        raise MentoringError(
            f"{mentor.name} is at capacity: {load} of {capacity} mentees "
            "(a manager may override with a reason)"
        )
    try:
        new_id = fetchall(
            conn,
            "INSERT INTO mentorship (mentor_pk, mentee_pk, started_at, started_by, reason, "
            "override) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (mentor.pk, mentee.pk, now, by, reason, override or None),
        )[0][0]
    except Exception as exc:
        if not _is_integrity(conn, exc):
            raise
        # Only the one-open-mentorship index can refuse this row: someone paired the
        # mentee between our check and our write.
        raise MentoringError(
            f"{mentee.name} was given a mentor by someone else just now: reassign instead"
        ) from exc
    row = _get(conn, int(new_id))
    assert row is not None
    return row


def _is_integrity(conn: Connection, exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    dbapi = conn.dialect.loaded_dbapi
    return isinstance(exc, getattr(dbapi, "IntegrityError", ()))


def _check_common(actor: Actor, capacity: int, override: str | None) -> str:
    """The pairing's writer (a trainer or manager; an override a manager's only)."""
    require(actor, "mentoring")
    if _text(override) and not (actor.is_system or actor.role == "manager"):
        raise NotAllowed(f"only a manager may override; {actor.user} is {actor.describe()}")
    if capacity < 1:
        raise MentoringError(f"capacity {capacity}: a mentor takes at least 1 mentee")
    return actor.user


def assign(
    engine: Engine,
    *,
    mentor_id: str,
    mentee_id: str,
    actor: Actor,
    now: float,
    reason: str = "",
    override: str | None = None,
    capacity: int,
    tz: str | None = None,
) -> MentorshipRow:
    """Pair `mentee_id` with `mentor_id`: a trainer or manager. Refused (nothing changes):
    the same person twice, someone not on the roster, a mentee who already has a mentor,
    and a mentor already at `capacity` open mentorships unless `override` gives a manager's
    reason. `tz` is only for the date in messages (UTC without it)."""
    by = _check_common(actor, capacity, override)
    if mentor_id == mentee_id:
        raise MentoringError("a mentor and mentee must be two different people")
    with write_conn(engine) as conn, conn.begin():
        mentor = _person(conn, mentor_id, "mentor")
        mentee = _person(conn, mentee_id, "mentee")
        row = _start(
            conn,
            mentor,
            mentee,
            by=by,
            now=now,
            reason=_text(reason),
            override=_text(override),
            capacity=capacity,
            tz=tz,
        )
        audit.record(
            conn,
            actor,
            "mentor.assign",
            "mentorship",
            row.id,
            after=audit.row_dict(conn, "mentorship", row.id),
            at=now,
        )
        return row


def end(
    engine: Engine, mentorship_id: int, *, actor: Actor, now: float, reason: str
) -> MentorshipRow:
    """End a mentorship (completed, or no longer working out): a trainer or manager.
    Refused if it is unknown or already ended, or without a reason."""
    require(actor, "mentoring")
    by = actor.user
    if not _text(reason):
        raise MentoringError("a reason is required: say why the mentorship ends")
    with write_conn(engine) as conn, conn.begin():
        cur = _get(conn, mentorship_id)
        if cur is None:
            raise MentoringError(f"mentorship {mentorship_id} does not exist")
        before = audit.row_dict(conn, "mentorship", mentorship_id)
        changed = execute(
            conn,
            "UPDATE mentorship SET ended_at = ?, ended_by = ?, end_reason = ? "
            "WHERE id = ? AND ended_at IS NULL",
            (now, _text(by), _text(reason), mentorship_id),
        )
        if not changed:
            done = _get(conn, mentorship_id) or cur
            raise MentoringError(
                f"the mentorship of {done.mentee_name} by {done.mentor_name} has already "
                f"ended (by {done.ended_by})"
            )
        row = _get(conn, mentorship_id)
        assert row is not None
        audit.record(
            conn,
            actor,
            "mentor.end",
            "mentorship",
            mentorship_id,
            before=before,
            after=audit.row_dict(conn, "mentorship", mentorship_id),
            at=now,
        )
        return row


def reassign(
    engine: Engine,
    *,
    mentee_id: str,
    mentor_id: str,
    actor: Actor,
    now: float,
    reason: str,
    override: str | None = None,
    capacity: int,
    tz: str | None = None,
) -> MentorshipRow:
    """Move a mentee to another mentor (a trainer or manager): the open mentorship ends
    ("reassigned to ...: why") and the new one starts, in one transaction. Refused (nothing
    changes): no reason, a mentee with no mentor now (assign instead), the same mentor again,
    the mentee as their own mentor, someone not on the roster, and a new mentor at capacity
    unless overridden."""
    by = _check_common(actor, capacity, override)
    reason = _text(reason)
    if not reason:
        raise MentoringError("a reason is required: say why the mentee changes mentor")
    if mentor_id == mentee_id:
        raise MentoringError("a mentor and mentee must be two different people")
    with write_conn(engine) as conn, conn.begin():
        mentor = _person(conn, mentor_id, "mentor")
        mentee = _person(conn, mentee_id, "mentee")
        _lock(conn, mentor)
        current = _open_for(conn, mentee)
        if current is None:
            raise MentoringError(f"{mentee.name} has no mentor now: assign one instead")
        if current.mentor_id == mentor.staff_id:
            raise MentoringError(f"{mentor.name} is already {mentee.name}'s mentor")
        changed = execute(
            conn,
            "UPDATE mentorship SET ended_at = ?, ended_by = ?, end_reason = ? "
            "WHERE id = ? AND ended_at IS NULL",
            (now, by, f"reassigned to {mentor.name}: {reason}", current.id),
        )
        if not changed:  # ended by someone else between our read and our write
            raise MentoringError(
                f"{mentee.name}'s mentorship changed just now: look again before reassigning"
            )
        row = _start(
            conn,
            mentor,
            mentee,
            by=by,
            now=now,
            reason=reason,
            override=_text(override),
            capacity=capacity,
            tz=tz,
        )
        audit.record(
            conn,
            actor,
            "mentor.reassign",
            "mentorship",
            row.id,
            before=audit.row_dict(conn, "mentorship", current.id),
            after=audit.row_dict(conn, "mentorship", row.id),
            at=now,
        )
        return row


# -- leadership traits ---------------------------------------------------------------------


_NOTE_COLS = "n.id, s.staff_id, s.name, n.trait, n.evidence, n.author, n.created_at"
_NOTE_FROM = "FROM leadership_note n JOIN staff s ON s.id = n.staff_pk"


def _note(r: tuple[Any, ...]) -> TraitNoteRow:
    return TraitNoteRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], float(r[6]))


def add_trait_note(
    engine: Engine, staff_id: str, trait: str, evidence: str, *, actor: Actor, now: float
) -> TraitNoteRow:
    """Record what someone saw of a person's leadership trait (one of TRAITS, any case): a
    supervisor, team lead, trainer or manager. Refused: an unknown trait, empty evidence,
    someone not on the roster."""
    require(actor, "coaching_steps")
    author = actor.user
    name = " ".join(trait.split()).lower()
    if name not in TRAITS:
        raise MentoringError(f"trait {trait!r} is not one of {', '.join(TRAITS)}")
    if not _text(evidence):
        raise MentoringError("evidence is required: say what you saw")
    if not _text(author):
        raise MentoringError("who wrote the note is required")
    with write_conn(engine) as conn, conn.begin():
        who = _person(conn, staff_id, "staff_id")
        new_id = fetchall(
            conn,
            "INSERT INTO leadership_note (staff_pk, trait, evidence, author, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (who.pk, name, _text(evidence), _text(author), now),
        )[0][0]
        audit.record(
            conn,
            actor,
            "trait.add",
            "leadership_note",
            new_id,
            after=audit.row_dict(conn, "leadership_note", int(new_id)),
            at=now,
        )
        return _note(
            fetchall(conn, f"SELECT {_NOTE_COLS} {_NOTE_FROM} WHERE n.id = ?", (new_id,))[0]
        )


def trait_notes(conn: Connection, staff_id: str | None = None) -> list[TraitNoteRow]:
    """Leadership-trait notes (of one person), newest first."""
    where, params = "", []
    if staff_id is not None:
        where, params = " WHERE s.staff_id = ?", [staff_id]
    return [
        _note(r)
        for r in fetchall(
            conn,
            f"SELECT {_NOTE_COLS} {_NOTE_FROM}{where} ORDER BY n.created_at DESC, n.id DESC",
            params,
        )
    ]

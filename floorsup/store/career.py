"""The career path in the store: where each person stands, and the history of how they got
there (promotions, regressions, coaching plans and reviews, moves, the choice to mentor).

Whether someone is ready or at risk is worked out in domain.career; this module only keeps
what people decided, with who, when and why. Every write is one transaction and a refused
write changes nothing. A promotion or regression names the stage the person was at when the
screen was opened (`expected_stage`): if someone else changed it meanwhile the write is
refused with CareerConflict rather than stacking two changes on one look.

A person with no career_stage row has never been moved: they are at stage 1 since their
hire date (00:00 UTC), and have not opted in to mentor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from floorsup.store import audit
from floorsup.store.access import Actor, NotAllowed, Right, require
from floorsup.store.engine import write_conn
from floorsup.store.sql import execute, fetchall

STAGE_KINDS = ("promote", "regress")
STEP_KINDS = ("plan", "review", "close")  # close: back at standard, the episode ends


class CareerError(ValueError):
    """A career write was refused; the message says why in plain words."""


class CareerConflict(CareerError):
    """Someone else changed the person's stage since it was read: nothing was written."""


@dataclass(frozen=True, slots=True)
class StageRow:
    staff_id: str
    stage: int
    since: float  # epoch seconds: when they reached this stage
    opted_in: bool  # their own choice to mentor


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    staff_id: str
    name: str
    kind: str
    from_stage: int | None
    to_stage: int | None
    reason: str
    evidence: dict[str, Any] = field(hash=False)
    override: str | None
    department: str | None
    by: str
    at: float


@dataclass(frozen=True, slots=True)
class _Person:
    pk: int
    staff_id: str
    name: str
    stage: int
    since: float
    opted_in: bool
    has_row: bool


def hire_instant(hire_date: Any, tz: str | None = None) -> float:
    """A hire date (date or ISO text) as the start of that day in `tz` (UTC if not given);
    0.0 without one."""
    if hire_date is None or hire_date == "":
        return 0.0
    day = hire_date if isinstance(hire_date, dt.date) else dt.date.fromisoformat(str(hire_date))
    zone = ZoneInfo(tz) if tz else dt.UTC
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).timestamp()


def stages(conn: Connection, tz: str | None = None) -> dict[str, StageRow]:
    """Every active staff member's stage now, by staff_id (someone never moved: stage 1
    since the start of their hire date in `tz`)."""
    out: dict[str, StageRow] = {}
    for sid, stage, since, opted, hire in fetchall(
        conn,
        "SELECT s.staff_id, c.stage, c.since, c.mentor_opt_in, s.hire_date FROM staff s "
        "LEFT JOIN career_stage c ON c.staff_pk = s.id WHERE s.active ORDER BY s.staff_id",
    ):
        if stage is None:  # never moved
            out[sid] = StageRow(sid, 1, hire_instant(hire, tz), False)
        else:
            out[sid] = StageRow(sid, int(stage), float(since), bool(opted))
    return out


def stage_for(conn: Connection, staff_id: str, tz: str | None = None) -> StageRow | None:
    """One person's stage now (as `stages` gives it), None if not active on the roster."""
    try:
        who = _person(conn, staff_id)
    except CareerError:
        return None
    since = who.since if who.has_row else hire_instant(_hire_date(conn, who.pk), tz)
    return StageRow(who.staff_id, who.stage, since, who.opted_in)


def _hire_date(conn: Connection, pk: int) -> Any:
    return fetchall(conn, "SELECT hire_date FROM staff WHERE id = ?", (pk,))[0][0]


def _person(conn: Connection, staff_id: str) -> _Person:
    rows = fetchall(
        conn,
        "SELECT s.id, s.staff_id, s.name, s.hire_date, c.stage, c.since, c.mentor_opt_in "
        "FROM staff s LEFT JOIN career_stage c ON c.staff_pk = s.id "
        "WHERE s.staff_id = ? AND s.active",
        (staff_id,),
    )
    if not rows:
        raise CareerError(f"{staff_id!r} is not on the roster")
    pk, sid, name, hire, stage, since, opted = rows[0]
    if stage is None:
        return _Person(int(pk), sid, name, 1, hire_instant(hire), False, False)
    return _Person(int(pk), sid, name, int(stage), float(since), bool(opted), True)


_EVENT_COLS = (
    "e.id, s.staff_id, s.name, e.kind, e.from_stage, e.to_stage, e.reason, e.evidence, "
    'e.override, e.department, e."by", e."at"'
)
_EVENT_FROM = "FROM career_event e JOIN staff s ON s.id = e.staff_pk"


def _event(r: tuple[Any, ...]) -> EventRow:
    try:
        evidence = json.loads(r[7] or "{}")
    except ValueError:
        evidence = {}
    return EventRow(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        None if r[4] is None else int(r[4]),
        None if r[5] is None else int(r[5]),
        r[6],
        evidence if isinstance(evidence, dict) else {},
        r[8],
        r[9],
        r[10],
        float(r[11]),
    )


def _get_event(conn: Connection, event_id: int) -> EventRow:
    return _event(
        fetchall(conn, f"SELECT {_EVENT_COLS} {_EVENT_FROM} WHERE e.id = ?", (event_id,))[0]
    )


def events(
    conn: Connection,
    *,
    staff_id: str | None = None,
    kinds: Collection[str] | None = None,
    since: float | None = None,
) -> list[EventRow]:
    """Recorded career events, newest first; `since` is an epoch instant (inclusive)."""
    where: list[str] = []
    params: list[Any] = []
    if staff_id is not None:
        where.append("e.staff_pk = (SELECT id FROM staff WHERE staff_id = ?)")
        params.append(staff_id)
    if kinds is not None:
        wanted = sorted(set(kinds))
        if not wanted:
            return []
        where.append(f"e.kind IN ({', '.join('?' * len(wanted))})")
        params += wanted
    if since is not None:
        where.append('e."at" >= ?')
        params.append(since)
    sql = f"SELECT {_EVENT_COLS} {_EVENT_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY e."at" DESC, e.id DESC'
    return [_event(r) for r in fetchall(conn, sql, params)]


def steps_since_risk(conn: Connection, staff_id: str) -> list[str]:
    """The plan/review steps recorded since the person's last promotion or regression (the
    current episode), oldest first: what domain.career.next_step needs."""
    taken: list[str] = []
    for (kind,) in fetchall(
        conn,
        "SELECT kind FROM career_event WHERE staff_pk = (SELECT id FROM staff WHERE staff_id = ?) "
        "AND kind IN ('promote', 'regress', 'plan', 'review', 'close') ORDER BY \"at\", id",
        (staff_id,),
    ):
        if kind in STAGE_KINDS or kind == "close":
            taken = []
        else:
            taken.append(kind)
    return taken


def open_episodes(conn: Connection) -> dict[str, list[str]]:
    """`steps_since_risk` for everyone with steps in an open episode, in one statement."""
    taken: dict[str, list[str]] = {}
    for sid, kind in fetchall(
        conn,
        "SELECT s.staff_id, e.kind FROM career_event e JOIN staff s ON s.id = e.staff_pk "
        "WHERE e.kind IN ('promote', 'regress', 'plan', 'review', 'close') "
        'ORDER BY e.staff_pk, e."at", e.id',
    ):
        if kind in STAGE_KINDS or kind == "close":
            taken.pop(sid, None)
        else:
            taken.setdefault(sid, []).append(kind)
    return taken


def _text(value: str | None) -> str:
    return (value or "").strip()


def _require(reason: str, by: str) -> tuple[str, str]:
    if not _text(reason):
        raise CareerError("a reason is required")
    if not _text(by):
        raise CareerError("who made the change is required")
    return _text(reason), _text(by)


def _insert_event(
    conn: Connection,
    who: _Person,
    kind: str,
    *,
    from_stage: int | None,
    to_stage: int | None,
    reason: str,
    by: str,
    at: float,
    evidence: dict[str, Any] | None = None,
    override: str | None = None,
    department: str | None = None,
) -> EventRow:
    new_id = fetchall(
        conn,
        "INSERT INTO career_event (staff_pk, kind, from_stage, to_stage, reason, evidence, "
        'override, department, "by", "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        (
            who.pk,
            kind,
            from_stage,
            to_stage,
            reason,
            json.dumps(evidence or {}, sort_keys=True, default=str),
            _text(override) or None,
            department,
            by,
            at,
        ),
    )[0][0]
    return _get_event(conn, int(new_id))


def _writer(actor: Actor, right: Right, override: str | None) -> str:
    """The writer's name, if their role has `right` (and, for an override, is a manager's)."""
    require(actor, right)
    manager = actor.is_system or actor.role == "manager"
    if override is not None and override.strip() and not manager:
        raise NotAllowed(f"only a manager may override; {actor.user} is {actor.describe()}")
    return actor.user


def _audited(conn: Connection, actor: Actor, row: EventRow, action: str) -> EventRow:
    audit.record(
        conn,
        actor,
        action,
        "career_event",
        row.id,
        after=audit.row_dict(conn, "career_event", row.id),
        at=row.at,
    )
    return row


def change_stage(
    engine: Engine,
    staff_id: str,
    *,
    kind: str,
    expected_stage: int,
    to_stage: int,
    reason: str,
    evidence: dict[str, Any],
    actor: Actor,
    now: float,
    override: str | None = None,
) -> EventRow:
    """Promote or regress someone from `expected_stage` to `to_stage`, keeping the evidence
    seen (the checks, as JSON) and the manager's reason when a refusal was overridden.

    Refused (nothing changes): an unknown kind, a promotion that does not go up or a
    regression that does not go down, a stage below 1, an empty reason, an unknown person,
    and (CareerConflict) a stored stage that is no longer `expected_stage`. Whether the
    person is ready is the domain's call, made before this is called. A trainer or manager
    (an override: a manager)."""
    by = _writer(actor, "promotion", override)
    if kind not in STAGE_KINDS:
        raise CareerError(f"kind {kind!r} is not one of {', '.join(STAGE_KINDS)}")
    reason, by = _require(reason, by)
    if to_stage < 1:
        raise CareerError(f"stage {to_stage} does not exist: stages start at 1")
    if kind == "promote" and to_stage <= expected_stage:
        raise CareerError(f"a promotion goes up: stage {expected_stage} to {to_stage} does not")
    if kind == "regress" and to_stage >= expected_stage:
        raise CareerError(f"a regression goes down: stage {expected_stage} to {to_stage} does not")
    with write_conn(engine) as conn, conn.begin():
        who = _person(conn, staff_id)
        if who.stage != expected_stage:
            raise _conflict(conn, who, expected_stage)
        # The write itself re-checks the stage, so two writers on PostgreSQL (where a plain
        # read does not lock) cannot both move from the same stage.
        changed = 0
        if not who.has_row:
            changed = execute(
                conn,
                "INSERT INTO career_stage (staff_pk, stage, since, mentor_opt_in, updated_by, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (staff_pk) DO NOTHING",
                (who.pk, to_stage, now, False, by, now),
            )
        if not changed:  # a row was there (or has just been written by someone else)
            changed = execute(
                conn,
                "UPDATE career_stage SET stage = ?, since = ?, updated_by = ?, updated_at = ? "
                "WHERE staff_pk = ? AND stage = ?",
                (to_stage, now, by, now, who.pk, expected_stage),
            )
        if changed != 1:
            raise _conflict(conn, _person(conn, staff_id), expected_stage)
        row = _insert_event(
            conn,
            who,
            kind,
            from_stage=expected_stage,
            to_stage=to_stage,
            reason=reason,
            by=by,
            at=now,
            evidence=evidence,
            override=override,
        )
        return _audited(conn, actor, row, f"career.{kind}")


def _conflict(conn: Connection, who: _Person, expected: int) -> CareerConflict:
    last = fetchall(
        conn,
        "SELECT \"by\" FROM career_event WHERE staff_pk = ? AND kind IN ('promote', 'regress') "
        'ORDER BY "at" DESC, id DESC LIMIT 1',
        (who.pk,),
    )
    by = f" by {last[0][0]}" if last else ""
    return CareerConflict(
        f"{who.name}'s stage was changed{by} since you looked: they are at stage {who.stage} "
        f"now, not {expected}; nothing was changed (look again before deciding)"
    )


def record_step(
    engine: Engine,
    staff_id: str,
    kind: str,
    reason: str,
    *,
    actor: Actor,
    now: float,
    override: str | None = None,
    expected_stage: int | None = None,
) -> EventRow:
    """Record a step of the regression method: a coaching plan agreed, its review, or the
    episode closed (back at standard). The order is the domain's to check; `override` keeps
    the manager's reason when they went ahead despite its refusal. With `expected_stage`,
    refused (CareerConflict) if their stage has changed since it was read. A supervisor,
    team lead, trainer or manager (an override: a manager)."""
    by = _writer(actor, "coaching_steps", override)
    if kind not in STEP_KINDS:
        raise CareerError(f"kind {kind!r} is not one of {', '.join(STEP_KINDS)}")
    reason, by = _require(reason, by)
    with write_conn(engine) as conn, conn.begin():
        who = _person(conn, staff_id)
        if expected_stage is not None and who.stage != expected_stage:
            raise _conflict(conn, who, expected_stage)
        row = _insert_event(
            conn,
            who,
            kind,
            from_stage=who.stage,
            to_stage=None,
            reason=reason,
            by=by,
            at=now,
            override=override,
        )
        return _audited(conn, actor, row, f"career.{kind}")


def record_move(
    engine: Engine, staff_id: str, department: str, reason: str, *, actor: Actor, now: float
) -> EventRow:
    """Record that someone moved to another department (a path that suits them better);
    their stage is kept as it was. A supervisor, team lead, trainer or manager."""
    by = _writer(actor, "coaching_steps", None)
    if not _text(department):
        raise CareerError("a department is required: say where they moved to")
    reason, by = _require(reason, by)
    with write_conn(engine) as conn, conn.begin():
        who = _person(conn, staff_id)
        row = _insert_event(
            conn,
            who,
            "move",
            from_stage=who.stage,
            to_stage=None,
            reason=reason,
            by=by,
            at=now,
            department=_text(department),
        )
        return _audited(conn, actor, row, "career.move")


def set_opt_in(
    engine: Engine, staff_id: str, opted_in: bool, *, actor: Actor, now: float
) -> EventRow:
    """Record someone's own choice to mentor (or to stop): theirs to make, or a trainer or
    manager records it for them. Their stage is untouched; a choice they have already made
    is refused rather than recorded twice."""
    if actor.staff_id != staff_id or actor.is_system:
        require(actor, "mentoring")
    by = actor.user
    with write_conn(engine) as conn, conn.begin():
        who = _person(conn, staff_id)
        if who.opted_in == opted_in:
            state = "opted in to mentor" if opted_in else "not opted in to mentor"
            raise CareerError(f"{who.name} is already {state}")
        execute(
            conn,
            "INSERT INTO career_stage (staff_pk, stage, since, mentor_opt_in, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (staff_pk) DO UPDATE SET "
            "mentor_opt_in = excluded.mentor_opt_in, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (who.pk, who.stage, who.since, opted_in, by, now),
        )
        row = _insert_event(
            conn,
            who,
            "opt_in" if opted_in else "opt_out",
            from_stage=who.stage,
            to_stage=None,
            reason="",
            by=by,
            at=now,
        )
        return _audited(conn, actor, row, f"career.{row.kind}")


def change_mark(conn: Connection) -> tuple[Any, ...]:
    """What changes when anyone changes the career path, mentoring or QA: screens read it
    every few seconds and read everything again only when it differs (a live queue_log
    feed changes the database every second, so PRAGMA data_version would say yes always)."""
    return tuple(
        fetchall(
            conn,
            "SELECT (SELECT max(id) FROM career_event), (SELECT max(id) FROM mentorship), "
            "(SELECT count(ended_at) FROM mentorship), (SELECT max(id) FROM leadership_note), "
            "(SELECT max(id) FROM qa_evaluation), (SELECT count(*) FROM staff WHERE active)",
        )[0]
    )

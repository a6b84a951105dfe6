"""Read queries. Each returns plain frozen values (never ORM objects), so the screens
cannot trigger lazy loads, and each takes `now` or a window (time is a parameter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine

from floorsup.domain.types import AgentState, CallRecord, Outcome
from floorsup.store.sql import fetchall

WAITING_HORIZON = 4 * 3600.0  # a call "waiting" longer than this lost its ending lines


@dataclass(frozen=True, slots=True)
class QueueInfo:
    name: str
    target_seconds: int
    target_fraction: float


@dataclass(frozen=True, slots=True)
class AgentNow:
    """One agent at `now`, from the span that covers it, with who they are on the roster."""

    agent: str  # the ACD name the feed uses (canonical, if the roster gives several)
    staff_id: str | None
    name: str
    team: str | None
    state: AgentState
    since: float
    reason: str | None
    queue: str | None  # the queue of the call being rung / talked on
    member_queues: tuple[str, ...]
    calls_today: int


_CALL_COLS = "callid, queue, entered_at, outcome, answered_at, ended_at, wait_seconds, talk_seconds, agent, hold_seconds"


_OUTCOME = {o.value: o for o in Outcome}  # a dict lookup: Outcome(value) is slow at 50k rows


def _call(row: tuple) -> CallRecord:
    return CallRecord(row[0], row[1], row[2], _OUTCOME[row[3]], *row[4:])


def call_rev(conn: Connection) -> int:
    """The highest write number in the call table (see Call.rev)."""
    return int(fetchall(conn, "SELECT coalesce(max(rev), 0) FROM call")[0][0])


def calls_changed(conn: Connection, since: int, start: float, end: float) -> list[CallRecord]:
    """Calls entered in [start, end) whose row was written after `since` (the wall clock of
    the write): all a screen that holds the rest needs to fetch."""
    return [
        _call(r)
        for r in fetchall(
            conn,
            # `+entered_at`: the rev index (the few rows written since), not the entered_at
            # one (every call of the day, each looked up to test its rev).
            f"SELECT {_CALL_COLS} FROM call WHERE rev > ? AND +entered_at >= ? AND +entered_at < ?",
            (since, start, end),
        )
    ]


def queues(conn: Connection) -> list[QueueInfo]:
    return [
        QueueInfo(r[0], int(r[1]), float(r[2]))
        for r in fetchall(
            conn, "SELECT name, sl_target_seconds, sl_target_fraction FROM queue ORDER BY name"
        )
    ]


def calls_entered(conn: Connection, start: float, end: float) -> list[CallRecord]:
    """Calls that entered a queue in [start, end)."""
    return [
        _call(r)
        for r in fetchall(
            conn,
            f"SELECT {_CALL_COLS} FROM call WHERE entered_at >= ? AND entered_at < ?",
            (start, end),
        )
    ]


def calls_waiting(conn: Connection, now: float) -> list[CallRecord]:
    """Calls in queue at `now` (entered, not answered or gone by then), as they stood then."""
    return [
        replace(_call(r), outcome=Outcome.WAITING, answered_at=None, ended_at=None)
        for r in fetchall(
            conn,
            f"SELECT {_CALL_COLS} FROM call WHERE entered_at <= ? AND entered_at > ? "
            "AND (answered_at IS NULL OR answered_at > ?) AND (ended_at IS NULL OR ended_at > ?)",
            (now, now - WAITING_HORIZON, now, now),
        )
    ]


def agents_now(
    conn: Connection,
    now: float,
    day_start: float,
    *,
    logged_in_only: bool = True,
    calls_today: dict[str, int] | None = None,
) -> list[AgentNow]:
    """Every agent whose state span covers `now` (logged-in ones unless asked otherwise)."""
    # The state that lasts is in agent_live; ended ones in agent_state_span. At a past `now`
    # (replay) an agent's state then is a closed span covering it.
    latest = fetchall(conn, "SELECT max(state_since) FROM agent_live")[0][0]
    spans: list[tuple[Any, ...]] = []
    members = "l.queues"
    params: tuple[Any, ...] = (now,)
    if latest is not None and now < latest:  # a past instant: some states then have ended since
        # ...and queue memberships may have changed since: the membership history says
        # which queues each agent was in then (agents with no history: the ones they are in).
        members = (
            "coalesce((SELECT m.queues FROM agent_membership m WHERE m.agent = l.agent "
            "AND m.since <= ? ORDER BY m.since DESC, m.id DESC LIMIT 1), l.queues)"
        )
        params = (now, now)
        spans = fetchall(
            conn,
            "SELECT s.agent, s.state, s.start, s.reason, s.queue, coalesce((SELECT m.queues "
            "FROM agent_membership m WHERE m.agent = s.agent AND m.since <= ? "
            "ORDER BY m.since DESC, m.id DESC LIMIT 1), l.queues) FROM agent_state_span s "
            'LEFT JOIN agent_live l ON l.agent = s.agent WHERE s."end" > ? AND s.start <= ?',
            (now, now, now),
        )
    spans += [
        (
            r[0],
            r[1],
            r[2],
            r[3] if r[1] == "paused" else None,
            r[4] if r[1] == "on_call" else None,
            r[5],
        )
        for r in fetchall(
            conn,
            f"SELECT l.agent, l.state, l.state_since, l.reason, l.call_queue, {members} "
            "FROM agent_live l WHERE l.state_since <= ?",
            params,
        )
    ]
    who = {
        r[0]: (r[1], r[2], r[3])
        for r in fetchall(
            conn,
            "SELECT a.name, s.staff_id, s.name, t.name FROM acd_agent a JOIN staff s ON s.id = a.staff_pk "
            "LEFT JOIN team t ON t.id = s.team_id",
        )
    }
    counts = calls_today
    if counts is None:
        counts = dict(
            fetchall(
                conn,
                "SELECT agent, count(*) FROM call WHERE answered_at >= ? AND answered_at <= ? "
                "AND agent IS NOT NULL GROUP BY agent",
                (day_start, now),
            )
        )
    out: list[AgentNow] = []
    for agent, state, start, reason, queue, member in spans:
        st = AgentState(state)
        if logged_in_only and st is AgentState.LOGGED_OUT:
            continue
        staff_id, name, team = who.get(agent, (None, agent, None))
        out.append(
            AgentNow(
                agent=agent,
                staff_id=staff_id,
                name=name,
                team=team,
                state=st,
                since=float(start),
                reason=reason,
                queue=queue,
                member_queues=tuple(filter(None, (member or "").split("|"))),
                calls_today=int(counts.get(agent, 0)),
            )
        )
    return out


CHANGE_CHANNEL = "floorsup_changes"  # what migration 0008's triggers notify (payload: table)


class ChangeWatcher:
    """Tells cheaply whether anyone committed since the last look.

    SQLite: `PRAGMA data_version` on one connection held open for the purpose (it counts
    other connections' commits; the whole database, so `tables` narrows nothing there).

    PostgreSQL (psycopg 3): a connection of its own, in autocommit, that LISTENs on
    `floorsup_changes`; migration 0008's statement-level triggers on every table notify it
    with the table's name, and PostgreSQL delivers a notice only when its transaction
    commits (a rolled-back write tells nobody). A look reads what has arrived without
    waiting (no query, no round trip: libpq's buffered input only) and says True when
    something did (for one of `tables`, when given). A dropped connection is opened again
    on the next look, which then says True: changes may have been missed meanwhile. After
    `PING_SECONDS` without a word the look asks the server `SELECT 1`, so a connection
    that died silently (no FIN: a cable, a firewall) is found out too.

    `marker`: a narrower question of its own, read on a held connection on any backend
    (for screens that care about some tables only); `tables` is then not used. Another
    PostgreSQL driver than psycopg: the newest event id and span count, as before 0008.

    One look at a time: the screens look from thread workers and `close` from the event
    loop, so `close` never waits long for a look under way (that look closes after it)."""

    PING_SECONDS = 30.0
    CONNECT_TIMEOUT_SECONDS = 5

    def __init__(
        self,
        engine: Engine,
        marker: Callable[[Connection], object] | None = None,
        *,
        tables: Iterable[str] | None = None,
    ) -> None:
        import threading

        self.engine = engine
        self.tables = frozenset(tables) if tables is not None else None
        self._conn: Connection | None = None
        self._last: object = None
        self._own = marker
        self._listens = (
            marker is None
            and engine.dialect.name == "postgresql"
            and engine.dialect.driver == "psycopg"
        )
        self._listener: Any = None  # psycopg.Connection, when listening
        self._heard: set[str] = set()  # tables named by notices not yet looked at
        self._heard_at = 0.0  # time.monotonic() of the last word from the listener
        self._missed = True  # nothing was looked at yet: the first look says changed
        self._lock = threading.Lock()
        self._close_after_look = False

    # -- looking ----------------------------------------------------------------------------
    def changed(self) -> bool:
        with self._lock:
            try:
                if self._listens:
                    return self._notified()
                marker = self._marker()
                if marker == self._last:
                    return False
                self._last = marker
                return True
            finally:
                if self._close_after_look:
                    self._release()

    def _marker(self) -> object:
        if self._conn is None:
            self._conn = self.engine.connect()
        try:
            if self._own is not None:
                mark = self._own(self._conn)
                self._conn.rollback()
                return mark
            if self._conn.dialect.name == "sqlite":
                return fetchall(self._conn, "PRAGMA data_version")[0][0]
            row = fetchall(
                self._conn,
                "SELECT max(id), (SELECT max(id) FROM agent_state_span) FROM queue_event",
            )
            self._conn.rollback()
            return row[0]
        except Exception:  # a lost connection: the next look takes a fresh one from the pool
            self._release_conn()
            raise

    def _notified(self) -> bool:
        import psycopg

        if self._listener is not None:
            try:
                self._drain(self._listener)
            except psycopg.Error:  # the server went away, or our backend was ended
                self._release_listener()
        if self._listener is None:  # first look, or the last one found it gone
            self._missed = True  # whatever was committed meanwhile told nobody
            self._listener = self._listen()
        missed, self._missed = self._missed, False
        heard, self._heard = self._heard, set()
        if self.tables is not None:
            heard &= self.tables
        return missed or bool(heard)

    def _drain(self, listener: Any) -> None:
        """Take the notices that have arrived, without waiting for any."""
        from time import monotonic

        import psycopg

        if monotonic() - self._heard_at > self.PING_SECONDS:
            listener.execute("SELECT 1")  # notices arriving meanwhile go to _hear
            self._heard_at = monotonic()
        pgconn = listener.pgconn
        pgconn.consume_input()  # reads what the socket holds; raises if the server is gone
        got = False
        while (notice := pgconn.notifies()) is not None:
            self._heard.add(notice.extra.decode("utf-8", "replace"))
            got = True
        if listener.closed or listener.broken:
            raise psycopg.OperationalError("the listening connection is closed")
        if got:
            self._heard_at = monotonic()

    def _hear(self, notice: Any) -> None:  # psycopg's handler, for notices met by a query
        self._heard.add(notice.payload)

    def _listen(self) -> Any:
        from time import monotonic

        import psycopg

        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
        cparams.setdefault("connect_timeout", self.CONNECT_TIMEOUT_SECONDS)
        cparams.setdefault("application_name", "floorsup change watcher")
        # TCP only (libpq ignores them on a Unix socket): a peer gone without a word shows
        # as an error within about half a minute, and the ping never hangs for minutes.
        tcp = {
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        for key, value in tcp.items():
            cparams.setdefault(key, value)
        if psycopg.pq.version() >= 120000:  # libpq 12 knows tcp_user_timeout (ms)
            cparams.setdefault("tcp_user_timeout", 20_000)
        conn = psycopg.connect(*cargs, **cparams, autocommit=True)
        try:
            conn.add_notify_handler(self._hear)
            conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        except BaseException:
            conn.close()
            raise
        self._heard_at = monotonic()
        return conn

    @property
    def listener_pid(self) -> int | None:
        """The server process of the PostgreSQL listening connection, when there is one."""
        return None if self._listener is None else int(self._listener.info.backend_pid)

    def reset(self) -> None:
        """Forget the last marker: the next look says "changed" (after a failed fetch)."""
        self._last = None
        self._missed = True

    # -- letting go -------------------------------------------------------------------------
    def close(self) -> None:
        """Give back the held connection (and close the listening one). Called from the
        event loop: when a look is under way in a worker, that look closes after it."""
        if not self._lock.acquire(timeout=0.5):
            self._close_after_look = True
            if not self._lock.acquire(blocking=False):  # the look ended just now?
                return
        try:
            self._release()
        finally:
            self._lock.release()

    def _release(self) -> None:
        self._close_after_look = False
        self._release_conn()
        self._release_listener()

    def _release_conn(self) -> None:
        import contextlib

        conn, self._conn = self._conn, None
        self._last = None  # another connection's data_version is not comparable
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken: the pool discards it
                conn.close()

    def _release_listener(self) -> None:
        import contextlib

        listener, self._listener = self._listener, None
        self._heard = set()
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.close()

    def __enter__(self) -> ChangeWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class SpanRow:
    state: AgentState
    start: float
    end: float | None
    reason: str | None
    queue: str | None


@dataclass(frozen=True, slots=True)
class AgentDay:
    agent: str
    staff_id: str | None
    name: str
    team: str | None
    role: str | None
    hire_date: str | None
    other_names: tuple[str, ...]
    spans: tuple[SpanRow, ...]
    calls: tuple[CallRecord, ...]


def agent_day(conn: Connection, agent: str, day_start: float, now: float) -> AgentDay:
    """One agent's day so far: who they are, their state spans and their calls."""
    who = fetchall(
        conn,
        "SELECT s.staff_id, s.name, t.name, s.role, s.hire_date, s.id FROM acd_agent a "
        "JOIN staff s ON s.id = a.staff_pk LEFT JOIN team t ON t.id = s.team_id WHERE a.name = ?",
        (agent,),
    )
    others: tuple[str, ...] = ()
    if who:
        staff_id, name, team, role, hire, pk = who[0]
        others = tuple(
            r[0] for r in fetchall(conn, "SELECT name FROM acd_agent WHERE staff_pk = ?", (pk,))
        )
    else:
        staff_id, name, team, role, hire = None, agent, None, None, None
    rows = fetchall(
        conn,
        'SELECT state, start, "end", reason, queue FROM agent_state_span WHERE agent = ? '
        'AND start <= ? AND "end" > ? ORDER BY start',
        (agent, now, day_start),
    )
    rows += [
        (r[0], r[1], None, r[2] if r[0] == "paused" else None, r[3] if r[0] == "on_call" else None)
        for r in fetchall(
            conn,
            "SELECT state, state_since, reason, call_queue FROM agent_live WHERE agent = ? AND state_since <= ?",
            (agent, now),
        )
    ]
    spans = tuple(
        SpanRow(
            AgentState(r[0]),
            float(r[1]),
            None if r[2] is None or r[2] > now else float(r[2]),
            r[3],
            r[4],
        )
        for r in rows
    )
    calls = tuple(
        _call(r)
        for r in fetchall(
            conn,
            # Through the day's calls by when they entered (ix_call_entered_at: bounded by
            # the day, not the table's history; no index of its own, which ingest would pay).
            f"SELECT {_CALL_COLS} FROM call WHERE entered_at >= ? AND entered_at <= ? "
            "AND agent = ? AND answered_at >= ? AND answered_at <= ? ORDER BY answered_at",
            (day_start - WAITING_HORIZON, now, agent, day_start, now),
        )
    )
    return AgentDay(
        agent, staff_id, name, team, role, str(hire) if hire else None, others, spans, calls
    )


def staff_day(conn: Connection, staff_id: str, day_start: float, now: float) -> AgentDay | None:
    """`agent_day` for a person found on the roster: through the ACD name they used last
    (None if the staff id is unknown). Someone with no ACD name has a day with no states."""
    names = fetchall(
        conn,
        "SELECT a.name FROM acd_agent a JOIN staff s ON s.id = a.staff_pk "
        "LEFT JOIN agent_live l ON l.agent = a.name WHERE s.staff_id = ? "
        "ORDER BY coalesce(l.last_ts, 0) DESC, a.name LIMIT 1",
        (staff_id,),
    )
    if names:
        return agent_day(conn, names[0][0], day_start, now)
    who = fetchall(
        conn,
        "SELECT s.staff_id, s.name, t.name, s.role, s.hire_date FROM staff s "
        "LEFT JOIN team t ON t.id = s.team_id WHERE s.staff_id = ?",
        (staff_id,),
    )
    if not who:
        return None
    sid, name, team, role, hire = who[0]
    return AgentDay("", sid, name, team, role, str(hire) if hire else None, (), (), ())


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person for pickers and search: who, which team, which ACD name (if any)."""

    staff_id: str
    name: str
    team: str | None
    role: str
    agent: str | None


def roster(conn: Connection) -> list[RosterEntry]:
    """Everyone active on the roster, by name."""
    return [
        RosterEntry(r[0], r[1], r[2], r[3], r[4])
        for r in fetchall(
            conn,
            "SELECT s.staff_id, s.name, t.name, s.role, min(a.name) FROM staff s "
            "LEFT JOIN team t ON t.id = s.team_id LEFT JOIN acd_agent a ON a.staff_pk = s.id "
            "WHERE s.active GROUP BY s.id, s.staff_id, s.name, t.name, s.role ORDER BY s.name",
        )
    ]


def who(
    conn: Connection, *, agent: str | None = None, staff_id: str | None = None
) -> RosterEntry | None:
    """One person on the roster, by ACD name or staff id (None if not on the roster)."""
    sql = (
        "SELECT s.staff_id, s.name, t.name, s.role, "
        "(SELECT min(a.name) FROM acd_agent a WHERE a.staff_pk = s.id) "
        "FROM staff s LEFT JOIN team t ON t.id = s.team_id WHERE "
    )
    if staff_id:
        rows = fetchall(conn, sql + "s.staff_id = ?", (staff_id,))
    elif agent:
        rows = fetchall(
            conn, sql + "s.id = (SELECT staff_pk FROM acd_agent WHERE name = ?)", (agent,)
        )
    else:
        return None
    return RosterEntry(*rows[0]) if rows else None


def member_queues(conn: Connection) -> dict[str, frozenset[str]]:
    """The queues each person on the roster is a member of now (from the ACD's own
    membership events, through all their ACD names)."""
    out: dict[str, set[str]] = {}
    for sid, queues in fetchall(
        conn,
        "SELECT s.staff_id, l.queues FROM agent_live l JOIN acd_agent a ON a.name = l.agent "
        "JOIN staff s ON s.id = a.staff_pk WHERE l.queues != ''",
    ):
        out.setdefault(sid, set()).update(q for q in str(queues).split("|") if q)
    return {sid: frozenset(qs) for sid, qs in out.items()}


@dataclass(frozen=True)
class StaffRow:
    staff_id: str
    name: str
    team: str | None
    role: str
    hire_date: dt.date | None


def staff_rows(conn: Connection, *, role: str | None = None) -> list[StaffRow]:
    """Everyone active on the roster (only `role`, if given), by name, with hire dates."""
    sql = (
        "SELECT s.staff_id, s.name, t.name, s.role, s.hire_date FROM staff s "
        "LEFT JOIN team t ON t.id = s.team_id WHERE s.active"
    )
    params: tuple[object, ...] = ()
    if role is not None:
        sql, params = sql + " AND s.role = ?", (role,)
    return [
        StaffRow(sid, name, team, r, dt.date.fromisoformat(str(h)) if h else None)
        for sid, name, team, r, h in fetchall(conn, sql + " ORDER BY s.name", params)
    ]


def acd_agents(conn: Connection) -> list[str]:
    """Every ACD agent name the feed has shown."""
    return [r[0] for r in fetchall(conn, "SELECT name FROM acd_agent ORDER BY name")]


def membership_history(
    conn: Connection, day_start: float, until: float, agents: Iterable[str] | None = None
) -> tuple[dict[str, list[tuple[float, tuple[str, ...]]]], dict[str, tuple[str, ...]]]:
    """Each agent's member queues over [day_start, until): their changes in order, the first
    being the membership they started the day with (from the last change before it), and
    the queues each agent is in now (for agents the history has nothing on). With `agents`,
    those agents' only."""
    history: dict[str, list[tuple[float, tuple[str, ...]]]] = {}
    sql = (
        "SELECT m.agent, m.since, m.queues FROM agent_membership m WHERE m.since < ? AND "
        "m.since >= coalesce((SELECT max(p.since) FROM agent_membership p "
        "WHERE p.agent = m.agent AND p.since <= ?), ?)"
    )
    parts: list[tuple[str, tuple[Any, ...]]] = []
    if agents is None:
        parts.append((sql, ()))
    else:
        names = sorted(set(agents))
        for k in range(0, len(names), 500):
            part = tuple(names[k : k + 500])
            parts.append((f"{sql} AND m.agent IN ({', '.join('?' * len(part))})", part))
    for where, extra in parts:
        for agent, since, queues in fetchall(
            conn, where + " ORDER BY m.agent, m.since, m.id", (until, day_start, day_start, *extra)
        ):
            history.setdefault(agent, []).append(
                (float(since), tuple(filter(None, (queues or "").split("|"))))
            )
    current = {
        r[0]: tuple(filter(None, (r[1] or "").split("|")))
        for r in fetchall(conn, "SELECT agent, queues FROM agent_live")
    }
    return history, current


def membership_rev(conn: Connection) -> int:
    """The highest membership row id (the ingest only adds rows; a replay of an agent deletes
    theirs and adds them anew, with higher ids)."""
    return int(fetchall(conn, "SELECT coalesce(max(id), 0) FROM agent_membership")[0][0])


def membership_changed(conn: Connection, after_id: int) -> set[str]:
    """Agents with a membership row written after row id `after_id`."""
    return {
        r[0]
        for r in fetchall(
            conn, "SELECT DISTINCT agent FROM agent_membership WHERE id > ?", (after_id,)
        )
    }


def calls_by_minute(
    conn: Connection, start: float, end: float
) -> list[tuple[str, int, int, int, float]]:
    """Calls entered in [start, end) summed per queue and whole minute after `start`:
    (queue, minute, offered, handled, handle seconds), handled being answered or transferred
    calls with a talk time (what an AHT is made of)."""
    handled = "outcome IN ('answered', 'transferred') AND talk_seconds IS NOT NULL"
    return [
        (r[0], int(r[1]), int(r[2]), int(r[3] or 0), float(r[4] or 0.0))
        for r in fetchall(
            conn,
            # entered_at - start >= 0, so the cast truncates to the minute (floor).
            "SELECT queue, CAST((entered_at - ?) / 60 AS INTEGER) AS m, count(*), "
            f"sum(CASE WHEN {handled} THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {handled} THEN talk_seconds + coalesce(hold_seconds, 0) ELSE 0 END) "
            "FROM call WHERE entered_at >= ? AND entered_at < ? GROUP BY queue, m",
            (start, start, end),
        )
    ]

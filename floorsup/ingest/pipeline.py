"""The ingest pipeline: parsed events → duplicates dropped → calls and agent state spans
derived → all of it, with the checkpoint, written in one transaction per batch.

The in-memory state (recent events for duplicate checks, calls still open or recent,
each agent's state machine) is a cache of what the database holds: it is rebuilt from the
database on start, so a kill at any moment followed by a restart loses and doubles nothing.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, Engine

from floorsup.domain.types import AgentState
from floorsup.ingest.derive import (
    AGENT_EVENTS,
    CALL_EVENTS,
    NO_ID,
    AgentMachine,
    Span,
    fold_agent,
    fold_call,
    is_agent_event,
    is_call_event,
)
from floorsup.ingest.queue_log import Event, Rejected
from floorsup.store.engine import StoreError, write_conn
from floorsup.store.sql import JsonRows, bulk_insert, execute, executemany, fetchall

WINDOW = 2 * 3600.0  # events newer than (newest − WINDOW) are checked for duplicates in memory
OPEN_CALL_HORIZON = 24 * 3600.0  # an open call silent this long is left to the database

_EVENT_COLS = "ts, callid, queue, agent, event, data"
_UPSERT_CALL = (
    "INSERT INTO call (callid, queue, entered_at, answered_at, ended_at, wait_seconds, "
    "talk_seconds, hold_seconds, agent, outcome, rev) VALUES (?,?,?,?,?,?,?,?,?,?,{rev}) "
    "ON CONFLICT (callid, queue) DO UPDATE SET entered_at=excluded.entered_at, "
    "answered_at=excluded.answered_at, ended_at=excluded.ended_at, "
    "wait_seconds=excluded.wait_seconds, talk_seconds=excluded.talk_seconds, "
    "hold_seconds=excluded.hold_seconds, agent=excluded.agent, outcome=excluded.outcome, "
    "rev=excluded.rev"
)
_INSERT_SPAN = 'INSERT INTO agent_state_span (agent, state, reason, queue, callid, start, "end") VALUES (?,?,?,?,?,?,?)'
_INSERT_MEMBERSHIP = "INSERT INTO agent_membership (agent, since, queues) VALUES (?,?,?)"
_UPSERT_LIVE = (
    "INSERT INTO agent_live (agent, logged_in, queues, paused, reason, call_id, call_queue, "
    "last_ts, state, state_since) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (agent) DO UPDATE SET "
    "logged_in=excluded.logged_in, queues=excluded.queues, paused=excluded.paused, "
    "reason=excluded.reason, call_id=excluded.call_id, call_queue=excluded.call_queue, "
    "last_ts=excluded.last_ts, state=excluded.state, state_since=excluded.state_since"
)


@dataclass
class BatchCounts:
    events: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0
    calls: int = 0
    spans: int = 0
    rebuilt_agents: int = 0


@dataclass
class Checkpoint:
    source_id: int
    offset: int
    line_no: int
    dev: int | None = None
    inode: int | None = None
    head: str | None = None
    rotations: int = 0
    format: str = "flat"
    # Where the stored checkpoint stands before this batch: a batch commits only if it
    # still does, so two ingests of one file can never both store the same lines.
    expect: tuple[int, int] | None = None


class IngestConflict(StoreError):
    """Another ingest moved this feed's checkpoint: two are reading the same file."""


@dataclass
class _CallEntry:
    events: list[Event] = field(default_factory=list)
    last_ts: float = 0.0
    final: bool = False


def _ts(e: Event) -> float:
    return e[0]


def _by_ts(item: tuple[int, Event]) -> float:
    return item[1][0]


@dataclass
class _WriteSet:
    """Everything one batch writes, committed in one transaction with its checkpoint."""

    cp: Checkpoint
    counts: BatchCounts
    events: list[tuple[object, ...]] = field(default_factory=list)
    rejects: list[tuple[object, ...]] = field(default_factory=list)
    queues: list[tuple[str]] = field(default_factory=list)
    agents: list[tuple[str]] = field(default_factory=list)
    calls: list[tuple[object, ...]] = field(default_factory=list)
    spans: list[tuple[object, ...]] = field(default_factory=list)
    rebuilt: list[tuple[str, list[tuple[object, ...]]]] = field(default_factory=list)
    members: list[tuple[object, ...]] = field(default_factory=list)  # (agent, since, queues)
    rebuilt_members: list[tuple[str, list[tuple[object, ...]]]] = field(default_factory=list)
    live: list[tuple[object, ...]] = field(default_factory=list)
    drop_live: list[tuple[str]] = field(default_factory=list)

    def encode(self) -> None:
        """Encode the big tables' rows for SQLite's json_each (see store.sql.JsonRows)."""
        self.events = JsonRows.of(self.events)  # type: ignore[assignment]
        self.calls = JsonRows.of(self.calls)  # type: ignore[assignment]
        self.spans = JsonRows.of(self.spans)  # type: ignore[assignment]

    def write(self, conn: Connection) -> None:
        """All of it, in the caller's transaction."""
        sid = int(self.cp.source_id)
        bulk_insert(
            conn,
            f"INSERT INTO queue_event (ts, callid, queue, agent, event, data, source_id) VALUES (?,?,?,?,?,?,{sid})",
            self.events,
        )
        bulk_insert(
            conn,
            "INSERT INTO rejected_line (source_id, line_no, byte_offset, reason, raw, seen_at) VALUES (?,?,?,?,?,?)",
            self.rejects,
        )
        executemany(
            conn,
            "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, 20, 0.8) "
            "ON CONFLICT (name) DO NOTHING",
            self.queues,
        )
        executemany(
            conn,
            "INSERT INTO acd_agent (name, position) VALUES "
            "(?, (SELECT coalesce(max(position), 0) + 1 FROM acd_agent)) "
            "ON CONFLICT (name) DO NOTHING",
            self.agents,
        )
        if self.calls:
            # The writer holds the write lock (BEGIN IMMEDIATE): no other batch can take the
            # same number, and each committed batch's is higher than every earlier one's.
            rev = int(fetchall(conn, "SELECT coalesce(max(rev), 0) + 1 FROM call")[0][0])
            bulk_insert(conn, _UPSERT_CALL.format(rev=rev), self.calls)
        bulk_insert(conn, _INSERT_SPAN, self.spans)
        for agent, rows in self.rebuilt:
            execute(conn, "DELETE FROM agent_state_span WHERE agent = ?", (agent,))
            bulk_insert(conn, _INSERT_SPAN, rows)
        executemany(conn, _INSERT_MEMBERSHIP, self.members)
        for agent, rows in self.rebuilt_members:
            execute(conn, "DELETE FROM agent_membership WHERE agent = ?", (agent,))
            executemany(conn, _INSERT_MEMBERSHIP, rows)
        executemany(conn, "DELETE FROM agent_live WHERE agent = ?", self.drop_live)
        bulk_insert(conn, _UPSERT_LIVE, self.live)
        cp, c = self.cp, self.counts
        guard, expect = "", ()
        if cp.expect is not None:
            guard, expect = ' AND "offset" = ? AND line_no = ?', cp.expect
        changed = execute(
            conn,
            'UPDATE ingest_source SET "offset" = ?, line_no = ?, dev = ?, inode = ?, head = ?, '
            "rotations = ?, format = ?, lines_ok = lines_ok + ?, lines_rejected = lines_rejected + ?, "
            f"lines_duplicate = lines_duplicate + ?, updated_at = ? WHERE id = ?{guard}",
            (
                cp.offset,
                cp.line_no,
                cp.dev,
                cp.inode,
                cp.head,
                cp.rotations,
                cp.format,
                c.events,
                c.rejected,
                c.duplicates,
                time.time(),
                cp.source_id,
                *expect,
            ),
        )
        if changed != 1:
            where = f" past byte {cp.expect[0]:,}" if cp.expect else ""
            raise IngestConflict(
                f"another ingest is reading the same feed (its checkpoint moved{where}): run one "
                "`floorsup ingest` per file; nothing of this batch was stored"
            )


class _Writer:
    """Commits batches in order on its own thread, so SQLite's work (which runs without the
    GIL) overlaps the parsing and deriving of the next batch. At most two batches wait."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.q: queue.Queue[_WriteSet | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def put(self, ws: _WriteSet) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="floorsup-ingest-writer", daemon=True
            )
            self._thread.start()
        self.q.put(ws)

    def join(self) -> None:
        if self._thread is not None:
            self.q.join()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.q.put(None)
            self._thread.join()
        self._thread = None

    def _run(self) -> None:
        conn: Connection | None = None
        try:
            conn = write_conn(self.engine)
        except BaseException as exc:  # reported by the next put/flush; the queue still drains
            self.error = exc
        try:
            while True:
                ws = self.q.get()
                try:
                    if ws is None:
                        return
                    if self.error is None and conn is not None:  # after a failure, drop the rest
                        with conn.begin():
                            ws.write(conn)
                except BaseException as exc:
                    self.error = exc
                finally:
                    self.q.task_done()
        finally:
            if conn is not None:
                conn.close()


class Pipeline:
    """Derivation state plus the batch writer. One per running ingest."""

    def __init__(self, engine: Engine, *, pipelined: bool = True) -> None:
        self.engine = engine
        self.pipelined = pipelined
        self._writer = _Writer(engine)
        self._reader: Connection | None = None
        self.seen: dict[int, set[Event]] = defaultdict(set)
        self.mem_floor = float("-inf")
        self.newest = float("-inf")
        self.calls: dict[tuple[str, str], _CallEntry] = {}
        self.agents: dict[str, AgentMachine] = {}
        self.alias: dict[str, str] = {}  # ACD name → canonical agent key (roster's first name)
        self.known_queues: set[str] = set()
        self.known_agents: set[str] = set()
        self._batches = 0
        self._alias_conn: Connection | None = None
        self._alias_checked = time.monotonic()
        self._drop_live: list[str] = []
        with engine.connect() as conn:
            self._load(conn)

    # -- start-up: rebuild the cache from the database ---------------------------------
    def _load(self, conn: Connection) -> None:
        self.refresh_aliases(conn)
        self.known_queues = {r[0] for r in fetchall(conn, "SELECT name FROM queue")}
        self.known_agents = {r[0] for r in fetchall(conn, "SELECT name FROM acd_agent")}
        newest = fetchall(conn, "SELECT max(ts) FROM queue_event")[0][0]
        if newest is None:
            return
        self.newest = float(newest)
        self.mem_floor = self.newest - WINDOW
        for ev in fetchall(
            conn, f"SELECT {_EVENT_COLS} FROM queue_event WHERE ts >= ?", (self.mem_floor,)
        ):
            self.seen[int(ev[0] // 3600)].add(ev)  # type: ignore[arg-type]
        for row in fetchall(
            conn,
            "SELECT agent, logged_in, queues, paused, reason, call_id, call_queue, last_ts, state, state_since "
            "FROM agent_live",
        ):
            m = AgentMachine(row[0])
            m.logged_in, m.paused, m.reason = bool(row[1]), bool(row[3]), row[4]
            m.queues = set(filter(None, (row[2] or "").split("|")))
            m.qkey = "|".join(sorted(m.queues))
            m.call_id, m.call_queue, m.last_ts = row[5], row[6], float(row[7])
            state = AgentState(row[8])
            reason = m.reason if state is AgentState.PAUSED else None
            queue = m.call_queue if state is AgentState.ON_CALL else None
            callid = m.call_id if state is AgentState.ON_CALL else None
            m.current = Span(m.agent, state, float(row[9]), None, reason, queue, callid)
            self.agents[m.agent] = m
        open_calls = fetchall(
            conn,
            "SELECT callid, min(entered_at) FROM call WHERE outcome IN ('waiting', 'in_progress') "
            "AND entered_at >= ? GROUP BY callid",
            (self.newest - OPEN_CALL_HORIZON,),
        )
        since = min([self.mem_floor, *(float(r[1]) - 3600 for r in open_calls)])
        wanted = {r[0] for r in open_calls}
        for ev in fetchall(
            conn, f"SELECT {_EVENT_COLS} FROM queue_event WHERE ts >= ? ORDER BY ts, id", (since,)
        ):
            e: Event = ev  # type: ignore[assignment]
            if is_call_event(e) and (e[0] >= self.mem_floor or e[1] in wanted):
                self._add_call_event(e)

    def refresh_aliases(self, conn: Connection) -> None:
        rows = fetchall(
            conn,
            "SELECT a.name, s.staff_id FROM acd_agent a JOIN staff s ON s.id = a.staff_pk "
            "ORDER BY a.position, a.name",
        )
        first: dict[str, str] = {}
        alias: dict[str, str] = {}
        for name, staff_id in rows:
            alias[name] = first.setdefault(staff_id, name)
        self.alias = alias

    def _follow_roster(self) -> None:
        """Pick up a roster imported while the feed runs (every few seconds, cheaply). A name
        that now belongs to someone listed under another ACD name stops being an agent of
        its own: its lasting state is dropped, and that person's is kept under the first."""
        now = time.monotonic()
        if now - self._alias_checked < 2.0:
            return
        self._alias_checked = now
        if self._alias_conn is None:
            self._alias_conn = self.engine.connect()
        before = self.alias
        self.refresh_aliases(self._alias_conn)
        for name, canon in self.alias.items():
            if canon != name and before.get(name, name) == name and name in self.agents:
                del self.agents[name]
                self._drop_live.append(name)

    def _add_call_event(self, e: Event) -> _CallEntry:
        entry = self.calls.get((e[1], e[2]))
        if entry is None:
            entry = self.calls[(e[1], e[2])] = _CallEntry()
        entry.events.append(e)
        if e[0] > entry.last_ts:
            entry.last_ts = e[0]
        return entry

    def _load_call_events(self, conn: Connection, callid: str) -> None:
        """Bring a call the cache no longer holds back from the database: the call table's
        index gives when it entered, the event table's time index the range to read."""
        row = fetchall(
            conn,
            "SELECT min(entered_at), max(coalesce(ended_at, entered_at)) FROM call WHERE callid = ?",
            (callid,),
        )
        if not row or row[0][0] is None:
            return
        lo, hi = float(row[0][0]) - 3600, float(row[0][1]) + OPEN_CALL_HORIZON
        for ev in fetchall(
            conn,
            f"SELECT {_EVENT_COLS} FROM queue_event WHERE ts >= ? AND ts <= ? AND callid = ? ORDER BY ts, id",
            (lo, hi, callid),
        ):
            e: Event = ev  # type: ignore[assignment]
            if is_call_event(e) and (e[1], e[2]) not in self.calls:
                self._add_call_event(e)
            elif is_call_event(e):
                entry = self.calls[(e[1], e[2])]
                if e not in entry.events:
                    entry.events.append(e)
                    entry.events.sort(key=lambda x: x[0])

    # -- one batch ------------------------------------------------------------------------
    def process(
        self,
        parsed: Sequence[tuple[int, Event]],
        rejects: Sequence[Rejected],
        checkpoint: Checkpoint,
        *,
        blank: int = 0,
    ) -> BatchCounts:
        """Derive one batch and hand its rows to the writer. Returns once they are queued;
        `flush()` returns once everything queued is committed."""
        self._raise_writer_error()
        counts = BatchCounts(rejected=len(rejects), blank=blank)
        try:
            ws = self._derive(parsed, rejects, replace(checkpoint), counts)
        except BaseException:
            self._reset()
            raise
        if self.engine.dialect.name == "sqlite":
            ws.encode()  # JSON here, so the writer thread is left only SQLite's GIL-free work
        self._writer.put(ws)
        if not self.pipelined:
            self.flush()
        return counts

    def flush(self) -> None:
        """Wait until every batch handed over is committed (or raise what went wrong)."""
        self._writer.join()
        self._raise_writer_error()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._writer.stop()
            for conn in (self._alias_conn, self._reader):
                if conn is not None:
                    conn.close()
            self._alias_conn = self._reader = None

    def _raise_writer_error(self) -> None:
        err = self._writer.error
        if err is not None:
            self._writer.error = None
            self._reset()
            raise err

    def _reset(self) -> None:
        """A batch did not commit: the cache may hold what the database does not. Start over
        from the database. The feed that used this pipeline is done: a new QueueLogFeed
        resumes from the last committed checkpoint (the CLI exits; the demo starts anew)."""
        self._writer.stop()
        for conn in (self._alias_conn, self._reader):
            if conn is not None:
                conn.close()
        self.__init__(self.engine, pipelined=self.pipelined)  # type: ignore[misc]

    def _read(self) -> Connection:
        """A connection for the rare lookups; every queued batch is committed first."""
        self.flush()
        if self._reader is None:
            self._reader = self.engine.connect()
        else:
            self._reader.rollback()  # a fresh read snapshot
        return self._reader

    def _derive(
        self,
        parsed: Sequence[tuple[int, Event]],
        rejects: Sequence[Rejected],
        cp: Checkpoint,
        counts: BatchCounts,
    ) -> _WriteSet:
        self._follow_roster()
        fresh: list[tuple[int, Event]] = []
        batch_seen: set[Event] = set()
        floor = self.mem_floor
        seen = self.seen
        for item in parsed:
            ev = item[1]
            if ev[0] >= floor:  # recent: the hour's set holds every stored and queued event
                bucket = seen[int(ev[0] // 3600)]
                if ev in bucket:
                    counts.duplicates += 1
                    continue
                bucket.add(ev)
            elif ev in batch_seen or self._stored(ev):  # older: ask the database
                counts.duplicates += 1
                continue
            else:
                batch_seen.add(ev)
            fresh.append(item)
        fresh.sort(key=_by_ts)  # placed by timestamp; ties keep file order
        counts.events = len(fresh)

        changed_calls: set[tuple[str, str]] = set()
        touched: dict[str, AgentMachine] = {}
        rebuild: set[str] = set()
        closed: list[Span] = []
        new_queues: list[str] = []
        new_agents: list[str] = []
        alias = self.alias
        calls = self.calls
        agents = self.agents
        known_queues = self.known_queues
        newest = self.newest
        for _no, ev in fresh:
            ts, callid, q, raw_agent, name, _data = ev
            if ts > newest:
                newest = ts
            if q not in known_queues and q not in NO_ID:
                new_queues.append(q)
                known_queues.add(q)
            if name in CALL_EVENTS and callid not in NO_ID and q not in NO_ID:
                key = (callid, q)
                entry = calls.get(key)
                if entry is None:
                    if name != "ENTERQUEUE" or ts < floor:
                        self._load_call_events(self._read(), callid)
                        entry = calls.get(key)
                    if entry is None:
                        entry = calls[key] = _CallEntry()
                evs = entry.events
                evs.append(ev)
                if len(evs) > 1 and ts < evs[-2][0]:
                    evs.sort(key=_ts)
                if ts > entry.last_ts:
                    entry.last_ts = ts
                changed_calls.add(key)
            if name in AGENT_EVENTS and raw_agent not in NO_ID:
                if raw_agent not in self.known_agents:
                    new_agents.append(raw_agent)
                    self.known_agents.add(raw_agent)
                agent = alias.get(raw_agent, raw_agent)
                if agent in rebuild:
                    continue
                m = agents.get(agent)
                if m is None:
                    m = agents[agent] = AgentMachine(agent)
                if ts < m.last_ts:
                    rebuild.add(agent)  # a late line: replay this agent from its stored events
                    continue
                m.apply(ev, closed)
                touched[agent] = m
        self.newest = newest

        ws = _WriteSet(cp, counts)
        ws.drop_live = [(a,) for a in self._drop_live]
        self._drop_live = []
        sid = cp.source_id
        ws.events = [ev for _no, ev in fresh]
        now = time.time()
        ws.rejects = [(sid, r.line_no, r.byte_offset, r.reason, r.raw, now) for r in rejects]
        ws.queues = [(q,) for q in new_queues]
        ws.agents = [(a,) for a in new_agents]
        call_rows = ws.calls
        for key in changed_calls:
            entry = calls[key]
            folded = fold_call(entry.events)
            if folded is None:
                continue
            entered, answered, ended, wait, talk, ag, outcome = folded
            entry.final = ended is not None
            call_rows.append(
                (
                    key[0],
                    key[1],
                    entered,
                    answered,
                    ended,
                    wait,
                    talk,
                    None,  # hold: stock queue_log has none
                    alias.get(ag, ag) if ag else None,
                    outcome,  # a StrEnum is a str: stored as its value
                )
            )
        counts.calls = len(call_rows)
        ws.spans = [s.as_row() for s in closed]
        for m in touched.values():
            if m.joined:
                ws.members.extend((m.agent, ts, key) for ts, key in m.joined)
                m.joined = []
        for agent in rebuild:
            touched.pop(agent, None)
            self._rebuild_agent(agent, fresh, ws)
        counts.rebuilt_agents = len(rebuild)
        counts.spans = len(ws.spans) + sum(len(r) for _a, r in ws.rebuilt)
        ws.live[:0] = self._live_rows(touched.values())  # rebuilt agents' rows are already there
        self._batches += 1
        if self._batches % 4 == 0:
            self._evict()
        return ws

    def _stored(self, ev: Event) -> bool:
        rows = fetchall(
            self._read(),
            "SELECT 1 FROM queue_event WHERE ts = ? AND callid = ? AND queue = ? AND agent = ? "
            "AND event = ? AND data = ? LIMIT 1",
            ev,
        )
        return bool(rows)

    def _rebuild_agent(self, agent: str, fresh: Sequence[tuple[int, Event]], ws: _WriteSet) -> None:
        names = {n for n, canon in self.alias.items() if canon == agent} | {agent}
        marks = ",".join("?" * len(names))
        stored = fetchall(
            self._read(),
            f"SELECT {_EVENT_COLS} FROM queue_event WHERE agent IN ({marks}) ORDER BY ts, id",
            sorted(names),
        )
        events: list[Event] = [e for e in stored if is_agent_event(e)]  # type: ignore[misc]
        events.extend(ev for _no, ev in fresh if ev[3] in names and is_agent_event(ev))
        events.sort(key=_ts)
        closed, machine = fold_agent(agent, events)
        self.agents[agent] = machine
        ws.rebuilt.append((agent, [s.as_row() for s in closed]))
        ws.rebuilt_members.append((agent, [(agent, ts, key) for ts, key in machine.joined]))
        machine.joined = []
        ws.live.extend(self._live_rows([machine]))

    @staticmethod
    def _live_rows(machines: Iterable[AgentMachine]) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for m in machines:
            cur = m.current
            rows.append(
                (
                    m.agent,
                    m.logged_in,
                    "|".join(sorted(m.queues)),
                    m.paused,
                    m.reason,
                    m.call_id,
                    m.call_queue,
                    m.last_ts,
                    cur.state if cur else "logged_out",
                    cur.start if cur else m.last_ts,
                )
            )
        return rows

    def _evict(self) -> None:
        """Keep memory bounded on a feed that runs for months."""
        floor = self.newest - WINDOW
        if floor <= self.mem_floor:
            return
        for hour in [h for h in self.seen if (h + 1) * 3600 <= floor]:
            del self.seen[hour]
        self.mem_floor = max(self.mem_floor, float(int(floor // 3600) * 3600))
        horizon = self.newest - OPEN_CALL_HORIZON
        for key in [
            k
            for k, e in self.calls.items()
            if e.last_ts < self.mem_floor and (e.final or e.last_ts < horizon)
        ]:
            del self.calls[key]

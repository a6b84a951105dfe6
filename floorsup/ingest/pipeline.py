"""The ingest pipeline: parsed events → duplicates dropped → calls and agent state spans
derived → all of it, with the checkpoint, written in one transaction per batch.

The in-memory state (recent events for duplicate checks, calls still open or recent,
each agent's state machine) is a cache of what the database holds: it is rebuilt from the
database on start, so a kill at any moment followed by a restart loses and doubles nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from floorsup.domain.types import AgentState
from floorsup.ingest.derive import (
    NO_ID,
    AgentMachine,
    Span,
    derive_call,
    fold_agent,
    is_agent_event,
    is_call_event,
)
from floorsup.ingest.queue_log import Event, Rejected
from floorsup.store.engine import write_conn
from floorsup.store.sql import executemany, fetchall

WINDOW = 2 * 3600.0  # events newer than (newest − WINDOW) are checked for duplicates in memory
OPEN_CALL_HORIZON = 24 * 3600.0  # an open call silent this long is left to the database

_EVENT_COLS = "ts, callid, queue, agent, event, data"
_UPSERT_CALL = (
    "INSERT INTO call (callid, queue, entered_at, answered_at, ended_at, wait_seconds, "
    "talk_seconds, hold_seconds, agent, outcome) VALUES (?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (callid, queue) DO UPDATE SET entered_at=excluded.entered_at, "
    "answered_at=excluded.answered_at, ended_at=excluded.ended_at, "
    "wait_seconds=excluded.wait_seconds, talk_seconds=excluded.talk_seconds, "
    "hold_seconds=excluded.hold_seconds, agent=excluded.agent, outcome=excluded.outcome"
)
_INSERT_SPAN = 'INSERT INTO agent_state_span (agent, state, reason, queue, callid, start, "end") VALUES (?,?,?,?,?,?,?)'
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


@dataclass
class _CallEntry:
    events: list[Event] = field(default_factory=list)
    last_ts: float = 0.0
    final: bool = False


class Pipeline:
    """Derivation state plus the batch writer. One per running ingest."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: dict[int, set[Event]] = defaultdict(set)
        self.mem_floor = float("-inf")
        self.newest = float("-inf")
        self.calls: dict[tuple[str, str], _CallEntry] = {}
        self.agents: dict[str, AgentMachine] = {}
        self.alias: dict[str, str] = {}  # ACD name → canonical agent key (roster's first name)
        self.known_queues: set[str] = set()
        self.known_agents: set[str] = set()
        self._batches = 0
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
            m.call_id, m.call_queue, m.last_ts = row[5], row[6], float(row[7])
            state = AgentState(row[8])
            reason = m.reason if state is AgentState.PAUSED else None
            queue = m.call_queue if state is AgentState.ON_CALL else None
            callid = m.call_id if state is AgentState.ON_CALL else None
            m.current = Span(m.agent, state, float(row[9]), None, reason, queue, callid)
            self.agents[m.agent] = m
        open_calls = fetchall(
            conn,
            "SELECT DISTINCT callid FROM call WHERE outcome IN ('waiting', 'in_progress') AND entered_at >= ?",
            (self.newest - OPEN_CALL_HORIZON,),
        )
        recent = fetchall(
            conn, "SELECT DISTINCT callid FROM queue_event WHERE ts >= ?", (self.mem_floor,)
        )
        for (callid,) in {*open_calls, *recent}:
            if callid not in NO_ID:
                for key, entry in self._load_call_events(conn, callid).items():
                    self.calls[key] = entry

    def refresh_aliases(self, conn: Connection) -> None:
        rows = fetchall(
            conn,
            "SELECT a.name, s.staff_id FROM acd_agent a JOIN staff s ON s.id = a.staff_pk ORDER BY a.rowid",
        )
        first: dict[str, str] = {}
        alias: dict[str, str] = {}
        for name, staff_id in rows:
            alias[name] = first.setdefault(staff_id, name)
        self.alias = alias

    def _load_call_events(self, conn: Connection, callid: str) -> dict[tuple[str, str], _CallEntry]:
        out: dict[tuple[str, str], _CallEntry] = {}
        for ev in fetchall(
            conn,
            f"SELECT {_EVENT_COLS} FROM queue_event WHERE callid = ? ORDER BY ts, id",
            (callid,),
        ):
            e: Event = ev  # type: ignore[assignment]
            if is_call_event(e):
                entry = out.setdefault((e[1], e[2]), _CallEntry())
                entry.events.append(e)
                entry.last_ts = max(entry.last_ts, e[0])
        return out

    # -- one batch ------------------------------------------------------------------------
    def _is_duplicate(self, conn: Connection, ev: Event) -> bool:
        if ev[0] >= self.mem_floor:
            bucket = self.seen[int(ev[0] // 3600)]
            if ev in bucket:
                return True
            bucket.add(ev)
            return False
        rows = fetchall(
            conn,
            "SELECT 1 FROM queue_event WHERE ts = ? AND callid = ? AND queue = ? AND agent = ? "
            "AND event = ? AND data = ? LIMIT 1",
            ev,
        )
        return bool(rows)

    def process(
        self,
        parsed: Sequence[tuple[int, Event]],
        rejects: Sequence[Rejected],
        checkpoint: Checkpoint,
        *,
        blank: int = 0,
    ) -> BatchCounts:
        counts = BatchCounts(rejected=len(rejects), blank=blank)
        conn = write_conn(self.engine)
        try:
            with conn.begin():
                self._process(conn, parsed, rejects, checkpoint, counts)
        except BaseException:
            # The transaction rolled back: the cache may hold what the database does not.
            conn.close()
            self.__init__(self.engine)  # type: ignore[misc]
            raise
        conn.close()
        return counts

    def _process(
        self,
        conn: Connection,
        parsed: Sequence[tuple[int, Event]],
        rejects: Sequence[Rejected],
        cp: Checkpoint,
        counts: BatchCounts,
    ) -> None:
        fresh: list[tuple[int, Event]] = []
        batch_seen: set[Event] = set()
        for no, ev in parsed:
            if ev in batch_seen or self._is_duplicate(conn, ev):
                counts.duplicates += 1
                continue
            batch_seen.add(ev)
            fresh.append((no, ev))
        fresh.sort(key=lambda item: item[1][0])  # placed by timestamp; ties keep file order
        counts.events = len(fresh)

        changed_calls: set[tuple[str, str]] = set()
        touched: dict[str, AgentMachine] = {}
        rebuild: set[str] = set()
        closed: list[Span] = []
        new_queues: set[str] = set()
        new_agents: set[str] = set()
        alias = self.alias
        for _no, ev in fresh:
            ts = ev[0]
            if ts > self.newest:
                self.newest = ts
            q = ev[2]
            if q not in NO_ID and q not in self.known_queues:
                new_queues.add(q)
                self.known_queues.add(q)
            raw_agent = ev[3]
            if is_call_event(ev):
                key = (ev[1], q)
                entry = self.calls.get(key)
                if entry is None:
                    if ev[4] != "ENTERQUEUE" or ts < self.mem_floor:
                        self.calls.update(self._load_call_events(conn, ev[1]))
                        entry = self.calls.get(key)
                    if entry is None:
                        entry = self.calls[key] = _CallEntry()
                if entry.events and ts < entry.events[-1][0]:
                    entry.events.append(ev)
                    entry.events.sort(key=lambda e: e[0])
                else:
                    entry.events.append(ev)
                if ts > entry.last_ts:
                    entry.last_ts = ts
                changed_calls.add(key)
            if is_agent_event(ev):
                if raw_agent not in self.known_agents:
                    new_agents.add(raw_agent)
                    self.known_agents.add(raw_agent)
                agent = alias.get(raw_agent, raw_agent)
                if agent in rebuild:
                    continue
                m = self.agents.get(agent)
                if m is None:
                    m = self.agents[agent] = AgentMachine(agent)
                if ts < m.last_ts:
                    rebuild.add(agent)  # a late line: replay this agent from its stored events
                    continue
                m.apply(ev, closed)
                touched[agent] = m

        # -- write ----------------------------------------------------------------------
        sid = cp.source_id
        executemany(
            conn,
            "INSERT INTO queue_event (ts, callid, queue, agent, event, data, source_id, line_no) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(*ev, sid, no) for no, ev in fresh],
        )
        now = time.time()
        executemany(
            conn,
            "INSERT INTO rejected_line (source_id, line_no, byte_offset, reason, raw, seen_at) VALUES (?,?,?,?,?,?)",
            [(sid, r.line_no, r.byte_offset, r.reason, r.raw, now) for r in rejects],
        )
        executemany(
            conn,
            "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, 20, 0.8) "
            "ON CONFLICT (name) DO NOTHING",
            [(q,) for q in sorted(new_queues)],
        )
        executemany(
            conn,
            "INSERT INTO acd_agent (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
            [(a,) for a in sorted(new_agents)],
        )
        call_rows = []
        for key in changed_calls:
            entry = self.calls[key]
            rec = derive_call(key[0], key[1], entry.events)
            if rec is None:
                continue
            entry.final = rec.ended_at is not None
            call_rows.append(
                (
                    rec.callid,
                    rec.queue,
                    rec.entered_at,
                    rec.answered_at,
                    rec.ended_at,
                    rec.wait_seconds,
                    rec.talk_seconds,
                    rec.hold_seconds,
                    alias.get(rec.agent, rec.agent) if rec.agent else None,
                    rec.outcome.value,
                )
            )
        executemany(conn, _UPSERT_CALL, call_rows)
        counts.calls = len(call_rows)

        for agent in rebuild:
            touched.pop(agent, None)
            self._rebuild_agent(conn, agent, fresh)
        counts.rebuilt_agents = len(rebuild)
        if touched:
            executemany(
                conn,
                'DELETE FROM agent_state_span WHERE agent = ? AND "end" IS NULL',
                [(a,) for a in touched],
            )
            rows = [s.as_row() for s in closed]
            rows.extend(m.current.as_row() for m in touched.values() if m.current is not None)
            executemany(conn, _INSERT_SPAN, rows)
            counts.spans = len(rows)
            self._save_live(conn, touched.values())
        self._save_checkpoint(conn, cp, counts)
        self._batches += 1
        if self._batches % 20 == 0:
            self._evict()

    def _rebuild_agent(
        self, conn: Connection, agent: str, fresh: Sequence[tuple[int, Event]]
    ) -> None:
        names = [n for n, canon in self.alias.items() if canon == agent] or [agent]
        marks = ",".join("?" * len(names))
        stored = fetchall(
            conn,
            f"SELECT {_EVENT_COLS} FROM queue_event WHERE agent IN ({marks}) ORDER BY ts, id",
            names,
        )
        events: list[Event] = [e for e in stored if is_agent_event(e)]  # type: ignore[misc]
        events.sort(key=lambda e: e[0])
        closed, machine = fold_agent(agent, events)
        self.agents[agent] = machine
        executemany(conn, "DELETE FROM agent_state_span WHERE agent = ?", [(agent,)])
        rows = [s.as_row() for s in closed]
        if machine.current is not None:
            rows.append(machine.current.as_row())
        executemany(conn, _INSERT_SPAN, rows)
        self._save_live(conn, [machine])

    def _save_live(self, conn: Connection, machines: object) -> None:
        rows = []
        for m in machines:  # type: ignore[attr-defined]
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
                    cur.state.value if cur else "logged_out",
                    cur.start if cur else m.last_ts,
                )
            )
        executemany(conn, _UPSERT_LIVE, rows)

    def _save_checkpoint(self, conn: Connection, cp: Checkpoint, c: BatchCounts) -> None:
        executemany(
            conn,
            'UPDATE ingest_source SET "offset" = ?, line_no = ?, dev = ?, inode = ?, head = ?, '
            "rotations = ?, format = ?, lines_ok = lines_ok + ?, lines_rejected = lines_rejected + ?, "
            "lines_duplicate = lines_duplicate + ?, updated_at = ? WHERE id = ?",
            [
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
                )
            ],
        )

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

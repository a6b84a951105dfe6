"""Helpers for the ingest tests, handed out as fixtures so that they work whatever the import
mode: writing a queue_log file, snapshotting what an ingest left in the database, and a
realistic ~3,000-line day of queue_log from the demo floor simulator (or a small generator
of our own when the simulator is not there)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.store.sql import fetchall

Snapshot = dict[str, list[tuple[Any, ...]]]

SNAPSHOT_SQL = {
    "calls": "SELECT callid, queue, entered_at, answered_at, ended_at, wait_seconds, "
    "talk_seconds, hold_seconds, agent, outcome FROM call",
    # closed spans only: the state that lasts is agent_live's (state, state_since)
    "spans": 'SELECT agent, state, reason, queue, callid, start, "end" FROM agent_state_span '
    'WHERE "end" IS NOT NULL',
    "events": "SELECT ts, callid, queue, agent, event, data FROM queue_event",
    "rejected": "SELECT line_no, byte_offset, reason, raw FROM rejected_line",
    "live": "SELECT agent, logged_in, queues, paused, reason, call_id, call_queue, last_ts, "
    "state, state_since FROM agent_live",
    "sources": 'SELECT format, "offset", line_no, lines_ok, lines_rejected, lines_duplicate, '
    "rotations FROM ingest_source",
    "queues": "SELECT name FROM queue",
    "acd_agents": "SELECT name FROM acd_agent",
}


def _take_snapshot(engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        return {k: sorted(fetchall(conn, sql), key=repr) for k, sql in SNAPSHOT_SQL.items()}


@pytest.fixture
def snapshot() -> Callable[[Engine], Snapshot]:
    """`snapshot(engine)`: every derived table as sorted tuples without row ids."""
    return _take_snapshot


def _write_log(path: Path, lines: Iterable[str | bytes], *, newline: bytes = b"\n") -> Path:
    data = b"".join((ln if isinstance(ln, bytes) else ln.encode("utf-8")) + newline for ln in lines)
    path.write_bytes(data)
    return path


def _timeline(engine: Engine) -> list[tuple[Any, ...]]:
    """Each agent's spans in order, ended ones from agent_state_span and the one that
    lasts (end None) from agent_live: (agent, state, reason, queue, callid, start, end)."""
    with engine.connect() as conn:
        closed = fetchall(
            conn,
            'SELECT agent, state, reason, queue, callid, start, "end" FROM agent_state_span '
            'WHERE "end" IS NOT NULL',
        )
        live = fetchall(
            conn, "SELECT agent, state, reason, call_queue, call_id, state_since FROM agent_live"
        )
    rows = list(closed)
    for agent, state, reason, queue, callid, since in live:
        on_call = state == "on_call"
        rows.append(
            (
                agent,
                state,
                reason if state == "paused" else None,
                queue if on_call else None,
                callid if on_call else None,
                since,
                None,
            )
        )
    return sorted(rows, key=lambda r: (r[0], r[5], r[6] is None, r[6] or 0))


@pytest.fixture
def timeline() -> Callable[[Engine], list[tuple[Any, ...]]]:
    """`timeline(engine)`: every agent's spans in time order, the lasting one last."""
    return _timeline


def _run_feed(engine: Engine, path: Path, **kw: Any) -> Any:
    """Build a QueueLogFeed, run it to the end of the file and close it (its writer)."""
    from floorsup.ingest.follow import QueueLogFeed

    feed = QueueLogFeed(engine, path, **kw)
    try:
        return feed.run()
    finally:
        close = getattr(feed, "close", None)
        if close is not None:
            close()


@pytest.fixture
def run_feed() -> Callable[..., Any]:
    """`run_feed(engine, path, tz=..., batch_lines=...)`: one backfill run, then close."""
    return _run_feed


@pytest.fixture
def write_log() -> Callable[..., Path]:
    """`write_log(path, lines, newline=b"\\n")`: lines (str or bytes) each ended by newline."""
    return _write_log


# -- a realistic floor ------------------------------------------------------------------

SIM_TZ = "UTC"
SIM_DAY = datetime(2025, 3, 4, tzinfo=ZoneInfo(SIM_TZ)).timestamp()


def _simulated_lines(min_lines: int) -> list[str]:
    from floorsup.sim import FloorSimulator, demo_centre

    sim = FloorSimulator(demo_centre(), tz=SIM_TZ, day_start=SIM_DAY)
    out: list[str] = []
    t = SIM_DAY + 8 * 3600
    while len(out) < min_lines:
        t += 300
        out.extend(line.rstrip("\n") for line in sim.advance(t))
    return out


def _generated_lines(min_lines: int, seed: int = 11) -> list[str]:
    """A plain generator with the same shape: members log in to two queues, calls ring,
    connect, complete or transfer, callers abandon, agents pause and log out."""
    rng = random.Random(seed)
    t0 = int(SIM_DAY + 8 * 3600)
    agents = [f"PJSIP/20{i:02d}" for i in range(12)]
    queues = ("sales", "support")
    lines: list[tuple[int, int, str]] = []
    seq = 0

    def emit(ts: int, callid: str, queue: str, agent: str, event: str, *data: object) -> None:
        nonlocal seq
        seq += 1
        lines.append((ts, seq, f"{ts}|{callid}|{queue}|{agent}|{event}|{'|'.join(map(str, data))}"))

    emit(t0, "NONE", "NONE", "NONE", "QUEUESTART", "")
    free_at = {a: t0 + rng.randint(0, 600) for a in agents}
    for a, at in free_at.items():
        for q in queues:
            emit(at, "MANAGER", q, a, "ADDMEMBER", "")
    t = t0 + 600
    n = 0
    while len(lines) < min_lines:
        t += rng.randint(3, 25)
        n += 1
        callid = f"{t}.{n}"
        q = rng.choice(queues)
        emit(t, callid, q, "NONE", "DID", "+18005550100")
        emit(t, callid, q, "NONE", "ENTERQUEUE", "", f"+1555550{rng.randrange(1000):03d}", 1)
        agent = min(agents, key=lambda a: free_at[a])
        start = max(t, free_at[agent]) + rng.randint(1, 8)
        if start - t > 60 or rng.random() < 0.05:
            emit(t + rng.randint(2, 60), callid, q, "NONE", "ABANDON", 1, 1, rng.randint(2, 60))
            continue
        if rng.random() < 0.05:
            emit(start, callid, q, agent, "RINGNOANSWER", 15000)
            start += 16
        ring = rng.randint(1, 6)
        emit(start + ring, callid, q, agent, "CONNECT", start + ring - t, f"{t}.{n}9", ring)
        talk = rng.randint(20, 400)
        end = start + ring + talk
        if rng.random() < 0.04:
            emit(
                end,
                callid,
                q,
                agent,
                "TRANSFER",
                "2100",
                "from-internal",
                start + ring - t,
                talk,
                1,
            )
        else:
            ev = rng.choice(("COMPLETEAGENT", "COMPLETECALLER"))
            emit(end, callid, q, agent, ev, start + ring - t, talk, 1)
        free_at[agent] = end + 5
        if rng.random() < 0.06:
            emit(end + 1, "NONE", "NONE", agent, "PAUSEALL", "Break")
            emit(end + 900, "NONE", "NONE", agent, "UNPAUSEALL", "Break")
            free_at[agent] = end + 905
    lines.sort()
    return [text for _ts, _seq, text in lines]


@pytest.fixture(scope="session")
def floor_lines() -> list[str]:
    """About 3,000 queue_log lines of a busy morning, in file order (no newlines)."""
    try:
        return _simulated_lines(3000)
    except ImportError:
        return _generated_lines(3000)


@pytest.fixture(scope="session")
def big_floor_lines() -> list[str]:
    """About 12,000 queue_log lines: the floor simulator's morning and afternoon."""
    try:
        return _simulated_lines(12_000)
    except ImportError:
        return _generated_lines(12_000)

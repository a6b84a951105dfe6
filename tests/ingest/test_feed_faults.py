"""Feed faults while `floorsup ingest queue-log PATH --follow` runs (the real command, as a
process) and lines are being appended fast: rotation by rename and by copytruncate in the
middle of a burst, a file that vanishes and comes back, lines written in two pieces. And
clock jumps in the feed: timestamps that step back an hour, forward an hour, a few seconds
back. Nothing lost, nothing doubled.

What "nothing lost, nothing doubled" means when the clock jumps:

- every line is stored once (a new event whose timestamp repeats an earlier one's is new;
  only a line equal in every field to one already stored is a duplicate);
- one call row per (callid, queue), ending as its last step says (the first terminal event
  in call order: enter, connect, end, whatever the timestamps say), entered ≤ answered ≤
  ended, and no negative wait or talk time;
- each agent's spans tile time: every span lasts more than zero seconds and none overlaps
  another (events are placed by their timestamp, as late lines are);
- the result does not depend on where the batches fell or on kills and restarts.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.ingest.derive import fold_call
from floorsup.ingest.follow import ingest_file
from floorsup.ingest.queue_log import parse_flat_line
from floorsup.store.sql import fetchall

REPO = Path(__file__).resolve().parents[2]
HOUR = 3600


def q(engine: Engine, sql: str, params: tuple = ()) -> list[tuple]:
    with engine.connect() as conn:
        return fetchall(conn, sql, params)


def db_rows(db: Engine, sql: str) -> list[tuple]:
    """Read the follower's database (migrated before it starts: a SQLite file, or
    PostgreSQL with FLOORSUP_TEST_PG)."""
    return q(db, sql)


def stored_count(db: Engine) -> int:
    rows = db_rows(db, "SELECT count(*) FROM queue_event")
    return int(rows[0][0]) if rows else 0


class FollowCli:
    """`floorsup ingest queue-log PATH --follow` as a process of its own, stopped by SIGTERM."""

    def __init__(self, tmp_path: Path, log: Path, db: Engine) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
        env["FLOORSUP_CONFIG"] = str(tmp_path / "no-config.toml")
        env["PYTHONPATH"] = str(REPO)
        self.db = db
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "floorsup",
                "--db",
                db.url.render_as_string(hide_password=False),
                "--tz",
                "UTC",
                "ingest",
                "queue-log",
                str(log),
                "--follow",
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out = ""

    def wait_count(self, n: int, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"the follower exited: {self.proc.communicate()}")
            if stored_count(self.db) >= n:
                return
            time.sleep(0.05)
        pytest.fail(f"waited for {n} events, have {stored_count(self.db)}")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err
        self.out = out
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=30)


@pytest.fixture
def follow_cli(tmp_path: Path) -> Any:
    made: list[FollowCli] = []

    def start(log: Path, db: Engine) -> FollowCli:
        f = FollowCli(tmp_path, log, db)
        made.append(f)
        return f

    yield start
    for f in made:
        f.kill()


class Acd:
    """Writes queue_log lines the way an ACD does: its own O_APPEND descriptor, a few lines
    per write, as fast as it can; `reopen()` is what it does when logrotate tells it to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.written: list[str] = []
        self.lock = threading.Lock()  # held for each write: a fault falls between two writes

    def write(self, lines: list[str], per_write: int = 4, pause: float = 0.0) -> None:
        for i in range(0, len(lines), per_write):
            part = lines[i : i + per_write]
            with self.lock:
                os.write(self.fd, "".join(ln + "\n" for ln in part).encode())
                self.written.extend(part)
            if pause:
                time.sleep(pause)

    def write_in_two_pieces(self, line: str, cut: int, gap: float) -> None:
        data = (line + "\n").encode()
        with self.lock:
            os.write(self.fd, data[:cut])
        time.sleep(gap)  # the follower polls meanwhile and sees only the first piece
        with self.lock:
            os.write(self.fd, data[cut:])
            self.written.append(line)

    def reopen(self) -> None:
        with self.lock:
            os.close(self.fd)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        os.close(self.fd)


def assert_stored_once(db: Engine, written: list[str]) -> None:
    stored = db_rows(db, "SELECT ts, callid, queue, agent, event, data FROM queue_event")
    want = Counter(parse_flat_line(ln) for ln in written)
    assert len(want) == len(written), "the test feed has no exact duplicates"
    got = Counter(stored)
    lost = want - got
    doubled = got - want
    assert not lost and not doubled, (
        f"{sum(lost.values())} lost, e.g. {list(lost)[:3]}; "
        f"{sum(doubled.values())} doubled, e.g. {list(doubled)[:3]}"
    )
    assert db_rows(db, "SELECT count(*) FROM rejected_line") == [(0,)]


def bursts(floor_lines: list[str], n: int) -> list[list[str]]:
    size = len(floor_lines) // n
    return [floor_lines[i * size : (i + 1) * size] for i in range(n)]


# -- rotation while following, in the middle of a burst --------------------------------------


def test_rotation_by_rename_mid_burst_loses_and_doubles_nothing(
    tmp_path: Path,
    engine: Engine,
    follow_cli: Callable[..., FollowCli],
    floor_lines: list[str],
) -> None:
    """logrotate with `create`: rename, a new empty file at the path at once, the ACD goes on
    writing to the old one until it is told to reopen (longer than the follower's poll)."""
    path, db = tmp_path / "queue_log", engine
    a, b, c, d = bursts(floor_lines, 4)
    acd = Acd(path)
    acd.write(a[:50])
    cli = follow_cli(path, db)
    cli.wait_count(50)

    acd.write(a[50:])  # a burst: the follower is behind when the file moves
    behind = len(acd.written) - stored_count(db)
    path.rename(tmp_path / "queue_log.1")
    path.touch()  # `create`
    acd.write(b[:300], pause=0.002)  # still into the renamed file, for a while
    time.sleep(0.6)  # quiet for a few polls (the follower moves on to the new file)
    acd.write(b[300:])  # and a last few lines there before it is told to reopen
    acd.reopen()  # postrotate: the ACD reopens the path
    acd.write(c)
    cli.wait_count(len(acd.written))
    # and once more, while the follower has just switched
    (tmp_path / "queue_log.1").rename(tmp_path / "queue_log.2")
    path.rename(tmp_path / "queue_log.1")
    path.touch()
    acd.write(d[:100], pause=0.002)
    acd.reopen()
    acd.write(d[100:])
    cli.wait_count(len(acd.written))
    time.sleep(0.6)  # a few more polls: nothing read twice
    out = cli.stop()
    acd.close()

    assert behind > 0, "the rotation did not come mid-burst"
    assert_stored_once(db, acd.written)
    assert "rotations followed 2" in out


def test_copytruncate_mid_burst_reads_the_unread_tail_from_the_copy(
    tmp_path: Path,
    engine: Engine,
    follow_cli: Callable[..., FollowCli],
    floor_lines: list[str],
) -> None:
    """logrotate `copytruncate`: copy the file, cut it to nothing in place; the ACD goes on
    appending. The lines the follower had not read yet when the file was cut are only in
    the copy (queue_log.1): they are read from there."""
    path, db = tmp_path / "queue_log", engine
    a, b, c = bursts(floor_lines, 3)
    acd = Acd(path)
    acd.write(a[:50])
    cli = follow_cli(path, db)
    cli.wait_count(50)

    acd.write(a[50:])
    with acd.lock:  # between two writes of the ACD (logrotate's own race is not ours)
        behind = len(acd.written) - stored_count(db)
        shutil.copyfile(path, tmp_path / "queue_log.1")
        os.truncate(path, 0)
    acd.write(b[:20])  # the ACD goes on at once (O_APPEND: from the new end)
    acd.write(b[20:], pause=0.001)
    cli.wait_count(len(acd.written))
    # again, with the regrown file already longer than the old offset when it is next read
    acd.write(c[:300])
    with acd.lock:
        shutil.copyfile(path, tmp_path / "queue_log.1")
        os.truncate(path, 0)
        os.write(acd.fd, "".join(ln + "\n" for ln in c[300:]).encode())
        acd.written.extend(c[300:])
    cli.wait_count(len(acd.written))
    time.sleep(0.6)
    out = cli.stop()
    acd.close()

    assert behind > 0, "the truncation did not come mid-burst"
    assert_stored_once(db, acd.written)
    assert "rotations followed 2" in out


def test_a_file_that_vanishes_and_returns(
    tmp_path: Path,
    engine: Engine,
    follow_cli: Callable[..., FollowCli],
    floor_lines: list[str],
) -> None:
    """Deleted while the ACD still writes to it, gone for a while, then a new file at the
    path; and moved away and back (the same file): read on, once."""
    path, db = tmp_path / "queue_log", engine
    a, b, c, d = bursts(floor_lines, 4)
    acd = Acd(path)
    acd.write(a[:50])
    cli = follow_cli(path, db)
    cli.wait_count(50)

    acd.write(a[50:])
    path.unlink()  # vanishes mid-burst; the ACD's descriptor still writes to it
    acd.write(b, pause=0.002)
    time.sleep(0.6)  # the path is missing for a few polls
    acd.reopen()  # back: a new file
    acd.write(c)
    cli.wait_count(len(acd.written))

    aside = tmp_path / "queue_log.moved"
    path.rename(aside)  # moved away and back: the same file, read on from where it was
    acd.write(d[:200])
    time.sleep(0.6)
    aside.rename(path)
    acd.write(d[200:])
    cli.wait_count(len(acd.written))
    time.sleep(0.6)
    out = cli.stop()
    acd.close()

    assert_stored_once(db, acd.written)
    assert "rotations followed 1" in out


def test_lines_written_in_two_pieces_mid_burst_are_each_taken_once_whole(
    tmp_path: Path,
    engine: Engine,
    follow_cli: Callable[..., FollowCli],
    floor_lines: list[str],
) -> None:
    path, db = tmp_path / "queue_log", engine
    lines = floor_lines[:1200]
    acd = Acd(path)
    acd.write(lines[:50])
    cli = follow_cli(path, db)
    cli.wait_count(50)
    rng = random.Random(5)
    i = 50
    for _ in range(6):
        n = rng.randint(50, 200)
        acd.write(lines[i : i + n])
        i += n
        whole = lines[i]
        acd.write_in_two_pieces(whole, rng.randint(1, len(whole)), gap=0.35)
        i += 1
    acd.write(lines[i:])
    cli.wait_count(len(acd.written))
    time.sleep(0.6)
    cli.stop()
    acd.close()
    assert_stored_once(db, acd.written)


# -- clock jumps --------------------------------------------------------------------------


def with_clock_jumps(lines: list[str]) -> tuple[list[str], list[int]]:
    """The floor's lines as written by a box whose clock steps: an hour back a third of the
    way in (an NTP correction), an hour forward at two thirds, and three seconds back near
    the end. Each step applies to every timestamp after it (the box writes the time it
    believes), including the numbers in the data fields, which the ACD does not change."""
    n = len(lines)
    steps = [(n // 3, -HOUR), (2 * n // 3, HOUR), (5 * n // 6, -3)]
    out: list[str] = []
    shift = 0
    for i, line in enumerate(lines):
        for at, by in steps:
            if i == at:
                shift += by
        ts, rest = line.split("|", 1)
        out.append(f"{int(ts) + shift}|{rest}")
    return out, [at for at, _by in steps]


def check_invariants(engine: Engine, timeline: Callable) -> None:
    for callid, queue, entered, answered, ended, wait, talk in q(
        engine,
        "SELECT callid, queue, entered_at, answered_at, ended_at, wait_seconds, talk_seconds "
        "FROM call",
    ):
        assert answered is None or answered >= entered, (callid, queue, entered, answered)
        assert ended is None or ended >= (answered if answered is not None else entered), (
            callid,
            queue,
            answered,
            ended,
        )
        assert wait is None or wait >= 0, (callid, queue, wait)
        assert talk is None or talk >= 0, (callid, queue, talk)
    spans = timeline(engine)
    last: dict[str, float] = {}
    for agent, state, _reason, _q, _callid, start, end in spans:
        assert end is None or end > start, (agent, state, start, end)
        assert start >= last.get(agent, float("-inf")), (agent, state, start, "overlaps")
        last[agent] = end if end is not None else start


def test_clock_jumps_lose_and_double_nothing(
    tmp_path: Path,
    engine_factory: Callable[[str], Engine],
    write_log: Callable[..., Path],
    snapshot: Callable,
    timeline: Callable,
    run_feed: Callable[..., Any],
    floor_lines: list[str],
) -> None:
    jumped, at = with_clock_jumps(floor_lines)
    # the timestamps do step back (else this tests nothing)
    ts = [int(ln.split("|", 1)[0]) for ln in jumped]
    assert ts[at[0]] < ts[at[0] - 1] - HOUR + 600
    assert len(set(ts[: at[0]]) & set(ts[at[0] : at[1]])) > 20  # instants seen twice

    path = write_log(tmp_path / "queue_log", jumped)
    whole = engine_factory("whole.db")
    s = run_feed(whole, path, tz="UTC")
    assert (s.events, s.duplicates, s.rejected) == (len(jumped), 0, 0)
    stored = q(whole, "SELECT ts, callid, queue, agent, event, data FROM queue_event")
    assert Counter(stored) == Counter(parse_flat_line(ln) for ln in jumped)
    n_calls = len({(e[1], e[2]) for e in stored if e[4] == "ENTERQUEUE"})
    assert q(whole, "SELECT count(*), count(DISTINCT callid || '/' || queue) FROM call") == [
        (n_calls, n_calls)
    ]
    check_invariants(whole, timeline)

    # the same feed in small batches (every late line replays its agent) agrees exactly
    small = engine_factory("small.db")
    run_feed(small, path, tz="UTC", batch_lines=37)
    check_invariants(small, timeline)
    want, got = snapshot(whole), snapshot(small)
    for table in ("events", "calls", "spans", "live"):
        assert got[table] == want[table], table

    # and a backfill of the file sorted by timestamp (the contract for late lines) too
    order = sorted(range(len(jumped)), key=lambda i: ts[i])
    sorted_db = engine_factory("sorted.db")
    run_feed(sorted_db, write_log(tmp_path / "sorted.log", [jumped[i] for i in order]), tz="UTC")
    assert snapshot(sorted_db)["spans"] == want["spans"]
    assert snapshot(sorted_db)["calls"] == want["calls"]


def test_a_call_across_a_clock_step_back_keeps_its_steps_and_no_negative_time(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], timeline: Callable
) -> None:
    t = 1_700_000_000
    lines = [
        f"{t}|MANAGER|sales|PJSIP/1|ADDMEMBER|",
        # entered, then the clock steps back an hour: the ACD's own hold time goes negative
        f"{t + 10}|c1|sales|NONE|ENTERQUEUE||+15550100001|1",
        f"{t + 20 - HOUR}|c1|sales|PJSIP/1|CONNECT|{10 - HOUR}|c1b|2",
        f"{t + 100 - HOUR}|c1|sales|PJSIP/1|COMPLETEAGENT|{10 - HOUR}|80|1",
        # answered, then the clock steps back a few seconds before the end
        f"{t + 130 - HOUR}|c2|sales|NONE|ENTERQUEUE||+15550100002|1",
        f"{t + 140 - HOUR}|c2|sales|PJSIP/1|CONNECT|10|c2b|1",
        f"{t + 137 - HOUR}|c2|sales|PJSIP/1|COMPLETECALLER|10|-3|1",
        # a caller who gives up after a step back
        f"{t + 150 - HOUR}|c3|sales|NONE|ENTERQUEUE||+15550100003|1",
        f"{t + 149 - HOUR}|c3|sales|NONE|ABANDON|1|1|-1",
    ]
    ingest_file(engine, write_log(tmp_path / "queue_log", lines), tz="UTC")
    got = {
        r[0]: r[1:]
        for r in q(
            engine,
            "SELECT callid, entered_at, answered_at, ended_at, wait_seconds, talk_seconds, "
            "agent, outcome FROM call",
        )
    }
    assert got == {
        "c1": (t + 10, t + 10, t + 10, 0.0, 80.0, "PJSIP/1", "answered"),
        "c2": (t + 130 - HOUR, t + 140 - HOUR, t + 140 - HOUR, 10.0, 0.0, "PJSIP/1", "answered"),
        "c3": (t + 150 - HOUR, None, t + 150 - HOUR, 0.0, None, None, "abandoned"),
    }
    check_invariants(engine, timeline)
    # the same, folded from the events in any order
    evs = [parse_flat_line(ln) for ln in lines[1:4]]
    for perm in itertools.permutations(evs):
        assert fold_call(list(perm)) == fold_call(evs)  # type: ignore[arg-type]


def test_new_events_at_an_instant_seen_before_are_not_taken_for_duplicates(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    """After a step back, the same seconds come round again: each new event is new, even
    across batches and runs, and only a line equal in every field is a duplicate."""
    t = 1_700_000_000
    first = [
        f"{t}|MANAGER|sales|PJSIP/1|ADDMEMBER|",
        f"{t + 5}|a1|sales|NONE|ENTERQUEUE||+15550100001|1",
        f"{t + 9}|a1|sales|PJSIP/1|CONNECT|4|a1b|1",
        f"{t + 20}|NONE|NONE|PJSIP/1|PAUSEALL|Break",
    ]
    again = [  # the clock stepped back 20 s: the same instants, other events
        f"{t}|NONE|NONE|PJSIP/1|UNPAUSEALL|",
        f"{t + 5}|b1|sales|NONE|ENTERQUEUE||+15550100002|1",
        f"{t + 9}|a1|sales|PJSIP/1|COMPLETEAGENT|4|31|1",
        f"{t + 20}|NONE|NONE|PJSIP/1|PAUSEALL|Lunch",
        f"{t + 20}|NONE|NONE|PJSIP/1|PAUSEALL|Break",  # equal in every field: a duplicate
    ]
    path = write_log(tmp_path / "queue_log", first)
    ingest_file(engine, path, tz="UTC")
    with path.open("a") as fh:
        fh.write("".join(ln + "\n" for ln in again))
    s = ingest_file(engine, path, tz="UTC")
    assert (s.events, s.duplicates) == (4, 1)
    assert q(engine, "SELECT count(*) FROM queue_event") == [(8,)]
    assert sorted(q(engine, "SELECT callid, outcome FROM call")) == [
        ("a1", "answered"),
        ("b1", "waiting"),
    ]

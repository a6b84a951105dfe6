"""Issue 6: many writers and a live ingest share one SQLite file (WAL) without losing a write
or ever seeing "database is locked".

For a minute (RUN_SECONDS), on one database file seeded with the demo centre's roster and
the day's schedules and holding the day's queue_log up to 09:00:

- a feeder appends the rest of the simulated day to the queue_log at FEED_RATE lines a
  second, and one real `floorsup ingest queue-log FILE --follow` process takes it in;
- ten writer processes (tests/store/concurrency_writers.py) write through the real store
  functions as fast as PAUSE allows: four team leads writing, editing and closing coaching
  notes, three supervisors authorising adherence exceptions, three trainers assigning,
  ending and reassigning mentors. Each records a write only after the store call returned
  (its transaction committed), and records every error it meets.

Then the ingest is stopped as a person would (SIGTERM, exit 0) and:

- no worker met an error at all (every write they try is a valid one), and in particular
  none whose text says "locked" or "busy"; the ingest printed none either;
- every recorded write is in the database, by id and content: the notes' final text,
  revision, author, follow-up and whether it was closed (and one kept revision per edit);
  each exception's person, stretch, reason and who authorised it; each mentorship's pair,
  reason and how it ended; and the audit log holds exactly one entry per recorded write
  (so no write committed that a worker did not see confirmed, either);
- the ingest holds every line fed: its checkpoint is at the last line, counts every line
  as stored (none rejected, none duplicate), and the events stored are the lines fed,
  each once;
- the file passes PRAGMA integrity_check and foreign_key_check.

SQLite only: it tests SQLite's locking between processes (PostgreSQL has its own).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.ingest.queue_log import parse_flat_line
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.schedules import import_schedule
from floorsup.store.sql import fetchall

pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("concurrency_writers.py")

RUN_SECONDS = 60.0  # the issue: "for a minute"
FEED_RATE = 150  # queue_log lines a second appended while the writers run
WRITERS = {"notes": 4, "exceptions": 3, "assignments": 3}
PAUSE = 0.05  # mean seconds each writer waits between two writes
TZ = "UTC"
DAY = dt.date(2025, 3, 4)
BACKFILL_UNTIL = 9  # the queue_log up to 09:00 is in the database before the run
START_TIMEOUT = 180.0  # for ten Python processes to import and connect on a busy machine
DRAIN_TIMEOUT = 120.0  # for the ingest to take the last lines in after the run


def q(engine: Engine, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return fetchall(conn, sql, params)


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
    out["FLOORSUP_CONFIG"] = "/nonexistent/floorsup-test-config.toml"  # defaults only
    out["PYTHONPATH"] = str(REPO)
    return out


def day_lines(until_lines: int) -> tuple[list[str], int]:
    """The demo floor's queue_log for DAY from midnight (at least `until_lines` after 09:00),
    and how many lines come before 09:00."""
    from floorsup.sim import FloorSimulator, demo_centre

    start = dt.datetime.combine(DAY, dt.time(), tzinfo=ZoneInfo(TZ)).timestamp()
    cut = start + BACKFILL_UNTIL * 3600
    sim = FloorSimulator(demo_centre(), tz=TZ, day_start=start)
    lines: list[str] = []
    t = start
    while t < start + 24 * 3600:
        t += 3600
        lines += sim.advance(t)
        before = sum(1 for ln in lines if float(ln.split("|", 1)[0]) < cut)
        if t >= cut and len(lines) - before >= until_lines:
            return lines, before
    raise AssertionError(f"the simulated day has fewer than {until_lines} lines after 09:00")


def seed(engine: Engine, tmp_path: Path) -> None:
    """The demo centre's roster and DAY's schedules, imported as a centre would."""
    from floorsup.sim import demo_centre, write_roster_csv, write_schedule_csv

    centre = demo_centre()
    write_roster_csv(centre, tmp_path / "roster.csv")
    write_schedule_csv(centre, [DAY], tmp_path / "schedule.csv")
    import_roster(engine, tmp_path / "roster.csv", actor=system())
    import_schedule(engine, tmp_path / "schedule.csv", actor=system(), tz=TZ)


class Feeder(threading.Thread):
    """Appends lines to the queue_log at `rate` a second (an ACD's own O_APPEND writes)."""

    def __init__(self, path: Path, lines: list[str], rate: float) -> None:
        super().__init__(name="queue_log feeder", daemon=True)
        self.path, self.lines, self.rate = path, lines, rate
        self.written = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                t0 = time.monotonic()
                while self.written < len(self.lines) and not self.stop.is_set():
                    due = min(len(self.lines), int((time.monotonic() - t0) * self.rate))
                    if due > self.written:
                        os.write(fd, "".join(self.lines[self.written : due]).encode())
                        self.written = due
                    self.stop.wait(0.02)
            finally:
                os.close(fd)
        except BaseException as exc:  # reported by the test
            self.error = exc


def checkpoint_lines(engine: Engine, log: Path) -> int:
    rows = q(engine, "SELECT line_no FROM ingest_source WHERE path = ?", (str(log.resolve()),))
    return int(rows[0][0]) if rows else 0


def wait_for(
    what: str, cond: Any, timeout: float, procs: dict[str, subprocess.Popen[Any]], logs: Path
) -> None:
    """Poll `cond` until true; fail at once (with what they said) if a process exits."""
    end = time.monotonic() + timeout
    while not cond():
        dead = {n: p.returncode for n, p in procs.items() if p.poll() is not None}
        if dead:
            said = {
                f.name: tail(f, 1500)
                for n in dead
                for f in (logs / f"{n}.jsonl", logs / f"{n}.out", logs / f"{n}.err")
                if f.exists()
            }
            pytest.fail(f"while waiting for {what}: {dead} exited (exit codes): {said}")
        if time.monotonic() > end:
            pytest.fail(f"waited {timeout:g} s for {what}")
        time.sleep(0.1)


def opened(files: list[Any], path: Path) -> Any:
    fh = path.open("wb")
    files.append(fh)
    return fh


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln]


def tail(path: Path, n: int = 2000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


def test_ten_writers_and_a_live_ingest_share_one_sqlite_file(
    tmp_path: Path, engine_factory: Any
) -> None:
    engine = engine_factory("floor.db")
    url = engine.url.render_as_string(hide_password=False)
    seed(engine, tmp_path)
    lines, backfill = day_lines(int(FEED_RATE * RUN_SECONDS) + FEED_RATE)
    log = tmp_path / "queue_log"
    log.write_text("".join(lines[:backfill]), encoding="utf-8")
    live = lines[backfill:]

    procs: dict[str, subprocess.Popen[Any]] = {}
    files: list[Any] = []  # the processes' output files, closed at the end
    feeder = Feeder(log, live, FEED_RATE)
    outs: dict[str, Path] = {}
    try:
        # The ingest follows the file from its start: the day up to 09:00 first.
        ingest_err = tmp_path / "ingest.err"
        procs["ingest"] = subprocess.Popen(
            [sys.executable, "-m", "floorsup", "--db", url, "--tz", TZ, "ingest", "queue-log"]
            + [str(log), "--follow"],
            cwd=REPO,
            env=env(),
            stdout=opened(files, tmp_path / "ingest.out"),
            stderr=opened(files, ingest_err),
        )
        wait_for(
            "the ingest's backfill",
            lambda: checkpoint_lines(engine, log) >= backfill,
            DRAIN_TIMEOUT,
            procs,
            tmp_path,
        )

        # The writers: connected, each knowing who it is, before the clock starts.
        go = tmp_path / "go"
        for kind, n in WRITERS.items():
            for i in range(n):
                name = f"{kind}-{i}"
                outs[name] = tmp_path / f"{name}.jsonl"
                procs[name] = subprocess.Popen(
                    [sys.executable, str(WORKER), url, kind, str(i), str(RUN_SECONDS)]
                    + [str(outs[name]), "--of", str(n), "--go", str(go), "--pause", str(PAUSE)],
                    cwd=REPO,
                    env=env(),
                    stdout=opened(files, tmp_path / f"{name}.out"),
                    stderr=subprocess.STDOUT,
                )
        wait_for(
            "every writer to be ready",
            lambda: all(records(p)[:1] for p in outs.values()),
            START_TIMEOUT,
            procs,
            tmp_path,
        )

        go.touch()
        t0 = time.monotonic()
        feeder.start()
        # (s since the start, lines the ingest has committed of those fed live, lines fed)
        samples: list[tuple[float, int, int]] = []
        while any(procs[name].poll() is None for name in outs):
            if time.monotonic() - t0 > RUN_SECONDS + 120:
                pytest.fail(f"writers still running {RUN_SECONDS + 120:g} s after the start")
            done = checkpoint_lines(engine, log) - backfill
            samples.append((time.monotonic() - t0, done, feeder.written))
            time.sleep(1.0)
        run_s = time.monotonic() - t0
        feeder.stop.set()  # the run is over: so is the feed
        feeder.join(timeout=30)
        assert feeder.error is None, f"the feeder failed: {feeder.error!r}"
        fed = lines[: backfill + feeder.written]

        # The ingest takes the last lines in, then is stopped as a person stops it.
        wait_for(
            "the ingest to take in every line fed",
            lambda: checkpoint_lines(engine, log) >= len(fed),
            DRAIN_TIMEOUT,
            {"ingest": procs["ingest"]},
            tmp_path,
        )
        procs["ingest"].send_signal(signal.SIGTERM)
        assert procs["ingest"].wait(timeout=60) == 0, tail(ingest_err)
    finally:
        feeder.stop.set()
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
        for fh in files:
            fh.close()

    # -- what the writers saw ---------------------------------------------------------------
    by_worker = {name: records(path) for name, path in outs.items()}
    problems = [r for recs in by_worker.values() for r in recs if r["op"] in ("error", "fatal")]
    locked = [r for r in problems if r.get("locked")]
    exits = {name: procs[name].returncode for name in outs}
    assert not locked, f"{len(locked)} writes met a locked/busy database: " + "\n".join(
        f"{r['w']} {r.get('during', '')}: {r['error']}" for r in locked[:10]
    )
    assert not problems, f"{len(problems)} writes failed:\n" + "\n".join(
        f"{r['w']} {r.get('during', '')}: {r['error']}\n{r.get('trace', '')}" for r in problems[:5]
    )
    assert all(code == 0 for code in exits.values()), {
        n: tail(tmp_path / f"{n}.out") for n, c in exits.items() if c
    }
    for name, recs in by_worker.items():
        assert recs[-1]["op"] == "done", f"{name} did not finish: {recs[-1:]}"
        assert recs[-1]["writes"] > 0, f"{name} wrote nothing in {recs[-1]['s']} s"
    # The ingest committed as it went, while the writers wrote (not only at the end).
    assert max((done for _, done, _ in samples), default=0) > 0, samples
    ingest_text = tail(ingest_err, 100_000) + tail(tmp_path / "ingest.out", 100_000)
    assert "locked" not in ingest_text.lower() and "busy" not in ingest_text.lower(), ingest_text

    writes = [r for recs in by_worker.values() for r in recs if "." in r["op"]]
    made = Counter(r["op"] for r in writes)

    # -- every write is there, as confirmed --------------------------------------------------
    notes: dict[int, dict[str, Any]] = {}
    exceptions: dict[int, tuple[Any, ...]] = {}
    pairs: dict[int, dict[str, Any]] = {}
    for r in writes:
        op, key = r["op"], r["id"]
        if op == "note.add":
            notes[key] = {
                "staff_id": r["staff_id"],
                "body": r["body"],
                "revision": 1,
                "author": r["author"],
                "follow_up": r["follow_up"],
                "done": False,
            }
        elif op == "note.edit":
            notes[key].update(body=r["body"], revision=r["revision"])
        elif op == "note.follow_up_done":
            notes[key]["done"] = True
        elif op == "exception.authorise":
            exceptions[key] = (r["staff_id"], r["start"], r["end"], r["why"], r["by"])
        elif op == "mentor.assign":
            pairs[key] = {k: r[k] for k in ("mentor_id", "mentee_id", "reason")} | {"end": None}
        elif op == "mentor.end":
            pairs[key]["end"] = r["reason"]
        elif op == "mentor.reassign":
            pairs[r["ended"]]["end"] = ("reassigned", r["reason"])
            pairs[key] = {k: r[k] for k in ("mentor_id", "mentee_id", "reason")} | {"end": None}
        else:
            raise AssertionError(f"unknown write {op!r}")

    stored_notes = {
        int(i): {
            "staff_id": sid,
            "body": body,
            "revision": int(rev),
            "author": author,
            "follow_up": None if fu is None else str(fu),
            "done": done is not None,
        }
        for i, sid, body, rev, author, fu, done in q(
            engine,
            "SELECT n.id, s.staff_id, n.body, n.revision, n.author, n.follow_up, "
            "n.follow_up_done_at FROM coaching_note n JOIN staff s ON s.id = n.staff_pk",
        )
    }
    assert sorted(set(notes) - set(stored_notes)) == [], "confirmed notes missing"
    assert sorted(set(stored_notes) - set(notes)) == [], "notes stored that no writer confirmed"
    wrong = {i: (notes[i], stored_notes[i]) for i in notes if notes[i] != stored_notes[i]}
    assert not wrong, (
        f"{len(wrong)} notes differ from what was confirmed, e.g. {list(wrong.items())[:3]}"
    )
    revisions = dict(
        q(engine, "SELECT note_id, count(*) FROM coaching_note_revision GROUP BY note_id")
    )
    assert {i: revisions.get(i, 0) for i in notes} == {
        i: n["revision"] - 1 for i, n in notes.items()
    }

    stored_exceptions = {
        int(r[0]): (r[1], float(r[2]), float(r[3]), r[4], r[5])
        for r in q(
            engine,
            'SELECT a.id, s.staff_id, a.start, a."end", a.reason, a.authorized_by '
            "FROM adherence_authorization a JOIN staff s ON s.id = a.staff_pk",
        )
    }
    assert stored_exceptions == exceptions

    stored_pairs: dict[int, dict[str, Any]] = {}
    for i, mentor, mentee, reason, end_reason, ended in q(
        engine,
        "SELECT m.id, a.staff_id, b.staff_id, m.reason, m.end_reason, m.ended_at "
        "FROM mentorship m JOIN staff a ON a.id = m.mentor_pk JOIN staff b ON b.id = m.mentee_pk",
    ):
        end: Any = end_reason
        if end_reason and end_reason.startswith("reassigned to "):
            end = ("reassigned", end_reason.split(": ", 1)[1])
        assert (ended is None) == (end_reason is None)
        stored_pairs[int(i)] = {
            "mentor_id": mentor,
            "mentee_id": mentee,
            "reason": reason,
            "end": end,
        }
    assert stored_pairs == pairs
    open_per_mentee = Counter(p["mentee_id"] for p in stored_pairs.values() if p["end"] is None)
    assert max(open_per_mentee.values(), default=1) == 1

    # One audit entry per confirmed write, and none more.
    audited = Counter(
        (action, key)
        for action, key in q(
            engine,
            "SELECT action, entity_key FROM audit_log WHERE action LIKE 'note.%' "
            "OR action LIKE 'exception.%' OR action LIKE 'mentor.%'",
        )
    )
    assert audited == Counter((r["op"], str(r["id"])) for r in writes)

    # -- the ingest has every line fed, once ------------------------------------------------
    source = q(
        engine,
        "SELECT line_no, lines_ok, lines_rejected, lines_duplicate FROM ingest_source "
        "WHERE path = ?",
        (str(log.resolve()),),
    )
    line_no, ok, rejected, duplicate = source[0]
    events = q(engine, "SELECT ts, callid, queue, agent, event, data FROM queue_event")
    assert (line_no, ok, rejected, duplicate) == (len(fed), len(fed), 0, 0)
    assert q(engine, "SELECT count(*) FROM rejected_line") == [(0,)]
    want = Counter(parse_flat_line(ln.rstrip("\n")) for ln in fed)
    got = Counter(events)
    assert got == want, (
        f"{sum((want - got).values())} lines lost, {sum((got - want).values())} extra"
    )

    # -- and the file is sound -----------------------------------------------------------------
    assert q(engine, "PRAGMA integrity_check") == [("ok",)]
    assert q(engine, "PRAGMA foreign_key_check") == []

    ms = sorted(r["ms"] for r in writes)
    lag = max(fed_n - done for _, done, fed_n in samples)
    print(
        f"\nconcurrency: {len(outs)} writers, {run_s:.1f} s from the start to the last one's "
        f"exit; {len(writes)} writes confirmed and found ({dict(sorted(made.items()))}); write "
        f"ms p50 {statistics.median(ms):.1f}, p99 {ms[int(0.99 * (len(ms) - 1))]:.1f}, max "
        f"{ms[-1]:.1f}; ingest {len(fed)} lines, all stored ({backfill} backfilled, "
        f"{feeder.written} fed live at {FEED_RATE}/s, lag at most {lag} lines); 0 errors"
    )


# The store's writes take the write lock up front (BEGIN IMMEDIATE, `write_conn`), so a
# writer that finds it held waits (busy_timeout). A deferred transaction that reads first and
# then writes cannot wait: SQLite refuses the upgrade at once ("database is locked"), whatever
# the busy timeout. `QueueLogFeed._checkpoint` (floorsup/ingest/follow.py) was one: an ingest
# started on a file it had never read, while anyone wrote, failed 3 to 5 times in 12 under
# this module's writers. Here it meets a writer holding the lock for a moment, every time.
def test_an_ingest_of_a_new_file_waits_for_a_writer_instead_of_failing(
    tmp_path: Path, engine_factory: Any
) -> None:
    from floorsup.ingest.follow import ingest_file
    from floorsup.store.engine import sqlite_file

    engine = engine_factory("t.db")
    db = sqlite_file(engine.url)
    assert db is not None
    log = tmp_path / "queue_log"
    log.write_text("1741046400|NONE|NONE|NONE|QUEUESTART|\n", encoding="utf-8")
    writer = sqlite3.connect(db, isolation_level=None, timeout=10, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # another process's write, under way for a second
    release = threading.Timer(1.0, writer.execute, ("COMMIT",))
    release.start()
    try:
        summary = ingest_file(engine, log, tz=TZ)
    finally:
        release.join()
        writer.close()
    assert summary.events == 1
    assert q(engine, "SELECT count(*) FROM queue_event") == [(1,)]

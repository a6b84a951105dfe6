"""Proof under load: a live feed, app sessions refreshing and people writing notes, at once.

Real parts in separate OS processes on one database (SQLite in WAL mode by default):

  feed     writes realistic queue_log lines (the demo simulator, floor_bench's centre of
           --agents agents) to a file at --rate lines a second, paced by the wall clock;
  ingest   one real `python -m floorsup --db DB --tz TZ ingest queue-log FILE --follow`;
  sessions --sessions processes doing what the floor screen's worker does each refresh tick
           (`tui/screens/floor.py` `_fetch`): `ChangeWatcher.changed()`, then, if anything
           was committed, `build_floor(...)` with the screen's own `FloorCache`, and every 5 s
           `build_adherence(..., with_exceptions=False, glance=True)` with its own `ActualsCache`; ticks
           every `Settings().refresh_seconds` (1 s), a tick that falls while a refresh runs
           is skipped, as in the app; each session is open (its first, cold refresh done,
           reported on its own) before the clock starts, and their ticks are spread over one;
  writers  --writers processes each doing what the note form does for a new note every
           1-2 s: `load_agent` (the form's read), `save_draft` as typed (--drafts), then
           `coaching.add_note` with the draft key; each note carries a unique marker.

The lines come from a stream generated once (cached in bench/out/) from local midnight of
a fixed Tuesday, day after day; the day up to --start (10:00) is written and ingested before
the clock starts. A floor of 1,000 agents makes about 10 lines a second at its busiest, so
1,000 lines a second runs the simulated day about 100x faster than the wall clock: the
sessions' `now` is the feed's clock (the time of the newest line written), as a live app's
clock is at most a moment ahead of its feed. The screen's "adherence every 5 s" and "refresh
anyway after 30 s" are taken in wall seconds (a real session's cadence), the interval turn
in feed time.

At the end the feed stops, the ingest is given time to catch up (its lag then is the final
lag), every confirmed note is looked up by its marker, and a summary is printed (--json for
JSON). Ctrl-C stops the run early, reports what was measured and ends every child process.

    .venv/bin/python bench/load_bench.py                      # issue 8: 1,000/s, 10 min, 20+5
    .venv/bin/python bench/load_bench.py --seconds 45 --sessions 4 --writers 2   # a smoke run
    .venv/bin/python bench/load_bench.py --sessions 50 --rate 200 --writers 0 --db postgresql://...
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from floorsup.store.access import system  # noqa: E402
from floorsup.store.sql import fetchall  # noqa: E402

OUT = ROOT / "bench" / "out"
TZ = "America/New_York"
DAY = dt.date(2026, 1, 13)  # floor_bench's Tuesday, far from a DST change
MARK = "load-bench"  # every note body starts with it
ADHERENCE_EVERY_S = 5.0  # the floor screen: adherence "every 5 s is plenty"
FORCE_AFTER_S = 30.0  # the floor screen: refresh anyway when the last one is older
INTERVAL_S = 30 * 60


def now_s() -> float:
    return time.time()


# --- the stream ------------------------------------------------------------------------------
def stream_path(agents: int, seed: int, start_ts: float, after: int) -> tuple[Path, int]:
    """A cached simulator stream (whole hours from local midnight of DAY, so a longer stream
    starts with a shorter one's lines) with at least `after` lines from `start_ts` on, and
    how many lines come before `start_ts`."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"load_feed_{agents}a_seed{seed}.log"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        with contextlib.suppress(ValueError, KeyError):
            if json.loads(meta.read_text())["until"] > start_ts:
                before = total = 0
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        total += 1
                        if line_ts(line) < start_ts:
                            before = total
                if total - before >= after:
                    return path, before
    from floor_bench import big_centre

    from floorsup.domain.intervals import day_bounds
    from floorsup.sim import FloorSimulator

    centre = big_centre(agents, seed=seed)
    start, _ = day_bounds(DAY, TZ)
    sim = FloorSimulator(centre, tz=TZ, day_start=start, seed=seed)
    before = total = 0
    t = start
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        while t <= start_ts or total - before < after:
            t += 3600
            chunk = sim.advance(t)
            fh.writelines(chunk)
            total += len(chunk)
            before += sum(1 for line in chunk if line_ts(line) < start_ts)
    tmp.replace(path)
    meta.write_text(json.dumps({"lines": total, "until": t}))
    return path, before


def line_ts(line: str) -> float:
    return float(line.split("|", 1)[0])


# --- the database ----------------------------------------------------------------------------
def setup_database(url: str, workdir: Path, agents: int, seed: int, days: list[dt.date]) -> dict:
    """Schema, roster, queue targets and schedules, as a centre would import them."""
    from floor_bench import big_centre
    from sqlalchemy import inspect

    from floorsup.config import Settings
    from floorsup.sim import write_roster_csv, write_schedule_csv
    from floorsup.store.engine import ensure_schema, make_engine
    from floorsup.store.roster import import_roster, set_queue_target
    from floorsup.store.schedules import import_schedule

    engine = make_engine(url)
    try:
        if inspect(engine).has_table("staff"):
            with engine.connect() as conn:
                if conn.exec_driver_sql("SELECT count(*) FROM staff").scalar():
                    raise SystemExit(f"--db {url}: not empty; the bench needs a fresh database")
        ensure_schema(engine)
        centre = big_centre(agents, seed=seed)
        roster = workdir / "roster.csv"
        write_roster_csv(centre, roster)
        r = import_roster(engine, roster, actor=system())
        for q in centre.queues:
            set_queue_target(engine, q.name, q.sl_seconds, q.sl_target, actor=system())
        sched = workdir / "schedule.csv"
        write_schedule_csv(centre, days, sched, seed=seed)
        settings = Settings(db=url, tz=TZ).validated()
        s = import_schedule(engine, sched, tz=TZ, activities=settings.activities, actor=system())
    finally:
        engine.dispose()
    return {
        "staff": r.added,
        "teams": r.teams,
        "agents": r.acd_names,
        "queues": len(centre.queues),
        "segments": s.segments,
        "staff_ids": [p.staff_id for p in centre.staff if p.takes_calls],
    }


# --- child processes -------------------------------------------------------------------------
def _child_start(go: Any, go_at: Any, stop: Any, ready: Any, name: str) -> float:
    """Ctrl-C is the parent's to handle; say we are ready; wait for the common start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready.put(name)
    while not go.wait(0.2):
        if stop.is_set():
            return math.inf
    return float(go_at.value)


def _write_result(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def feed_main(
    stream: str,
    feed: str,
    skip: int,
    rate: float,
    seconds: float,
    clock: Any,
    written: Any,
    go: Any,
    go_at: Any,
    stop: Any,
    ready: Any,
    result: str,
) -> None:
    """Append the stream's lines after the first `skip` to `feed`, `rate` a second by the wall
    clock; publish how many are written and the newest line's time (the sessions' clock)."""
    out: dict[str, Any] = {"written": 0, "marks": [], "error": None, "ran_out": False}
    try:
        src = open(stream, encoding="utf-8")  # noqa: SIM115 - read across the whole run
        for _ in range(skip):
            next(src)
        dst = open(feed, "a", encoding="utf-8")  # noqa: SIM115
        t0 = _child_start(go, go_at, stop, ready, "feed")
        while now_s() < t0:
            time.sleep(0.005)
        n = 0
        total = int(rate * seconds)
        next_mark = 1.0
        while n < total and not stop.is_set():
            el = now_s() - t0
            due = min(total, int(el * rate))
            if due > n:
                chunk = []
                for _ in range(due - n):
                    line = next(src, None)
                    if line is None:
                        out["ran_out"] = True
                        break
                    chunk.append(line)
                if chunk:
                    dst.write("".join(chunk))
                    dst.flush()
                    n += len(chunk)
                    clock.value = line_ts(chunk[-1])
                    written.value = n
                if out["ran_out"]:
                    break
            if el >= next_mark:  # (elapsed, written) once a second: the offered rate
                out["marks"].append((round(el, 3), n))
                next_mark += 1.0
            time.sleep(0.01)
        out["marks"].append((round(now_s() - t0, 3), n))
        out["written"] = n
        out["last_ts"] = clock.value
        dst.close()
        src.close()
    except Exception:
        out["error"] = traceback.format_exc()
    _write_result(Path(result), out)


def session_main(
    idx: int,
    n_sessions: int,
    url: str,
    refresh: float,
    seconds: float,
    clock: Any,
    go: Any,
    go_at: Any,
    stop: Any,
    ready: Any,
    result: str,
) -> None:
    """One app session's floor screen, refresh tick after refresh tick."""
    out: dict[str, Any] = {"idx": idx, "ticks": [], "errors": [], "fatal": None}
    try:
        from floorsup.adherence import ActualsCache, build_adherence
        from floorsup.config import Settings
        from floorsup.floor import FloorCache, build_floor
        from floorsup.store.engine import make_engine
        from floorsup.store.queries import ChangeWatcher

        settings = Settings(db=url, tz=TZ).validated()
        engine = make_engine(settings.url)
        with engine.connect() as conn:  # connect before the clock starts
            conn.exec_driver_sql("SELECT 1")
        watcher = ChangeWatcher(engine)
        cache, adh_cache = FloorCache(), ActualsCache()
        # The app is open before the load starts: its first, cold refresh (the day so far
        # read whole) is done now, and reported on its own.
        t, c = time.perf_counter(), time.process_time()
        watcher.changed()
        snapshot = build_floor(engine, settings, clock.value, cache)
        adherence = build_adherence(
            engine, settings, clock.value, cache=adh_cache, with_exceptions=False, glance=True
        )
        out["first"] = (time.perf_counter() - t, time.process_time() - c)
        t0 = _child_start(go, go_at, stop, ready, f"session {idx}")
        last_fetch = adh_at = t0  # as if refreshed at the start
        end = t0 + seconds
        cpu0 = time.process_time()
        # The apps were not all opened at the same instant: spread their ticks over one.
        next_tick = t0 + refresh * idx / max(1, n_sessions)
        skipped = 0
        while not stop.is_set():
            wait = next_tick - now_s()
            if wait > 0 and stop.wait(wait):
                break
            if now_s() >= end:
                break
            wall = now_s()
            t = time.perf_counter()
            c = time.process_time()
            kind = "check"
            err = None
            try:
                changed = watcher.changed()
                now = clock.value
                turned = snapshot is not None and now >= snapshot.interval_start + INTERVAL_S
                force = snapshot is None or turned or wall - last_fetch > FORCE_AFTER_S
                if changed or force:
                    snapshot = build_floor(engine, settings, now, cache)
                    last_fetch = wall
                    kind = "floor"
                    if adherence is None or wall - adh_at >= ADHERENCE_EVERY_S:
                        adherence = build_adherence(
                            engine,
                            settings,
                            now,
                            cache=adh_cache,
                            with_exceptions=False,
                            glance=True,
                        )
                        adh_at = wall
                        kind = "floor+adherence"
            except Exception as exc:  # the screen: picture marked stale, caches dropped
                err = f"{type(exc).__name__}: {exc}"
                watcher.reset()
                cache, adh_cache = FloorCache(), ActualsCache()
                out["errors"].append((round(wall - t0, 3), err[:300]))
            dur = time.perf_counter() - t
            cpu = time.process_time() - c
            out["ticks"].append((round(wall - t0, 3), dur, cpu, kind, err is not None))
            # The next tick that falls after this refresh has ended (the app's timer keeps
            # ticking; a tick while a fetch runs starts nothing).
            next_tick += refresh
            done = now_s()
            while next_tick <= done:
                next_tick += refresh
                skipped += 1
        out["skipped"] = skipped
        out["cpu_total"] = time.process_time() - cpu0
        out["ran_s"] = min(now_s(), end) - t0
        watcher.close()
        engine.dispose()
    except Exception:
        out["fatal"] = traceback.format_exc()
    _write_result(Path(result), out)


def writer_main(
    idx: int,
    url: str,
    staff_ids: list[str],
    every: float,
    drafts: int,
    run_id: str,
    seconds: float,
    clock: Any,
    go: Any,
    go_at: Any,
    stop: Any,
    ready: Any,
    result: str,
) -> None:
    """A supervisor writing new notes through the note form's store calls."""
    out: dict[str, Any] = {"idx": idx, "confirmed": [], "failed": [], "drafts": 0, "fatal": None}
    try:
        from floorsup.agent import load_agent
        from floorsup.config import Settings
        from floorsup.domain.coaching import NoteInput
        from floorsup.store import coaching
        from floorsup.store.engine import make_engine

        settings = Settings(db=url, tz=TZ, user=f"load-writer-{idx}").validated()
        engine = make_engine(settings.url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        rng = random.Random(f"load-writer:{run_id}:{idx}")
        category = settings.note_categories[0]
        t0 = _child_start(go, go_at, stop, ready, f"writer {idx}")
        end = t0 + seconds
        next_at = t0 + rng.uniform(0, every)
        seq = 0
        while not stop.is_set():
            wait = next_at - now_s()
            if wait > 0 and stop.wait(wait):
                break
            if now_s() >= end:
                break
            next_at += rng.uniform(0.5 * every, 1.5 * every)  # 1-2 s for every=1.5
            seq += 1
            marker = f"{MARK} {run_id} w{idx} n{seq:06d}"
            sid = rng.choice(staff_ids)
            started = now_s()
            t = time.perf_counter()
            stage = "read"
            try:
                now = clock.value
                profile = load_agent(engine, settings, now, who=system(settings.user), staff_id=sid)
                read_s = time.perf_counter() - t
                key = coaching.draft_key(settings.user, sid, None)
                body = f"{marker}: followed up on hold times; agreed to use the knowledge base."
                stage = "draft"
                for k in range(1, drafts + 1):  # saved as it is typed
                    part = body[: max(1, len(body) * k // (drafts + 1))]
                    coaching.save_draft(
                        engine,
                        coaching.Draft(
                            key, settings.user, sid, None, k, clock.value,
                            {"category": category, "body": part, "actions": "", "follow_up": "",
                             "acknowledged": False},
                        ),
                    )  # fmt: skip
                    out["drafts"] += 1
                stage = "save"
                w = time.perf_counter()
                saved = coaching.add_note(
                    engine,
                    NoteInput(staff_id=sid, category=category, body=body),
                    actor=system(settings.user),
                    now=clock.value,
                    snapshot=profile.snapshot(),
                    categories=settings.note_categories,
                    draft_key=key,
                )
                done = time.perf_counter()
                out["confirmed"].append(
                    (marker, saved.id, round(started - t0, 3), read_s, done - w, done - t)
                )
            except Exception as exc:
                err = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                out["failed"].append((marker, stage, round(started - t0, 3), err))
        engine.dispose()
    except Exception:
        out["fatal"] = traceback.format_exc()
    _write_result(Path(result), out)


# --- measuring the ingest from outside -------------------------------------------------------
def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Probe:
    """The ingest's checkpoint (committed with its rows) and, on SQLite, the WAL's size."""

    def __init__(self, url: str, feed: Path) -> None:
        from floorsup.store.engine import make_engine

        self.engine = make_engine(url)
        self.feed = str(feed.resolve())
        self.wal: Path | None = None
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            self.wal = Path(self.engine.url.database + "-wal")

    def checkpoint(self) -> tuple[int, int, int, int, int]:
        """(offset, line_no, lines_ok, lines_duplicate, lines_rejected); zeros before any."""
        with self.engine.connect() as conn:
            rows = fetchall(
                conn,
                'SELECT "offset", line_no, lines_ok, lines_duplicate, lines_rejected '
                "FROM ingest_source WHERE path = ?",
                (self.feed,),
            )
        return tuple(int(v) for v in rows[0]) if rows else (0, 0, 0, 0, 0)  # type: ignore[return-value]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)

    def wal_bytes(self) -> int | None:
        if self.wal is None:
            return None
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def notes_by_marker(self, run_id: str) -> dict[str, int]:
        like = f"{MARK} {run_id} %"
        with self.engine.connect() as conn:
            rows = fetchall(conn, "SELECT id, body FROM coaching_note WHERE body LIKE ?", (like,))
        return {str(b).split(":", 1)[0]: int(i) for i, b in rows}

    def drafts_left(self) -> int:
        with self.engine.connect() as conn:
            sql = "SELECT count(*) FROM note_draft WHERE author LIKE ?"
            return int(fetchall(conn, sql, ("load-writer-%",))[0][0] or 0)

    def close(self) -> None:
        self.engine.dispose()


# --- statistics ------------------------------------------------------------------------------
def pct(xs: list[float], p: float) -> float:
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(p * len(s)) - 1)]


def rate_between(marks: list[tuple[float, int]], lo: float, hi: float) -> float | None:
    """Count per second between the (t, count) marks nearest `lo` and `hi` (taken about
    once a second)."""
    if len(marks) < 2:
        return None
    a = min(marks, key=lambda m: abs(m[0] - lo))
    b = min(marks, key=lambda m: abs(m[0] - hi))
    return (b[1] - a[1]) / (b[0] - a[0]) if b[0] > a[0] else None


def windows(marks: list[tuple[float, int]], width: float) -> list[float]:
    """Rates over the consecutive whole windows of `width` s that the marks cover."""
    if not marks:
        return []
    out = []
    for k in range(int((marks[-1][0] + 0.5) // width)):
        r = rate_between(marks, k * width, (k + 1) * width)
        if r is not None:
            out.append(r)
    return out


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = round(kb / 2**20)
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# --- the run ---------------------------------------------------------------------------------
class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ctx = mp.get_context("spawn")
        self.procs: list[tuple[str, Any]] = []
        self.ingest: subprocess.Popen[bytes] | None = None
        self.interrupted = False
        self.notes: list[str] = []

    # each child gets these
    def _shared(self) -> None:
        self.clock = self.ctx.Value("d", 0.0, lock=False)
        self.written = self.ctx.Value("q", 0, lock=False)
        self.go_at = self.ctx.Value("d", 0.0, lock=False)
        self.go = self.ctx.Event()
        self.stop = self.ctx.Event()
        self.ready = self.ctx.Queue()

    def log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def start_ingest(self, url: str, feed: Path) -> None:
        env = dict(os.environ)
        env["FLOORSUP_CONFIG"] = str(self.workdir / "no-config.toml")  # defaults only
        cmd = [sys.executable, "-m", "floorsup", "--db", url, "--tz", TZ, "ingest", "queue-log"]
        cmd += [str(feed), "--follow"]
        self.ingest_cmd = cmd
        self.ingest_out = (self.workdir / "ingest.out").open("wb")
        self.ingest = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.ingest_out, stderr=subprocess.STDOUT
        )

    def spawn(self, name: str, target: Any, *args: Any) -> None:
        p = self.ctx.Process(target=target, args=args, name=name, daemon=True)
        p.start()
        self.procs.append((name, p))

    def cleanup(self) -> None:
        """Every child ends, whatever happened: asked first, then made to."""
        with contextlib.suppress(Exception):
            self.stop.set()
        for _, p in self.procs:
            p.join(timeout=5)
        for _, p in self.procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=3)
            if p.is_alive():
                p.kill()
                p.join(timeout=3)
        if self.ingest is not None and self.ingest.poll() is None:
            self.ingest.send_signal(signal.SIGTERM)
            try:
                self.ingest.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.ingest.kill()
                self.ingest.wait(timeout=5)

    def main(self) -> dict[str, Any]:
        a = self.args
        self._shared()
        info: dict[str, Any] = {"machine": machine_info()}
        run_id = f"{int(time.time()):x}{os.getpid() % 4096:03x}"
        info["run_id"] = run_id
        lines_run = int(a.rate * a.seconds)

        # The stream: the day up to --start, then what the run writes (and a margin).
        start_local = dt.datetime.combine(DAY, a.start_time, tzinfo=_zone())
        start_ts = start_local.timestamp()
        t = time.perf_counter()
        stream, backfill = stream_path(a.agents, a.seed, start_ts, lines_run + 1000)
        self.log(f"stream: {stream} ({time.perf_counter() - t:.1f} s)")
        last_ts = line_ts(_nth_line(stream, backfill + lines_run))
        days = [
            DAY + dt.timedelta(days=k) for k in range(-1, int((last_ts - start_ts) // 86400) + 3)
        ]

        # The database and the feed file.
        if a.db:
            url = a.db if "://" in a.db else f"sqlite:///{Path(a.db).expanduser().resolve()}"
            if url.startswith("sqlite:///"):
                p = Path(url.removeprefix("sqlite:///"))
                if p.exists() and p.stat().st_size:
                    raise SystemExit(f"--db {p}: exists; the bench needs a new database file")
        else:
            url = f"sqlite:///{self.workdir / 'load.db'}"
        info["db"] = url.split("@")[-1] if "@" in url else url
        t = time.perf_counter()
        setup = setup_database(url, self.workdir, a.agents, a.seed, days)
        staff_ids = setup.pop("staff_ids")
        info["data"] = setup
        self.log(
            f"database: {setup['agents']:,} agents, {setup['teams']} teams, {setup['queues']} "
            f"queues, {setup['segments']:,} schedule segments ({time.perf_counter() - t:.1f} s)"
        )
        feed = self.workdir / "queue_log"
        with stream.open(encoding="utf-8") as src, feed.open("w", encoding="utf-8") as dst:
            for _ in range(backfill):
                dst.write(next(src))
        self.clock.value = start_ts
        probe = Probe(url, feed)
        self.probe = probe

        # The ingest follows the file from its start: the backfill first, then live.
        t = time.perf_counter()
        self.start_ingest(url, feed)
        assert self.ingest is not None
        while True:
            if self.ingest.poll() is not None:
                raise SystemExit(f"the ingest ended early: {self._ingest_tail()}")
            with contextlib.suppress(Exception):
                if probe.checkpoint()[1] >= backfill:
                    break
            time.sleep(0.25)
        info["backfill"] = {
            "lines": backfill,
            "until": start_local.strftime("%a %Y-%m-%d %H:%M"),
            "s": round(time.perf_counter() - t, 1),
        }
        self.log(
            f"backfill: {backfill:,} lines to {start_local:%H:%M} ingested by the follow process "
            f"in {time.perf_counter() - t:.1f} s"
        )
        before = probe.checkpoint()
        events_before = probe.count("queue_event")

        # The children, each ready before the clock starts.
        res = self.workdir / "results"
        res.mkdir()
        common = (self.go, self.go_at, self.stop, self.ready)
        self.spawn(
            "feed", feed_main, str(stream), str(feed), backfill, a.rate, a.seconds,
            self.clock, self.written, *common, str(res / "feed.json"),
        )  # fmt: skip
        for i in range(a.sessions):
            self.spawn(
                f"session {i}", session_main, i, a.sessions, url, a.refresh, a.seconds,
                self.clock, *common, str(res / f"session-{i}.json"),
            )  # fmt: skip
        for i in range(a.writers):
            self.spawn(
                f"writer {i}", writer_main, i, url, staff_ids, a.note_every, a.drafts, run_id,
                a.seconds, self.clock, *common, str(res / f"writer-{i}.json"),
            )  # fmt: skip
        t = time.perf_counter()
        waiting = len(self.procs)
        while waiting:
            try:
                self.ready.get(timeout=1)
                waiting -= 1
            except Exception:
                dead = [n for n, p in self.procs if not p.is_alive()]
                if dead:
                    raise SystemExit(f"{', '.join(dead)} ended before the start") from None
                if time.perf_counter() - t > 300:
                    raise SystemExit("the children took over 300 s to start") from None
        self.log(
            f"started: feed, {a.sessions} sessions, {a.writers} writers "
            f"({time.perf_counter() - t:.1f} s); running {a.seconds:g} s at {a.rate:g} lines/s"
        )

        # Go, and watch the ingest from outside once a second.
        pid = self.ingest.pid
        cpu_in0 = proc_cpu_s(pid)
        t0 = now_s() + 1.0
        self.go_at.value = t0
        self.go.set()
        samples: list[tuple[float, int, int, int | None]] = []  # (t, written, ingested, wal)
        next_s, last_log = t0, t0
        try:
            while True:
                time.sleep(max(0.0, next_s - now_s()))
                next_s += a.sample
                el = now_s() - t0
                cp = probe.checkpoint()
                samples.append(
                    (round(el, 3), self.written.value, cp[1] - backfill, probe.wal_bytes())
                )
                if self.ingest.poll() is not None:  # the run means nothing without it
                    self.notes.append(f"the ingest ended during the run: {self._ingest_tail()}")
                    self.interrupted = True
                    self.stop.set()
                    break
                if now_s() - last_log >= 30:
                    last_log = now_s()
                    lag = samples[-1][1] - samples[-1][2]
                    self.log(f"  {el:5.0f} s: written {samples[-1][1]:,}, lag {lag:,} lines")
                if el >= a.seconds:
                    break
        except KeyboardInterrupt:  # stop early, still report what was measured
            self.interrupted = True
            self.stop.set()
            self.log("interrupted: stopping the run, then the summary (Ctrl-C again to quit)")
        cpu_in_run = proc_cpu_s(pid)
        run_s = now_s() - t0
        self.procs[0][1].join(timeout=30)  # the feed: its last line is written
        # Catching up: the feed has stopped; how long until the checkpoint has every line?
        total = self.written.value
        t_end = now_s()
        drained = None
        drain = 5.0 if self.interrupted else a.drain
        while self.ingest.poll() is None and now_s() - t_end < drain:
            if probe.checkpoint()[1] - backfill >= total:
                drained = now_s() - t0  # when, on the run's clock, the last line was in
                break
            time.sleep(0.1)
        after = probe.checkpoint()
        cpu_in1 = proc_cpu_s(pid)
        info["ingest_cpu_s"] = (
            None if cpu_in0 is None or cpu_in_run is None else round(cpu_in_run - cpu_in0, 2)
        )
        info["ingest_cpu_drain_s"] = (
            None if cpu_in_run is None or cpu_in1 is None else round(cpu_in1 - cpu_in_run, 2)
        )
        for _, p in self.procs:
            p.join(timeout=60)
        if self.ingest.poll() is None:
            self.ingest.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.ingest.wait(timeout=30)
        return self.report(
            info, samples, run_s, before, after, events_before, drained, total, run_id
        )

    def _ingest_tail(self) -> str:
        with contextlib.suppress(OSError):
            self.ingest_out.flush()
            text = (self.workdir / "ingest.out").read_text(errors="replace").strip()
            return text[-600:] or "(no output)"
        return "(no output)"

    # --- the summary -------------------------------------------------------------------------
    def report(
        self,
        info: dict[str, Any],
        samples: list[tuple[float, int, int, int | None]],
        run_s: float,
        before: tuple[int, ...],
        after: tuple[int, ...],
        events_before: int,
        drained: float | None,
        total: int,
        run_id: str,
    ) -> dict[str, Any]:
        a = self.args
        res = self.workdir / "results"
        probe = self.probe

        def load(name: str) -> dict[str, Any] | None:
            p = res / f"{name}.json"
            try:
                return json.loads(p.read_text())
            except (OSError, ValueError):
                self.notes.append(f"{name}: no result (the process died?)")
                return None

        info["args"] = {
            "rate": a.rate,
            "seconds": a.seconds,
            "sessions": a.sessions,
            "writers": a.writers,
            "agents": a.agents,
            "refresh_s": a.refresh,
            "note_every_s": a.note_every,
            "drafts": a.drafts,
            "start": a.start_time.strftime("%H:%M"),
        }
        info["interrupted"] = self.interrupted
        info["run_s"] = round(run_s, 1)

        # The feed and the ingest.
        fd = load("feed") or {}
        if fd.get("error"):
            self.notes.append("feed: " + fd["error"].strip().splitlines()[-1])
        if fd.get("ran_out"):
            self.notes.append("feed: the stream ran out before the end")
        offered = windows([tuple(m) for m in fd.get("marks", [])], 10.0)
        ingested_marks = [(s[0], s[2]) for s in samples if s[0] >= 0]
        held = windows(ingested_marks, 10.0)
        lags = [s[1] - s[2] for s in samples]
        in_run = next((s for s in reversed(samples) if s[0] <= a.seconds + 0.5), None)
        events_after = probe.count("queue_event")
        ing = {
            "lines_written": total,
            "offered_per_s_mean": (
                round(total / fd["marks"][-1][0], 1) if fd.get("marks") and total else None
            ),
            "offered_per_s_min_10s": round(min(offered), 1) if offered else None,
            "lines_ingested_in_run": in_run[2] if in_run else None,
            "held_per_s_mean": round(in_run[2] / in_run[0], 1) if in_run and in_run[0] else None,
            "held_per_s_min_10s": round(min(held), 1) if held else None,
            "held_per_s_max_10s": round(max(held), 1) if held else None,
            "lag_max_lines": max(lags) if lags else None,
            "lag_max_s": round(max(lags) / a.rate, 2) if lags else None,
            "lag_end_lines": lags[-1] if lags else None,
            # from the feed's last write to the first look that found every line ingested
            "caught_up_after_s": (
                None
                if drained is None or not fd.get("marks")
                else round(max(0.0, drained - fd["marks"][-1][0]), 2)
            ),
            "lines_ingested_total": after[1] - before[1],
            "events_ingested": events_after - events_before,
            "duplicates": after[3] - before[3],
            "rejected": after[4] - before[4],
            "ingest_cpu_s": info.pop("ingest_cpu_s"),
            "ingest_cpu_drain_s": info.pop("ingest_cpu_drain_s"),
            "feed_clock_span": [
                _local(
                    self.args, float(dt.datetime.combine(DAY, a.start_time, _zone()).timestamp())
                ),
                _local(self.args, float(fd.get("last_ts") or 0)),
            ],
        }
        wal = [s[3] for s in samples if s[3] is not None]
        if wal:
            ing["wal_max_mib"] = round(max(wal) / 2**20, 1)
        if ing["ingest_cpu_s"] is not None and run_s:
            ing["ingest_cpu_pct_of_core"] = round(100 * ing["ingest_cpu_s"] / run_s, 1)
        info["ingest"] = ing
        info["ingest_summary"] = self._ingest_tail().splitlines()[-4:]

        # The sessions.
        ticks: list[list[Any]] = []
        firsts: list[float] = []
        sess_errors: list[str] = []
        cpu_total = 0.0
        skipped = 0
        ran = 0.0
        n_ok = 0
        for i in range(a.sessions):
            s = load(f"session-{i}")
            if s is None:
                continue
            if s.get("fatal"):
                sess_errors.append(f"session {i}: " + s["fatal"].strip().splitlines()[-1])
                continue
            n_ok += 1
            if s["ticks"]:
                ticks.extend(s["ticks"])
            if s.get("first"):
                firsts.append(s["first"][0])
            sess_errors.extend(e[1] for e in s["errors"])
            cpu_total += s.get("cpu_total", 0.0)
            skipped += s.get("skipped", 0)
            ran += s.get("ran_s", 0.0)
        durs = [t[1] * 1000 for t in ticks]
        cpus = [t[2] * 1000 for t in ticks]
        budget = a.refresh
        kinds: dict[str, list[float]] = {}
        kinds_cpu: dict[str, list[float]] = {}
        for t in ticks:
            kinds.setdefault(t[3], []).append(t[1] * 1000)
            kinds_cpu.setdefault(t[3], []).append(t[2] * 1000)
        n_ticks = len(ticks)
        expected = int(ran / budget) if budget else 0
        info["sessions"] = {
            "sessions": a.sessions,
            "ran": n_ok,
            "ticks": n_ticks,
            "ticks_expected": expected,
            "ticks_skipped": skipped,
            "first_ms_median": round(statistics.median(firsts) * 1000, 1) if firsts else None,
            "first_ms_max": round(max(firsts) * 1000, 1) if firsts else None,
            "refresh_ms_p50": round(statistics.median(durs), 1) if durs else None,
            "refresh_ms_p95": round(pct(durs, 0.95), 1) if durs else None,
            "refresh_ms_p99": round(pct(durs, 0.99), 1) if durs else None,
            "refresh_ms_max": round(max(durs), 1) if durs else None,
            "over_budget": sum(1 for d in durs if d > budget * 1000),
            # of the ticks due, the share whose refresh started on time and ended within it
            "in_time_pct": (
                round(100 * sum(1 for d in durs if d <= budget * 1000) / expected, 1)
                if expected
                else None
            ),
            "by_kind": {
                k: {
                    "n": len(v),
                    "p50_ms": round(statistics.median(v), 1),
                    "p95_ms": round(pct(v, 0.95), 1),
                    "max_ms": round(max(v), 1),
                    "cpu_p50_ms": round(statistics.median(kinds_cpu[k]), 1),
                }
                for k, v in sorted(kinds.items())
            },
            "cpu_ms_per_tick_mean": round(statistics.fmean(cpus), 1) if cpus else None,
            "cpu_ms_per_tick_p95": round(pct(cpus, 0.95), 1) if cpus else None,
            "cpu_ms_per_session_s": round(1000 * cpu_total / ran, 1) if ran else None,
            "errors": len(sess_errors),
            "error_kinds": _kinds(sess_errors),
        }

        # The writers: every confirmed note must be there.
        confirmed: dict[str, int] = {}
        wres: dict[int, list[Any]] = {}
        failed: list[tuple[str, str, float, str]] = []
        lat_write: list[float] = []
        lat_all: list[float] = []
        drafts = 0
        w_errors: list[str] = []
        for i in range(a.writers):
            w = load(f"writer-{i}")
            if w is None:
                continue
            if w.get("fatal"):
                w_errors.append(f"writer {i}: " + w["fatal"].strip().splitlines()[-1])
                continue
            for marker, note_id, _t, _read, write, whole in w["confirmed"]:
                confirmed[marker] = note_id
                lat_write.append(write * 1000)
                lat_all.append(whole * 1000)
            wres[i] = w["confirmed"]
            failed.extend(tuple(f) for f in w["failed"])  # type: ignore[misc]
            drafts += w["drafts"]
        found = probe.notes_by_marker(run_id) if a.writers else {}
        missing = sorted(set(confirmed) - set(found))
        wrong_id = sorted(m for m in confirmed if m in found and found[m] != confirmed[m])
        failed_but_there = sorted(f[0] for f in failed if f[0] in found)
        info["writes"] = {
            "writers": a.writers,
            "made": len(confirmed) + len(failed),
            "confirmed": len(confirmed),
            "found": sum(1 for m in confirmed if m in found),
            "missing": len(missing),
            "missing_markers": missing[:20],
            "wrong_id": len(wrong_id),
            "failed": len(failed),
            "failed_but_committed": len(failed_but_there),
            "drafts_saved": drafts,
            "drafts_left": probe.drafts_left() if a.writers else 0,
            "add_note_ms_p50": round(statistics.median(lat_write), 1) if lat_write else None,
            "add_note_ms_p95": round(pct(lat_write, 0.95), 1) if lat_write else None,
            "add_note_ms_max": round(max(lat_write), 1) if lat_write else None,
            "note_whole_ms_p50": round(statistics.median(lat_all), 1) if lat_all else None,
            "note_whole_ms_p95": round(pct(lat_all, 0.95), 1) if lat_all else None,
            "errors": len(failed) + len(w_errors),
            "error_kinds": _kinds([f"{f[1]}: {f[3]}" for f in failed] + w_errors),
        }
        # The run minute by minute (10 s by 10 s for a short run).
        width = a.window or (60.0 if run_s >= 300 else 10.0)
        feed_marks = [(float(m[0]), int(m[1])) for m in fd.get("marks", [])]
        note_times = [c[2] for i in range(a.writers) for c in (wres.get(i) or [])]
        timeline = []
        k = 0
        while k * width < run_s - 1.0:
            lo, hi = k * width, min((k + 1) * width, run_s)
            in_w = [t for t in ticks if lo <= t[0] < hi]
            d = [t[1] * 1000 for t in in_w]
            lag_w = [x[1] - x[2] for x in samples if lo <= x[0] < hi]
            off_r = rate_between(feed_marks, lo, hi)
            held_r = rate_between(ingested_marks, lo, hi)
            timeline.append(
                {
                    "from_s": round(lo),
                    "to_s": round(hi),
                    "offered_per_s": None if off_r is None else round(off_r, 1),
                    "held_per_s": None if held_r is None else round(held_r, 1),
                    "lag_max_lines": max(lag_w) if lag_w else None,
                    "refreshes": len(d),
                    "refresh_ms_p50": round(statistics.median(d), 1) if d else None,
                    "refresh_ms_p95": round(pct(d, 0.95), 1) if d else None,
                    "refresh_ms_max": round(max(d), 1) if d else None,
                    "over_budget": sum(1 for x in d if x > budget * 1000),
                    "cpu_ms_per_tick": (
                        round(statistics.fmean(t[2] * 1000 for t in in_w), 1) if in_w else None
                    ),
                    "notes": sum(1 for t in note_times if lo <= t < hi),
                }
            )
            k += 1
        info["timeline"] = timeline

        all_errors = sess_errors + [f[3] for f in failed] + w_errors
        info["errors"] = {
            "total": len(all_errors),
            "database_is_locked": sum(1 for e in all_errors if "database is locked" in e),
        }
        info["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if self.engine_is_sqlite(probe):
            with contextlib.suppress(OSError):
                db = Path(probe.engine.url.database or "")
                info["db_mib"] = round(db.stat().st_size / 2**20, 1)
        info["notes"] = self.notes
        return info

    @staticmethod
    def engine_is_sqlite(probe: Probe) -> bool:
        return probe.engine.dialect.name == "sqlite"


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZ)


def _local(args: argparse.Namespace, ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, _zone()).strftime("%a %H:%M")


def _kinds(errors: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in errors:
        key = e.splitlines()[0][:120] if e else "?"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:10])


def _nth_line(path: Path, n: int) -> str:
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i == n:
                return line
    raise SystemExit(f"{path}: fewer than {n + 1} lines")


def _iter_ms(d: dict[str, Any], *keys: str) -> Iterator[str]:
    for k in keys:
        v = d.get(k)
        yield "-" if v is None else f"{v:,.1f}"


def _num(v: float | None, width: int, digits: int = 1) -> str:
    return f"{'-':>{width}}" if v is None else f"{v:>{width},.{digits}f}"


def render(info: dict[str, Any]) -> str:
    m, a, ing, s, w = (info[k] for k in ("machine", "args", "ingest", "sessions", "writes"))
    p50, p95, p99, mx = _iter_ms(
        s, "refresh_ms_p50", "refresh_ms_p95", "refresh_ms_p99", "refresh_ms_max"
    )
    lines = [
        "$ .venv/bin/python bench/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        f"machine: {m['platform']}, {m['cpu']}, {m['cores']} cores, {m['mem_gib']} GiB, "
        f"Python {m['python']}, SQLite {m['sqlite']}; load average {m['load_at_start'][0]} at "
        f"start, {m['load_at_end'][0]} at end",
        f"database: {info['db']}" + (f" ({info['db_mib']} MiB at end)" if "db_mib" in info else ""),
        f"data: {info['data']['agents']:,} agents in {info['data']['teams']} teams, "
        f"{info['data']['queues']} queues, {info['data']['segments']:,} schedule segments; "
        f"backfill {info['backfill']['lines']:,} lines to {info['backfill']['until']} "
        f"(ingested in {info['backfill']['s']} s)",
        f"run: {info['run_s']:g} s{' (INTERRUPTED)' if info['interrupted'] else ''}; feed "
        f"{a['rate']:g} lines/s, {a['sessions']} sessions (tick {a['refresh_s']:g} s), "
        f"{a['writers']} writers (a note every ~{a['note_every_s']:g} s, {a['drafts']} drafts "
        f"each); feed clock {ing['feed_clock_span'][0]} -> {ing['feed_clock_span'][1]}",
        "",
        "ingest (one `floorsup ingest queue-log --follow` process):",
        f"  lines written {ing['lines_written']:,}: offered {ing['offered_per_s_mean']}/s "
        f"(min 10-s window {ing['offered_per_s_min_10s']}/s)",
        f"  held {ing['held_per_s_mean']} lines/s mean, min 10-s window {ing['held_per_s_min_10s']}"
        f"/s, max {ing['held_per_s_max_10s']}/s",
        f"  lag: max {ing['lag_max_lines']:,} lines (~{ing['lag_max_s']} s), at the end "
        f"{ing['lag_end_lines']:,} lines; every line in at most {ing['caught_up_after_s']} s "
        f"after the last was written",
        f"  events ingested {ing['events_ingested']:,} (lines {ing['lines_ingested_total']:,}, "
        f"{ing['duplicates']} duplicates, {ing['rejected']} rejected); CPU "
        f"{ing['ingest_cpu_s']} s in the run ({ing.get('ingest_cpu_pct_of_core', '-')}% of a core)"
        + (f"; WAL max {ing['wal_max_mib']} MiB" if "wal_max_mib" in ing else ""),
        "",
        f"sessions ({s['ran']} of {s['sessions']} ran): {s['ticks']:,} refreshes of "
        f"{s['ticks_expected']:,} ticks; {s['ticks_skipped']} ticks skipped (a refresh still "
        f"running); {s['in_time_pct']}% of due ticks refreshed within the tick",
        f"  refresh wall ms: p50 {p50}  p95 {p95}  p99 {p99}  max {mx}; over the "
        f"{a['refresh_s']:g} s tick: {s['over_budget']} (first, cold refreshes before the run: median "
        f"{s['first_ms_median']} ms, max {s['first_ms_max']} ms)",
    ]
    for k, v in s["by_kind"].items():
        lines.append(
            f"    {k:<16} n {v['n']:>6,}  p50 {v['p50_ms']:8.1f}  p95 {v['p95_ms']:8.1f}  "
            f"max {v['max_ms']:8.1f} ms; CPU p50 {v['cpu_p50_ms']:.1f} ms"
        )
    lines += [
        f"  CPU per session per tick: mean {s['cpu_ms_per_tick_mean']} ms (p95 "
        f"{s['cpu_ms_per_tick_p95']}); whole process {s['cpu_ms_per_session_s']} ms per second",
        f"  errors: {s['errors']}" + (f" {s['error_kinds']}" if s["errors"] else ""),
        "",
        f"writes ({w['writers']} writers): made {w['made']:,}, confirmed {w['confirmed']:,}, "
        f"found {w['found']:,}, MISSING {w['missing']}, wrong id {w['wrong_id']}; failed {w['failed']} "
        f"({w['failed_but_committed']} of them committed after all); drafts saved "
        f"{w['drafts_saved']:,}, left {w['drafts_left']}",
        f"  add_note ms p50 {w['add_note_ms_p50']}  p95 {w['add_note_ms_p95']}  max "
        f"{w['add_note_ms_max']}; whole note (read, drafts, save) p50 {w['note_whole_ms_p50']} "
        f"p95 {w['note_whole_ms_p95']}",
        f"  errors: {w['errors']}" + (f" {w['error_kinds']}" if w["errors"] else ""),
        "",
        f"errors in all: {info['errors']['total']} ({info['errors']['database_is_locked']} "
        f"'database is locked')",
    ]
    lines += [
        "",
        "timeline:",
        "  from-to s   offered/s  held/s  max lag  refreshes  p50 ms  p95 ms  max ms  over  "
        "CPU ms/tick  notes",
    ]
    for r in info["timeline"]:
        cells = [
            f"{r['from_s']:>4}-{r['to_s']:<4}",
            _num(r["offered_per_s"], 10),
            _num(r["held_per_s"], 7),
            _num(r["lag_max_lines"], 8, 0),
            _num(r["refreshes"], 10, 0),
            _num(r["refresh_ms_p50"], 7),
            _num(r["refresh_ms_p95"], 7),
            _num(r["refresh_ms_max"], 7),
            _num(r["over_budget"], 5, 0),
            _num(r["cpu_ms_per_tick"], 12),
            _num(r["notes"], 6, 0),
        ]
        lines.append("  " + " ".join(cells))
    lines += [f"note: {n}" for n in info["notes"]]
    return "\n".join(lines)


def main() -> int:
    from floorsup.config import Settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=1000.0, help="feed lines a second (1000)")
    dur = ap.add_mutually_exclusive_group()
    dur.add_argument("--minutes", type=float, help="run length (default 10)")
    dur.add_argument("--seconds", type=float, help="run length in seconds")
    ap.add_argument("--sessions", type=int, default=20, help="app sessions refreshing (20)")
    ap.add_argument("--writers", type=int, default=5, help="note writers (5)")
    ap.add_argument(
        "--db",
        help="database file (must not exist) or URL (e.g. postgresql://..., empty); default a "
        "new SQLite file in a temporary folder under bench/out",
    )
    ap.add_argument("--agents", type=int, default=1000, help="agents on the floor (1000)")
    ap.add_argument(
        "--refresh",
        type=float,
        default=Settings.__dataclass_fields__["refresh_seconds"].default,
        help="session refresh tick, s (the app's default)",
    )
    ap.add_argument("--note-every", type=float, default=1.5, help="mean s between notes (1.5)")
    ap.add_argument("--drafts", type=int, default=2, help="draft saves before each note (2)")
    ap.add_argument(
        "--start",
        default="10:00",
        help="feed time the run starts at; the day before it is backfilled (10:00)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample", type=float, default=1.0, help="s between ingest samples (1)")
    ap.add_argument("--drain", type=float, default=120.0, help="s to wait for the ingest (120)")
    ap.add_argument(
        "--window", type=float, help="s per timeline row (60, or 10 for runs under 5 min)"
    )
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the work folder and database")
    args = ap.parse_args()
    args.seconds = args.seconds or (args.minutes or 10.0) * 60
    try:
        args.start_time = dt.time.fromisoformat(args.start)
    except ValueError:
        ap.error(f"--start {args.start!r}: expected HH:MM")
    if args.rate <= 0 or args.seconds <= 0 or args.sessions < 0 or args.writers < 0:
        ap.error("--rate and the duration must be above 0; --sessions, --writers at least 0")

    OUT.mkdir(exist_ok=True)
    run = Run(args)
    run.workdir = Path(tempfile.mkdtemp(prefix="load-bench-", dir=OUT))

    def on_term(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    info: dict[str, Any] | None = None
    code = 0
    try:
        info = run.main()
    except KeyboardInterrupt:
        run.interrupted = True
        print("interrupted: stopping every process…", file=sys.stderr, flush=True)
        code = 130
    finally:
        run.cleanup()
        with contextlib.suppress(Exception):
            run.probe.close()
        if args.keep:
            print(f"kept: {run.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(run.workdir, ignore_errors=True)
    if info is None:
        return code
    code = 130 if run.interrupted else code
    print(json.dumps(info, indent=2) if args.json else render(info))
    missing = info["writes"]["missing"]
    return 1 if missing else code


if __name__ == "__main__":
    raise SystemExit(main())

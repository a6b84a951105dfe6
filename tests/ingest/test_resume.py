"""Checkpoints: a kill at any moment followed by a restart loses and doubles nothing; a
restart after a clean stop reads only what was appended; following the file like `tail -F`
survives rotation by rename and by truncation, and takes a line written in two pieces once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.ingest.follow import QueueLogFeed, ingest_file
from floorsup.ingest.queue_log import parse_flat_line
from floorsup.store.sql import fetchall

REPO = Path(__file__).resolve().parents[2]
T = 1_700_000_000


def q(engine: Engine, sql: str, params: tuple = ()) -> list[tuple]:
    with engine.connect() as conn:
        return fetchall(conn, sql, params)


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
    env["FLOORSUP_CONFIG"] = str(tmp_path / "no-config.toml")
    env["PYTHONPATH"] = str(REPO)
    return env


def damaged_day(floor_lines: list[str]) -> list[str]:
    """The floor's lines with what real files have: exact duplicates, damaged and blank lines."""
    out: list[str] = []
    for i, line in enumerate(floor_lines):
        out.append(line)
        if i % 400 == 399:
            out.append(floor_lines[i - 3])  # a duplicate
        if i % 700 == 350:
            out.append(line[: line.index("|", 15)])  # truncated
        if i % 900 == 450:
            out.append("")
    return out


def clock_stepped_back(lines: list[str], at: int, by: int) -> list[str]:
    """From line `at` on, every timestamp `by` seconds earlier (an NTP step back)."""
    out = list(lines[:at])
    for line in lines[at:]:
        ts, rest = line.split("|", 1)
        out.append(f"{int(ts) - by}|{rest}")
    return out


KILLS = 20


def test_kill_at_random_moments_and_resume_equals_a_clean_run(
    tmp_path: Path,
    engine_factory: Callable[[str], Engine],
    write_log: Callable[..., Path],
    snapshot: Callable,
    big_floor_lines: list[str],
    ingest_in_batches: Callable[[int], Path],
) -> None:
    """The real command, in 40-line batches, SIGKILLed 20 times at random moments (while
    it starts and loads its cache, just after a batch was handed to the writer, a few ms
    into the next) over a 12,000-line day with duplicates, damaged and blank lines and a
    clock stepped back an hour; restarted each time; the same tables as one clean run."""
    floor = clock_stepped_back(big_floor_lines, len(big_floor_lines) // 2, 3600)
    lines = damaged_day(floor)
    assert len(lines) >= 12_000
    log = write_log(tmp_path / "queue_log", lines)
    env = cli_env(tmp_path)

    # The clean single run: the real command, default batches.
    # The databases: SQLite files, or PostgreSQL with FLOORSUP_TEST_PG (the command is
    # given their URL, as a user would).
    clean, resumed = engine_factory("clean.db"), engine_factory("killed.db")
    clean_db = clean.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "floorsup",
            "--db",
            clean_db,
            "--tz",
            "UTC",
            "ingest",
            "queue-log",
            str(log),
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "exact duplicates ignored" in done.stdout

    wrapper = ingest_in_batches(40)
    killed_db = resumed.url.render_as_string(hide_password=False)
    cmd = [
        sys.executable,
        str(wrapper),
        "--db",
        killed_db,
        "--tz",
        "UTC",
        "ingest",
        "queue-log",
        str(log),
    ]
    rng = random.Random(7)
    kills = 0
    for attempt in range(KILLS + 10):
        proc = subprocess.Popen(
            cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None
        if kills < KILLS:
            if attempt > 0 and rng.random() < 0.2:
                # at any moment of its start: imports, opening the database, loading the
                # cache; at its first batch at the latest (a fast machine could otherwise
                # read the rest of the file before the timer fires, and no kill would land)
                timer = threading.Timer(rng.uniform(0.3, 1.5), proc.send_signal, (signal.SIGKILL,))
                timer.start()
                try:
                    for raw in proc.stdout:
                        if raw.startswith(b"batch"):
                            proc.send_signal(signal.SIGKILL)
                            break
                finally:
                    timer.cancel()
            else:
                target, seen = rng.randint(1, 12), 0
                for raw in proc.stdout:
                    if raw.startswith(b"batch"):
                        seen += 1
                        if seen >= target:
                            time.sleep(rng.choice((0.0, rng.uniform(0, 0.004))))
                            proc.send_signal(signal.SIGKILL)
                            break
        out, err = proc.communicate(timeout=120)
        if proc.returncode == -signal.SIGKILL:
            kills += 1
            continue
        assert proc.returncode == 0, err.decode(errors="replace")
        break
    else:
        pytest.fail("the ingest never finished")
    assert kills == KILLS  # every kill landed while it was still reading

    want, got = snapshot(clean), snapshot(resumed)
    assert len(want["events"]) > 11_000
    assert len(got["events"]) == len(want["events"])
    assert got["events"] == want["events"]
    assert got["calls"] == want["calls"]
    assert got["spans"] == want["spans"]
    assert got["live"] == want["live"]
    assert [r[:2] for r in got["rejected"]] == [r[:2] for r in want["rejected"]]
    assert got["sources"] == want["sources"]
    dups = sum(1 for i in range(len(floor)) if i % 400 == 399)
    assert got["sources"][0][3:6] == (len(want["events"]), len(want["rejected"]), dups)


def test_resume_after_a_clean_stop_reads_only_the_appended_lines(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], floor_lines: list[str]
) -> None:
    path = write_log(tmp_path / "queue_log", floor_lines[:100])
    size = path.stat().st_size
    first = ingest_file(engine, path, tz="UTC")
    assert (first.lines, first.events) == (100, 100)
    again = ingest_file(engine, path, tz="UTC")  # nothing new
    assert (again.lines, again.events, again.resumed_at) == (0, 0, size)

    with path.open("a") as fh:
        fh.write(
            "\n".join([*floor_lines[100:119], "1700000000|damaged", *floor_lines[119:150]]) + "\n"
        )
    s = ingest_file(engine, path, tz="UTC")
    assert (s.lines, s.events, s.duplicates, s.rejected, s.resumed_at) == (51, 50, 0, 1, size)
    assert [r.line_no for r in s.reject_samples] == [120]
    assert q(engine, "SELECT count(*) FROM queue_event") == [(150,)]
    assert q(
        engine,
        'SELECT line_no, lines_ok, lines_rejected, lines_duplicate, "offset" FROM ingest_source',
    ) == [(151, 150, 1, 0, path.stat().st_size)]


def test_resume_after_a_stopped_follow(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], floor_lines: list[str]
) -> None:
    path = write_log(tmp_path / "queue_log", floor_lines[:60])
    with Follower(engine, path) as f:
        f.wait_events(60)
    with path.open("a") as fh:
        fh.write("\n".join(floor_lines[60:90]) + "\n")
    s = ingest_file(engine, path, tz="UTC")
    assert (s.lines, s.events, s.duplicates) == (30, 30, 0)
    assert q(engine, "SELECT count(*) FROM queue_event") == [(90,)]


def test_rotation_by_rename_while_stopped_reads_the_new_file_from_the_start(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    path = tmp_path / "queue_log"
    write_log(path, [line(i) for i in range(40)])
    ingest_file(engine, path, tz="UTC")
    path.rename(tmp_path / "queue_log.1")
    write_log(path, [line(i) for i in range(100, 110)])
    s = ingest_file(engine, path, tz="UTC")
    assert (s.lines, s.events, s.rotations) == (10, 10, 1)
    assert any("different file" in n for n in s.notes)
    assert q(engine, "SELECT count(*) FROM queue_event") == [(50,)]


def test_copytruncate_while_stopped_and_regrown_is_read_from_the_start(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    path = tmp_path / "queue_log"
    write_log(path, [line(i) for i in range(10)])
    ingest_file(engine, path, tz="UTC")
    inode = path.stat().st_ino
    with path.open("r+b") as fh:
        fh.truncate(0)
    with path.open("ab") as fh:
        fh.write(b"".join(line(100 + i, "QUEUESTART").encode() + b"\n" for i in range(15)))
    assert path.stat().st_ino == inode
    s = ingest_file(engine, path, tz="UTC")
    assert (s.events, s.rejected) == (15, 0)
    assert q(engine, "SELECT count(*) FROM queue_event WHERE event = 'QUEUESTART'") == [(15,)]


# -- following ------------------------------------------------------------------------------


def line(i: int, event: str = "CONFIGRELOAD") -> str:
    return f"{T + i}|NONE|NONE|NONE|{event}|{i}"


class Follower:
    """`QueueLogFeed.run(follow=True)` on a thread, stopped (and its writer closed) on exit."""

    def __init__(self, engine: Engine, path: Path, batch_lines: int = 4) -> None:
        self.engine = engine
        self.feed = QueueLogFeed(engine, path, tz="UTC", batch_lines=batch_lines)
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.summary = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.summary = self.feed.run(follow=True, stop=self.stop, poll=0.05)
        except BaseException as exc:  # surfaced by the test
            self.errors.append(exc)

    def __enter__(self) -> Follower:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        close = getattr(self.feed, "close", None)
        if close is not None:
            close()
        assert not self.thread.is_alive(), "the follower did not stop"
        assert not self.errors, self.errors

    def count(self) -> int:
        return int(q(self.engine, "SELECT count(*) FROM queue_event")[0][0])

    def wait_events(self, n: int, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert not self.errors, self.errors
            if self.count() >= n:
                return
            time.sleep(0.02)
        pytest.fail(f"waited for {n} events, have {self.count()}")

    def wait_for(self, cond: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if cond():
                return
            time.sleep(0.02)
        pytest.fail("the follower did not get there")


def append(path: Path, lines: list[str]) -> None:
    with path.open("a") as fh:
        fh.write("".join(ln + "\n" for ln in lines))


def test_follow_through_rename_and_truncation_loses_and_doubles_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    written: list[str] = []

    def add(target: Path, idx: range) -> None:
        new = [line(i) for i in idx]
        append(target, new)
        written.extend(new)

    add(path, range(0, 20))
    with Follower(engine, path) as f:
        f.wait_events(20)
        add(path, range(20, 30))
        f.wait_events(30)

        # logrotate's default: rename, the writer adds a few lines to the old file, then a
        # new file appears at the path
        path.rename(tmp_path / "queue_log.1")
        add(tmp_path / "queue_log.1", range(30, 33))
        time.sleep(0.12)  # the follower sees the path missing meanwhile
        add(path, range(33, 40))
        f.wait_events(40)
        f.wait_for(lambda: f.feed.cp.rotations == 1)
        add(path, range(40, 45))
        f.wait_events(45)

        # copytruncate: copy, then cut the file to nothing in place; the writer goes on
        shutil.copy(path, tmp_path / "queue_log.2")
        with path.open("r+b") as fh:
            fh.truncate(0)
        f.wait_for(lambda: f.feed.cp.rotations == 2)
        add(path, range(45, 51))
        f.wait_events(51)

        # a line written in two pieces
        whole = line(60, "ENTERQUEUE")
        with path.open("a") as fh:
            fh.write(whole[:23])
            fh.flush()
            time.sleep(0.2)  # several polls see only the first piece
            fh.write(whole[23:] + "\n")
        written.append(whole)
        f.wait_events(52)
        time.sleep(0.15)

    stored = q(engine, "SELECT ts, callid, queue, agent, event, data FROM queue_event")
    assert sorted(stored) == sorted(parse_flat_line(ln) for ln in written)
    assert q(engine, "SELECT count(*) FROM rejected_line") == [(0,)]
    assert q(engine, "SELECT rotations, lines_ok, lines_duplicate FROM ingest_source") == [
        (2, 52, 0)
    ]
    assert f.summary is not None and f.summary.rotations == 2


def test_a_line_in_two_pieces_is_taken_whole_after_a_restart(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    append(path, [line(i) for i in range(5)])
    whole = line(10, "PAUSEALL")
    with Follower(engine, path) as f:
        f.wait_events(5)
        with path.open("a") as fh:
            fh.write(whole[:20])
        time.sleep(0.15)
    # stopped with half a line in the file: it is not taken, and the checkpoint is before it
    assert q(engine, "SELECT count(*) FROM queue_event") == [(5,)]
    with path.open("a") as fh:
        fh.write(whole[20:] + "\n")
    with Follower(engine, path) as f:
        f.wait_events(6)
        time.sleep(0.1)
    assert q(engine, "SELECT event, data FROM queue_event WHERE ts = ?", (T + 10,)) == [
        ("PAUSEALL", "10")
    ]
    assert q(engine, "SELECT count(*) FROM rejected_line") == [(0,)]


def test_a_stop_while_reading_the_rest_of_a_renamed_file_keeps_its_identity(
    engine: Engine, tmp_path: Path
) -> None:
    """The follower reads what the writer added to the old file after it was renamed, and
    is stopped right then: the checkpoint must name the old file (its first bytes), not the
    new one now at the path, or the next run would take the new file for the old one and
    skip its first lines."""
    path = tmp_path / "queue_log"
    append(path, [line(0), line(1)])  # short: the file's identity is still being taken
    fresh = tmp_path / "queue_log.new"
    append(fresh, [line(100 + i, "QUEUESTART") for i in range(5)])
    feed = QueueLogFeed(engine, path, tz="UTC", batch_lines=4)
    stop = threading.Event()

    def on_batch(summary: object) -> None:
        if getattr(summary, "lines", 0) == 3:  # the line added to the renamed file
            stop.set()

    t = threading.Thread(
        target=feed.run, kwargs={"follow": True, "stop": stop, "poll": 0.05, "on_batch": on_batch}
    )
    t.start()
    try:
        end = time.monotonic() + 10
        while q(engine, "SELECT count(*) FROM queue_event") != [(2,)]:
            assert time.monotonic() < end, "the follower did not read the file"
            time.sleep(0.02)
        path.rename(tmp_path / "queue_log.1")
        append(tmp_path / "queue_log.1", [line(2)])
        fresh.rename(path)
        t.join(10)
        assert not t.is_alive()
    finally:
        stop.set()
        t.join(10)
        feed.close()
    s = ingest_file(engine, path, tz="UTC")
    assert (s.events, s.rejected) == (5, 0)
    assert q(engine, "SELECT count(*) FROM queue_event") == [(8,)]

"""Ingest speed against the plain floor, in one run on one machine.

The plain floor: Python's sqlite3 `executemany` of the same lines, split on "|", into one
table (time, callid, queuename, agent, event, data1..data5), one transaction, same pragmas
(WAL, synchronous=NORMAL). floorsup: `QueueLogFeed.run()` on a fresh migrated database,
which also drops duplicates, derives calls and agent state spans, and commits each batch
with its checkpoint. The goal (issue 2): floorsup at no less than half the floor's speed.

    .venv/bin/python bench/ingest_bench.py [--lines 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floorsup.domain.intervals import day_bounds  # noqa: E402
from floorsup.ingest.follow import QueueLogFeed  # noqa: E402
from floorsup.sim import FloorSimulator, demo_centre  # noqa: E402
from floorsup.store.engine import make_engine, upgrade  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def make_feed(lines: int, tz: str = "America/New_York") -> Path:
    """A realistic queue_log of `lines` lines from the demo simulator, day after day."""
    path = OUT / f"queue_log_{lines}"
    if path.exists() and sum(1 for _ in path.open("rb")) == lines:
        return path
    OUT.mkdir(exist_ok=True)
    centre = demo_centre(7)
    start, _ = day_bounds(dt.date(2026, 1, 5), tz)
    sim = FloorSimulator(centre, tz=tz, day_start=start, seed=7)
    written = 0
    t = start
    with path.open("w", encoding="utf-8") as fh:
        while written < lines:
            t += 3600
            chunk = sim.advance(t)[: lines - written]
            fh.writelines(chunk)
            written += len(chunk)
    return path


def plain_floor(path: Path, db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE queue_log (time TEXT, callid TEXT, queuename TEXT, agent TEXT, event TEXT, "
        "data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT, data5 TEXT)"
    )
    t0 = time.perf_counter()
    with path.open("r", encoding="utf-8") as fh:
        rows = []
        for line in fh:
            parts = line.rstrip("\n").split("|")
            parts = (parts + [""] * 10)[:10] if len(parts) != 10 else parts
            rows.append(parts)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO queue_log VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def floorsup_ingest(path: Path, db: Path) -> tuple[float, str]:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    feed = QueueLogFeed(engine, path, tz="America/New_York")
    t0 = time.perf_counter()
    summary = feed.run()  # returns once every batch is committed
    elapsed = time.perf_counter() - t0
    feed.close()
    engine.dispose()
    return elapsed, summary.text().splitlines()[1] + ";" + summary.text().splitlines()[2]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = make_feed(args.lines)
    floors, ours = [], []
    detail = ""
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            floors.append(plain_floor(path, Path(tmp) / "floor.db"))
            secs, detail = floorsup_ingest(path, Path(tmp) / "floorsup.db")
            ours.append(secs)
        print(f"run {i + 1}: floor {floors[-1]:.2f} s, floorsup {ours[-1]:.2f} s", flush=True)
    f, o = statistics.median(floors), statistics.median(ours)
    print(f"lines: {args.lines:,}  ({path})")
    print(f"plain floor (sqlite3 executemany): median {f:.2f} s = {args.lines / f:,.0f} lines/s")
    print(
        f"floorsup ingest (parse+dedupe+derive+checkpoint): median {o:.2f} s = {args.lines / o:,.0f} lines/s"
    )
    print(f"ratio floorsup/floor speed: {f / o:.2f} (goal >= 0.50)")
    print(f"detail: {detail.strip()}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

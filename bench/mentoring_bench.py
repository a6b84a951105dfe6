"""Ranking mentors for a new hire among 1,000 agents with a month of schedules (issue 5).

Starts from bench/coaching_bench.py's database (1,000 agents in 100 teams, five years of QA,
today's schedule and floor; built there if missing) copied to its own folder, and adds:
  - a month of schedules: each person's plan for today repeated on the 15 days before and
    the 15 after (skipping one weekday in seven), ~210k segments;
  - career stages by tenure, mentoring opt-ins (70% of stage 3+), 28 closed days of
    adherence per agent, a mentorship for half of the 40 newest hires;
then times `floorsup.career.rank_for` (every read and the ranking, as the screen's worker
runs it) for random new hires, and `read_career` (the whole floor's stages, evidence and
risk) once cold and a few times warm.

    .venv/bin/python bench/mentoring_bench.py [--sample 30] [--rebuild]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import coaching_bench as cb  # noqa: E402

from floorsup.career import rank_for, read_career  # noqa: E402
from floorsup.config import Settings  # noqa: E402
from floorsup.store import adherence_days  # noqa: E402
from floorsup.store.engine import ensure_schema, make_engine  # noqa: E402
from floorsup.store.sql import fetchall  # noqa: E402

DAY = 86400.0


def prepare(workdir: Path, rebuild: bool) -> Path:
    db = workdir / "mentoring.db"
    if db.exists() and not rebuild:
        return db
    source = Path(tempfile.gettempdir()) / "floorsup-coaching-bench"
    if not (source / cb.DB_NAME).exists():
        cb.build(source, 1000, 5, rebuild=False)
    workdir.mkdir(parents=True, exist_ok=True)
    for f in cb.db_files(db):
        f.unlink(missing_ok=True)
    shutil.copy(source / cb.DB_NAME, db)
    engine = make_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    now = cb.now_ts()
    rng = random.Random("mentoring-bench")
    with engine.begin() as conn:
        today_rows = fetchall(
            conn, 'SELECT staff_pk, shift_date, start, "end", activity FROM schedule_segment'
        )
        rows = []
        for pk, day, start, end, act in today_rows:
            d0 = dt.date.fromisoformat(str(day))
            for k in range(-15, 16):
                if k == 0 or (pk + k) % 7 == 0:
                    continue
                rows.append(
                    (
                        pk,
                        (d0 + dt.timedelta(days=k)).isoformat(),
                        start + k * DAY,
                        end + k * DAY,
                        act,
                    )
                )
        conn.exec_driver_sql(
            'INSERT INTO schedule_segment (staff_pk, shift_date, start, "end", activity) '
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        agents = fetchall(conn, "SELECT id, staff_id, hire_date FROM staff WHERE role = 'agent'")
        # The 40 newest hires are new (within 90 days); the rest keep their tenure.
        agents.sort(key=lambda a: str(a[2]), reverse=True)
        today = dt.date.fromtimestamp(now)
        for i, (pk, _, _) in enumerate(agents[:40]):
            hired = today - dt.timedelta(days=5 + 2 * i)
            conn.exec_driver_sql(
                "UPDATE staff SET hire_date = ? WHERE id = ?", (hired.isoformat(), pk)
            )
        stage_rows, adh = [], []
        for i, (pk, _, _hired) in enumerate(agents):
            stage = 1 if i < 40 else rng.choice((1, 2, 2, 3, 3, 3, 4))
            stage_rows.append(
                (pk, stage, now - 100 * DAY, stage >= 3 and rng.random() < 0.7, "bench", now)
            )
            usual = rng.gauss(0.93, 0.03)
            for back in range(1, 29):
                day = today - dt.timedelta(days=back)
                adh.append(
                    (
                        pk,
                        day.isoformat(),
                        28800.0,
                        28800.0 * min(1, usual + rng.gauss(0, 0.02)),
                        now,
                    )
                )
        conn.exec_driver_sql(
            "INSERT INTO career_stage (staff_pk, stage, since, mentor_opt_in, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            stage_rows,
        )
        conn.exec_driver_sql(
            'INSERT INTO adherence_day (staff_pk, "day", scheduled_seconds, adherent_seconds, '
            "computed_at) VALUES (?, ?, ?, ?, ?)",
            adh,
        )
        mentors = [pk for pk, stage, *_ in stage_rows if stage >= 3][:20]
        for (pk, _, _), mentor in zip(agents[:20], mentors, strict=False):
            conn.exec_driver_sql(
                "INSERT INTO mentorship (mentor_pk, mentee_pk, started_at, started_by, reason) "
                "VALUES (?, ?, ?, 'bench', '')",
                (mentor, pk, now - 3 * DAY),
            )
    engine.dispose()
    return db


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "floorsup-mentoring-bench"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    db = prepare(args.workdir, args.rebuild)
    settings = Settings(db=str(db), tz=cb.TZ, user=cb.USER).validated()
    engine = make_engine(settings.url)
    now = cb.now_ts()
    today = dt.date.fromtimestamp(now)
    with engine.connect() as conn:
        n_seg = fetchall(conn, "SELECT count(*) FROM schedule_segment")[0][0]
        hires = [
            sid
            for sid, h in fetchall(conn, "SELECT staff_id, hire_date FROM staff WHERE role='agent'")
            if h and (today - dt.date.fromisoformat(str(h))).days < 90
        ]
    adherence_days.ensure_days(engine, settings, today - dt.timedelta(days=28), today, now)
    rng = random.Random(1)
    picks = [rng.choice(hires) for _ in range(args.sample)]
    # As the app runs (tui/heap.py): what start-up built is frozen, collections come between
    # key presses; here, between the rankings.
    gc.collect()
    gc.freeze()
    gc.disable()
    first = rank_for(engine, settings, now, picks[0])
    times = []
    for sid in picks:
        t = time.perf_counter()
        r = rank_for(engine, settings, now, sid)
        times.append((time.perf_counter() - t) * 1000)
        gc.collect(1)
    eligible = sum(1 for f in r.fits if f.eligible)
    career_times = []
    for _ in range(5):
        t = time.perf_counter()
        view = read_career(engine, settings, now)
        career_times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print("```")
    print(f"$ .venv/bin/python bench/mentoring_bench.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"machine: {cb.machine()}")
    print(
        f"data: {len(view.rows):,} agents, {n_seg:,} schedule segments (a month), "
        f"{len(hires)} new hires; candidates per ranking {len(first.fits)}, eligible {eligible}"
    )
    print(
        f"rank_for (reads + ranking), {len(times)} new hires: median "
        f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )
    print(
        f"read_career (whole floor: stages, evidence, risk, mentors): median "
        f"{statistics.median(career_times):.1f} ms (first {career_times[0]:.1f} ms)"
    )
    print(f"run {time.perf_counter() - t0:.0f} s")
    print("```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

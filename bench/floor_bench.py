"""The floor's refresh time with 1,000 agents, in one run on one machine.

Builds a realistic database in a temp dir: a roster of N agents (default 1,000) in teams of
10 (plus one team lead per team), 20 queues with service-level targets, and the day so far
(local midnight to 14:00 of a fixed weekday) of Asterisk queue_log lines from the demo's
discrete-event simulator scaled to that floor (logins, calls, ring-no-answers, abandons,
transfers, breaks and lunches), ingested through `QueueLogFeed` like a real feed. Then, at
a fixed `now` (14:00, the end of the data):

  (a) `build_floor(engine, settings, now)`: the data fetch + metrics of one refresh;
  (b) `ChangeWatcher.changed()`: the per-tick "did anyone commit?" check;
  (c) the TUI (`make_app(...).run_test(size=(120, 40))`): `FloorScreen._apply` of a fresh
      snapshot (one a second, so cells really change), of the same snapshot again, the CPU
      Textual then spends settling and repainting, and the per-second `_tick_clocks`;
  (d) time to first paint: app start to the first snapshot applied and first painted.

    .venv/bin/python bench/floor_bench.py [--agents 1000] [--runs 20] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import io
import math
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from floorsup.clock import FixedClock  # noqa: E402
from floorsup.config import Settings  # noqa: E402
from floorsup.domain.intervals import day_bounds, local_date  # noqa: E402
from floorsup.floor import FloorCache, FloorSnapshot, build_floor  # noqa: E402
from floorsup.ingest.follow import QueueLogFeed  # noqa: E402
from floorsup.sim import Centre, FloorSimulator, Shift, SimQueue, SimStaff, write_roster_csv  # noqa: E402
from floorsup.sim.centre import _calibrate  # noqa: E402  (the demo's forecast sizing)
from floorsup.store import queries  # noqa: E402
from floorsup.store.access import system
from floorsup.store.engine import make_engine, upgrade  # noqa: E402
from floorsup.store.queries import ChangeWatcher  # noqa: E402
from floorsup.store.roster import import_roster, set_queue_target  # noqa: E402

TZ = "America/New_York"
DAY = dt.date(2026, 1, 13)  # a Tuesday, far from a DST change
NOW_LOCAL = dt.time(14, 0)
TEAM_SIZE = 10

_FIRST = (
    "Amara", "Bartosz", "Chiara", "Devika", "Elif", "Farah", "Gunnar", "Hana", "Ifeoma",
    "Joaquín", "Kalani", "Lior", "Mireille", "Nikhil", "Oona", "Priya", "Quentin", "Rosalind",
    "Søren", "Tamsin", "Ulrich", "Valentina", "Wren", "Xiomara", "Yusuf", "Zofia", "Anouk",
    "Benedikt", "Carys", "Dario", "Esme", "Florin", "Greta", "Hamza", "Inés", "Jovan", "Keiko",
    "Leandro", "Maëlle", "Nnamdi",
)  # fmt: skip
_LAST = (
    "Achterberg", "Brannigan", "Cardoso", "Dunmore", "Ekwueme", "Ferreira", "Grünewald",
    "Halvorsen", "Ibarra", "Jablonski", "Kavanagh", "Lindqvist", "Marchetti", "Nakashima",
    "Okafor", "Pennington", "Quigley", "Rasmussen", "Salazar", "Takahashi", "Underhill",
    "Vasquez", "Whitcombe", "Yilmaz", "Zielinski", "Abernathy", "Bhattacharya", "Castellano",
    "Delacroix", "Fairweather", "Gallagher", "Haddad", "Iwasaki", "Kowalczyk", "Lachance",
    "Moreau", "Novak", "Oyelaran", "Petrakis",
)  # fmt: skip
# (line of business, sl seconds, aht mean s, patience mean s, max wait s, wrap-up s)
_LINES = (
    ("sales", 20, 300.0, 110.0, None, 5),
    ("support", 30, 420.0, 140.0, None, 10),
    ("billing", 20, 240.0, 120.0, 150, 5),
    ("retention", 60, 360.0, 200.0, 600, 10),
    ("tech", 45, 540.0, 180.0, None, 15),
    ("claims", 30, 480.0, 160.0, 900, 10),
    ("orders", 20, 200.0, 100.0, None, 5),
    ("returns", 30, 260.0, 120.0, None, 5),
    ("loyalty", 20, 240.0, 150.0, None, 5),
    ("accounts", 30, 330.0, 130.0, 600, 10),
)
_LANGS = (("en", 1.0), ("es", 0.35))


def big_centre(n_agents: int, seed: int = 7) -> Centre:
    """The demo simulator's centre, scaled: 20 queues (10 lines x 2 languages), teams of
    10 agents on staggered day shifts (07:00-09:30 starts, so all are on at 14:00), each
    team homed on one queue with 0-2 extra skills, forecasts sized to the staffing."""
    rng = random.Random(f"floor-bench:{seed}")
    queues: list[SimQueue] = []
    for i, (line, sl, aht, patience, max_wait, wrap) in enumerate(_LINES):
        for lang, weight in _LANGS:
            share = weight * rng.uniform(0.5, 1.5)
            queues.append(
                SimQueue(
                    f"{line}_{lang}", f"{line.title()} ({lang})", sl, 0.8, share, aht, 0.6,
                    patience, max_wait, wrap, f"+1800555{i:02d}{len(queues):02d}",
                )
            )  # fmt: skip
    total = sum(q.share for q in queues)
    names = [q.name for q in queues]
    weights = [q.share / total for q in queues]
    order = {n: i for i, n in enumerate(names)}
    pairs = [f"{f} {last}" for f in _FIRST for last in _LAST]
    rng.shuffle(pairs)
    people = (f"{p} {k + 1}" if k else p for k in range(10**6) for p in pairs)  # all distinct

    def hired() -> dt.date:
        d = DAY - dt.timedelta(days=rng.randint(14, 2900))
        return d - dt.timedelta(days=d.weekday())

    staff: list[SimStaff] = []
    n_teams = math.ceil(n_agents / TEAM_SIZE)
    for t in range(n_teams):
        team = f"Team {t + 1:03d}"
        shift = Shift(7 * 60 + (t % 6) * 30, 510 if t % 3 else 480)
        home = rng.choices(names, weights)[0]
        lead = f"S{20000 + t:05d}"
        staff.append(SimStaff(lead, next(people), team, "team_lead", hired(), None, (), shift))
        for k in range(min(TEAM_SIZE, n_agents - t * TEAM_SIZE)):
            i = t * TEAM_SIZE + k
            skills = {home}
            for _ in range(rng.choices((0, 1, 2), (0.35, 0.45, 0.2))[0]):
                skills.add(rng.choices(names, weights)[0])
            staff.append(
                SimStaff(
                    f"S{10000 + i:05d}", next(people), team, "agent", hired(),
                    f"PJSIP/{3000 + i}", tuple(sorted(skills, key=order.__getitem__)), shift,
                )
            )  # fmt: skip
    queues = _calibrate(queues, [s for s in staff if s.takes_calls])
    # The centre opens at 07:00: no calls are forecast before the first shift.
    queues = [
        replace(q, forecast=tuple(0.0 if slot < 14 else v for slot, v in enumerate(q.forecast)))
        for q in queues
    ]
    return Centre(name="Bench Contact Centre", queues=queues, staff=staff)


def build_db(workdir: Path, n_agents: int) -> tuple[Engine, Settings, float, dict[str, Any]]:
    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    centre = big_centre(n_agents)
    day_start, _ = day_bounds(DAY, TZ)
    now = dt.datetime.combine(DAY, NOW_LOCAL, tzinfo=ZoneInfo(TZ))
    now_ts = float(int(now.timestamp()))
    sim = FloorSimulator(centre, tz=TZ, day_start=day_start, seed=7)
    lines = sim.advance(now_ts)
    feed_path = workdir / "queue_log"
    with feed_path.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    info["sim_s"] = time.perf_counter() - t0

    db = workdir / "floor.db"
    settings = Settings(db=str(db), tz=TZ).validated()
    engine = make_engine(settings.url)
    t1 = time.perf_counter()
    upgrade(engine)
    roster = workdir / "roster.csv"
    write_roster_csv(centre, roster)
    r = import_roster(engine, roster, actor=system())
    for q in centre.queues:
        set_queue_target(engine, q.name, q.sl_seconds, q.sl_target, actor=system())
    info["setup_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    feed = QueueLogFeed(engine, feed_path, tz=TZ)
    summary = feed.run()
    feed.close()
    info["ingest_s"] = time.perf_counter() - t2
    with engine.connect() as conn:
        c = conn.exec_driver_sql
        info["calls"] = c("SELECT count(*) FROM call").scalar()
        info["answered"] = c("SELECT count(*) FROM call WHERE answered_at IS NOT NULL").scalar()
        info["events"] = c("SELECT count(*) FROM queue_event").scalar()
        info["spans"] = c("SELECT count(*) FROM agent_state_span").scalar()
        info["live"] = c("SELECT count(*) FROM agent_live").scalar()
    info["lines"] = len(lines)
    info["staff"] = r.added
    info["teams"] = r.teams
    info["acd"] = r.acd_names
    info["queues"] = len(centre.queues)
    info["ingest_rate"] = summary.lines / summary.seconds if summary.seconds else 0.0
    info["now_local"] = now.isoformat(timespec="minutes")
    return engine, settings, now_ts, info


# --- statistics ------------------------------------------------------------------------------
def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[max(0, math.ceil(p * len(s)) - 1)]


def fmt_ms(xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (
        f"median {statistics.median(ms):8.2f}  p95 {pct(ms, 0.95):8.2f}  "
        f"max {max(ms):8.2f} ms  (n={len(ms)})"
    )


def fmt_us(xs: list[float]) -> str:
    us = [x * 1e6 for x in xs]
    return f"median {statistics.median(us):7.1f}  p95 {pct(us, 0.95):7.1f}  max {max(us):7.1f} µs  (n={len(us)})"


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def fetch_split(
    engine: Engine, settings: Settings, now: float, runs: int
) -> dict[str, tuple[float, int]]:
    """build_floor's reads one by one (medians, s), on one connection as it does."""
    day_start, _ = day_bounds(local_date(now, settings.tz), settings.tz)
    out: dict[str, tuple[float, int]] = {}
    fns: tuple[tuple[str, Callable[[], list[Any]]], ...]
    with engine.connect() as conn:
        fns = (
            ("calls_entered", lambda: queries.calls_entered(conn, day_start, now + 1)),
            ("calls_waiting", lambda: queries.calls_waiting(conn, now)),
            ("agents_now", lambda: queries.agents_now(conn, now, day_start)),
        )
        for name, fn in fns:
            rows = len(fn())
            out[name] = (statistics.median(timed(fn, runs)), rows)
    return out


# --- (c) and (d): the TUI ----------------------------------------------------------------------
async def tui_bench(
    engine: Engine, settings: Settings, now: float, runs: int, series: list[FloorSnapshot]
) -> dict[str, Any]:
    from floorsup.tui.app import make_app
    from floorsup.tui.screens.floor import FloorScreen

    res: dict[str, Any] = {}
    app = make_app(settings, engine, FixedClock(now), actor=system())
    marks: dict[str, float] = {}
    real_display = app._display

    def spy_display(screen: Any, renderable: Any) -> None:
        # Headless Textual still lays out and renders every update; it only skips the write.
        if renderable is not None and "applied" in marks and "painted" not in marks:
            marks["painted"] = time.perf_counter()
        real_display(screen, renderable)

    app._display = spy_display  # type: ignore[method-assign]
    t0 = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, FloorScreen):
            await asyncio.sleep(0.001)
        screen: FloorScreen = app.screen
        real_apply = screen._apply

        def spy_apply(snap: FloorSnapshot) -> None:  # the first snapshot onto the tables
            real_apply(snap)
            marks.setdefault("applied", time.perf_counter())

        screen._apply = spy_apply  # type: ignore[method-assign]
        for _ in range(30_000):
            if "painted" in marks:
                break
            await asyncio.sleep(0.001)
        del screen._apply  # back to the class's method
        await pilot.pause()
        screen.paused = True  # stop the app's own 1 s ticks while we time ours
        await pilot.pause()
        res["first_applied_s"] = marks["applied"] - t0
        res["first_painted_s"] = marks.get("painted", math.nan) - t0
        agents_table = screen.query_one("#agents", DataTable)
        res["rows"] = agents_table.row_count

        # a fresh snapshot a second: cells change as they do live
        screen._apply(series[0])
        await pilot.pause()
        apply_new: list[float] = []
        settle_new: list[float] = []
        for snap in series[1:]:
            t = time.perf_counter()
            screen._apply(snap)
            apply_new.append(time.perf_counter() - t)
            c = time.process_time()
            await pilot.pause()  # messages, DataTable idle work, layout and repaint
            settle_new.append(time.process_time() - c)
        # the same snapshot again: the "nothing changed in the cells" path
        same = series[-1]
        apply_same: list[float] = []
        for _ in range(runs):
            t = time.perf_counter()
            screen._apply(same)
            apply_same.append(time.perf_counter() - t)
        await pilot.pause()
        # an idle settle, the baseline of the loop's own CPU
        idle: list[float] = []
        for _ in range(5):
            c = time.process_time()
            await pilot.pause()
            idle.append(time.process_time() - c)
        # the per-second clock tick from the cached snapshot
        ticks: list[float] = []
        settle_tick: list[float] = []
        for k in range(1, runs + 1):
            t = time.perf_counter()
            screen._tick_clocks(now + k)
            ticks.append(time.perf_counter() - t)
            c = time.process_time()
            await pilot.pause()
            settle_tick.append(time.process_time() - c)
        res.update(
            apply_new=apply_new,
            settle_new=settle_new,
            apply_same=apply_same,
            idle=idle,
            ticks=ticks,
            settle_tick=settle_tick,
        )
        await pilot.press("q")
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of build_floor")
    args = ap.parse_args()
    runs = max(2, args.runs)
    cmd = "python bench/floor_bench.py " + " ".join(sys.argv[1:])

    with tempfile.TemporaryDirectory(prefix="floor-bench-") as tmp:
        print(
            f"building: {args.agents:,} agents, day so far to 14:00 ({TZ}) in {tmp} ...", flush=True
        )
        engine, settings, now, info = build_db(Path(tmp), args.agents)
        print(
            f"built: {info['lines']:,} queue_log lines (sim {info['sim_s']:.1f} s), "
            f"{info['calls']:,} calls ({info['answered']:,} answered), {info['acd']:,} ACD agents, "
            f"{info['staff']:,} staff in {info['teams']} teams, {info['queues']} queues; "
            f"ingest {info['ingest_s']:.1f} s ({info['ingest_rate']:,.0f} lines/s), "
            f"{info['spans']:,} closed state spans + {info['live']:,} live",
            flush=True,
        )

        # (a) build_floor
        t = time.perf_counter()
        snap = build_floor(engine, settings, now)
        cold = time.perf_counter() - t
        bf = timed(lambda: build_floor(engine, settings, now), runs)
        print(f"build_floor: {fmt_ms(bf)}", flush=True)
        # Steady state of the live floor: the screen keeps a FloorCache and reads only the
        # calls written since its last refresh (here: none, the ingest has finished).
        cache = FloorCache()
        build_floor(engine, settings, now, cache)
        warm = timed(lambda: build_floor(engine, settings, now, cache), runs)
        print(f"build_floor, warm cache: {fmt_ms(warm)}", flush=True)
        split = fetch_split(engine, settings, now, max(5, runs // 2))

        # (b) the change check
        watcher = ChangeWatcher(engine)
        t = time.perf_counter()
        watcher.changed()
        first_check = time.perf_counter() - t
        cw = timed(watcher.changed, max(200, runs * 50))
        watcher.close()

        # (c), (d) the TUI; snapshots a second apart, ending at now
        series = [build_floor(engine, settings, now - k) for k in range(runs, -1, -1)]
        tui = asyncio.run(tui_bench(engine, settings, now, runs, series))

        prof = ""
        if args.profile or statistics.median(bf) > 0.1:
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(5):
                build_floor(engine, settings, now)
            pr.disable()
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(22)
            prof = buf.getvalue()
        engine.dispose()

    st = snap.states
    idle_cpu = statistics.median(tui["idle"])
    machine = (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print()
    print("```")
    print(f"$ .venv/bin/python {cmd.split(' ', 1)[1]}".rstrip())
    print(f"machine: {machine}")
    print(
        f"data: {info['acd']:,} agents ({info['teams']} teams), {info['queues']} queues, "
        f"{info['lines']:,} queue_log lines to {info['now_local']} -> {info['calls']:,} calls, "
        f"{info['spans']:,} state spans; built in {info['sim_s'] + info['setup_s'] + info['ingest_s']:.1f} s "
        f"(sim {info['sim_s']:.1f}, ingest {info['ingest_s']:.1f})"
    )
    print(
        f"floor at now: {len(snap.agents):,} agents on the board ("
        + ", ".join(f"{v} {k.value}" for k, v in st.items() if v)
        + f"), {sum(q.waiting for q in snap.queues)} calls waiting"
    )
    print(f"(a) build_floor, cold (whole day)   {fmt_ms(bf)}; first {cold * 1000:.1f} ms")
    print(f"    build_floor, warm (live refresh) {fmt_ms(warm)}")
    parts = ", ".join(f"{k} {v[0] * 1000:.1f} ms ({v[1]:,} rows)" for k, v in split.items())
    rest = statistics.median(bf) - sum(v[0] for v in split.values())
    print(f"    of which: {parts}; the rest (metrics, objects) ~{rest * 1000:.0f} ms")
    print(f"(b) ChangeWatcher.changed() per tick {fmt_us(cw)}; first {first_check * 1000:.1f} ms")
    print(f"(c) TUI, {tui['rows']:,} agent rows, 120x40:")
    print(f"    _apply, new snapshot (1 s on)    {fmt_ms(tui['apply_new'])}")
    print(f"    + settle/repaint CPU after it    {fmt_ms(tui['settle_new'])}")
    print(f"    _apply, same snapshot again      {fmt_ms(tui['apply_same'])}")
    print(f"    _tick_clocks (per second)        {fmt_ms(tui['ticks'])}")
    print(f"    + settle/repaint CPU after it    {fmt_ms(tui['settle_tick'])}")
    print(f"    (idle settle CPU baseline {idle_cpu * 1000:.2f} ms)")
    print(
        f"(d) time to first paint: first snapshot applied {tui['first_applied_s'] * 1000:.0f} ms, "
        f"painted {tui['first_painted_s'] * 1000:.0f} ms after app start"
    )
    print("```")
    if prof:
        print("\ncProfile of build_floor (5 calls, cumulative):")
        print(prof)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

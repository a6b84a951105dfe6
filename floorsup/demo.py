"""`floorsup demo`: a fresh database with a believable centre, a day's history so far,
and a simulator appending queue_log lines as a real ACD would, read by the same follow
path as a real feed (`floorsup ingest queue-log --follow`), then the live floor."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import random
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from floorsup.clock import ScaledClock
from floorsup.config import ConfigError, Settings, default_db_path
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.ingest.follow import QueueLogFeed
from floorsup.sim import Centre, FloorSimulator, demo_centre, write_roster_csv, write_schedule_csv
from floorsup.store.access import may, resolve, system
from floorsup.store.engine import make_engine, upgrade, write_conn
from floorsup.store.roster import import_roster, set_queue_target
from floorsup.store.schedules import import_schedule
from floorsup.store.sql import execute

DEMO_SITE = "floorsup demo (fictional centre)"
# The demo's own seeding: the roster, schedules and targets, imported as a manager would.
SEEDER = system("demo")


def seed_centre(
    engine: Engine, roster_path: Path, seed: int = 7, *, now: float | None = None
) -> Centre:
    """The fictional centre's roster and queue targets, imported the way a user would (at
    `now`, for the audit log; None: the wall clock)."""
    with write_conn(engine) as conn, conn.begin():
        execute(
            conn,
            "INSERT INTO site (name, tz) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (DEMO_SITE, "demo"),
        )
    centre = demo_centre(seed)
    write_roster_csv(centre, roster_path)
    import_roster(engine, roster_path, actor=SEEDER, now=now)
    for q in centre.queues:
        set_queue_target(engine, q.name, q.sl_seconds, q.sl_target, actor=SEEDER, now=now)
    return centre


def seed_schedules(
    engine: Engine, centre: Centre, workdir: Path, *, tz: str, day_start: float, seed: int = 7
) -> None:
    """The centre's schedules, imported as a user would: the day before (its night shifts run
    into today), today, and the next two weeks (a demo left running past midnight; the shifts
    new hires and their mentors will share)."""
    day = local_date(day_start, tz)
    path = workdir / "schedule.csv"
    write_schedule_csv(centre, [day + dt.timedelta(days=k) for k in range(-1, 15)], path, seed=seed)
    import_schedule(engine, path, tz=tz, actor=SEEDER, now=day_start)


def seed_coaching(
    engine: Engine, centre: Centre, workdir: Path, *, tz: str, now: float, seed: int = 7
) -> None:
    """The weeks before today: QA evaluations imported from the QA tool's CSV, as a user
    would, and the coaching notes team leads wrote (with the numbers they saw then)."""
    from floorsup.config import DEFAULT_NOTE_CATEGORIES, DEFAULT_WORK_TYPES
    from floorsup.domain.coaching import NoteInput, NoteSnapshot
    from floorsup.sim.career import demo_career
    from floorsup.sim.coaching import SCORECARD, coaching_notes, write_qa_csv
    from floorsup.store.coaching import add_note, close_follow_up
    from floorsup.store.qa import import_qa

    path = workdir / "qa.csv"
    work = demo_career(centre, local_date(now, tz), seed=seed).work
    write_qa_csv(centre, local_date(now, tz), path, seed=seed, work=work)
    import_qa(
        engine,
        path,
        tz=tz,
        work_types=DEFAULT_WORK_TYPES,
        scorecard={k: float(v) for k, v in SCORECARD.items()},
        actor=system("qa-import"),
        now=now,
    )
    with engine.connect() as conn:
        if conn.exec_driver_sql("SELECT count(*) FROM coaching_note").scalar():
            return  # a kept demo database has its notes already
    for n in coaching_notes(centre, now, seed=seed):
        row = add_note(
            engine,
            NoteInput(n.staff_id, n.category, n.body, n.actions, n.follow_up, n.acknowledged),
            actor=system(n.author),
            now=n.written_at,
            snapshot=NoteSnapshot(
                taken_at=n.written_at,
                calls=n.calls,
                aht_seconds=n.aht_seconds,
                adherence=n.adherence,
            ),
            categories=DEFAULT_NOTE_CATEGORIES,
        )
        if n.follow_up_done and n.follow_up is not None:
            done_at = day_bounds(n.follow_up, tz)[0] + 11 * 3600
            close_follow_up(engine, row.id, actor=system(n.author), now=done_at)


HISTORY_WEEKS = 4  # as many as the interval screen's forecast looks back


def seed_history(
    engine: Engine, centre: Centre, workdir: Path, *, tz: str, day_start: float, seed: int
) -> int:
    """Whole days of calls on the same weekday in each of the last HISTORY_WEEKS weeks, so
    the interval screen has a forecast: simulated and ingested from a feed of their own,
    as a centre's older queue_log would be."""
    day = local_date(day_start, tz)
    lines: list[str] = []
    for w in range(HISTORY_WEEKS, 0, -1):
        start, end = day_bounds(day - dt.timedelta(weeks=w), tz)
        sim = FloorSimulator(centre, tz=tz, day_start=start, seed=seed + 1000 * w)
        lines.extend(sim.advance(end + 2 * 3600))  # the night's calls run to their end
        lines.extend(sim.log_everyone_out(end + 2 * 3600))  # then the feed stops: nobody stays on
    path = workdir / "history_log"
    path.write_text("".join(lines), encoding="utf-8")
    feed = QueueLogFeed(engine, path, tz=tz)
    try:
        feed.run()
    finally:
        feed.close()
    return len(lines)


def seed_career(
    engine: Engine, centre: Centre, *, tz: str, now: float, user: str, seed: int = 7
) -> None:
    """The career path so far: each agent's promotions (spread over their tenure), who chose
    to mentor, mentorships of all but the two newest hires, adherence for the four weeks of
    closed days before today, leadership traits noted by the leads, two people who grew into
    other departments. `user` (who runs the demo) becomes the centre's manager, so every
    screen's writes are theirs to try. Skipped when the database has its history already."""
    from floorsup.sim.career import demo_career, trait_evidence
    from floorsup.store import adherence_days, career, mentoring
    from floorsup.store.sql import fetchall

    with engine.connect() as conn:
        if fetchall(conn, "SELECT count(*) FROM career_event")[0][0]:
            return
    today = local_date(now, tz)
    plan = demo_career(centre, today, seed=seed)
    trainer = next(
        (s.name.split()[0].lower() for s in centre.staff if s.role == "trainer"), "trainer"
    )
    manager = next((s for s in centre.staff if s.role == "manager"), None)
    if manager is not None:
        with write_conn(engine) as conn, conn.begin():
            execute(conn, "UPDATE staff SET login = NULL WHERE login = ?", (user,))
            execute(conn, "UPDATE staff SET login = ? WHERE staff_id = ?", (user, manager.staff_id))
    day = 86400.0
    for s in centre.agents:
        stage = plan.stages[s.staff_id]
        hired = day_bounds(s.hire_date, tz)[0]
        span = max(now - hired, day)
        for n in range(1, stage):
            at = hired + span * n / stage
            career.change_stage(
                engine,
                s.staff_id,
                kind="promote",
                expected_stage=n,
                to_stage=n + 1,
                reason=f"Mastery shown on stage {n} work over the review period.",
                evidence={},
                actor=system(trainer),
                now=at,
            )
        if s.staff_id in plan.opted_in:
            career.set_opt_in(
                engine,
                s.staff_id,
                True,
                actor=system(s.name.split()[0].lower()),
                now=now - 30 * day,
            )
    for mentor, mentee, days_ago in plan.mentorships:
        mentoring.assign(
            engine,
            mentor_id=mentor,
            mentee_id=mentee,
            actor=system(trainer),
            now=now - days_ago * day,
            reason="Shares their shifts and queues.",
            capacity=1_000,
        )
    rng = random.Random(seed * 17 + 11)
    rows = []
    for s in centre.agents:
        usual = plan.adherence[s.staff_id]
        for back in range(1, 29):
            d = today - dt.timedelta(days=back)
            if d < s.hire_date or d.weekday() >= 5:
                continue
            scheduled = 8 * 3600.0
            rows.append(
                (s.staff_id, d, scheduled, scheduled * min(1.0, max(0.6, rng.gauss(usual, 0.03))))
            )
    adherence_days.store_days(engine, rows, now)
    leads = [
        s.name.split()[0].lower() for s in centre.staff if s.role in ("team_lead", "supervisor")
    ]
    for sid, trait, days_ago in plan.traits:
        mentoring.add_trait_note(
            engine,
            sid,
            trait,
            trait_evidence(trait),
            actor=system(rng.choice(leads)),
            now=now - days_ago * day,
        )
    for sid, dept, why, days_ago in plan.moves:
        career.record_move(engine, sid, dept, why, actor=system(trainer), now=now - days_ago * day)


def build_demo_day(
    workdir: Path,
    *,
    tz: str,
    day_start: float,
    until: float,
    seed: int = 7,
    db_name: str = "demo.db",
    user: str = "demo",
) -> Path:
    """A finished demo database: the centre, and its queue_log from `day_start` to `until`
    ingested (for screenshots, snapshot tests and benchmarks at a fixed instant)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / db_name
    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine)
        centre = seed_centre(engine, workdir / "roster.csv", seed, now=day_start)
        seed_schedules(engine, centre, workdir, tz=tz, day_start=day_start, seed=seed)
        seed_coaching(engine, centre, workdir, tz=tz, now=day_start, seed=seed)
        seed_career(engine, centre, tz=tz, now=day_start, user=user, seed=seed)
        seed_history(engine, centre, workdir, tz=tz, day_start=day_start, seed=seed)
        sim = FloorSimulator(centre, tz=tz, day_start=day_start, seed=seed)
        feed_path = workdir / "queue_log"
        feed_path.write_text("".join(sim.advance(until)), encoding="utf-8")
        feed = QueueLogFeed(engine, feed_path, tz=tz)
        try:
            feed.run()
        finally:
            feed.close()
    finally:
        engine.dispose()
    return db


log = logging.getLogger(__name__)


class DemoFloor:
    """The simulated ACD and the ingest that follows its file, each in a thread."""

    def __init__(
        self, settings: Settings, *, seed: int, speed: float, db: Path, fresh: bool = True
    ) -> None:
        self.settings = settings
        self.workdir = db.with_name(db.stem + "-demo-files")  # its own folder, nobody else's
        self.feed_path = self.workdir / "queue_log"
        self.roster_path = self.workdir / "roster.csv"
        check_demo_database(db)
        if fresh:
            for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                p.unlink(missing_ok=True)
            self.feed_path.unlink(missing_ok=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.url)
        upgrade(self.engine)
        self.centre = seed_centre(self.engine, self.roster_path, seed)
        self.clock = ScaledClock(start=time.time(), speed=speed)
        now = self.clock.now()
        day_start, _ = day_bounds(local_date(now, settings.tz), settings.tz)
        seed_schedules(
            self.engine, self.centre, self.workdir, tz=settings.tz, day_start=day_start, seed=seed
        )
        seed_coaching(
            self.engine, self.centre, self.workdir, tz=settings.tz, now=day_start, seed=seed
        )
        seed_career(
            self.engine,
            self.centre,
            tz=settings.tz,
            now=day_start,
            user=settings.user,
            seed=seed,
        )
        if fresh:
            seed_history(
                self.engine,
                self.centre,
                self.workdir,
                tz=settings.tz,
                day_start=day_start,
                seed=seed,
            )
        self.sim = FloorSimulator(self.centre, tz=settings.tz, day_start=day_start, seed=seed)
        self.stop = threading.Event()
        self.errors: list[BaseException] = []  # fatal: the simulated ACD stopped
        self.recovered: list[BaseException] = []  # ingest failures it restarted after
        self._threads: list[threading.Thread] = []
        self.feed: QueueLogFeed | None = None

    def _write(self, until: float) -> int:
        lines = self.sim.advance(until)
        if lines:
            with open(self.feed_path, "a", encoding="utf-8") as fh:
                fh.writelines(lines)
        return len(lines)

    def backfill(self) -> int:
        """The day so far: written to the feed and ingested before the screen opens."""
        n = self._write(self.clock.now())
        self.feed = QueueLogFeed(self.engine, self.feed_path, tz=self.settings.tz)
        self.feed.run(follow=False)
        return n

    def _acd(self) -> None:
        try:
            while not self.stop.wait(0.5):
                self._write(self.clock.now())
        except BaseException as exc:  # pragma: no cover - shown to the user on exit
            self.errors.append(exc)

    def _ingest(self) -> None:
        """Follow the feed; after a failure (say the database stayed locked), start again
        from the last committed checkpoint, as a restarted `ingest --follow` would."""
        while not self.stop.is_set():
            try:
                if self.feed is None:
                    self.feed = QueueLogFeed(self.engine, self.feed_path, tz=self.settings.tz)
                self.feed.run(follow=True, stop=self.stop, poll=0.2)
            except Exception as exc:
                log.warning("demo ingest failed, restarting from the checkpoint: %s", exc)
                self.recovered.append(exc)
                if self.feed is not None:
                    with contextlib.suppress(Exception):
                        self.feed.close()
                self.feed = None
                self.stop.wait(1.0)

    def start(self) -> None:
        for target, name in ((self._acd, "demo-acd"), (self._ingest, "demo-ingest")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def close(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=10)
        if self.feed is not None:
            self.feed.close()


def check_demo_database(db: Path) -> None:
    """The demo rebuilds its database from scratch: refuse any file that is not one of its
    own (a real centre's database must never be wiped by a demo)."""
    if not db.exists() or db.stat().st_size == 0:
        return
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT 1 FROM site WHERE name = ?", (DEMO_SITE,)).fetchone()
    except sqlite3.Error:
        row = None
    if row is None:
        raise ConfigError(
            f"--db {db}: that file is not a demo database and the demo would wipe it; "
            "leave out --db (the demo keeps its own) or name a new file"
        )


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 < args.speed <= 3600:
        raise ConfigError("--speed: expected a number above 0 and at most 3600")
    if args.db is None:  # the demo never touches your real database
        db = default_db_path().with_name("demo") / "demo.db"
    elif "://" in settings.db:
        raise ConfigError("--db: the demo builds a fresh SQLite file; give a file path, not a URL")
    else:
        db = Path(settings.db).expanduser().resolve()
    settings = replace(settings, db=str(db))
    demo = DemoFloor(settings, seed=args.seed, speed=args.speed, db=db, fresh=not args.keep)
    started = time.perf_counter()
    lines = demo.backfill()
    print(
        f"demo: {len(demo.centre.staff)} staff, {len(demo.centre.queues)} queues; "
        f"{lines:,} queue_log lines so far today ingested in {time.perf_counter() - started:.1f} s\n"
        f"      database {settings.db}\n      feed     {demo.feed_path}"
    )
    with demo.engine.connect() as conn:
        who = resolve(conn, settings.user, settings.as_staff)
    print(f"      you are {who.describe()}")
    leads = [s for s in demo.centre.staff if s.role == "team_lead"]
    if leads and not may(who, "notes.write"):
        print(
            "      coaching notes are written by team leads: start as one with --as, e.g. "
            f"floorsup --as {leads[0].staff_id} demo --keep\n      team leads: "
            + ", ".join(f"{s.staff_id} ({s.name}, {s.team})" for s in leads)
        )
    demo.start()
    try:
        if args.headless:
            wall = args.minutes * 60 / args.speed
            deadline = time.monotonic() + wall
            while time.monotonic() < deadline and not demo.errors:
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        else:
            from floorsup.tui.app import make_app

            make_app(
                settings, engine=demo.engine, clock=demo.clock, actor=who, freeze_heap=True
            ).run()
    finally:
        demo.close()
    if demo.errors:
        raise RuntimeError(f"the demo floor failed: {demo.errors[0]!r}")
    if demo.recovered:
        print(
            f"demo: the ingest restarted {len(demo.recovered)} time(s); last: {demo.recovered[-1]}"
        )
    if args.headless:
        from floorsup.reports import queue_report, render

        # The follow thread has stopped: read what is left of the feed, then report.
        rest = QueueLogFeed(demo.engine, demo.feed_path, tz=settings.tz)
        try:
            rest.run(follow=False)
        finally:
            rest.close()
        now = demo.clock.now()
        day = local_date(now, settings.tz)
        rows = queue_report(demo.engine, settings, day, day, "30", now)
        print(render(rows, "table", settings))
        totals = queue_report(demo.engine, settings, day, day, "total", now)
        print(render(totals, "table", settings, skip_empty=False))
    return 0

"""Opening the agent page and the note form with 5 years of coaching notes and QA
evaluations for 1,000 agents, on one machine. Target: under 100 ms.

Builds (once; cached in --workdir, default `<tmp>/floorsup-coaching-bench`; `--rebuild` to
start again) a SQLite database through floorsup's migrations (`make_engine` +
`ensure_schema`) holding `floor_bench`'s scaled centre (N agents, default 1,000, in teams
of 10 with a team lead each, 20 queues): the roster, the day's schedule
(`write_schedule_csv` -> `import_schedule`) and the day so far (00:00-14:00 of a fixed
weekday) of queue_log lines from the demo simulator ingested through `QueueLogFeed`, so
the agent page has today's states, calls and adherence. Then 5 years of history written
with executemany in big transactions, straight into the real tables (the FTS5 triggers
fill the search index as the app's own writes do):

  - coaching notes, about one per agent per week (0, 1 or 2 a week), 1-4 sentences from a
    word bank, categories from `config.DEFAULT_NOTE_CATEGORIES`, agreed actions, a snapshot
    of the numbers; ~30% with a follow-up date (old ones mostly done, a few left open),
    ~10% edited once (a `coaching_note_revision` row keeps the first version). Rows are
    written in time order, as they would be over 5 years, so one agent's notes are spread
    over the whole table, not stored together;
  - QA evaluations, about 2 per agent per month, criteria JSON from
    `config.DEFAULT_SCORECARD`, each agent with a level and a drift;
  - unsaved note drafts: 300, half of them the bench user's (so the note form finds one
    for some of the sampled agents).

At a fixed clock (14:00 of the last day) it measures, over random agents (--sample):

  (a) `load_agent(staff_id=...)`, everything the agent page reads: the first call on a new
      engine (cold), each agent's first read, and the same agent read again (warm); with
      its statements one by one;
  (b) the note form's read: `load_agent` + `coaching.load_draft`, as `NoteScreen._load`;
  (c) `find_notes`: a full-text word, the commonest word, a team, an agent (staff id, a
      part of a name), and no filter (the newest notes);
  (d) `follow_ups` due today across the floor (and for one team);
  (e) the real screens, Textual headless (`make_app(...).run_test(size=(120, 40))`): from
      `open_page(app, staff_id=...)` (what `enter` on a board calls: read, then push) until
      the agent page is painted with the profile, and from `app.open_note(staff_id=...)`
      (what `n` calls) until the note form is painted ready to type; in a fresh process,
      as the app runs (its garbage collection policy included), heap noted.
  (f) with --disk-cold N: `load_agent` for N agents with the file evicted from the OS page
      cache first (a morning after a reboot).

Every statement of one agent page is timed alone; any case over the target gets the
EXPLAIN QUERY PLAN of its statements.

    .venv/bin/python bench/coaching_bench.py [--agents 1000] [--years 5] [--sample 50]
        [--workdir DIR] [--rebuild] [--no-tui] [--disk-cold N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from floor_bench import DAY, TZ, big_centre, pct  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from floorsup import agent as agent_mod  # noqa: E402
from floorsup.agent import load_agent  # noqa: E402
from floorsup.clock import FixedClock  # noqa: E402
from floorsup.config import DEFAULT_NOTE_CATEGORIES, DEFAULT_SCORECARD, Settings  # noqa: E402
from floorsup.domain.intervals import day_bounds  # noqa: E402
from floorsup.ingest.follow import QueueLogFeed  # noqa: E402
from floorsup.sim import FloorSimulator, write_roster_csv, write_schedule_csv  # noqa: E402
from floorsup.store import coaching, schedules  # noqa: E402
from floorsup.store.access import system  # noqa: E402
from floorsup.store.coaching import NoteQuery  # noqa: E402
from floorsup.store.engine import current_revision, ensure_schema, make_engine  # noqa: E402
from floorsup.store.roster import import_roster, set_queue_target  # noqa: E402

TARGET_S = 0.100
NOW_LOCAL = dt.time(14, 0)
USER = "bench.lead"  # who is at the keyboard: the note form reads this user's drafts
BUILD_VERSION = 3  # bump when the generated data changes: a cached database is rebuilt
POLL_S = 0.001  # the screens are polled every POLL_S
DB_NAME = "coaching.db"

# --- the word bank -----------------------------------------------------------------------------
_FIRST_SENTENCE: dict[str, tuple[str, ...]] = {
    "adherence": (
        "Back from {break_kind} {m} minutes late {times} this week.",
        "Logged in {m} minutes after shift start on {weekday} and {weekday2} ({commute}).",
        "Stayed in after-call work for {m} minutes before the {hh} interval.",
        "Missed the {hh} team huddle; the rota had {activity} then.",
        "Adherence at {pct}% over the last {k} weeks, below the 92% target.",
        "Took lunch at {hh} instead of {hh2} without telling the floor.",
        "Unscheduled pause of {m} minutes on {weekday}: {reason}.",
        "Logged out {m} minutes early on {weekday} to catch {commute}.",
    ),
    "quality": (
        "Missed the {ordinal} verification question on {k} of {n} calls listened to.",
        "Explains {topic} clearly, but summarises too fast at the close.",
        "QA {pct}% on {work_type}: lost points on {criterion}.",
        "Did not offer the {product} when the caller asked about {topic}.",
        "Read the {topic} script word for word and sounded flat.",
        "Forgot to log the {topic} case in {system} after the call.",
        "Gave the wrong cut-off date for {topic}; the customer called back {k} times.",
        "Strong discovery on {topic} calls; resolution let down by {system} notes.",
    ),
    "handle time": (
        "Wrap-up after transfers runs {s} seconds over the team average.",
        "Long holds while searching {system} for {topic} questions.",
        "AHT {mm}:{ss} against a team average of {mm2}:{ss2} on {queue}.",
        "Repeats the caller's account details twice before checking {system}.",
        "Talk time on {topic} calls doubled since {month}.",
        "Puts callers on hold to ask the floor about {topic} instead of using the guide.",
    ),
    "behaviour": (
        "Sounded short with a repeat caller at the end of a long day.",
        "Talked over the customer on a {topic} call; we listened to it together.",
        "Came back from break upset after a call about {topic}.",
        "Raised voice at a colleague on the floor on {weekday}; talked it through calmly.",
        "Using the phone at the desk between calls again.",
    ),
    "recognition": (
        "Great empathy with an upset caller about {topic}; the customer wrote in to thank "
        "the team.",
        "Helped {k} new starters with {system} between calls without being asked.",
        "Solved a {topic} problem on the first call that had bounced around for {k} days.",
        "Top of the team for first-contact resolution in {month}.",
        "Stayed calm through a {m}-minute complaint about {topic} and kept the customer.",
        "Spotted a pricing error in {system} and reported it before it reached customers.",
    ),
    "career": (
        "Interested in mentoring new hires; ready on quality.",
        "Asked about the team lead programme starting in {month}.",
        "Wants to move to the {queue} line; needs {k} more weeks of steady adherence.",
        "Would like training on {topic} to cover the {queue} queue.",
        "Discussed the senior agent role; strong on {criterion}, working on {criterion2}.",
    ),
    "other": (
        "Asked for a shift swap on {weekday} for a medical appointment.",
        "Headset crackles on {queue} calls; raised a ticket with IT.",
        "Return-to-work chat after {k} days off sick.",
        "Desk move to the {side} side of the floor from {weekday}.",
        "Holiday request for {month} approved; cover agreed with the team.",
    ),
}
_MORE = (
    "Talked through why the {hh} interval is tight.",
    "We listened back to {k} calls together.",
    "Agreed it was a one-off; {commute} times changed this month.",
    "The caller had been transferred {k} times before reaching them.",
    "Good rapport throughout; the customer calmed down quickly.",
    "{System} was slow that morning, which did not help.",
    "Compared with last {period} this is an improvement.",
    "They had already spotted it themselves and asked for help.",
    "Checked the knowledge base article on {topic}; it is out of date.",
    "Will share the call with the team as an example.",
    "Second time this {period}, so we set a clear expectation.",
    "Numbers otherwise steady: {n} calls a day, QA around {pct}%.",
    "Mentioned feeling tired after the late shifts on {queue}.",
    "Customer asked for a supervisor; the escalation was handled well.",
    "Refund processed correctly but the reference was not read back.",
    "The verification steps were rushed on {topic} calls.",
    "Knows the {product} well and explains it simply.",
    "Wrap-up codes were wrong on {k} calls about {topic}.",
)
_ACTIONS = (
    "Set a phone alarm {m} minutes before the end of lunch.",
    "Listen back to {k} calls together on {weekday}.",
    "Shadow {buddy} for one hour on {topic}.",
    "Use the reset pause after difficult calls.",
    "Try the earlier {commute} for two weeks.",
    "Complete the {topic} e-learning module by {weekday}.",
    "Revisit in {k} weeks.",
    "Write the ticket while the caller is on hold.",
    "Pair with a trainer for one induction session.",
    "Read the updated {topic} article and summarise it at the huddle.",
    "Check adherence together every {weekday} for a month.",
    "Practise the {criterion} step with {buddy}.",
)
_FILL: dict[str, tuple[str, ...]] = {
    "topic": (
        "billing disputes", "refunds", "chargebacks", "direct debits", "password resets",
        "parcel tracking", "lost parcels", "address changes", "contract renewals",
        "cancellations", "broadband faults", "roaming charges", "warranty claims",
        "late payments", "price increases", "loyalty points", "account closures",
        "identity checks", "data protection requests", "complaints", "upgrades",
        "installations", "appointment bookings", "returns", "exchanges", "vouchers",
        "overcharges", "meter readings", "insurance claims", "fraud alerts",
    ),
    "system": (
        "the CRM", "the billing system", "the knowledge base", "the ticketing tool",
        "the order screen", "the payments portal", "the dispatch tool",
    ),
    "product": (
        "loyalty discount", "payment plan", "paperless billing", "upgrade offer",
        "insurance add-on", "priority support", "family bundle",
    ),
    "break_kind": ("lunch", "the morning break", "the afternoon break"),
    "reason": (
        "a late customer callback", "a system restart", "a personal call", "training ran over",
        "a headset fault", "a long escalation",
    ),
    "activity": ("training", "a one-to-one", "email time", "a team meeting"),
    "commute": ("the bus", "the train", "the school run", "the tram", "the ferry"),
    "times": ("twice", "three times", "once", "on two days"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "month": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "period": ("week", "month", "quarter"),
    "ordinal": ("first", "second", "third"),
    "side": ("north", "south", "window", "quiet"),
    "criterion": tuple(DEFAULT_SCORECARD),
    "work_type": ("phone", "email", "chat", "escalation", "back office"),
}  # fmt: skip
_BUDDIES = ("Amara", "Chiara", "Gunnar", "Hana", "Lior", "Priya", "Søren", "Wren", "Yusuf")
_CATEGORY_WEIGHTS = {
    "adherence": 25,
    "quality": 22,
    "handle time": 15,
    "behaviour": 8,
    "recognition": 15,
    "career": 5,
    "other": 10,
}
_WORK_TYPES = (("phone", 60), ("email", 15), ("chat", 15), ("escalation", 5), ("back office", 5))
_EVALUATORS = ("qa.morgan", "qa.devi", "qa.lund", "qa.okoro", "qa.silva", "qa.brandt")
_QA_COMMENTS = (
    "Good control of the call.",
    "Verification skipped once.",
    "Clear next steps.",
    "Hold not explained to the caller.",
    "Excellent empathy; resolution took too long.",
    "Close rushed; no summary.",
    "Compliance statement missed.",
)
_OTHER_AUTHORS = ("ops.manager", "qa.coach", "trainer.kim", "wfm.lead")
# The words searched in (c): common to rare in the generated notes.
SEARCH_WORDS = (
    "caller", "calls", "customer", "verification", "refunds", "chargebacks", "headset",
    "empathy", "adherence", "billing", "holiday", "escalation", "knowledge", "lunch",
    "parcel", "fraud", "mentoring", "wrap", "interval", "complaint",
)  # fmt: skip


class Words:
    """Notes and actions from the word bank, seeded."""

    def __init__(self, rng: random.Random, queues: list[str]) -> None:
        self.rng = rng
        self.queues = tuple(queues)

    def _fill(self, template: str) -> str:
        r = self.rng
        hh = r.randrange(8, 18)
        values = {
            "m": r.randrange(4, 25),
            "k": r.randrange(2, 6),
            "n": r.randrange(5, 60),
            "s": r.randrange(30, 150),
            "pct": r.randrange(62, 97),
            "hh": f"{hh:02d}:{r.choice(('00', '30'))}",
            "hh2": f"{(hh + 1) % 24:02d}:00",
            "mm": r.randrange(4, 9),
            "ss": f"{r.randrange(60):02d}",
            "mm2": r.randrange(3, 7),
            "ss2": f"{r.randrange(60):02d}",
            "queue": r.choice(self.queues),
            "buddy": r.choice(_BUDDIES),
            "weekday2": r.choice(_FILL["weekday"]),
            "criterion2": r.choice(_FILL["criterion"]),
            "System": r.choice(_FILL["system"])[0].upper() + r.choice(_FILL["system"])[1:],
        }
        for key in ("topic", "system", "product", "break_kind", "reason", "activity"):
            if "{" + key in template:
                values[key] = r.choice(_FILL[key])
        for key in ("commute", "times", "weekday", "month", "period", "ordinal", "side"):
            if "{" + key in template:
                values[key] = r.choice(_FILL[key])
        for key in ("criterion", "work_type"):
            if "{" + key in template:
                values[key] = r.choice(_FILL[key])
        return template.format(**values)

    def body(self, category: str) -> str:
        r = self.rng
        n = r.choices((1, 2, 3, 4), (25, 35, 25, 15))[0]
        parts = [self._fill(r.choice(_FIRST_SENTENCE.get(category, _MORE)))]
        parts += [self._fill(t) for t in r.sample(_MORE, n - 1)]
        return " ".join(parts)

    def actions(self) -> str:
        r = self.rng
        n = r.choices((0, 1, 2), (30, 50, 20))[0]
        return " ".join(self._fill(t) for t in r.sample(_ACTIONS, n))


# --- building the database ---------------------------------------------------------------------
def now_ts() -> float:
    return float(int(dt.datetime.combine(DAY, NOW_LOCAL, tzinfo=ZoneInfo(TZ)).timestamp()))


def db_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def build(workdir: Path, n_agents: int, years: int, rebuild: bool) -> dict[str, Any]:
    """The database in `workdir` (reused when built with the same parameters)."""
    db = workdir / DB_NAME
    meta_path = workdir / "meta.json"
    params = {"agents": n_agents, "years": years, "version": BUILD_VERSION, "day": str(DAY)}
    if not rebuild and db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("params") == params:
            meta["cached"] = True
            return meta
    workdir.mkdir(parents=True, exist_ok=True)
    for f in db_files(db):
        f.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    info: dict[str, Any] = {"params": params, "cached": False}
    t_all = time.perf_counter()

    # The roster, the queues' targets and the day's schedule.
    t0 = time.perf_counter()
    centre = big_centre(n_agents)
    settings = Settings(db=str(db), tz=TZ, user=USER).validated()
    engine = make_engine(settings.url)
    ensure_schema(engine)
    roster_csv = workdir / "roster.csv"
    write_roster_csv(centre, roster_csv)
    r = import_roster(engine, roster_csv, actor=system())
    for q in centre.queues:
        set_queue_target(engine, q.name, q.sl_seconds, q.sl_target, actor=system())
    sched = workdir / "schedule.csv"
    write_schedule_csv(centre, DAY, sched)
    res = schedules.import_schedule(
        engine, sched, tz=TZ, activities=settings.activities, actor=system()
    )
    info.update(staff=r.added, teams=r.teams, acd=r.acd_names, segments=res.segments)
    info["setup_s"] = time.perf_counter() - t0
    print(f"  roster and schedule: {info['setup_s']:.1f} s", flush=True)

    # The day so far, through the feed.
    t0 = time.perf_counter()
    now = now_ts()
    day_start, _ = day_bounds(DAY, TZ)
    lines = FloorSimulator(centre, tz=TZ, day_start=day_start, seed=7).advance(now)
    feed_path = workdir / "queue_log"
    with feed_path.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    info["sim_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    feed = QueueLogFeed(engine, feed_path, tz=TZ)
    feed.run()
    feed.close()
    info["lines"] = len(lines)
    info["ingest_s"] = time.perf_counter() - t0
    print(
        f"  today to 14:00: {len(lines):,} queue_log lines, sim {info['sim_s']:.1f} s, "
        f"ingest {info['ingest_s']:.1f} s",
        flush=True,
    )

    # Five years of notes, revisions, evaluations and drafts.
    t0 = time.perf_counter()
    history = generate_history(engine, centre, years, now)
    info["generate_s"] = time.perf_counter() - t0
    print(f"  history generated: {info['generate_s']:.1f} s", flush=True)
    t0 = time.perf_counter()
    insert_history(engine, history)
    info["insert_s"] = time.perf_counter() - t0
    print(f"  history inserted: {info['insert_s']:.1f} s", flush=True)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    engine.dispose()
    info["build_s"] = time.perf_counter() - t_all
    info["db_bytes"] = sum(f.stat().st_size for f in db_files(db) if f.exists())
    info["history_from"] = history["from"]
    meta_path.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def generate_history(engine: Engine, centre: Any, years: int, now: float) -> dict[str, Any]:
    rng = random.Random("coaching-bench:7")
    words = Words(rng, [q.name for q in centre.queues])
    zone = ZoneInfo(TZ)
    first_day = DAY - dt.timedelta(days=round(365.25 * years))
    n_days = (DAY - first_day).days + 1
    midnight = {
        first_day + dt.timedelta(days=i): dt.datetime.combine(
            first_day + dt.timedelta(days=i), dt.time(), tzinfo=zone
        ).timestamp()
        for i in range(n_days + 40)
    }
    with engine.connect() as conn:
        staff = {
            sid: (pk, team)
            for pk, sid, team in conn.exec_driver_sql("SELECT id, staff_id, team_id FROM staff")
        }
    # Who wrote the notes: the team's lead; earlier in the 5 years, two other leads before.
    leads: dict[str, list[str]] = {}
    for s in centre.staff:
        if s.role == "team_lead":
            login = ".".join(s.name.lower().split()[:2])
            leads[s.team] = [f"former.{s.team[-3:]}a", f"former.{s.team[-3:]}b", login]
    cats = list(DEFAULT_NOTE_CATEGORIES)  # a category not weighted here is rare
    cat_w = [_CATEGORY_WEIGHTS.get(c, 3) for c in cats]
    span = now - midnight[first_day]
    today = DAY
    notes: list[list[Any]] = []  # the row, then the first version for an edited note
    evals: list[tuple[Any, ...]] = []
    monday = first_day - dt.timedelta(days=first_day.weekday())
    weeks = (DAY - monday).days // 7 + 1
    for s in centre.agents:
        pk, team_id = staff[s.staff_id]
        team_leads = leads.get(s.team, ["supervisor"])
        for w in range(weeks):
            for _ in range(rng.choices((0, 1, 2), (15, 70, 15))[0]):
                day = monday + dt.timedelta(days=7 * w + rng.randrange(6))  # Monday-Saturday
                if day < first_day or day > today:
                    continue
                created = midnight[day] + rng.randrange(8 * 3600, 18 * 3600)
                if created >= now:
                    continue
                era = min(2, int(3 * (created - midnight[first_day]) / span))
                author = rng.choice(_OTHER_AUTHORS) if rng.random() < 0.1 else team_leads[era % 3]
                category = rng.choices(cats, cat_w)[0]
                body, actions = words.body(category), words.actions()
                follow: dt.date | None = None
                done_at = done_by = None
                if rng.random() < 0.3:
                    follow = day + dt.timedelta(days=rng.randrange(2, 22))
                    age = (today - follow).days
                    p_done = 0.97 if age > 14 else 0.6 if age >= 0 else 0.1
                    if rng.random() < p_done:
                        when = (
                            midnight[follow] + rng.randrange(9 * 3600, 17 * 3600)
                            if follow < today
                            else created + rng.random() * (now - created)
                        )
                        done_at, done_by = min(when, now - 1), author
                snapshot = {
                    "taken_at": created,
                    "calls": rng.randrange(12, 70),
                    "aht_seconds": round(rng.uniform(180, 540), 1),
                    "adherence": round(rng.uniform(0.74, 0.99), 4),
                    "conformance": round(rng.uniform(0.9, 1.05), 4),
                    "state": rng.choice(("available", "on_call", "paused", "wrap_up")),
                    "qa_pct": round(rng.uniform(0.6, 0.98), 4),
                    "qa_work_type": "phone",
                    "qa_at": created - rng.randrange(1, 30) * 86400,
                }
                first = None
                updated_at, updated_by, revision = created, author, 1
                if rng.random() < 0.1:  # edited once: the first version kept
                    updated_at = min(now - 1, created + rng.randrange(600, 3 * 86400))
                    updated_by = author if rng.random() < 0.8 else rng.choice(_OTHER_AUTHORS)
                    revision = 2
                    old_body = body.rsplit(" ", 3)[0] + "." if " " in body else body
                    first = (category, old_body, actions, follow, author, created)
                notes.append(
                    [
                        (
                            pk, team_id, author, category, body, actions,
                            follow.isoformat() if follow else None, done_at, done_by,
                            rng.random() < 0.8, json.dumps(snapshot), created, updated_at,
                            updated_by, revision,
                        ),
                        first,
                    ]
                )  # fmt: skip
        # QA: a level and a drift per agent, about 2 evaluations a month.
        level = rng.uniform(0.7, 0.94)
        drift = rng.uniform(-0.002, 0.002)  # a month
        seen: set[tuple[float, str, str]] = set()
        for m in range(years * 12 + 1):
            month_start = first_day + dt.timedelta(days=round(m * 30.44))
            for _ in range(rng.choices((1, 2, 3), (20, 60, 20))[0]):
                day = month_start + dt.timedelta(days=rng.randrange(30))
                day += dt.timedelta(days=(0, 0, 0, 0, 0, -1, 1)[day.weekday()])  # a weekday
                if day < first_day or day > today:
                    continue
                at = midnight[day] + rng.randrange(9 * 3600, 17 * 3600)
                if at >= now:
                    continue
                evaluator = rng.choice(_EVALUATORS)
                work_type = rng.choices(*zip(*_WORK_TYPES, strict=True))[0]
                if (at, evaluator, work_type) in seen:
                    continue
                seen.add((at, evaluator, work_type))
                quality = min(0.99, max(0.35, level + drift * m + rng.gauss(0, 0.05)))
                crit = {
                    k: float(round(min(v, max(0.0, v * quality + rng.gauss(0, v * 0.06)))))
                    for k, v in DEFAULT_SCORECARD.items()
                }
                source = "import" if rng.random() < 0.7 else "screen"
                evals.append(
                    (
                        pk, team_id, at, evaluator, work_type, sum(crit.values()),
                        sum(DEFAULT_SCORECARD.values()), json.dumps(crit),
                        rng.choice(_QA_COMMENTS) if rng.random() < 0.4 else "",
                        evaluator if source == "screen" else "bench.import",
                        min(now - 1, at + rng.randrange(0, 3 * 86400)), source,
                    )
                )  # fmt: skip
    # Written over 5 years: ids in time order, one agent's rows spread over the table.
    notes.sort(key=lambda n: n[0][11])
    evals.sort(key=lambda e: e[2])
    note_rows = [(i, *n[0]) for i, n in enumerate(notes, 1)]
    revisions = [
        (i, 1, f[0], f[1], f[2], f[3].isoformat() if f[3] else None, n[0][9], f[4], f[5])
        for i, n in enumerate(notes, 1)
        if (f := n[1]) is not None
    ]
    # Drafts: the bench user left 150 (so some sampled agents have one), other leads 150.
    agents = [s.staff_id for s in centre.agents]
    authors = sorted({a for v in leads.values() for a in v[2:]})
    drafts = []
    for k in range(300):
        sid = rng.choice(agents)
        author = USER if k < 150 else rng.choice(authors)
        payload = {
            "category": rng.choice(cats),
            "body": words.body("quality"),
            "actions": words.actions(),
            "follow_up": "",
            "acknowledged": False,
        }
        key = coaching.draft_key(author, sid, None)
        drafts.append((key, author, sid, None, json.dumps(payload), 3, now - rng.randrange(86400)))
    drafts = list({d[0]: d for d in drafts}.values())
    return {
        "notes": note_rows,
        "revisions": revisions,
        "evals": evals,
        "drafts": drafts,
        "from": str(first_day),
    }


def insert_history(engine: Engine, h: dict[str, Any], batch: int = 50_000) -> None:
    """executemany into the real tables, in transactions of `batch` rows (the FTS5 triggers
    index every note as it goes in)."""
    statements = (
        (
            "notes",
            "INSERT INTO coaching_note (id, staff_pk, team_id, author, category, body, actions, "
            "follow_up, follow_up_done_at, follow_up_done_by, acknowledged, snapshot, "
            "created_at, updated_at, updated_by, revision) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            "revisions",
            "INSERT INTO coaching_note_revision (note_id, revision, category, body, actions, "
            "follow_up, acknowledged, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            "evals",
            "INSERT INTO qa_evaluation (staff_pk, team_id, evaluated_at, evaluator, work_type, "
            "score, max_score, criteria, comments, recorded_by, recorded_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            "drafts",
            "INSERT INTO note_draft (key, author, staff_id, note_id, payload, seq, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ),
    )
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        assert dbapi is not None
        cur = dbapi.cursor()
        for name, sql in statements:
            rows = h[name]
            t = time.perf_counter()
            for i in range(0, len(rows), batch):
                cur.execute("BEGIN")
                cur.executemany(sql, rows[i : i + batch])
                cur.execute("COMMIT")
            print(f"    {name}: {len(rows):,} rows in {time.perf_counter() - t:.1f} s", flush=True)
        cur.close()
    finally:
        raw.close()


def counts(engine: Engine) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        c = conn.exec_driver_sql
        for key, sql in (
            ("notes", "SELECT count(*) FROM coaching_note"),
            ("fts_rows", "SELECT count(*) FROM coaching_note_fts"),
            ("follow_ups", "SELECT count(*) FROM coaching_note WHERE follow_up IS NOT NULL"),
            (
                "open_follow_ups",
                "SELECT count(*) FROM coaching_note WHERE follow_up IS NOT NULL "
                "AND follow_up_done_at IS NULL",
            ),
            ("revisions", "SELECT count(*) FROM coaching_note_revision"),
            ("evals", "SELECT count(*) FROM qa_evaluation"),
            ("drafts", "SELECT count(*) FROM note_draft"),
            ("staff", "SELECT count(*) FROM staff"),
            ("segments", "SELECT count(*) FROM schedule_segment"),
            ("spans", "SELECT count(*) FROM agent_state_span"),
            ("calls", "SELECT count(*) FROM call"),
        ):
            out[key] = int(c(sql).scalar() or 0)
    return out


# --- measuring ---------------------------------------------------------------------------------
def ms(x: float) -> str:
    return f"{x * 1000:,.1f}"


class Row:
    """One line of the results table: a name, the first (cold) time if any, and timings."""

    def __init__(self, what: str, xs: list[float], cold: float | None = None, note: str = ""):
        self.what, self.xs, self.cold, self.note = what, xs, cold, note

    @property
    def median(self) -> float:
        return statistics.median(self.xs)

    @property
    def p95(self) -> float:
        return pct(self.xs, 0.95)

    def md(self) -> str:
        cold = ms(self.cold) if self.cold is not None else ""
        flag = "" if self.p95 <= TARGET_S else " **over**"
        return (
            f"| {self.what} | {cold} | {ms(self.median)} | {ms(self.p95)} | {ms(max(self.xs))}"
            f"{flag} | {self.note} |"
        )


def timed_each(fn: Callable[[Any], object], items: Iterable[Any]) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def note_form_read(engine: Engine, settings: Settings, now: float, sid: str) -> Any:
    """What `NoteScreen._load` reads for a new note."""
    profile = load_agent(engine, settings, now, who=system(), staff_id=sid)
    with engine.connect() as conn:
        draft = coaching.load_draft(conn, coaching.draft_key(settings.user, sid, None))
    return profile, draft


def drop_file_cache(db: Path) -> bool:
    """Evict the database file's pages from the OS page cache (a cold start after a reboot,
    without root): posix_fadvise DONTNEED on clean pages."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for f in db_files(db):
        if f.exists():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def warm_file_cache(db: Path) -> None:
    """Read the database file through once, so the pages (f) evicted are back in the OS
    cache: the screens (e) measure a running app, whose file is warm."""
    for f in db_files(db):
        if f.exists():
            with f.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


def statements_of(engine: Engine, fn: Callable[[Any], object]) -> list[str]:
    """The SQL a read runs (parameters bound), from sqlite3's trace callback."""
    seen: list[str] = []
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        dbapi.set_trace_callback(seen.append)
        try:
            fn(conn)
        finally:
            dbapi.set_trace_callback(None)
    # Only the statements floorsup sends: not transaction control, not FTS5's own reads of
    # its shadow tables (`-- ...` nested statements, `'main'.'coaching_note_fts_...'`).
    keep = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
    return [s for s in seen if s.lstrip().upper().startswith(keep) and "'main'." not in s]


def time_statement(db: Path, sql: str, runs: int = 5) -> tuple[float, int, list[str]]:
    """(median seconds, rows, EXPLAIN QUERY PLAN lines) of one statement on its own."""
    con = sqlite3.connect(db)
    try:
        con.execute(sql).fetchall()
        xs = []
        n = 0
        for _ in range(runs):
            t = time.perf_counter()
            n = len(con.execute(sql).fetchall())
            xs.append(time.perf_counter() - t)
        plan = [
            f"{'  ' * depth(r, con, sql)}{r[3]}" for r in con.execute("EXPLAIN QUERY PLAN " + sql)
        ]
        return statistics.median(xs), n, plan
    finally:
        con.close()


def depth(row: tuple[Any, ...], con: sqlite3.Connection, sql: str) -> int:
    parents = {r[0]: r[1] for r in con.execute("EXPLAIN QUERY PLAN " + sql)}
    d, p = 0, row[1]
    while p:
        d, p = d + 1, parents.get(p, 0)
    return d


def short(sql: str, width: int = 150) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def measure_reads(
    db: Path, settings: Settings, now: float, sample: dict[str, list[str]], disk_cold: int
) -> dict[str, Any]:
    res: dict[str, Any] = {}
    rows: list[Row] = []
    traces: dict[str, Callable[[Any], object]] = {}
    page, form = sample["page"], sample["form"]

    # (a) the agent page's read
    engine = make_engine(settings.url)
    t = time.perf_counter()
    load_agent(engine, settings, now, who=system(), staff_id=page[0])
    cold = time.perf_counter() - t
    first = timed_each(
        lambda s: load_agent(engine, settings, now, who=system(), staff_id=s), page[1:]
    )
    again = timed_each(
        lambda s: load_agent(engine, settings, now, who=system(), staff_id=s), page[1:]
    )
    prof = load_agent(engine, settings, now, who=system(), staff_id=page[1])
    res["profile"] = prof
    rows.append(
        Row(
            "(a) `load_agent`, each agent's first read",
            first,
            cold,
            f"{len(prof.notes)} notes of {prof.note_total}, {len(prof.evaluations)} evaluations,"
            f" {len(prof.follow_ups)} open follow-ups, {len(prof.day.spans)} spans,"
            f" {len(prof.day.calls)} calls, {len(prof.schedule)} segments",
        )
    )
    rows.append(Row("(a) `load_agent`, same agent again (warm)", again))
    # the statements of one agent page, one by one
    sid = page[1]
    traces["load_agent"] = lambda conn: agent_mod._read(conn, settings, now, None, sid)
    engine.dispose()

    # (b) the note form's read (a fresh engine: its first read is cold too)
    engine = make_engine(settings.url)
    t = time.perf_counter()
    note_form_read(engine, settings, now, form[0])
    cold = time.perf_counter() - t
    first = timed_each(lambda s: note_form_read(engine, settings, now, s), form[1:])
    again = timed_each(lambda s: note_form_read(engine, settings, now, s), form[1:])
    with engine.connect() as conn:
        hits = sum(
            1 for s in form if coaching.load_draft(conn, coaching.draft_key(settings.user, s, None))
        )
    rows.append(
        Row(
            "(b) note form read (`load_agent` + `load_draft`), first",
            first,
            cold,
            f"{hits} of {len(form)} agents with a draft",
        )
    )
    rows.append(Row("(b) note form read, same agent again", again))

    # (c) find_notes, (d) follow_ups: one connection, as the coaching screen's worker
    with engine.connect() as conn:
        fts_hits = {
            w: int(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM coaching_note_fts WHERE coaching_note_fts MATCH ?",
                    (coaching.fts_query(w),),
                ).scalar()
                or 0
            )
            for w in SEARCH_WORDS
        }
        commonest = max(fts_hits, key=fts_hits.__getitem__)
        teams = [r[0] for r in conn.exec_driver_sql("SELECT name FROM team ORDER BY name")]
        rng = random.Random("coaching-bench:queries")
        n = len(page)
        word_draws = [rng.choice(SEARCH_WORDS) for _ in range(n)]
        team_draws = [rng.choice(teams) for _ in range(n)]
        names = [
            r[0].split()[1].lower()
            for r in conn.exec_driver_sql("SELECT name FROM staff WHERE role = 'agent'")
        ]
        name_draws = [rng.choice(names) for _ in range(n)]

        def find(c: Any, q: NoteQuery) -> int:
            return len(coaching.find_notes(c, q, who=system()))

        cases: tuple[tuple[str, Callable[[Any, Any], int], list[Any], str], ...] = (
            ("(c) `find_notes`, no filter (newest 500)", lambda c, _: find(c, NoteQuery()), [None] * n, ""),
            (
                "(c) `find_notes`, a word (full text)",
                lambda c, w: find(c, NoteQuery(text=w)),
                word_draws,
                f"{len(SEARCH_WORDS)} words, in {min(fts_hits.values()):,}-"
                f"{max(fts_hits.values()):,} notes each",
            ),
            (
                f"(c) `find_notes`, the commonest word ({commonest!r})",
                lambda c, w: find(c, NoteQuery(text=w)),
                [commonest] * n,
                f"in {fts_hits[commonest]:,} notes",
            ),
            ("(c) `find_notes`, a team", lambda c, tm: find(c, NoteQuery(team=tm)), team_draws, ""),
            (
                "(c) `find_notes`, a word + a team",
                lambda c, wt: find(c, NoteQuery(text=wt[0], team=wt[1])),
                list(zip(word_draws, team_draws, strict=True)),
                "",
            ),
            ("(c) `find_notes`, an agent by staff id", lambda c, s: find(c, NoteQuery(agent=s)), page, ""),
            (
                "(c) `find_notes`, an agent by part of a name",
                lambda c, nm: find(c, NoteQuery(agent=nm)),
                name_draws,
                "a last name",
            ),
            (
                "(d) `follow_ups` due today, whole floor",
                lambda c, _: len(coaching.follow_ups(c, DAY, who=system())),
                [None] * n,
                "",
            ),
            (
                "(d) `follow_ups` due today, one team",
                lambda c, tm: len(coaching.follow_ups(c, DAY, team=tm, who=system())),
                team_draws,
                "",
            ),
        )  # fmt: skip
        for what, fn, items, note in cases:
            t = time.perf_counter()
            fn(conn, items[0])
            cold_q = time.perf_counter() - t
            xs = timed_each(lambda i, f=fn: f(conn, i), items)
            sizes = [fn(conn, i) for i in items[:10]]
            note = (note + "; " if note else "") + f"{min(sizes):,}-{max(sizes):,} rows"
            rows.append(Row(what, xs, cold_q, note))
            traces[what] = lambda c, f=fn, i=items[0]: f(c, i)
        res["fts_hits"] = fts_hits
        res["follow_ups_floor"] = len(coaching.follow_ups(conn, DAY, who=system()))
    engine.dispose()

    # Disk-cold: the file's pages evicted from the OS cache before each agent page.
    if disk_cold:
        xs = []
        ok = True
        for sid in sample["disk"][:disk_cold]:
            ok = drop_file_cache(db) and ok
            engine = make_engine(settings.url)
            t = time.perf_counter()
            load_agent(engine, settings, now, who=system(), staff_id=sid)
            xs.append(time.perf_counter() - t)
            engine.dispose()
        if ok:
            rows.append(
                Row(
                    "(f) `load_agent`, disk-cold (file evicted from the OS cache, new engine)",
                    xs,
                    None,
                    "posix_fadvise(DONTNEED) before each",
                )
            )
        warm_file_cache(db)
    res["rows"] = rows
    res["traces"] = traces
    return res


def explain(db: Path, settings: Settings, res: dict[str, Any]) -> list[str]:
    """Each statement of one agent page's read, timed alone; EXPLAIN QUERY PLAN for the
    statements of any case over target (and the slowest of the agent page)."""
    out: list[str] = []
    engine = make_engine(settings.url)
    over = {r.what for r in res["rows"] if r.p95 > TARGET_S}
    for what, fn in res["traces"].items():
        if what != "load_agent" and what not in over:
            continue
        sqls = statements_of(engine, fn)
        out.append(f"-- {what}: {len(sqls)} statements")
        timed_sqls = [(time_statement(db, s), s) for s in sqls]
        for (secs, n, plan), sql in timed_sqls:
            out.append(f"{secs * 1000:8.2f} ms {n:6,} rows  {short(sql)}")
            if what != "load_agent" or secs > 0.010:
                out += [f"{'':22}{p}" for p in plan]
    engine.dispose()
    return out


# --- (e) the screens ---------------------------------------------------------------------------
async def tui_bench(settings: Settings, now: float, sample: dict[str, list[str]]) -> dict[str, Any]:
    import floorsup.tui.screens.agent as agent_screen
    import floorsup.tui.screens.note as note_screen
    from floorsup.tui.app import make_app
    from floorsup.tui.screens.agent import AgentScreen, open_page
    from floorsup.tui.screens.floor import FloorScreen
    from floorsup.tui.screens.note import NoteScreen

    engine = make_engine(settings.url)  # a new engine: the first page opened is cold
    app = make_app(settings, engine, FixedClock(now), actor=system(), freeze_heap=True)
    marks: dict[str, float] = {}
    real_display = app._display

    def spy_display(screen: Any, renderable: Any) -> None:
        real_display(screen, renderable)
        # Headless Textual lays out and renders every update; it only skips the write.
        if renderable is not None and "painted" not in marks:
            s = app.screen
            if getattr(s, "profile", None) is not None and getattr(s, "ready", True):
                marks["painted"] = time.perf_counter()

    def spy_load(*args: Any, **kwargs: Any) -> Any:  # the worker's read, timed in place
        marks["load0"] = time.perf_counter()
        try:
            return load_agent(*args, **kwargs)
        finally:
            marks["load1"] = time.perf_counter()

    gc_log: list[tuple[int, float]] = []  # (generation, seconds) of each collection
    gc_start: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_log.append((int(info["generation"]), time.perf_counter() - gc_start[0]))

    app._display = spy_display  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    agent_screen.load_agent = spy_load  # type: ignore[assignment]
    note_screen.load_agent = spy_load  # type: ignore[assignment]
    out: dict[str, Any] = {"page": [], "form": [], "page_again": []}
    t_start = time.perf_counter()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            while not (isinstance(app.screen, FloorScreen) and app.screen.snapshot is not None):
                await asyncio.sleep(0.01)
            await pilot.pause()
            out["floor_s"] = time.perf_counter() - t_start
            await asyncio.sleep(0.5)
            out["heap_start"] = heap()

            async def open_(
                kind: type, open_it: Callable[[], None], ready: Callable[[Any], bool]
            ) -> dict[str, float]:
                marks.clear()
                gc_log.clear()
                floor = app.screen
                t0 = time.perf_counter()
                open_it()  # as the key does
                deadline = t0 + 30
                # Polled with a plain 1 ms sleep: pilot.pause() first waits for every widget
                # of the screen to drain its messages, which took 100+ ms a poll here.
                while not (isinstance(app.screen, kind) and ready(app.screen)):
                    if time.perf_counter() > deadline:
                        raise TimeoutError(f"{kind.__name__} never got ready")
                    await asyncio.sleep(POLL_S)
                t_ready = time.perf_counter()
                while "painted" not in marks and time.perf_counter() < deadline:
                    await asyncio.sleep(POLL_S)
                gcs = list(gc_log)
                app.pop_screen()
                await pilot.pause()  # back on the floor and settled before the next
                assert app.screen is floor
                await asyncio.sleep(0.1)
                return {
                    "ready": t_ready - t0,
                    "painted": marks.get("painted", math.nan) - t0,
                    "mount": marks["load0"] - t0,  # push -> the worker starts reading
                    "load": marks["load1"] - marks["load0"],
                    "after": marks.get("painted", math.nan) - marks["load1"],
                    "gc": sum(d for _, d in gcs),
                    "gc2": sum(d for g, d in gcs if g == 2),
                }

            def page_ready(s: Any) -> bool:
                return s.profile is not None

            def form_ready(s: Any) -> bool:
                return bool(s.ready)

            def page(sid: str) -> Callable[[], None]:
                return lambda: open_page(app, staff_id=sid)

            def form(sid: str) -> Callable[[], None]:
                return lambda: app.open_note(staff_id=sid)

            for sid in sample["tui_page"]:
                out["page"].append(await open_(AgentScreen, page(sid), page_ready))
            for sid in sample["tui_form"]:
                out["form"].append(await open_(NoteScreen, form(sid), form_ready))
            for sid in sample["tui_page"][1:11]:
                out["page_again"].append(await open_(AgentScreen, page(sid), page_ready))
            out["heap_end"] = heap()
            out["opens"] = len(out["page"]) + len(out["form"]) + len(out["page_again"])
            await pilot.press("q")
    finally:
        gc.callbacks.remove(on_gc)
        agent_screen.load_agent = load_agent  # type: ignore[assignment]
        note_screen.load_agent = load_agent  # type: ignore[assignment]
        engine.dispose()
    return out


def heap() -> tuple[int, float]:
    """(objects the cyclic GC tracks, seconds a full collection takes now)."""
    t = time.perf_counter()
    gc.collect()
    return len(gc.get_objects()), time.perf_counter() - t


def screens_in_subprocess(workdir: Path, sample: dict[str, list[str]]) -> dict[str, Any]:
    """(e) in a fresh Python process, as the app runs: not in this one, whose heap (the
    build, the reads above) would make its garbage collections longer than the app's."""
    import subprocess

    child = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--workdir",
            str(workdir),
            "--screens-json",
            json.dumps(sample),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        raise RuntimeError(f"the screens' process failed:\n{child.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def tui_rows(t: dict[str, Any]) -> list[Row]:
    def col(runs: list[dict[str, float]], key: str) -> list[float]:
        return [r[key] for r in runs]

    def parts(runs: list[dict[str, float]]) -> str:
        med = {k: statistics.median(col(runs, k)) for k in ("mount", "load", "after")}
        full = [r["gc2"] for r in runs if r["gc2"] > 0]
        gcs = (
            f"; a full (gen-2) GC fell in {len(full)} of {len(runs)} opens, "
            f"{ms(min(full))}-{ms(max(full))} ms each"
            if full
            else "; no full GC during the opens"
        )
        return (
            f"medians: key → the read starts {ms(med['mount'])}, `load_agent` in the "
            f"worker {ms(med['load'])}, then → painted (push, compose or refill, layout, "
            f"paint) {ms(med['after'])}{gcs}"
        )

    page, form, again = t["page"], t["form"], t["page_again"]
    return [
        Row(
            "(e) agent page: key → `profile` set",
            col(page[1:], "ready"),
            page[0]["ready"],
            "first open of the session = cold; polled every 1 ms",
        ),
        Row(
            "(e) agent page: key → painted with the profile",
            col(page[1:], "painted"),
            page[0]["painted"],
            parts(page[1:]),
        ),
        Row(
            "(e) agent page, same agent again: key → painted",
            col(again, "painted"),
            None,
            parts(again),
        ),
        Row(
            "(e) note form: key → `ready`",
            col(form[1:], "ready"),
            form[0]["ready"],
            "polled every 1 ms",
        ),
        Row(
            "(e) note form: key → painted ready",
            col(form[1:], "painted"),
            form[0]["painted"],
            parts(form[1:]),
        ),
    ]


# --- report ------------------------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f"; load average at start {os.getloadavg()[0]:.2f}"
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{mem}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{load}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--sample", type=int, default=50, help="random agents per measurement")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "floorsup-coaching-bench",
        help="where the database is built and kept between runs",
    )
    ap.add_argument("--rebuild", action="store_true", help="build the database again")
    ap.add_argument("--no-tui", action="store_true", help="skip (e), the screens")
    ap.add_argument("--screens-json", help=argparse.SUPPRESS)  # (e) in a child process
    ap.add_argument(
        "--disk-cold", type=int, default=10, help="agent pages read with the file evicted"
    )
    args = ap.parse_args()
    if args.screens_json:  # the child: only (e), its results as JSON on the last line
        settings = Settings(db=str(args.workdir / DB_NAME), tz=TZ, user=USER).validated()
        got = asyncio.run(tui_bench(settings, now_ts(), json.loads(args.screens_json)))
        print(json.dumps(got))
        return 0
    t_run = time.perf_counter()
    where = machine()
    cmd = "bench/coaching_bench.py " + " ".join(sys.argv[1:])

    print(f"database in {args.workdir} ...", flush=True)
    info = build(args.workdir, args.agents, args.years, args.rebuild)
    db = args.workdir / DB_NAME
    settings = Settings(db=str(db), tz=TZ, user=USER).validated()
    engine = make_engine(settings.url)
    ensure_schema(engine)  # a cached file follows any migration added since
    revision = current_revision(engine)
    n = counts(engine)
    with engine.connect() as conn:
        agent_ids = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT staff_id FROM staff WHERE role = 'agent' ORDER BY staff_id"
            )
        ]
    engine.dispose()
    db_bytes = sum(f.stat().st_size for f in db_files(db) if f.exists())
    built = (
        "reused (cached)"
        if info["cached"]
        else f"built in {info['build_s']:.0f} s (history insert {info['insert_s']:.0f} s)"
    )
    print(
        f"{built}: {n['staff']:,} staff, {n['notes']:,} notes ({n['revisions']:,} revisions, "
        f"{n['follow_ups']:,} follow-ups, {n['open_follow_ups']:,} open), {n['evals']:,} "
        f"QA evaluations, {n['drafts']} drafts; today {n['spans']:,} spans, {n['calls']:,} "
        f"calls, {n['segments']:,} segments; {db_bytes / 2**20:,.0f} MiB",
        flush=True,
    )

    now = now_ts()
    rng = random.Random("coaching-bench:sample")
    k = min(args.sample, len(agent_ids) // 5)
    picks = rng.sample(agent_ids, 5 * k)
    sample = {
        "page": picks[:k],
        "form": picks[k : 2 * k],
        "tui_page": picks[2 * k : 3 * k],
        "tui_form": picks[3 * k : 4 * k],
        "disk": picks[4 * k :],
    }
    print(f"measuring reads over {k} agents ...", flush=True)
    res = measure_reads(db, settings, now, sample, args.disk_cold)
    rows: list[Row] = res["rows"]
    for r in rows:
        print(f"  {r.what}: median {ms(r.median)} ms, p95 {ms(r.p95)} ms", flush=True)
    tui: dict[str, Any] = {}
    if not args.no_tui:
        print(f"measuring the screens over {k} agents (a fresh process) ...", flush=True)
        tui = screens_in_subprocess(args.workdir, sample)
        rows += tui_rows(tui)
        print(f"  (floor first drawn {tui['floor_s'] * 1000:.0f} ms after app start)", flush=True)
        (n0, c0), (n1, c1) = tui["heap_start"], tui["heap_end"]
        tui["heap_line"] = (
            f"(e) the app's heap: {n0:,} GC-tracked objects once the floor is drawn, {n1:,} "
            f"after {tui['opens']} pages opened and closed (+{(n1 - n0) / tui['opens']:,.0f} a "
            f"page); a full collection took {c0 * 1000:.0f} ms, then {c1 * 1000:.0f} ms. The "
            "growth is Textual's render caches (DataTable's LRU caches of cells and lines, "
            "bounded): it levels off after about 175 opens."
        )
    plans = explain(db, settings, res)
    total = time.perf_counter() - t_run

    print()
    print("```")
    print(f"$ .venv/bin/python {cmd}".rstrip())
    print(f"machine: {where}")
    print(
        f"data: {n['staff']:,} staff ({info['params']['agents']:,} agents, {info['teams']} teams); "
        f"{info['history_from']} to {DAY} 14:00 {TZ}: {n['notes']:,} coaching notes "
        f"(FTS5 rows {n['fts_rows']:,}), {n['revisions']:,} revisions, {n['follow_ups']:,} with a "
        f"follow-up ({n['open_follow_ups']:,} open, {res['follow_ups_floor']:,} due by today), "
        f"{n['evals']:,} QA evaluations, {n['drafts']} drafts; today so far {n['spans']:,} state "
        f"spans, {n['calls']:,} calls, {n['segments']:,} schedule segments; "
        f"DB {db_bytes / 2**20:,.0f} MiB (schema {revision}); {built}; run {total:.0f} s"
    )
    print("```")
    print()
    print(f"Times in ms over {k} random agents (a different {k} for each of (a), (b), (e)).")
    print()
    print("| what | first (cold) | median | p95 | max | notes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(r.md())
    print()
    print(
        f"(e) `profile`/`ready` are polled with `asyncio.sleep({POLL_S})` (not `pilot.pause`, "
        "which waits for every widget's queue to drain: 100+ ms a poll): up to ~1 ms plus one "
        "event-loop turn late; paint times are exact (a spy on `App._display`), as is the "
        "worker's `load_agent` (wrapped in place)."
    )
    if tui:
        print()
        print(tui["heap_line"])
    print()
    print("Statements (timed alone, median of 5; EXPLAIN QUERY PLAN under slow ones):")
    print("```")
    print("\n".join(plans))
    print("```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

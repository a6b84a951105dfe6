"""One writer process of tests/store/test_concurrency.py: a person writing through the real
store functions, as fast as a busy floor would never manage, for SECONDS.

    python tests/store/concurrency_writers.py DBURL KIND WORKER_ID SECONDS OUT.jsonl \
        [--of N] [--go FILE] [--pause S]

KIND is what this person writes:

  notes        a team lead (the WORKER_ID-th, in staff_id order) writing coaching notes
               for their own team: add_note (some with a follow-up date), then now and
               then edit_note of one of their notes (with the revision they last saw) or
               close_follow_up of one whose follow-up is open;
  exceptions   a supervisor authorising adherence exceptions (authorize_exception) for
               any agent, for a stretch of the day;
  assignments  a trainer (or the manager) pairing mentors and mentees: assign, end and
               reassign, on this worker's own share of the agents (every N-th, N = --of)
               so that no other worker's write can refuse theirs, within the mentors'
               capacity.

Every write is recorded in OUT.jsonl (one JSON object a line, flushed at once) only after
the store call returned, that is after its transaction committed; a write that raised is
recorded as an error with its text (and whether it says "locked" or "busy"). The first
line is `ready` (once connected and the actor is known); with --go the clock starts when
that file appears. The last line is `done`, with the counts.

Every store write this worker makes is in the small functions just below: a change to a
write function's signature is adapted there, in one place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from floorsup.config import DEFAULT_NOTE_CATEGORIES
from floorsup.domain.coaching import NoteInput
from floorsup.store import coaching, mentoring, schedules
from floorsup.store.access import Actor, resolve
from floorsup.store.engine import db_error_kind, make_engine
from floorsup.store.sql import fetchall

KINDS = ("notes", "exceptions", "assignments")
CATEGORIES = DEFAULT_NOTE_CATEGORIES
TZ = "UTC"
CAPACITY = 3  # mentees a mentor takes at once


# -- the store writes (the only calls of the store's write functions in this file) ----------


def note_add(
    engine: Engine, who: Actor, staff_id: str, body: str, follow_up: dt.date | None, now: float
) -> coaching.NoteRow:
    note = NoteInput(staff_id=staff_id, category="quality", body=body, follow_up=follow_up)
    return coaching.add_note(engine, note, actor=who, now=now, snapshot=None, categories=CATEGORIES)


def note_edit(
    engine: Engine, who: Actor, cur: coaching.NoteRow, body: str, now: float
) -> coaching.NoteRow:
    note = NoteInput(
        staff_id=cur.staff_id,
        category=cur.category,
        body=body,
        actions=cur.actions,
        follow_up=cur.follow_up,
        acknowledged=cur.acknowledged,
    )
    return coaching.edit_note(
        engine,
        cur.id,
        note,
        actor=who,
        now=now,
        expected_revision=cur.revision,
        categories=CATEGORIES,
    )


def note_close_follow_up(engine: Engine, who: Actor, note_id: int, now: float) -> None:
    coaching.close_follow_up(engine, note_id, actor=who, now=now)


def exception_authorise(
    engine: Engine, who: Actor, staff_id: str, start: float, end: float, why: str, now: float
) -> schedules.AuthorizationRow:
    return schedules.authorize_exception(
        engine, staff_id, start, end, actor=who, why=why, now=now, tz=TZ
    )


def mentor_assign(
    engine: Engine, who: Actor, mentor_id: str, mentee_id: str, reason: str, now: float
) -> mentoring.MentorshipRow:
    return mentoring.assign(
        engine,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        actor=who,
        now=now,
        reason=reason,
        capacity=CAPACITY,
        tz=TZ,
    )


def mentor_end(
    engine: Engine, who: Actor, mentorship_id: int, reason: str, now: float
) -> mentoring.MentorshipRow:
    return mentoring.end(engine, mentorship_id, actor=who, now=now, reason=reason)


def mentor_reassign(
    engine: Engine, who: Actor, mentee_id: str, mentor_id: str, reason: str, now: float
) -> mentoring.MentorshipRow:
    return mentoring.reassign(
        engine,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        actor=who,
        now=now,
        reason=reason,
        capacity=CAPACITY,
        tz=TZ,
    )


# -- who this worker is ------------------------------------------------------------------------


def staff_by_role(engine: Engine, *roles: str) -> list[tuple[str, int | None]]:
    """(staff_id, team_id) of the active staff with one of `roles`, by staff_id."""
    marks = ", ".join("?" * len(roles))
    with engine.connect() as conn:
        rows = fetchall(
            conn,
            f"SELECT staff_id, team_id FROM staff WHERE active AND role IN ({marks}) "
            "ORDER BY staff_id",
            roles,
        )
    return [(str(r[0]), r[1]) for r in rows]


def acting_as(engine: Engine, staff_id: str) -> Actor:
    """The roster's actor for `staff_id` (a login that is a staff_id stands for that person)."""
    with engine.connect() as conn:
        return resolve(conn, staff_id)


# -- the loop ----------------------------------------------------------------------------------


class Log:
    """OUT.jsonl: one record a line, flushed (and so on disk for the test) at once."""

    def __init__(self, path: Path) -> None:
        self.fh: IO[str] = path.open("a", encoding="utf-8")
        self.writes = 0
        self.errors = 0

    def put(self, rec: dict[str, Any]) -> None:
        self.fh.write(json.dumps(rec, sort_keys=True) + "\n")
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def _error(exc: BaseException) -> dict[str, Any]:
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    return {
        "error": text[:2000],
        "locked": "locked" in low or "busy" in low or db_error_kind(exc) == "busy",
        "trace": traceback.format_exc()[-4000:],
    }


class Worker:
    def __init__(self, engine: Engine, kind: str, index: int, of: int, rng: random.Random):
        self.engine, self.kind, self.index, self.of, self.rng = engine, kind, index, of, rng
        self.tag = f"{kind}-{index}"
        agents = staff_by_role(engine, "agent")
        if kind == "notes":
            leads = staff_by_role(engine, "team_lead")
            sid, team = leads[index % len(leads)]
            self.who = acting_as(engine, sid)
            self.agents = [a for a, t in agents if t == team]
            self.notes: dict[int, coaching.NoteRow] = {}
        elif kind == "exceptions":
            sups = staff_by_role(engine, "supervisor")
            self.who = acting_as(engine, sups[index % len(sups)][0])
            self.agents = [a for a, _ in agents]
            with engine.connect() as conn:
                lo, hi = fetchall(conn, 'SELECT min(start), max("end") FROM schedule_segment')[0]
            self.day = (float(lo), float(hi))
        elif kind == "assignments":
            mentors = staff_by_role(engine, "trainer", "manager")
            self.who = acting_as(engine, mentors[index % len(mentors)][0])
            mine = [a for k, (a, _) in enumerate(agents) if k % of == index]
            cut = max(2, len(mine) // 5)
            self.mentors, self.mentees = mine[:cut], mine[cut:]
            self.open: dict[str, mentoring.MentorshipRow] = {}  # by mentee
        else:
            raise SystemExit(f"KIND {kind!r}: expected one of {', '.join(KINDS)}")
        if not (self.mentees if kind == "assignments" else self.agents):
            raise SystemExit(f"{self.tag}: nobody to write about on the roster")
        self.seq = 0
        self.doing = ""  # the write under way, for an error's record

    def marker(self) -> str:
        self.seq += 1
        return f"[{self.tag} #{self.seq}]"

    # one write: returns its record (after the call returned: committed), or raises
    def step(self) -> dict[str, Any]:
        return {"notes": self.note, "exceptions": self.exception, "assignments": self.pairing}[
            self.kind
        ]()

    def note(self) -> dict[str, Any]:
        rng, now = self.rng, time.time()
        r = rng.random()
        if self.notes and r < 0.25:
            cur = self.notes[rng.choice(list(self.notes))]
            body = f"{self.marker()} revised: agreed to shadow a senior on escalations."
            self.doing = "note.edit"
            row = note_edit(self.engine, self.who, cur, body, now)
            self.notes[row.id] = row
            return {"op": "note.edit", "id": row.id, "body": row.body, "revision": row.revision}
        open_ = [n for n in self.notes.values() if n.follow_up_open]
        if open_ and r < 0.40:
            cur = rng.choice(open_)
            self.doing = "note.follow_up_done"
            note_close_follow_up(self.engine, self.who, cur.id, now)
            # What the store now holds (the worker's copy: only this worker touches it).
            self.notes[cur.id] = _replace_done(cur, now, self.who.user)
            return {"op": "note.follow_up_done", "id": cur.id}
        sid = rng.choice(self.agents)
        follow = dt.date(2025, 3, 4) + dt.timedelta(days=rng.randint(1, 14))
        body = f"{self.marker()} listened to two calls together; hold times down, tone good."
        self.doing = "note.add"
        row = note_add(
            self.engine, self.who, sid, body, follow if rng.random() < 0.4 else None, now
        )
        self.notes[row.id] = row
        return {
            "op": "note.add",
            "id": row.id,
            "staff_id": row.staff_id,
            "body": row.body,
            "revision": row.revision,
            "follow_up": row.follow_up.isoformat() if row.follow_up else None,
            "author": row.author,
        }

    def exception(self) -> dict[str, Any]:
        rng, now = self.rng, time.time()
        lo, hi = self.day
        start = float(int(rng.uniform(lo, hi - 3600)))
        end = start + 60 * rng.randint(5, 45)
        sid = rng.choice(self.agents)
        why = f"{self.marker()} phones down on the east side: told to log off"
        self.doing = "exception.authorise"
        row = exception_authorise(self.engine, self.who, sid, start, end, why, now)
        return {
            "op": "exception.authorise",
            "id": row.id,
            "staff_id": sid,
            "start": row.start,
            "end": row.end,
            "why": row.reason,
            "by": row.authorized_by,
        }

    def pairing(self) -> dict[str, Any]:
        rng, now = self.rng, time.time()
        load = {m: 0 for m in self.mentors}
        for row in self.open.values():
            load[row.mentor_id] += 1
        free = [m for m in self.mentors if load[m] < CAPACITY]
        alone = [m for m in self.mentees if m not in self.open]
        choices = []
        if free and alone:
            choices += ["assign"] * 2
        if self.open:
            choices.append("end")
        if self.open and free:
            choices.append("reassign")
        what = rng.choice(choices)
        self.doing = f"mentor.{what}"
        reason = f"{self.marker()} sits beside them on the same shift"
        if what == "assign":
            mentee, mentor = rng.choice(alone), rng.choice(free)
            row = mentor_assign(self.engine, self.who, mentor, mentee, reason, now)
            self.open[mentee] = row
            return {
                "op": "mentor.assign",
                "id": row.id,
                "mentor_id": mentor,
                "mentee_id": mentee,
                "reason": row.reason,
            }
        if what == "end":
            mentee = rng.choice(sorted(self.open))
            row = mentor_end(self.engine, self.who, self.open[mentee].id, reason, now)
            del self.open[mentee]
            return {"op": "mentor.end", "id": row.id, "reason": row.end_reason}
        mentee = rng.choice(sorted(self.open))
        cur = self.open[mentee]
        others = [m for m in free if m != cur.mentor_id]
        if not others:
            self.doing = "mentor.end"
            row = mentor_end(self.engine, self.who, cur.id, reason, now)
            del self.open[mentee]
            return {"op": "mentor.end", "id": row.id, "reason": row.end_reason}
        mentor = rng.choice(others)
        row = mentor_reassign(self.engine, self.who, mentee, mentor, reason, now)
        self.open[mentee] = row
        return {
            "op": "mentor.reassign",
            "id": row.id,
            "ended": cur.id,
            "mentor_id": mentor,
            "mentee_id": mentee,
            "reason": row.reason,
        }


def _replace_done(row: coaching.NoteRow, now: float, by: str) -> coaching.NoteRow:
    from dataclasses import replace

    return replace(row, follow_up_done_at=now, follow_up_done_by=by)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("kind", choices=KINDS)
    ap.add_argument("worker_id", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("out", type=Path)
    ap.add_argument("--of", type=int, default=1, help="workers of this kind (1)")
    ap.add_argument("--go", type=Path, help="start the clock when this file appears")
    ap.add_argument("--pause", type=float, default=0.05, help="mean s between writes (0.05)")
    a = ap.parse_args(argv)
    log = Log(a.out)
    tag = f"{a.kind}-{a.worker_id}"
    try:
        engine = make_engine(a.db)
        w = Worker(engine, a.kind, a.worker_id, max(1, a.of), random.Random(f"cc:{tag}"))
        log.put({"op": "ready", "w": tag, "actor": w.who.user, "role": w.who.role})
        if a.go is not None:
            limit = time.monotonic() + 300
            while not a.go.exists():
                if time.monotonic() > limit:
                    raise SystemExit(f"{tag}: {a.go} never appeared")
                time.sleep(0.02)
        t0 = time.monotonic()
        end = t0 + a.seconds
        while time.monotonic() < end:
            t = time.perf_counter()
            try:
                rec = w.step()
            except Exception as exc:
                log.errors += 1
                log.put({"op": "error", "w": tag, "during": w.doing, **_error(exc)})
            else:
                log.writes += 1
                rec.update(w=tag, ms=round(1000 * (time.perf_counter() - t), 2))
                log.put(rec)
            time.sleep(w.rng.uniform(0, 2 * a.pause))
        log.put(
            {
                "op": "done",
                "w": tag,
                "writes": log.writes,
                "errors": log.errors,
                "s": round(time.monotonic() - t0, 2),
            }
        )
        engine.dispose()
    except BaseException as exc:
        log.put({"op": "fatal", "w": tag, **_error(exc)})
        return 1
    finally:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The demo centre's coaching history: QA evaluations as a QA tool would export them (CSV),
and coaching notes as team leads would have written them over the past weeks. Pure and
seeded: the same seed gives the same history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from floorsup.sim.centre import Centre

WORK_TYPES = ("phone", "phone", "phone", "email", "chat", "escalation")
SCORECARD = {
    "greeting": 10,
    "verification": 15,
    "discovery": 20,
    "resolution": 30,
    "compliance": 15,
    "close": 10,
}
EVALUATORS = ("qa.morgan", "qa.devi", "qa.lund")

_NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "adherence": (
        (
            "Back from lunch 12 minutes late twice this week. Talked through the rota and "
            "why the 13:00 interval is tight.",
            "Set a phone alarm 5 minutes before the end of lunch.",
        ),
        (
            "Logged in 8 minutes after shift start on Monday and Wednesday (bus times).",
            "Try the earlier bus for two weeks; tell me if it does not work.",
        ),
    ),
    "quality": (
        (
            "Missed the second verification question on two of five calls listened to.",
            "Listen back to two calls together on Friday.",
        ),
        (
            "Explains fees clearly, but summarises too fast at the close; callers asked again.",
            "Slow the close down: repeat the next step and the date.",
        ),
    ),
    "handle time": (
        (
            "Wrap-up after transfers runs 90 seconds over the team average.",
            "Write the ticket while the caller is on hold for the transfer.",
        ),
        (
            "Long holds while searching the knowledge base for billing disputes.",
            "Shadow Team Lead for one hour on billing disputes.",
        ),
    ),
    "behaviour": (
        (
            "Sounded short with a repeat caller at the end of a long day. Talked about "
            "taking the 5-minute reset after a hard call.",
            "Use the reset pause after difficult calls.",
        ),
    ),
    "recognition": (
        (
            "Great empathy with an upset caller whose parcel was lost; the customer wrote in "
            "to thank the team.",
            "",
        ),
        (
            "Helped two new starters with the CRM between calls without being asked.",
            "",
        ),
    ),
    "career": (
        (
            "Interested in mentoring new hires. Ready on quality; needs a steady month on "
            "adherence first.",
            "Revisit in four weeks; pair with a trainer for one induction session.",
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class DemoNote:
    staff_id: str
    author: str
    category: str
    body: str
    actions: str
    written_at: float
    follow_up: dt.date | None
    follow_up_done: bool
    acknowledged: bool
    # What the writer saw then (the demo's own made-up numbers).
    calls: int
    aht_seconds: float
    adherence: float


def _leads(centre: Centre) -> dict[str, str]:
    """Team → the login of the person who coaches it (its team lead, else a supervisor)."""
    out: dict[str, str] = {}
    for s in centre.staff:
        if s.role in ("team_lead", "supervisor") and s.team not in out:
            out[s.team] = s.name.split()[0].lower()
    return out


def qa_csv(
    centre: Centre,
    today: dt.date,
    *,
    weeks: int = 10,
    seed: int = 7,
    work: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """`staff_id,evaluated_at,evaluator,work_type,score,max_score,<criteria>,comments`:
    about one evaluation a week per agent, each agent with a skill level and a drift.
    `work`: the work types each agent does and learns (their career stage's, floorsup/sim/
    career.py); someone learning new work is evaluated on it more often."""
    rng = random.Random(seed * 7919 + 1)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["staff_id", "evaluated_at", "evaluator", "work_type", "score", "max_score"]
        + list(SCORECARD)
        + ["comments"]
    )
    for s in centre.agents:
        # With career stages, people have grown into their work: fewer weak performers.
        level = rng.uniform(0.80, 0.97) if work else rng.uniform(0.72, 0.95)
        drift = rng.uniform(-0.012, 0.012)
        types = tuple(work[s.staff_id]) if work and s.staff_id in work else WORK_TYPES
        per_week = 2 if work and len(types) > 1 else 1
        for week, _ in ((w, k) for w in range(weeks, 0, -1) for k in range(per_week)):
            if rng.random() < 0.2:
                continue
            day = today - dt.timedelta(days=7 * week - rng.randrange(0, 5))
            if day < s.hire_date:
                continue
            quality = min(0.99, max(0.4, level + drift * (weeks - week) + rng.gauss(0, 0.04)))
            scores = {
                k: round(min(v, max(0, v * quality + rng.gauss(0, v * 0.05))))
                for k, v in SCORECARD.items()
            }
            comment = (
                ""
                if rng.random() < 0.6
                else rng.choice(
                    ("Good control of the call.", "Verification skipped once.", "Clear next steps.")
                )
            )
            w.writerow(
                [
                    s.staff_id,
                    f"{day.isoformat()} {rng.randrange(9, 17):02d}:{rng.randrange(0, 60):02d}",
                    rng.choice(EVALUATORS),
                    rng.choice(types),
                    sum(scores.values()),
                    sum(SCORECARD.values()),
                    *scores.values(),
                    comment,
                ]
            )
    return out.getvalue()


def write_qa_csv(
    centre: Centre,
    today: dt.date,
    path: str | Path,
    *,
    seed: int = 7,
    work: Mapping[str, Sequence[str]] | None = None,
) -> None:
    Path(path).write_text(qa_csv(centre, today, seed=seed, work=work), encoding="utf-8")


def coaching_notes(centre: Centre, now: float, *, seed: int = 7) -> list[DemoNote]:
    """Notes from the past eight weeks, oldest first: a few per agent, some with follow-ups
    (a couple overdue, one due today), most acknowledged."""
    rng = random.Random(seed * 104729 + 3)
    leads = _leads(centre)
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    notes: list[DemoNote] = []
    for s in centre.agents:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            category = rng.choice(list(_NOTES))
            body, actions = rng.choice(_NOTES[category])
            age_days = rng.randrange(1, 56)
            written = now - age_days * 86400 + rng.randrange(9 * 3600, 17 * 3600)
            follow = None
            if actions and rng.random() < 0.6:
                follow = (
                    today - dt.timedelta(days=age_days) + dt.timedelta(days=rng.choice((7, 14, 21)))
                )
            done = follow is not None and follow < today and rng.random() < 0.7
            notes.append(
                DemoNote(
                    s.staff_id,
                    leads.get(s.team, "supervisor"),
                    category,
                    body,
                    actions,
                    written,
                    follow,
                    done,
                    rng.random() < 0.8,
                    rng.randrange(18, 60),
                    rng.uniform(200, 420),
                    rng.uniform(0.78, 0.99),
                )
            )
    notes.sort(key=lambda n: n.written_at)
    return notes

"""Coaching notes, pure: follow-up dates as people type them, the numbers a note keeps, and
what a note must have before it is saved. No I/O; `now` is always a parameter."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import asdict, dataclass
from typing import Any

import pendulum

from floorsup.domain.intervals import LAST_DAY, day_out_of_range

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_RELATIVE = re.compile(r"^\+\s*(\d{1,3})\s*([dwm])$")
FOLLOW_UP_HELP = "2026-12-01, +3d, +2w, +1m, fri, tomorrow"


class FollowUpError(ValueError):
    """The follow-up text is not a date we can read; the message says what is accepted."""


def local_today(now: float, tz: str) -> dt.date:
    return pendulum.from_timestamp(now, tz=tz).date()


def parse_follow_up(text: str, now: float, tz: str) -> dt.date | None:
    """A follow-up date from what a supervisor types, in the site's zone. Empty means none.

    `2026-12-01`, `+3d` / `+2w` / `+1m` (days, weeks, months from today), `today`,
    `tomorrow`, a weekday (`fri`, `friday`: the next one, a week on if today is that day).
    A date before today is refused: a follow-up is something still to do.
    """
    raw = text.strip().lower()
    if not raw:
        return None
    # The local date, as a date: midnight itself may not exist (DST at 00:00 in Chile).
    today = pendulum.from_timestamp(now, tz=tz).date()
    day: pendulum.Date
    if raw in ("today", "tod"):
        day = today
    elif raw in ("tomorrow", "tmrw", "tom"):
        day = today.add(days=1)
    elif raw.removeprefix("next ") in _WEEKDAYS:
        want = _WEEKDAYS[raw.removeprefix("next ")]
        ahead = (want - today.weekday()) % 7 or 7
        day = today.add(days=ahead)
    elif m := _RELATIVE.match(raw):
        n, unit = int(m.group(1)), m.group(2)
        unit_name = {"d": "days", "w": "weeks", "m": "months"}[unit]
        day = today.add(**{unit_name: n})
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            day = pendulum.Date.fromisoformat(raw)
        except ValueError as exc:
            raise FollowUpError(f"{text.strip()!r} is not a real date ({exc})") from exc
    else:
        raise FollowUpError(f"{text.strip()!r}: expected a date like {FOLLOW_UP_HELP}")
    out = dt.date(day.year, day.month, day.day)
    if out < today:
        raise FollowUpError(f"{out.isoformat()} is in the past: a follow-up is still to come")
    if out > LAST_DAY:
        raise FollowUpError(
            f"{out.isoformat()} is too far ahead: expected a date up to {LAST_DAY.isoformat()}"
        )
    return out


@dataclass(frozen=True, slots=True)
class NoteSnapshot:
    """The agent's numbers when the note was written, kept with it: a note read months
    later shows what the supervisor saw."""

    taken_at: float
    calls: int = 0
    aht_seconds: float | None = None
    adherence: float | None = None
    conformance: float | None = None
    state: str | None = None
    qa_pct: float | None = None
    qa_work_type: str | None = None
    qa_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> NoteSnapshot | None:
        if not data or "taken_at" not in data:
            return None
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def summary(self, fmt_duration: Any = None) -> str:
        """One line: `12 calls · AHT 4:05 · adherence 93% · QA 86% phone`."""
        parts = [f"{self.calls} call{'s' if self.calls != 1 else ''}"]
        if self.aht_seconds is not None:
            aht = (
                fmt_duration(self.aht_seconds)
                if fmt_duration
                else f"{int(self.aht_seconds) // 60}:{int(self.aht_seconds) % 60:02d}"
            )
            parts.append(f"AHT {aht}")
        if self.adherence is not None:
            parts.append(f"adherence {self.adherence:.0%}")
        if self.conformance is not None:
            parts.append(f"conformance {self.conformance:.0%}")
        if self.qa_pct is not None:
            parts.append(
                f"QA {self.qa_pct:.0%}" + (f" {self.qa_work_type}" if self.qa_work_type else "")
            )
        if self.state:
            parts.append(f"was {self.state.replace('_', ' ')}")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class NoteInput:
    """What the form gives: checked by `note_problems` before anything is written."""

    staff_id: str
    category: str
    body: str
    actions: str = ""
    follow_up: dt.date | None = None
    acknowledged: bool = False


MAX_NOTE_CHARS = 20_000


def note_problems(note: NoteInput, categories: tuple[str, ...]) -> dict[str, str]:
    """Field name → what is wrong. Empty when the note can be saved."""
    problems: dict[str, str] = {}
    if not note.staff_id.strip():
        problems["agent"] = "choose the agent this note is about"
    if note.category not in categories:
        problems["category"] = f"{note.category!r} is not one of: {', '.join(categories)}"
    if not note.body.strip():
        problems["body"] = "the note is empty: write what was discussed"
    elif len(note.body) > MAX_NOTE_CHARS:
        problems["body"] = (
            f"the note is {len(note.body):,} characters; keep it under {MAX_NOTE_CHARS:,}"
        )
    if len(note.actions) > MAX_NOTE_CHARS:
        problems["actions"] = f"agreed actions are over {MAX_NOTE_CHARS:,} characters"
    return problems


def follow_up_status(follow_up: dt.date | None, done: bool, today: dt.date) -> str | None:
    """`overdue`, `due` (today), `open` (later) or None (no follow-up, or done)."""
    if follow_up is None or done:
        return None
    if follow_up < today:
        return "overdue"
    return "due" if follow_up == today else "open"


FILTER_KEYS = {
    "agent": "agent",
    "team": "team",
    "cat": "category",
    "category": "category",
    "by": "author",
    "author": "author",
    "from": "from",
    "to": "to",
}


def parse_note_filter(text: str) -> tuple[dict[str, str], str, list[str]]:
    """`team:"Team One" cat:quality by:sam from:2026-11-01 to:2026-11-30 wrap time` →
    ({team, category, author, from, to}, the words to search for, problems). Dates are
    checked here; quotes group words with spaces."""
    try:
        parts = shlex.split(text)
    except ValueError:  # an unclosed quote while typing: take the words as they are
        parts = text.replace('"', " ").replace("'", " ").split()
    fields: dict[str, str] = {}
    words: list[str] = []
    problems: list[str] = []
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            name = FILTER_KEYS[key.lower()]
            if name in ("from", "to"):
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    problems.append(f"{key}:{value}: expected a date like 2026-11-01")
                    continue
                wrong = day_out_of_range(day)
                if wrong:
                    problems.append(f"{key}:{value}: {wrong}")
                    continue
                value = day.isoformat()  # `20261101` compares as text with stored dates
            fields[name] = value
        else:
            words.append(part)
    return fields, " ".join(words), problems

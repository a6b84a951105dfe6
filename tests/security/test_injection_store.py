"""Hostile text through every store search and lookup: no exception but the documented
one, results equal to a literal match, and the database unchanged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Engine

from floorsup.domain.coaching import parse_note_filter
from floorsup.store import coaching as c
from floorsup.store import mentoring, queries, schedules
from floorsup.store.access import actor, system
from floorsup.store.career import stage_for, steps_since_risk
from floorsup.store.qa import agent_evaluations

from .hostile import HOSTILE, ROSTER_ROWS, corpus_text, db_state, fold

ALL = c.NoteQuery(limit=10_000)


def _words(h: str) -> list[str]:
    return [w for w in re.findall(r"\w+", h) if w.strip("_")]


def _text_of(n: c.NoteRow) -> str:
    return f"{n.category} {n.body} {n.actions}"


def test_note_text_search_is_a_literal_match(hostile_engine: Engine) -> None:
    before = db_state(hostile_engine)
    with hostile_engine.connect() as conn:
        every = c.find_notes(conn, ALL, who=system())
        for h in HOSTILE:
            got = {
                n.id for n in c.find_notes(conn, c.NoteQuery(text=h, limit=10_000), who=system())
            }
            words = _words(h)
            if not h.strip():
                assert got == {n.id for n in every}, repr(h[:40])
            elif not words:  # nothing to index: the text itself, literally
                want = {n.id for n in every if h.strip() in _text_of(n)}
                assert got == want, f"{h[:40]!r}: {sorted(got)} != {sorted(want)}"
            else:
                # Every result holds every word (case and accents folded) ...
                for n in every:
                    if n.id in got:
                        text = fold(_text_of(n))
                        bad = [w for w in re.findall(r"[^\W_]+", h) if fold(w) not in text]
                        assert not bad, f"{h[:40]!r} found note {n.id} without {bad}"
                # ... and every note that holds the text itself is found.
                body = corpus_text(h)
                for n in every:
                    if body is not None and n.body == body:
                        assert n.id in got, f"{h[:40]!r} missed note {n.id} ({n.body!r})"
    assert db_state(hostile_engine) == before


def test_agent_filter_is_a_literal_match(hostile_engine: Engine) -> None:
    """`agent:` is a staff id exactly, or part of a name in any case: `%`, `_` and `\\` are
    characters like any other, and a NUL does not cut the pattern short."""
    before = db_state(hostile_engine)
    names = [(sid, name) for sid, name, *_ in ROSTER_ROWS]
    extra = [sid for sid, _ in names] + [name for _, name in names] + ["ärnold", "O'B"]
    with hostile_engine.connect() as conn:
        every = c.find_notes(conn, ALL, who=system())
        for h in (*HOSTILE, *extra):
            got = {
                n.id for n in c.find_notes(conn, c.NoteQuery(agent=h, limit=10_000), who=system())
            }
            want = {
                n.id for n in every if not h or n.staff_id == h or h.casefold() in n.name.casefold()
            }
            assert got == want, f"agent {h[:40]!r}: {sorted(got)} != {sorted(want)}"
    assert db_state(hostile_engine) == before


@pytest.mark.parametrize("field", ["team", "category", "author"])
def test_exact_filters_are_literal(hostile_engine: Engine, field: str) -> None:
    before = db_state(hostile_engine)
    with hostile_engine.connect() as conn:
        every = c.find_notes(conn, ALL, who=system())
        values = {getattr(n, field) or "" for n in every}
        for h in (*HOSTILE, *sorted(values)):
            q = c.NoteQuery(limit=10_000, **{field: h})
            got = {n.id for n in c.find_notes(conn, q, who=system())}
            if not h:
                assert got == {n.id for n in every}
            elif field == "team" or h.isascii():
                want = {n.id for n in every if (getattr(n, field) or "").casefold() == h.casefold()}
                assert got == want, f"{field} {h[:40]!r}: {sorted(got)} != {sorted(want)}"
            else:
                # category and author fold case in SQL (ASCII only on SQLite): the spelling
                # stored is found, and nothing that is not the same name.
                same = {n.id for n in every if getattr(n, field) == h}
                near = {n.id for n in every if (getattr(n, field) or "").casefold() == h.casefold()}
                assert same <= got <= near, f"{field} {h[:40]!r}: {sorted(got)}"
            due = c.follow_ups(
                conn, dt.date(2030, 1, 1), team=h or None, upcoming=True, who=system()
            )
            assert all((n.team or "").casefold() == h.casefold() for n in due) or not h
    assert db_state(hostile_engine) == before


def test_the_notes_filter_line_end_to_end(hostile_engine: Engine) -> None:
    """What the coaching screen does with its `/` line: parse, then find."""
    before = db_state(hostile_engine)
    with hostile_engine.connect() as conn:
        for h in HOSTILE:
            for line in (h, f"agent:{h}", f'team:"{h}" cat:{h} by:{h} {h}', f"from:{h} {h}"):
                fields, words, problems = parse_note_filter(line)
                assert isinstance(words, str) and isinstance(problems, list)
                c.find_notes(
                    conn,
                    c.NoteQuery(
                        agent=fields.get("agent"),
                        team=fields.get("team"),
                        category=fields.get("category"),
                        author=fields.get("author"),
                        text=words,
                    ),
                    who=system(),
                )
    assert db_state(hostile_engine) == before


def test_lookups_by_name_or_id(hostile_engine: Engine) -> None:
    """Everything that looks a person up by what someone typed or a file said: nobody is
    found for a hostile id, and the hostile ids on the roster are found exactly."""
    before = db_state(hostile_engine)
    on_roster = {sid: name for sid, name, *_ in ROSTER_ROWS}
    with hostile_engine.connect() as conn:
        for h in (*HOSTILE, *on_roster):
            name = on_roster.get(h)
            entry = queries.who(conn, staff_id=h)
            assert (entry.name if entry else None) == name, repr(h[:40])
            assert queries.who(conn, agent=h) is None
            a = actor(conn, h)
            assert a.staff_id == (h.strip() if h.strip() in on_roster else None)
            assert len(c.agent_notes(conn, h, who=system())) == (2 if name else 0) or name
            assert c.note_count(conn, h, who=system()) >= (1 if name else 0)
            if name is None:
                assert c.note_count(conn, h, who=system()) == 0
                assert c.follow_ups(conn, dt.date(2030, 1, 1), staff_id=h, who=system()) == []
            assert c.load_draft(conn, h) is None
            assert c.drafts_for(conn, h) == []
            assert mentoring.history(conn, h) == []
            assert mentoring.trait_notes(conn, h) == []
            assert (stage_for(conn, h) is not None) == (name is not None)
            if name is None:
                assert steps_since_risk(conn, h) == []
            assert agent_evaluations(conn, h) == [] if name is None else True
            assert schedules.schedule_for_day(conn, 0.0, 4e9, staff_id=h) == {}
    assert db_state(hostile_engine) == before


def test_a_note_for_a_hostile_id_is_refused_with_the_field(hostile_engine: Engine) -> None:
    from floorsup.config import DEFAULT_NOTE_CATEGORIES
    from floorsup.domain.coaching import NoteInput

    before = db_state(hostile_engine)
    for h in HOSTILE:
        if h in {sid for sid, *_ in ROSTER_ROWS}:
            continue
        with pytest.raises(c.NoteError) as err:
            c.add_note(
                hostile_engine,
                NoteInput(staff_id=h, category="other", body="x"),
                actor=system("sam"),
                now=1.0,
                snapshot=None,
                categories=DEFAULT_NOTE_CATEGORIES,
            )
        assert set(err.value.problems) == {"agent"}
    assert db_state(hostile_engine) == before

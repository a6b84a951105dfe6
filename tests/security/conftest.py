"""A database whose people, teams and notes hold the hostile strings themselves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.config import DEFAULT_NOTE_CATEGORIES
from floorsup.domain.coaching import NoteInput
from floorsup.store.access import system
from floorsup.store.coaching import add_note
from floorsup.store.roster import import_roster

from .hostile import HOSTILE, ROSTER_ROWS, corpus_text, roster_csv

T0 = 1_795_000_000.0  # 2026-11-18


def fill(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(roster_csv(), encoding="utf-8")
    import_roster(engine, tmp_path / "roster.csv", actor=system())
    k = 0
    for h in HOSTILE:
        body = corpus_text(h)
        if body is None:
            continue
        k += 1
        staff = ROSTER_ROWS[k % len(ROSTER_ROWS)][0]
        add_note(
            engine,
            NoteInput(staff_id=staff, category="other", body=body, actions=f"do {k}"),
            actor=system("sam" if k % 3 else h.strip() or "sam"),
            now=T0 + k,
            snapshot=None,
            categories=DEFAULT_NOTE_CATEGORIES,
        )
    for i, (sid, *_rest) in enumerate(ROSTER_ROWS):
        add_note(
            engine,
            NoteInput(staff_id=sid, category="quality", body="plain wrap time talk"),
            actor=system("lee"),
            now=T0 + 1000 + i,
            snapshot=None,
            categories=DEFAULT_NOTE_CATEGORIES,
        )


@pytest.fixture
def hostile_engine(engine_factory: Callable[[str], Engine], tmp_path: Path) -> Engine:
    eng = engine_factory("hostile.db")
    fill(eng, tmp_path)
    return eng

"""Make the README screenshots: the floor, an agent page, a note being written, adherence
(key 2), coaching (3), mentoring (4), the career path (5) and intervals (7), as SVG.

    .venv/bin/python screenshots/make_screenshots.py [--size 100x32] [--out screenshots]

Builds the demo centre's database in a temp directory (roster, queue targets and the
simulated queue_log of Friday 2026-11-20 from midnight to 10:47:20 in New York, ingested
through the same follow path as a real feed), then runs the app headless on a fixed clock
at 10:47:20, so the pictures are the same on every run. The demo's people, queues and caller
numbers are fictional; no real data is read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from floorsup.clock import FixedClock
from floorsup.config import Settings
from floorsup.demo import build_demo_day
from floorsup.store.access import system
from floorsup.store.engine import make_engine
from floorsup.tui.app import make_app

TZ = "America/New_York"
DAY_START = datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp()
NOW = datetime(2026, 11, 20, 10, 47, 20, tzinfo=ZoneInfo(TZ)).timestamp()
SEED = 7
HERE = Path(__file__).resolve().parent


def build_demo_db(workdir: Path) -> Path:
    return build_demo_day(workdir, tz=TZ, day_start=DAY_START, until=NOW, seed=SEED)


async def _until(pilot, condition, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause()


def agent_row(floor, engine) -> int:  # type: ignore[no-untyped-def]
    """The first board row whose agent has a coaching history worth showing (the most
    notes among the first ten rows)."""
    from textual.widgets import DataTable

    table = floor.query_one("#agents", DataTable)
    counts = []
    with engine.connect() as conn:
        for i in range(min(10, table.row_count)):
            agent = table.coordinate_to_cell_key((i, 0)).row_key.value
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM coaching_note n JOIN acd_agent a ON a.staff_pk = n.staff_pk "
                "WHERE a.name = ?",
                (agent,),
            ).scalar()
            counts.append((-(n or 0), i))
    return min(counts)[1]


def as_role(engine, floor, row: int, role: str):  # type: ignore[no-untyped-def]
    """The staff member with `role` (a team lead: of the agent on board row `row`), as the
    store knows them."""
    from textual.widgets import DataTable

    from floorsup.store.access import actor

    with engine.connect() as conn:
        sql = "SELECT staff_id FROM staff WHERE role = ? AND active"
        params: tuple[str, ...] = (role,)
        if floor is not None:
            agent = floor.query_one("#agents", DataTable).coordinate_to_cell_key((row, 0))
            sql += " AND team_id = (SELECT s.team_id FROM staff s JOIN acd_agent a "
            sql += "ON a.staff_pk = s.id WHERE a.name = ?)"
            params = (role, str(agent.row_key.value))
        sid = conn.exec_driver_sql(sql + " ORDER BY staff_id LIMIT 1", params).scalar()
        return actor(conn, str(sid))


def keys(text: str) -> list[str]:
    """Typed text as the key names Pilot presses."""
    names = {" ": "space", ".": "full_stop", ",": "comma", ";": "semicolon"}
    return [names.get(c, c) for c in text]


async def shoot(db: Path, out: Path, size: tuple[int, int]) -> list[Path]:
    from floorsup.tui.screens.adherence import AdherenceScreen
    from floorsup.tui.screens.agent import AgentScreen
    from floorsup.tui.screens.audit import AuditScreen
    from floorsup.tui.screens.career import CareerScreen
    from floorsup.tui.screens.coaching import CoachingScreen
    from floorsup.tui.screens.floor import FloorScreen
    from floorsup.tui.screens.intervals import IntervalsScreen
    from floorsup.tui.screens.mentoring import MentoringScreen
    from floorsup.tui.screens.note import NoteScreen

    settings = Settings(db=str(db), tz=TZ, user="sam")
    engine = make_engine(settings.url)
    saved: list[Path] = []
    try:
        app = make_app(settings, engine=engine, clock=FixedClock(NOW), actor=system("sam"))
        async with app.run_test(size=size) as pilot:
            await _until(
                pilot,
                lambda: isinstance(app.screen, FloorScreen) and app.screen.snapshot is not None,
                "the floor's first picture",
            )
            saved.append(Path(app.save_screenshot(filename="floor.svg", path=str(out))))
            row = agent_row(app.screen, engine)
            # From here on the keyboard is that agent's team lead's (their notes to write).
            app.actor = as_role(engine, app.screen, row, "team_lead")
            for _ in range(row):
                await pilot.press("down")
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: isinstance(app.screen, AgentScreen) and app.screen.profile is not None,
                "the agent page",
            )
            await pilot.press("c")  # its coaching tab
            await pilot.pause()
            saved.append(Path(app.save_screenshot(filename="agent.svg", path=str(out))))
            await pilot.press("n")  # a note for them
            await _until(
                pilot,
                lambda: isinstance(app.screen, NoteScreen) and app.screen.ready,
                "the note form",
            )
            await pilot.press("enter", "down", "enter", "tab")
            await pilot.press(*"fri")
            await pilot.press("tab")
            await pilot.press(
                *keys("Back from lunch late twice this week; talked through the rota.")
            )
            await pilot.press("tab")
            await pilot.press(*keys("Set a reminder 5 minutes before lunch ends."))
            await _until(pilot, lambda: app.screen.draft_saved, "the draft")  # type: ignore[attr-defined]
            saved.append(Path(app.save_screenshot(filename="note.svg", path=str(out))))
            await pilot.press("ctrl+s")
            await _until(pilot, lambda: isinstance(app.screen, AgentScreen), "the saved note")
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, FloorScreen), "back to the floor")
            await pilot.press("2")
            await _until(
                pilot,
                lambda: isinstance(app.screen, AdherenceScreen) and app.screen.snapshot is not None,
                "the adherence view",
            )
            saved.append(Path(app.save_screenshot(filename="adherence.svg", path=str(out))))
            await pilot.press("3")
            await _until(
                pilot,
                lambda: isinstance(app.screen, CoachingScreen) and app.screen.data is not None,
                "the coaching notes",
            )
            saved.append(Path(app.save_screenshot(filename="coaching.svg", path=str(out))))
            await pilot.press("4")
            await _until(
                pilot,
                lambda: isinstance(app.screen, MentoringScreen) and app.screen.data is not None,
                "peer mentoring",
            )
            await pilot.press("enter")  # mentors for the first new hire without one
            await _until(
                pilot,
                lambda: isinstance(app.screen, MentoringScreen) and app.screen.ranking is not None,
                "the mentors ranked",
            )
            await pilot.pause()
            saved.append(Path(app.save_screenshot(filename="mentoring.svg", path=str(out))))
            await pilot.press("5")
            await _until(
                pilot,
                lambda: isinstance(app.screen, CareerScreen) and app.screen.data is not None,
                "the career path",
            )
            await pilot.pause()
            saved.append(Path(app.save_screenshot(filename="career.svg", path=str(out))))
            await pilot.press("7")
            await _until(
                pilot,
                lambda: isinstance(app.screen, IntervalsScreen) and app.screen.view is not None,
                "the interval screen",
            )
            await pilot.pause()
            saved.append(Path(app.save_screenshot(filename="intervals.svg", path=str(out))))
            app.actor = as_role(engine, None, 0, "manager")  # the audit log is theirs
            await pilot.press("8")
            await _until(
                pilot,
                lambda: isinstance(app.screen, AuditScreen) and bool(app.screen.entries),
                "the audit log",
            )
            await pilot.pause()
            saved.append(Path(app.save_screenshot(filename="audit.svg", path=str(out))))
            await pilot.press("q")
    finally:
        engine.dispose()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the SVGs")
    parser.add_argument("--size", default="100x32", help="terminal size, COLSxROWS")
    args = parser.parse_args(argv)
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="floorsup-shots-") as tmp:
        db = build_demo_db(Path(tmp))
        for path in asyncio.run(shoot(db, args.out, (cols, rows))):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The alert log screen (newest first, active ones marked with a symbol and a word, redrawn
while shown, escape goes back, fits 80x24), the banner line, and the facts the rules read
from the floor picture."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual.app import App
from textual.widgets import DataTable, Static

from floorsup.adherence import build_adherence
from floorsup.clock import FixedClock
from floorsup.domain.alerts import AlertKind, AlertLog, AlertRules, QueueFacts, check
from floorsup.tui.format import Palette
from floorsup.tui.screens.alerts import (
    AlertLogScreen,
    banner_text,
    floor_reading,
    queue_facts,
    rules_text,
    severe_names,
)

TZ = "America/New_York"
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo(TZ)).timestamp()
CSS = Path(__file__).resolve().parents[2] / "floorsup" / "tui" / "floorsup.tcss"
RULES = AlertRules()


def facts(name: str, waiting: int = 0, sl: float | None = 0.9) -> QueueFacts:
    return QueueFacts(name, sl, 0.8, 20, waiting, NOW - 5 if waiting else None)


def feed(log: AlertLog, now: float, *queues: QueueFacts, severe: list[str] | None = None) -> None:
    log.update(check(RULES, now, queues, severe if severe is not None else []), now)


def prepared_log() -> AlertLog:
    """Yesterday: an adherence alert (cleared). Today: Sales waiting from 10:20:00 to
    10:25:00 (cleared), and SL on [b]Sup since 10:29:00 (active)."""
    log = AlertLog(clear_after_seconds=0)
    yesterday = NOW - 86_400
    feed(log, yesterday, severe=["Ann", "Bob", "Cy"])
    feed(log, yesterday + 90, severe=[])
    feed(log, NOW - 600, facts("Sales", waiting=14))
    feed(log, NOW - 300, facts("Sales"))
    feed(log, NOW - 60, facts("Sales"), facts("[b]Sup", sl=0.5))
    return log


class Host(App[None]):
    CSS_PATH = CSS

    def __init__(self, log: AlertLog, clock: FixedClock) -> None:
        super().__init__()
        self.alert_log = log
        self.clock = clock

    def on_mount(self) -> None:
        self.push_screen(
            AlertLogScreen(self.alert_log, TZ, self.clock, RULES, refresh_seconds=0.05)
        )


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(getattr(c, "plain", c)) for c in table.get_row(r.key)] for r in table.ordered_rows]


async def test_the_log_newest_first(wait_for) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(NOW)
    log = prepared_log()
    app = Host(log, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#alert-log", DataTable)
        assert rows(table) == [
            ["10:29:00", "● active", "01:00", "✗ [b]Sup: SL 50% this interval (target 80%)"],
            ["10:20:00", "10:25:00", "05:00", "▲ Sales: 14 calls waiting (alert above 10)"],
            [
                "Thu 10:30",
                "Thu 10:31",
                "01:30",
                "▲ 3 severely out of adherence: Ann, Bob, Cy",
            ],
        ]
        head = str(screen.query_one("#alert-head", Static).render())
        assert "⚠ 1 active · 2 cleared (the last 500 are kept)" in head
        assert rules_text(RULES) in head
        # fits 80 columns: nothing to scroll sideways
        assert table.max_scroll_x == 0
        assert table.size.width <= 80

        # while shown it follows the log and the clock
        clock.advance(30)
        await wait_for(pilot, lambda: rows(table)[0][2] == "01:30")
        feed(log, clock.now(), facts("Sales", waiting=30))  # Support's SL ends, Sales waits
        await wait_for(pilot, lambda: len(rows(table)) == 4)
        top, second = rows(table)[:2]
        assert top[:2] == ["10:30:30", "● active"] and "30 calls waiting" in top[3]
        assert second[:3] == ["10:29:00", "10:30:30", "01:30"]
        assert "1 active · 3 cleared" in str(screen.query_one("#alert-head", Static).render())

        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlertLogScreen))


async def test_an_empty_log(wait_for) -> None:  # type: ignore[no-untyped-def]
    app = Host(AlertLog(), FixedClock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        await pilot.pause()
        head = str(app.screen.query_one("#alert-head", Static).render())
        assert "✓ none active" in head and "No alerts yet" in head
        assert app.screen.query_one("#alert-log", DataTable).row_count == 0


def test_banner_text() -> None:
    pal = Palette()
    log = AlertLog(clear_after_seconds=30)
    assert banner_text(log, pal).plain == ""
    feed(log, NOW, facts("Support", waiting=11))
    assert banner_text(log, pal).plain == "⚠ ALERT ▲ Support: 11 calls waiting (alert above 10)"
    feed(log, NOW + 1, facts("Sales", waiting=30), facts("Support", waiting=11), facts("X", 12))
    assert banner_text(log, pal).plain == (
        "⚠ 3 ALERTS ✗ Sales: 30 calls waiting (alert above 10)\n"
        "           ▲ Support: 11 calls waiting (alert above 10)"
    )  # worst first, then the oldest
    assert banner_text(log, pal, max_lines=1).plain == (
        "⚠ 3 ALERTS ✗ Sales: 30 calls waiting (alert above 10)"
    )
    one = AlertLog(clear_after_seconds=30)
    feed(one, NOW, facts("Sales", waiting=30))
    feed(one, NOW + 1, facts("Sales"))  # ended: clearing for 30 s
    assert banner_text(one, pal).plain == (
        "⚠ ALERT ✗ Sales: 30 calls waiting (alert above 10) (clearing)"
    )


def test_rules_text() -> None:
    assert rules_text(RULES) == (
        "Rules: SL<target (≥10 offered) · waiting>10 · oldest>02:00 · ≥3 severely out"
    )
    assert len(rules_text(RULES)) <= 78  # one line at 80 columns
    off = AlertRules(
        bell=False,
        sl_below_target=False,
        waiting_above=None,
        oldest_wait_above_seconds=None,
        severe_out_at_least=None,
    )
    assert rules_text(off) == (
        "Rules: SL off · waiting off · oldest off · adherence off · bell off"
    )


def test_facts_from_the_floor(floor) -> None:  # type: ignore[no-untyped-def]
    snap = floor.snapshot()
    qf = queue_facts(snap)
    assert [f.queue for f in qf] == [line.info.name for line in snap.queues]
    for f, line in zip(qf, snap.queues, strict=True):
        assert f.service_level == line.interval.service_level
        assert f.offered == line.interval.offered
        assert (f.waiting, f.oldest_wait_since) == (line.waiting, line.oldest_wait_since)
    assert floor_reading(RULES, None, None, NOW) is None
    reading = floor_reading(RULES, snap, None, NOW)
    assert reading is not None and AlertKind.ADHERENCE not in reading.checked
    adherence = build_adherence(floor.engine, floor.settings, NOW, with_exceptions=False)
    names = severe_names(adherence)
    assert all(any(r.person.name == n and r.now.severe for r in adherence.live_rows) for n in names)
    reading = floor_reading(RULES, snap, adherence, NOW)
    assert reading is not None and reading.checked == frozenset(AlertKind)

"""The floor screen driven through Textual's Pilot, over the demo centre frozen at 10:30.

Every test runs the real app (real database file, real thread worker, real refresh timer)
with a FixedClock; the expected values come from `build_floor` / `agent_day` on the same
database, never from the screen's own code."""

from __future__ import annotations

import html
import re
import time

from textual.widgets import DataTable, Input, Static

from floorsup.domain.metrics import SL_FORMULA_TEXT
from floorsup.domain.types import AgentState
from floorsup.store.queries import agent_day
from floorsup.tui.format import STATE_LABEL
from floorsup.tui.screens.agent import AgentScreen
from floorsup.tui.screens.floor import FloorScreen

SIZE = (100, 32)
STATE_GROUPS = ("Ringing", "On call", "Paused", "Available")


# -- reading the screen ------------------------------------------------------------------
def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


def status(screen) -> str:  # type: ignore[no-untyped-def]
    return text_of(screen, "#status")


def summary(screen) -> str:  # type: ignore[no-untyped-def]
    return text_of(screen, "#summary")


def board(screen) -> DataTable:  # type: ignore[no-untyped-def]
    return screen.query_one("#agents", DataTable)


def keys(table: DataTable) -> list[str]:
    return [row.key.value for row in table.ordered_rows]


def column(table: DataTable, col: str) -> list[str]:
    return [str(table.get_cell(k, col)) for k in keys(table)]


def cell(table: DataTable, row: str, col: str) -> str:
    return str(table.get_cell(row, col))


def cursor_key(table: DataTable) -> str:
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def seconds(text: str) -> int:
    """'07:05', '1:02:03', '12:00 ▲' -> seconds."""
    parts = [int(p) for p in text.split()[0].split(":")]
    total = 0
    for p in parts:
        total = total * 60 + p
    return total


SVG_CELL_WIDTH = 12.2  # Rich's SVG export: 20 px font x 0.61 aspect ratio


def visible_text(app) -> str:  # type: ignore[no-untyped-def]
    """What the terminal shows, line by line, from the text runs of the SVG screenshot."""
    grid: dict[int, dict[int, str]] = {}
    for x, line, run in re.findall(
        r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>',
        app.export_screenshot(),
    ):
        row = grid.setdefault(int(line), {})
        start = round(float(x) / SVG_CELL_WIDTH)
        for i, ch in enumerate(html.unescape(run).replace("\xa0", " ")):
            row[start + i] = ch
    return "\n".join(
        "".join(row.get(i, " ") for i in range(max(row) + 1)).rstrip()
        for _, row in sorted(grid.items())
    )


async def ticks(pilot, n: int, screen) -> None:  # type: ignore[no-untyped-def]
    """Let the refresh timer run `n` times (and any fetch they start finish)."""
    await pilot.pause(n * screen.fapp.settings.refresh_seconds + 0.05)
    for _ in range(50):
        if not screen.fetching:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def pause_line(floor, agent: str, reason: str = "Lunch") -> str:  # type: ignore[no-untyped-def]
    """A queue_log line putting `agent` on pause at the fixed `now`."""
    return f"{int(floor.clock.now())}|NONE|NONE|{agent}|PAUSEALL|{reason}"


def first_available(floor) -> str:  # type: ignore[no-untyped-def]
    snap = floor.snapshot()
    return min(a.agent for a in snap.agents if a.state is AgentState.AVAILABLE)


# -- the picture ---------------------------------------------------------------------------
async def test_floor_shows_every_queue_and_logged_in_agent(floor, wait_for_floor) -> None:
    expected = floor.snapshot()
    assert expected.queues and expected.agents  # the fixture is a busy morning
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        queues = screen.query_one("#queues", DataTable)
        assert keys(queues) == [q.info.name for q in expected.queues]
        assert column(queues, "queue") == [q.info.name for q in expected.queues]
        for q in expected.queues:
            assert cell(queues, q.info.name, "waiting") == str(q.waiting)
            assert cell(queues, q.info.name, "abn") == str(q.today.abandoned)
            assert (
                cell(queues, q.info.name, "agents")
                == f"{q.available}/{q.on_call}/{q.paused}/{q.ringing}"
            )

        agents = board(screen)
        assert agents.row_count == len(expected.agents)
        assert sorted(keys(agents)) == sorted(a.agent for a in expected.agents)
        assert all(a.state is not AgentState.LOGGED_OUT for a in expected.agents)
        by_key = {a.agent: a for a in expected.agents}
        for key in keys(agents):
            a = by_key[key]
            assert cell(agents, key, "name") == a.name
            assert cell(agents, key, "calls") == str(a.calls_today)
            assert cell(agents, key, "state").startswith(STATE_LABEL[a.state])

        line = status(screen)
        assert "live" in line and "STALE" not in line and "PAUSED" not in line
        assert "10:30:00" in line and "America/New_York" in line
        assert "interval 10:30" in line
        text = summary(screen)
        assert f"Agents {len(expected.agents)}:" in text
        assert f"{expected.states[AgentState.AVAILABLE]} available" in text
        assert f"SL = {SL_FORMULA_TEXT[floor.settings.sl_formula]}" in text
        assert "sort: time in state" in text


# -- filter --------------------------------------------------------------------------------
async def test_filter_by_team_then_reason_and_escape_clears(floor, wait_for_floor) -> None:
    snap = floor.snapshot()
    everyone = sorted(a.agent for a in snap.agents)
    ember = sorted(a.agent for a in snap.agents if a.team == "Team Ember")
    lunch = sorted(
        a.agent for a in snap.agents if a.state is AgentState.PAUSED and a.reason == "Lunch"
    )
    assert 0 < len(ember) < len(everyone) and 0 < len(lunch) < len(everyone)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        agents = board(screen)
        box = screen.query_one("#filter", Input)
        assert not box.display

        await pilot.press("slash")
        assert box.display and screen.focused is box
        await pilot.press(*"Ember")
        await pilot.pause()
        assert sorted(keys(agents)) == ember
        assert "filter: 'Ember'" in summary(screen)

        await pilot.press("escape")
        await pilot.pause()
        assert sorted(keys(agents)) == everyone
        assert not box.display and box.value == ""
        assert screen.focused is agents
        assert "filter:" not in summary(screen)

        await pilot.press("slash", *"lunch", "enter")  # enter keeps the filter, back to the board
        await pilot.pause()
        assert sorted(keys(agents)) == lunch
        assert all(s == "Paused: Lunch" for s in column(agents, "state"))
        assert screen.focused is agents

        await pilot.press("escape")
        await pilot.pause()
        assert sorted(keys(agents)) == everyone


# -- sort ----------------------------------------------------------------------------------
async def test_sort_cycles_and_order_follows_raw_values(floor, wait_for_floor) -> None:
    snap = floor.snapshot()
    now = floor.clock.now()
    age = {a.agent: now - a.since for a in snap.agents}
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        agents = board(screen)

        def check_time() -> None:
            ages = [age[k] for k in keys(agents)]
            assert ages == sorted(ages, reverse=True)
            # and the text shown agrees (h:mm:ss after an hour, mm:ss before)
            shown = [seconds(t) for t in column(agents, "time")]
            assert shown == sorted(shown, reverse=True)

        assert "sort: time in state" in summary(screen)
        check_time()

        await pilot.press("s")
        await pilot.pause()
        assert "sort: state" in summary(screen)
        groups = [next(g for g in STATE_GROUPS if s.startswith(g)) for s in column(agents, "state")]
        assert groups == sorted(groups, key=STATE_GROUPS.index)
        for g in set(groups):  # within a state, the longest in it first
            ages = [age[k] for k, gg in zip(keys(agents), groups, strict=True) if gg == g]
            assert ages == sorted(ages, reverse=True)

        await pilot.press("s")
        await pilot.pause()
        assert "sort: name" in summary(screen)
        names = column(agents, "name")
        assert names == sorted(names, key=str.lower)
        assert sorted(names) == sorted(a.name for a in snap.agents)

        await pilot.press("s")
        await pilot.pause()
        assert "sort: team" in summary(screen)
        pairs = list(zip(column(agents, "team"), column(agents, "name"), strict=True))
        assert pairs == sorted(pairs, key=lambda p: (p[0].lower(), p[1].lower()))

        await pilot.press("s")
        await pilot.pause()
        assert "sort: calls today" in summary(screen)
        calls = [int(c) for c in column(agents, "calls")]
        assert calls == sorted(calls, reverse=True)
        assert min(calls) < 10 <= max(calls)  # so by number, not by text

        await pilot.press("s")  # and round again
        await pilot.pause()
        assert "sort: time in state" in summary(screen)
        check_time()
        assert agents.row_count == len(snap.agents)


# -- the agent page ------------------------------------------------------------------------
async def test_enter_opens_the_agent_and_escape_returns_to_same_row(
    floor, wait_for_floor, wait_for
) -> None:
    snap = floor.snapshot()
    by_key = {a.agent: a for a in snap.agents}
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        agents = board(screen)
        await pilot.press("down", "down", "down")
        chosen = cursor_key(agents)
        assert agents.cursor_row == 3
        who = by_key[chosen]

        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, AgentScreen) and pilot.app.screen.day
        )
        page = pilot.app.screen
        assert page.agent == chosen
        with floor.engine.connect() as conn:
            day = agent_day(conn, chosen, snap.day_start, floor.clock.now())
        head = text_of(page, "#agent-head")
        assert who.name in head and day.name == who.name
        assert who.team and who.team in head
        assert f"Now: {STATE_LABEL[who.state]}" in head
        spans = page.query_one("#agent-spans", DataTable)
        assert spans.row_count == len(day.spans) > 1
        rows = [spans.get_row_at(i) for i in range(spans.row_count)]
        assert str(rows[0][1]) == "now"  # newest first, the current state still running
        assert str(rows[0][2]).startswith(STATE_LABEL[who.state])
        shown = [str(r[2]).split(":")[0] for r in rows]
        assert shown == [STATE_LABEL[s.state] for s in reversed(day.spans)]

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FloorScreen))
        await ticks(pilot, 2, pilot.app.screen)
        assert pilot.app.screen is screen
        assert cursor_key(agents) == chosen
        assert agents.cursor_row == 3


# -- live refresh and pause ----------------------------------------------------------------
async def test_new_feed_lines_show_on_the_next_tick(floor, wait_for_floor, wait_for) -> None:
    agent = first_available(floor)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        agents = board(screen)
        assert cell(agents, agent, "state") == "Available"
        fetched = screen.fetch_count
        await ticks(pilot, 5, screen)
        assert screen.fetch_count == fetched  # nothing changed: no rebuild

        floor.append(pause_line(floor, agent))
        started = time.monotonic()
        await wait_for(pilot, lambda: cell(agents, agent, "state") == "Paused: Lunch", timeout=5)
        assert time.monotonic() - started < 2  # a tick or two, not a 30 s forced refresh
        assert screen.fetch_count == fetched + 1
        assert cell(agents, agent, "time").startswith("00:00")
        states = floor.snapshot().states
        assert f"{states[AgentState.PAUSED]} paused" in summary(screen)
        assert "live" in status(screen)

        # a roster change written straight to the database is picked up the same way
        floor.write(
            "UPDATE staff SET name = 'Zelda Testcase' WHERE id = "
            "(SELECT staff_pk FROM acd_agent WHERE name = ?)",
            (agent,),
        )
        await wait_for(pilot, lambda: cell(agents, agent, "name") == "Zelda Testcase", timeout=5)


async def test_pause_holds_the_picture_until_resumed(floor, wait_for_floor, wait_for) -> None:
    agent = first_available(floor)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        agents = board(screen)
        await pilot.press("p")
        assert "PAUSED" in status(screen) and "live" not in status(screen)

        fetched = screen.fetch_count
        floor.append(pause_line(floor, agent))
        await ticks(pilot, 6, screen)
        assert cell(agents, agent, "state") == "Available"
        assert screen.fetch_count == fetched
        assert "PAUSED" in status(screen)

        await pilot.press("p")
        await wait_for(pilot, lambda: cell(agents, agent, "state") == "Paused: Lunch", timeout=5)
        assert "live" in status(screen) and "PAUSED" not in status(screen)


# -- a failing fetch ---------------------------------------------------------------------
def _broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
    raise RuntimeError("database is locked")


async def _go_stale(floor, pilot, screen, wait_for, monkeypatch, agent: str):  # type: ignore[no-untyped-def]
    """Break the fetch, make a change, wait for the stale mark; returns the board then."""
    before = {k: [str(c) for c in board(screen).get_row(k)] for k in keys(board(screen))}
    monkeypatch.setattr("floorsup.tui.screens.floor.build_floor", _broken)
    floor.append(pause_line(floor, agent))
    await wait_for(pilot, lambda: "STALE since" in status(screen), timeout=5)
    return before


async def test_failed_fetch_marks_stale_keeps_picture_and_recovers(
    floor, wait_for_floor, wait_for, monkeypatch
) -> None:
    agent = first_available(floor)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        before = await _go_stale(floor, pilot, screen, wait_for, monkeypatch, agent)
        line = status(screen)
        assert "RuntimeError: database is locked" in line and "live" not in line
        agents = board(screen)
        assert {k: [str(c) for c in agents.get_row(k)] for k in keys(agents)} == before
        assert cell(agents, agent, "state") == "Available"  # the last picture, not a blank
        assert screen.snapshot is not None

        monkeypatch.undo()  # the database answers again; the next change is shown
        other = next(
            a.agent
            for a in floor.snapshot().agents
            if a.state is AgentState.AVAILABLE and a.agent != agent
        )
        floor.append(pause_line(floor, other, "Break"))
        await wait_for(pilot, lambda: cell(agents, other, "state") == "Paused: Break", timeout=5)
        assert "STALE" not in status(screen) and "live" in status(screen)


async def test_stale_mark_stays_while_the_fetch_keeps_failing(
    floor, wait_for_floor, wait_for, monkeypatch
) -> None:
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        await _go_stale(floor, pilot, screen, wait_for, monkeypatch, first_available(floor))
        await ticks(pilot, 5, screen)
        assert "STALE since" in status(screen)


async def test_recovery_shows_the_change_missed_while_failing(
    floor, wait_for_floor, wait_for, monkeypatch
) -> None:
    agent = first_available(floor)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        await _go_stale(floor, pilot, screen, wait_for, monkeypatch, agent)
        monkeypatch.undo()  # no new commit: the app has to retry on its own
        await wait_for(
            pilot, lambda: cell(board(screen), agent, "state") == "Paused: Lunch", timeout=3
        )


async def test_stale_since_is_on_the_app_clock(
    floor, wait_for_floor, wait_for, monkeypatch
) -> None:
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        await _go_stale(floor, pilot, screen, wait_for, monkeypatch, first_available(floor))
        assert "STALE since 10:30:00" in status(screen)


# -- small terminal, help, quit ------------------------------------------------------------
async def test_works_at_80x24(floor, wait_for_floor, wait_for) -> None:
    snap = floor.snapshot()
    async with floor.app().run_test(size=(80, 24)) as pilot:
        screen = await wait_for_floor(pilot)
        queues = screen.query_one("#queues", DataTable)
        agents = board(screen)
        assert queues.row_count == len(snap.queues)
        assert agents.row_count == len(snap.agents)
        for table in (queues, agents):
            region = table.region
            assert table.display and region.width > 0 and region.height >= 3
            assert region.bottom <= 24
        assert agents.region.y > queues.region.y
        # every queue row is visible above the board (the queue table is not squeezed)
        assert queues.region.height >= len(snap.queues) + 1
        assert "live" in status(screen)
        shown = visible_text(pilot.app)
        assert "Av/Call/Pau/Rng" in shown and "Agent " in shown and "Calls" in shown
        assert all(q.info.name in shown for q in snap.queues)

        await pilot.press("s", "slash", *"aurora", "escape", "down", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert agents.row_count == len(snap.agents)


async def test_sl_formula_visible_at_100x32(floor, wait_for_floor) -> None:
    async with floor.app().run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        shown = visible_text(pilot.app)
        assert "SL = answered ≤ T / (offered − short abandons)" in shown
        st = floor.snapshot().states
        assert (
            f"Agents {len(floor.snapshot().agents)}: {st[AgentState.AVAILABLE]} available · "
            f"{st[AgentState.ON_CALL]} on call · {st[AgentState.PAUSED]} paused · "
            f"{st[AgentState.RINGING]} ringing"
        ) in shown
        assert "Team Borealis   On call" in shown  # the board's columns, as laid out


async def test_sl_formula_visible_at_80x24(floor, wait_for_floor) -> None:
    async with floor.app().run_test(size=(80, 24)) as pilot:
        await wait_for_floor(pilot)
        assert "SL = answered ≤ T / (offered − short abandons)" in visible_text(pilot.app)


async def test_help_panel_and_quit(floor, wait_for_floor) -> None:
    app = floor.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_floor(pilot)
        assert not screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not screen.query("HelpPanel")

        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_command_palette_opens_an_agent(floor) -> None:  # type: ignore[no-untyped-def]
    """ctrl+p, type part of a name, enter: the agent page of that person."""
    app = floor.app()
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if getattr(app.screen, "snapshot", None) is not None:
                break
        snap = app.screen.snapshot
        target = sorted(snap.agents, key=lambda a: a.name)[0]
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        for ch in target.name:
            await pilot.press(ch if ch != " " else "space")
        await pilot.pause(0.5)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "AgentScreen" and app.screen.day is not None:
                break
        assert type(app.screen).__name__ == "AgentScreen"
        assert app.screen.agent == target.agent


async def test_floor_counts_agents_out_of_adherence(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    """With schedules, the floor says how many are out of adherence and names the worst."""
    from floorsup.adherence import build_adherence

    expected = build_adherence(
        floor.engine, floor.settings, floor.clock.now(), with_exceptions=False
    )
    _inn, out, severe, _un = expected.counts()
    worst = [r for r in expected.live_rows if r.now.in_adherence is False][0]
    assert out > 0
    async with floor.app().run_test(size=(120, 32)) as pilot:
        await wait_for_floor(pilot)
        await wait_for(pilot, lambda: pilot.app.screen.adherence is not None)
        await pilot.pause()
        shown = visible_text(pilot.app)
        assert f"Adherence: {out} out" in shown
        assert (f"‼ {severe} severe" in shown) == bool(severe)
        assert worst.person.name in shown

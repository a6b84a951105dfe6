"""Alerts on the floor: a banner and one bell when a threshold is crossed, cleared by itself
when the condition ends, listed on the alert log screen (6); silent while replaying."""

from __future__ import annotations

from dataclasses import replace

from floorsup.domain.alerts import AlertRules
from floorsup.store.access import system
from floorsup.tui.app import make_app
from floorsup.tui.screens.alerts import AlertLogScreen

from .conftest import NOW


async def test_banner_bell_clear_and_log(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    rules = AlertRules(
        sl_below_target=False,
        waiting_above=2,
        oldest_wait_above_seconds=None,
        severe_out_at_least=None,
        clear_after_seconds=0,
    )
    settings = replace(floor.settings, alerts=rules)
    app = make_app(settings, engine=floor.engine, clock=floor.clock, actor=system(settings.user))
    rings: list[float] = []
    app.bell = lambda: rings.append(app.clock.now())  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_floor(pilot)
        banner = screen.query_one("#alert-banner")
        queue = screen.snapshot.queues[0].info.name
        before = screen.snapshot.queues[0].waiting
        assert not banner.display and not app.alerts.active
        t = int(NOW) - 30
        calls = [f"alert-{i}" for i in range(3 - min(before, 2))]
        floor.append(
            *(
                f"{t + i}|{c}|{queue}|NONE|ENTERQUEUE||+15550100{i:03d}|1"
                for i, c in enumerate(calls)
            )
        )
        await wait_for(pilot, lambda: bool(banner.display))
        assert f"{queue}:" in str(banner.render()) and "waiting" in str(banner.render())
        assert len(rings) == 1
        await pilot.pause(0.5)  # more ticks, the condition stays: no second bell
        assert len(rings) == 1 and len(app.alerts.active) == 1
        floor.append(*(f"{t + 20}|{c}|{queue}|NONE|ABANDON|1|1|20" for c in calls))
        await wait_for(pilot, lambda: not app.alerts.active)
        await wait_for(pilot, lambda: not banner.display)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        (entry,) = app.alerts.entries()
        assert entry.cleared_at is not None and "waiting" in entry.message
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        # Replaying the past raises nothing and rings no bell.
        floor.append(
            *(
                f"{t + 25 + i}|{c}-again|{queue}|NONE|ENTERQUEUE||+1555|1"
                for i, c in enumerate(calls)
            )
        )
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: app.replaying and screen.snapshot.now == NOW - 1800)
        await pilot.pause(0.5)
        assert len(rings) == 1 and not app.alerts.active

"""Command palette (ctrl+p): open any agent by name, team or ACD name, and the floor's own
actions. Reads only the screen's last snapshot: the palette never waits on the database."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from floorsup.store.queries import AgentNow


class FloorCommands(Provider):
    def _floor(self):  # type: ignore[no-untyped-def]
        from floorsup.tui.screens.floor import FloorScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, FloorScreen):
                return screen
        return None

    def _actions(self) -> list[tuple[str, str, str]]:
        return [
            (
                "Floor: pause / resume refresh",
                "pause",
                "Stop the board moving while you read it (p)",
            ),
            ("Floor: cycle the sort", "sort", "Time in state, state, name, team, calls today (s)"),
            ("Floor: filter the board", "filter", "Type to narrow the agent board (/)"),
            ("Coaching: write a note", "note", "Choose the agent, then write (n)"),
            ("Audit log: every write, who and when", "audit", "Managers only (8)"),
        ]

    def _agents(self) -> list[AgentNow]:
        floor = self._floor()
        if floor is None or floor.snapshot is None:
            return []
        return sorted(floor.snapshot.agents, key=lambda a: a.name.lower())

    def _open(self, agent: str) -> None:
        from floorsup.tui.screens.agent import open_page

        open_page(self.app, agent)  # type: ignore[arg-type]

    def _open_staff(self, staff_id: str) -> None:
        from floorsup.tui.screens.agent import open_page

        open_page(self.app, staff_id=staff_id)  # type: ignore[arg-type]

    def _run(self, action: str) -> None:
        if action == "note":
            self.app.open_note()  # type: ignore[attr-defined]
            return
        if action == "audit":
            self.app.action_show_audit()  # type: ignore[attr-defined]
            return
        floor = self._floor()
        if floor is not None:
            getattr(floor, f"action_{action}")()

    async def discover(self) -> Hits:
        for title, action, help_text in self._actions():
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self._run, action), help=help_text
                )
        seen: set[str] = set()
        for a in self._agents():
            text = f"Agent: {a.name} · {a.team or 'no team'} · {a.agent}"
            seen.add(a.staff_id or a.agent)
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._open, a.agent),
                    help="Open the agent page",
                )
        # Everyone else on the roster (not logged in now), from the app's roster cache.
        for p in getattr(self.app, "roster", ()):
            if p.staff_id in seen:
                continue
            text = f"Agent: {p.name} · {p.team or 'no team'} · {p.staff_id}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._open_staff, p.staff_id),
                    help="Open the agent page (not logged in)",
                )

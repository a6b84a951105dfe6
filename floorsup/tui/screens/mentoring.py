"""Peer mentoring (`4`), the trainer's screen.

- `h` new hires: the ones without a mentor first, marked. `enter` ranks the mentors for
  the selected hire: eligible first, best fit first, each with the reasons (shared shift
  hours over the next two weeks, same team, shared queues, their load, their QA on the
  hire's work) or, for those who cannot mentor now, why not. `a` assigns the selected
  mentor (or reassigns, if the hire has one); a refusal says why, and a manager may
  override it with a reason.
- `b` the mentor board: each mentor's mentees, since when, and each mentee's QA and
  adherence before the mentorship and since. `x` ends the selected mentorship.
- `i` history: every mentorship, ended ones with who ended it and why."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from floorsup.career import (
    BoardLine,
    CareerView,
    Ranking,
    assign_mentor,
    capacity_text,
    end_mentorship,
    mentor_board,
    rank_for,
    read_career,
)
from floorsup.domain.career import percent_or_dash
from floorsup.tui.ask import Ask
from floorsup.tui.format import clock_text, plain
from floorsup.tui.screens.career import WritingScreen

VIEWS = {
    "hires": "New hires",
    "rank": "Mentors for…",
    "board": "Mentor board",
    "history": "History",
}


class MentoringLoaded(Message):
    def __init__(
        self,
        view: CareerView | None,
        board: list[BoardLine] | None = None,
        ranking: Ranking | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.view, self.board, self.ranking, self.error = view, board, ranking, error


def trend(before: float | None, since: float | None) -> str:
    if before is None or since is None:
        return f"{percent_or_dash(before)} → {percent_or_dash(since)}"
    arrow = "↑" if since > before + 0.005 else "↓" if since < before - 0.005 else "→"
    return f"{percent_or_dash(before)} → {percent_or_dash(since)} {arrow}"


class MentoringScreen(WritingScreen):
    PREFIX = "mentoring"
    LOADING = "Peer mentoring: loading…"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("h", "view('hires')", "New hires"),
        Binding("b", "view('board')", "Board"),
        Binding("i", "view('history')", "History"),
        Binding("a", "assign", "Assign"),
        Binding("x", "end", "End"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, view: str = "hires") -> None:
        super().__init__()
        self.view = view
        self.data: CareerView | None = None
        self.board: list[BoardLine] = []
        self.ranking: Ranking | None = None
        self._drawn: tuple[str, str | None] | None = None  # the view the table shows

    def action_back(self) -> None:
        if self.view == "rank":
            self.view, self.ranking = "hires", None
            self._redraw()
            return
        self.app.pop_screen()

    def reload(self) -> None:
        mentee = self.ranking.mentee.staff_id if self.view == "rank" and self.ranking else None
        self._load(mentee)

    @work(thread=True, exclusive=True, group="mentoring-load")
    def _load(self, mentee: str | None) -> None:
        app = self.fapp
        self.mark_before_reading()
        now = app.clock.now()
        try:
            view = read_career(app.engine, app.settings, now)
            board = mentor_board(app.engine, app.settings, now)
            ranking = rank_for(app.engine, app.settings, now, mentee) if mentee else None
        except Exception as exc:
            self.post_message(MentoringLoaded(None, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(MentoringLoaded(view, board, ranking))

    @work(thread=True, exclusive=True, group="mentoring-load")  # the later read wins
    def _rank(self, mentee: str) -> None:
        app = self.fapp
        try:
            ranking = rank_for(app.engine, app.settings, app.clock.now(), mentee)
        except Exception as exc:
            self.post_message(MentoringLoaded(self.data, self.board, error=str(exc)))
            return
        self.post_message(MentoringLoaded(self.data, self.board, ranking))

    @on(MentoringLoaded)
    def _loaded(self, message: MentoringLoaded) -> None:
        if message.error is not None:
            self.notify(message.error, title="Not read", severity="error", markup=False)
        if message.view is None:
            return
        self.data, self.board = message.view, message.board or []
        if message.ranking is not None:
            self.ranking, self.view = message.ranking, "rank"
        self._redraw()

    def action_view(self, view: str) -> None:
        self.view = view
        self._redraw()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self) -> None:
        data, pal = self.data, self.fapp.palette
        if data is None:
            return
        hires = data.new_hires()
        alone = sum(1 for r in hires if r.mentor is None)
        head = Text()
        head.append("Peer mentoring  ", style="bold")
        for key, view in (("h", "hires"), ("b", "board"), ("i", "history")):
            head.append(f"{key} {VIEWS[view]}", style="reverse" if view == self.view else "")
            head.append("  ")
        head.append(f"\n{len(hires)} new hires")
        if alone:
            head.append(" · ")
            head.append(f"{alone} without a mentor", style=f"bold {pal.bad}")
        head.append(f" · {len(data.mentors())} mentors · capacity {data.policy.capacity} each")
        if self.view == "rank" and self.ranking is not None:
            m = self.ranking.mentee
            head.append(
                f"\nMentors for {m.name} (stage {m.stage}, {m.team or 'no team'}): ", style="bold"
            )
            head.append(f"work {', '.join(self.ranking.work)}")
            if self.ranking.current:
                head.append(f" · now with {self.ranking.current.mentor_name}")
            head.append(" · a assigns, escape goes back")
        self.query_one("#mentoring-head", Static).update(head)
        table = self.query_one(DataTable)
        same = self._drawn == (self.view, self.ranking.mentee.staff_id if self.ranking else None)
        cursor = table.cursor_row if same else 0
        self._drawn = (self.view, self.ranking.mentee.staff_id if self.ranking else None)
        self.set_rows(*self._table(), cursor)  # the same row as before a write or a reload
        self._detail()

    def _table(self) -> tuple[tuple[str, ...], list[tuple[str, list[Any]]]]:
        assert self.data is not None
        pal, tz = self.fapp.palette, self.fapp.settings.tz
        if self.view == "rank" and self.ranking is not None:
            rows: list[tuple[str, list[Any]]] = []
            for i, f in enumerate(self.ranking.fits, start=1):
                p = f.mentor
                # The hours are in their own column: the other reasons say why.
                rest = [r for r in f.reasons if "together" not in r]
                why = "; ".join(rest) if f.eligible else "cannot: " + "; ".join(f.refusals)
                rows.append(
                    (
                        p.staff_id,
                        [
                            str(i),
                            plain(p.name),
                            plain(p.team or "—"),
                            f"{f.score:.0f}" if f.eligible else Text("—", style=pal.muted),
                            f"{f.shared_hours:.0f} h" if f.eligible else "—",
                            Text(why, style="" if f.eligible else pal.muted),
                        ],
                    )
                )
            return ("#", "Mentor", "Team", "Fit", "Together", "Why"), rows
        if self.view == "board":
            rows = []
            for line in self.board:
                m = line.ship
                rows.append(
                    (
                        str(m.id),
                        [
                            plain(m.mentor_name),
                            plain(m.mentee_name),
                            clock_text(m.started_at, tz, "%Y-%m-%d"),
                            trend(line.qa_before, line.qa_since),
                            trend(line.adherence_before, line.adherence_since),
                        ],
                    )
                )
            return ("Mentor", "Mentee", "Since", "Mentee QA before → since", "Adherence"), rows
        if self.view == "history":
            rows = []
            for m in self.data.mentorships:
                ended = (
                    f"{clock_text(m.ended_at, tz, '%Y-%m-%d')} by {m.ended_by}: {m.end_reason}"
                    if m.ended_at is not None
                    else "open"
                )
                rows.append(
                    (
                        str(m.id),
                        [
                            plain(m.mentor_name),
                            plain(m.mentee_name),
                            clock_text(m.started_at, tz, "%Y-%m-%d"),
                            plain(
                                m.started_by + (f" (override: {m.override})" if m.override else "")
                            ),
                            plain(ended),
                        ],
                    )
                )
            return ("Mentor", "Mentee", "Began", "By", "Ended"), rows
        rows = []
        for r in self.data.new_hires():
            hired = r.person.hire_date.isoformat() if r.person.hire_date else "—"
            mentor: Any = (
                plain(
                    f"{r.mentor.mentor_name} since {clock_text(r.mentor.started_at, tz, '%Y-%m-%d')}"
                )
                if r.mentor
                else Text("⚠ no mentor", style=f"bold {pal.bad}")
            )
            rows.append(
                (
                    r.staff_id,
                    [plain(r.name), plain(r.person.team or "—"), hired, str(r.stage), mentor],
                )
            )
        return ("New hire", "Team", "Hired", "Stage", "Mentor"), rows

    def _detail(self) -> None:
        box = self.query_one("#mentoring-detail", Static)
        key, data = self._selected_key(), self.data
        if key is None or data is None:
            box.update(Text("No one here yet.", style=self.fapp.palette.muted) if data else "")
            return
        if self.view == "rank" and self.ranking is not None:
            fit = next((f for f in self.ranking.fits if f.mentor.staff_id == key), None)
            if fit is not None:
                p = fit.mentor
                t = Text(
                    f"{p.name}: stage {p.stage} · QA {percent_or_dash(p.qa_average)} · adherence "
                )
                t.append(f"{percent_or_dash(p.adherence)} · {capacity_text(data.policy, p)}")
                t.append(" · opted in" if p.opted_in else " · not opted in")
                t.append("\n" + "; ".join(fit.reasons if fit.eligible else fit.refusals))
                box.update(t)
            return
        if self.view == "hires":
            row = data.row(key)
            if row is not None:
                box.update(
                    Text(f"{row.name}: enter ranks mentors for them", style=self.fapp.palette.muted)
                )
            return
        box.update("")

    # -- actions ------------------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = self._selected_key()
        if key is not None and self.view == "hires":
            self._rank(key)

    def action_assign(self) -> None:
        if self.app.refused("mentoring"):  # type: ignore[attr-defined]
            return
        if self.view != "rank" or self.ranking is None:
            self.notify("Choose a new hire first (enter ranks their mentors).", timeout=3)
            return
        key = self._selected_key()
        fit = next((f for f in self.ranking.fits if f.mentor.staff_id == key), None)
        if fit is None:
            return
        mentee, mentor = self.ranking.mentee, fit.mentor
        app = self.fapp
        verb = "Reassign" if self.ranking.current else "Assign"
        current = self.ranking.current.mentor_id if self.ranking.current else None

        def go(reason: str | None) -> None:
            if not reason:
                return
            self.write(
                lambda override: assign_mentor(
                    app.engine,
                    app.settings,
                    app.clock.now(),
                    actor=app.actor,
                    mentor_id=mentor.staff_id,
                    mentee_id=mentee.staff_id,
                    reason=reason,
                    override=override,
                    expected_mentor=current,
                    check_current=True,
                ),
                f"{mentor.name} now mentors {mentee.name}.",
            )

        why = (
            "; ".join(fit.reasons)
            if fit.eligible
            else "cannot mentor now: " + "; ".join(fit.refusals)
        )
        self.app.push_screen(
            Ask(f"{verb} {mentor.name} as {mentee.name}'s mentor? Why:", why, "the reason"), go
        )

    def action_end(self) -> None:
        if self.app.refused("mentoring"):  # type: ignore[attr-defined]
            return
        if self.view != "board":
            self.notify("End a mentorship from the board (b).", timeout=3)
            return
        key = self._selected_key()
        line = next((b for b in self.board if str(b.ship.id) == key), None)
        if line is None:
            return
        app = self.fapp
        m = line.ship

        def go(reason: str | None) -> None:
            if not reason:
                return
            self.write(
                lambda override: end_mentorship(
                    app.engine,
                    app.clock.now(),
                    actor=app.actor,
                    mentorship_id=m.id,
                    reason=reason,
                ),
                f"{m.mentor_name} no longer mentors {m.mentee_name}.",
            )

        self.app.push_screen(
            Ask(f"End {m.mentor_name}'s mentoring of {m.mentee_name}? Why:", "", "the reason"), go
        )

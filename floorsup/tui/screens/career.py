"""The career path (`5`): everyone's stage and the evidence for the next; who is ready for
promotion; who is at risk, with the documented steps; who grew into other departments; the
leadership pipeline. Writes (promote, a step, a move, a trait, mentoring opt-in) run in a
worker, are checked by the rules and the writer's role (floorsup/career.py), and a refusal
says why; when a manager may override it, the override's reason is asked for and kept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from floorsup.career import CareerRow, CareerView, Refused, read_career
from floorsup.domain.career import STEP_TEXT, Step
from floorsup.store.career import change_mark
from floorsup.store.mentoring import TRAITS
from floorsup.store.queries import ChangeWatcher
from floorsup.tui.ask import Ask
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import clock_text, plain

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp


class CareerLoaded(Message):
    def __init__(self, view: CareerView | None, error: str | None = None) -> None:
        super().__init__()
        self.view, self.error = view, error


class ChangesSeen(Message):
    """Someone changed the career path, mentoring or QA since the screen last read them."""


class WriteDone(Message):
    """A write's outcome: done (`ok` says what), refused (and whether it may be overridden),
    or failed."""

    def __init__(
        self,
        ok: str | None,
        refused: Refused | None = None,
        error: str | None = None,
        retry: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.ok, self.refused, self.error, self.retry = ok, refused, error, retry


class WritingScreen(Screen[None]):
    """A list screen that writes through floorsup/career.py: a head line, a table of rows
    (their keys in `keys`), a detail box for the selected row and the footer; one write at
    a time, off the event loop; refusals shown; a manager's override asked for when the
    rule allows one."""

    writing = False
    PREFIX = ""  # widget ids: PREFIX-head, PREFIX-table, PREFIX-detail
    LOADING = ""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.PREFIX}-head")
        yield DataTable(id=f"{self.PREFIX}-table", cursor_type="row", zebra_stripes=True)
        yield Static(id=f"{self.PREFIX}-detail")
        yield KeyFooter()

    WATCH_SECONDS = 1.0  # how often another user's change is looked for (within a second)

    def on_mount(self) -> None:
        self.query_one(f"#{self.PREFIX}-head", Static).update(Text(self.LOADING))
        self.query_one(DataTable).focus()
        # One watcher, looked at by the reads and the timer's looks: never both at once.
        self._watcher = ChangeWatcher(self.fapp.engine, marker=change_mark)
        self._watch_lock = threading.Lock()
        self.reload()
        self.set_interval(self.WATCH_SECONDS, self._poll_changes)

    def on_unmount(self) -> None:
        with self._watch_lock:
            self._watcher.close()

    def mark_before_reading(self) -> None:
        """Called first by a screen's read (in its worker): a change made while it reads is
        seen by the next look, not taken as already shown."""
        with self._watch_lock:
            try:
                self._watcher.changed()
            except Exception:
                self._watcher.reset()

    @work(thread=True, exclusive=True, group="career-watch")
    def _poll_changes(self) -> None:
        """Someone else's promotion, pairing or QA import shows without a key press."""
        with self._watch_lock:
            try:
                changed = self._watcher.changed()
            except Exception:  # the next look, or the next read, says what is wrong
                return
        if changed:
            self.post_message(ChangesSeen())

    @on(ChangesSeen)
    def _changes_seen(self, message: ChangesSeen) -> None:
        if self.writing or self.app.screen is not self:  # a question is being answered
            with self._watch_lock:
                self._watcher.reset()  # look again after it
            return
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def set_rows(
        self, columns: tuple[str, ...], rows: list[tuple[str, list[Any]]], cursor: int
    ) -> None:
        """The table's rows (key, cells), its columns rebuilt only when they differ (a
        reload keeps them, and their widths), the cursor on row `cursor` or the last."""
        table = self.query_one(DataTable)
        if tuple(str(c.label) for c in table.ordered_columns) == columns:
            table.clear()
        else:
            table.clear(columns=True)
            for label in columns:
                table.add_column(label, key=label)
        self.keys = []
        for key, cells in rows:
            table.add_row(*cells, key=key)
            self.keys.append(key)
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1), animate=False)

    def _selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self.keys):
            return None
        return self.keys[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:  # what the selected row shows below the table
        raise NotImplementedError

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def write(self, fn: Callable[[str | None], object], ok: str) -> None:
        if self.writing:
            self.notify("Still saving the last change…", timeout=2)
            return
        self.writing = True
        self._write(fn, ok, None)

    @work(thread=True, group="career-write")
    def _write(self, fn: Callable[[str | None], object], ok: str, override: str | None) -> None:
        try:
            fn(override)
        except Refused as r:
            retry = (lambda why: self._write(fn, ok, why)) if r.overridable else None
            self.post_message(WriteDone(None, refused=r, retry=retry))
            return
        except ValueError as exc:  # the store's own refusals (a conflict, a missing reason)
            self.post_message(WriteDone(None, refused=Refused(str(exc))))
            return
        except Exception as exc:  # a conflict, a database error: said, nothing half-done
            self.post_message(WriteDone(None, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(WriteDone(ok))

    @on(WriteDone)
    def _written(self, message: WriteDone) -> None:
        if message.refused is not None and message.retry is not None:
            retry = message.retry

            def answered(why: str | None) -> None:
                if why:
                    retry(why)
                else:
                    self.writing = False

            self.app.push_screen(
                Ask(
                    "Refused",
                    f"{message.refused}\n\nA manager may go ahead anyway: give the reason, "
                    "which is kept with the record (escape to leave it).",
                    "why this is overridden",
                    warn=True,
                ),
                answered,
            )
            return
        self.writing = False
        if message.refused is not None:
            self.notify(
                str(message.refused), title="Refused", severity="error", timeout=8, markup=False
            )
        elif message.error is not None:
            self.notify(message.error, title="Not saved", severity="error", timeout=8, markup=False)
        else:
            self.notify(message.ok or "Saved.", timeout=4, markup=False)
            self.reload()  # (the read notes the mark: not read again on the next look)

    def reload(self) -> None:  # the screen reads again after a write
        raise NotImplementedError


VIEWS = {
    "all": "Everyone",
    "ready": "Ready for promotion",
    "risk": "At risk",
    "growth": "Grew into other departments",
    "pipeline": "Leadership pipeline",
}
SHORT = {
    "all": "all",
    "ready": "ready",
    "risk": "at risk",
    "growth": "growth",
    "pipeline": "pipeline",
}
COLUMNS = {
    "all": ("Name", "Team", "Stage", "Since", "Next stage", "Mentor"),
    "ready": ("Name", "Team", "Stage", "Evidence"),
    "risk": ("Name", "Team", "Stage", "Why", "Steps so far", "Next step"),
    "growth": ("Name", "Moved to", "When", "Recorded by", "Why"),
    "pipeline": ("Name", "Stage", "Traits", "Latest evidence"),
}


class CareerScreen(WritingScreen):
    PREFIX = "career"
    LOADING = "Career path: loading…"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "view('all')", "All"),
        Binding("y", "view('ready')", "Ready"),
        Binding("k", "view('risk')", "At risk"),
        Binding("g", "view('growth')", "Growth"),
        Binding("l", "view('pipeline')", "Pipeline"),
        Binding("p", "promote", "Promote"),
        Binding("s", "step", "Step"),
        Binding("m", "move", "Move", show=False),
        Binding("t", "trait", "Trait", show=False),
        Binding("o", "opt_in", "Mentor opt-in", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, view: str = "all") -> None:
        super().__init__()
        self.view = view
        self.data: CareerView | None = None

    def action_back(self) -> None:
        self.app.pop_screen()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="career-load")
    def _load(self) -> None:
        app = self.fapp
        self.mark_before_reading()
        try:
            view = read_career(app.engine, app.settings, app.clock.now())
        except Exception as exc:
            self.post_message(CareerLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CareerLoaded(view))

    @on(CareerLoaded)
    def _loaded(self, message: CareerLoaded) -> None:
        if message.view is None:
            self.query_one("#career-head", Static).update(
                Text(
                    f"Could not read the career path: {message.error}", style=self.fapp.palette.bad
                )
            )
            return
        self.data = message.view
        self._redraw()

    def action_view(self, view: str) -> None:
        self.view = view
        self._redraw()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self) -> None:
        data, pal = self.data, self.fapp.palette
        if data is None:
            return
        head = Text()
        head.append(f"Career path: {VIEWS[self.view]}   ", style="bold")
        for key, view in zip("aykgl", VIEWS, strict=True):
            head.append(f"{key} {SHORT[view]}", style="reverse" if view == self.view else "")
            head.append("  ")
        stages = " · ".join(
            f"stage {s.number}: {sum(1 for r in data.rows if r.stage == s.number)}"
            for s in data.stages
        )
        head.append(f"\n{stages} · ready {len(data.ready())} · at risk {len(data.at_risk())}")
        self.query_one("#career-head", Static).update(head)
        table = self.query_one(DataTable)
        self.set_rows(COLUMNS[self.view], self._rows(data), table.cursor_row)
        if not table.row_count and self.view in ("ready", "risk"):
            empty = "Nobody is ready yet." if self.view == "ready" else "Nobody is at risk."
            self.query_one("#career-detail", Static).update(Text(empty, style=pal.muted))
        self._detail()

    def _rows(self, data: CareerView) -> list[tuple[str, list[Any]]]:
        pal, tz = self.fapp.palette, self.fapp.settings.tz
        out: list[tuple[str, list[Any]]] = []
        if self.view == "growth":
            for e in data.moves:
                out.append(
                    (
                        f"move:{e.id}",
                        [
                            plain(e.name),
                            plain(e.department or ""),
                            clock_text(e.at, tz, "%Y-%m-%d"),
                            plain(e.by),
                            plain(e.reason),
                        ],
                    )
                )
            return out
        if self.view == "pipeline":
            for row, sid, name, notes in data.pipeline():
                traits = sorted({n.trait for n in notes})
                out.append(
                    (
                        sid,
                        [
                            plain(name),
                            str(row.stage) if row else "—",
                            plain(f"{len(traits)}/4 " + ", ".join(traits)),
                            plain(
                                notes[0].evidence.splitlines()[0][:50] if notes[0].evidence else ""
                            ),
                        ],
                    )
                )
            return out
        rows = {"all": data.rows, "ready": data.ready(), "risk": data.at_risk()}[self.view]
        for r in rows:
            name = r.stage_name if len(r.stage_name) <= 14 else r.stage_name[:13] + "…"
            stage = f"{r.stage} {name}"
            if self.view == "all":
                if r.evidence is None:
                    nxt = Text("top stage", style=pal.muted)
                elif r.ready:
                    nxt = Text(f"✓ ready for {r.evidence.to_stage}", style=pal.ok)
                else:
                    nxt = Text(f"{len(r.evidence.failed)} to go: {r.evidence.failed[0].detail}")
                mentor = r.mentor.mentor_name if r.mentor else ""
                cells: list[Any] = [
                    plain(r.name),
                    plain(r.person.team or "—"),
                    plain(stage),
                    clock_text(r.since, tz, "%Y-%m-%d") if r.since else "—",
                    nxt,
                    plain(mentor),
                ]
            elif self.view == "ready":
                assert r.evidence is not None
                cells = [
                    plain(r.name),
                    plain(r.person.team or "—"),
                    plain(f"{r.stage} → {r.evidence.to_stage}"),
                    plain(r.evidence.summary().removeprefix("ready: ")),
                ]
            else:
                why = "; ".join(r.risk.reasons) if r.risk else "back at standard"
                nxt_step = _suggested_step(r)
                cells = [
                    plain(r.name),
                    plain(r.person.team or "—"),
                    plain(stage),
                    Text(why, style=pal.bad if r.risk else pal.ok),
                    plain(", ".join(STEP_TEXT[s] for s in r.steps) or "none yet"),
                    plain(STEP_CHOICES[nxt_step]),
                ]
            out.append((r.staff_id, cells))
        return out

    def _selected(self) -> CareerRow | None:
        key = self._selected_key()
        if key is None or self.data is None or key.startswith("move:"):
            return None
        return self.data.row(key)

    def _detail(self) -> None:
        box = self.query_one("#career-detail", Static)
        row, pal = self._selected(), self.fapp.palette
        if row is None:
            if self.view not in ("ready", "risk") or self.keys:
                box.update("")
            return
        t = Text()
        t.append(f"{row.name}", style="bold")
        t.append(f" · stage {row.stage} {row.stage_name}")
        t.append(f" · mentoring: {'opted in' if row.person.opted_in else 'not opted in'}")
        if row.mentees:
            t.append(f" · mentoring {', '.join(m.mentee_name for m in row.mentees)}")
        risk = Text()
        if row.risk is not None:
            risk.append("\nAt risk: " + "; ".join(row.risk.reasons), style=pal.bad)
        if row.risk is not None or row.steps:
            steps = ", ".join(STEP_TEXT[s] for s in row.steps) or "none yet"
            risk.append(f"\nSteps: {steps} · next: {STEP_CHOICES[_suggested_step(row)]} (s)")
        evidence = Text()
        if row.evidence is not None:
            work = ", ".join(row.evidence.work_types) or "all work"
            evidence.append(f"\nFor stage {row.evidence.to_stage} ({work}): ")
            for c in row.evidence.checks:
                evidence.append(
                    ("✓ " if c.ok else "✗ ") + c.detail + "  ", style=pal.ok if c.ok else pal.bad
                )
        # The box is four lines: what this view is about comes first.
        for part in (risk, evidence) if self.view == "risk" else (evidence, risk):
            t.append_text(part)
        box.update(t)

    # -- writes -------------------------------------------------------------------------------
    def _need_row(self) -> CareerRow | None:
        row = self._selected()
        if row is None:
            self.notify("Select a person first.", timeout=3)
        return row

    def action_promote(self) -> None:
        if self.app.refused("promotion"):  # type: ignore[attr-defined]
            return
        row = self._need_row()
        if row is None:
            return
        to = row.stage + 1
        app = self.fapp

        def go(reason: str | None) -> None:
            if not reason:
                return
            from floorsup.career import promote

            self.write(
                lambda override: promote(
                    app.engine,
                    app.settings,
                    app.clock.now(),
                    actor=app.actor,
                    staff_id=row.staff_id,
                    reason=reason,
                    override=override,
                    expected_stage=row.stage,
                ),
                f"{row.name} promoted to stage {to}.",
            )

        evidence = row.evidence.summary() if row.evidence else "already at the top stage"
        self.app.push_screen(
            Ask(f"Promote {row.name} to stage {to}? Why:", f"Evidence: {evidence}", "the reason"),
            go,
        )

    def action_step(self) -> None:
        row = self._need_row()
        if row is None:
            return
        app = self.fapp
        suggested = _suggested_step(row)

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            step = _pick(answer, STEP_CHOICES)
            if step is None:
                self.notify(
                    f"Not one step: {answer}. One of: {', '.join(STEP_CHOICES)}.",
                    timeout=5,
                    markup=False,
                )
                return

            def go(reason: str | None) -> None:
                if not reason:
                    return
                from floorsup.career import close_episode, take_step

                def write(override: str | None) -> object:
                    now = app.clock.now()
                    if step == "close":
                        return close_episode(
                            app.engine,
                            app.settings,
                            now,
                            actor=app.actor,
                            staff_id=row.staff_id,
                            reason=reason,
                            override=override,
                            expected_stage=row.stage,
                        )
                    return take_step(
                        app.engine,
                        app.settings,
                        now,
                        actor=app.actor,
                        staff_id=row.staff_id,
                        step=Step(step),
                        reason=reason,
                        override=override,
                        expected_stage=row.stage,
                    )

                self.write(write, f"{STEP_CHOICES[step].capitalize()} recorded for {row.name}.")

            self.app.push_screen(
                Ask(
                    f"{STEP_CHOICES[step].capitalize()} for {row.name}: what was agreed or decided?",
                    "",
                    "what and why",
                ),
                go,
            )

        why = "; ".join(row.risk.reasons) if row.risk else "their recent QA meets the standard"
        done = ", ".join(STEP_TEXT[s] for s in row.steps) or "none yet"
        self.app.push_screen(
            Ask(
                f"A step for {row.name}: plan, review, regress or close?",
                f"The method: coaching plan, then review, then regression (close: back at "
                f"standard). Now: {why}. Steps so far: {done}. Next: {STEP_CHOICES[suggested]}.",
                f"{suggested} (the first letters do)",
            ),
            chosen,
        )

    def action_move(self) -> None:
        if self.app.refused("coaching_steps"):  # type: ignore[attr-defined]
            return
        row = self._need_row()
        if row is None:
            return
        app = self.fapp

        def department(dept: str | None) -> None:
            if not dept:
                return

            def why(reason: str | None) -> None:
                if not reason:
                    return
                from floorsup.career import record_move

                self.write(
                    lambda override: record_move(
                        app.engine,
                        app.clock.now(),
                        actor=app.actor,
                        staff_id=row.staff_id,
                        department=dept,
                        reason=reason,
                    ),
                    f"{row.name}'s move to {dept} recorded.",
                )

            self.app.push_screen(
                Ask(f"{row.name} grew into {dept}: how?", "", "what they go on to"), why
            )

        self.app.push_screen(
            Ask(f"Which department is {row.name} moving to?", "", "department"), department
        )

    def action_trait(self) -> None:
        if self.app.refused("coaching_steps"):  # type: ignore[attr-defined]
            return
        key = self._selected_key()
        if key is None or key.startswith("move:"):
            self.notify("Select a person first.", timeout=3)
            return
        row = self.data.row(key) if self.data else None
        name = row.name if row else key
        app = self.fapp

        def trait(answer: str | None) -> None:
            if not answer:
                return
            chosen = _pick(answer, dict.fromkeys(TRAITS, ""))
            if chosen is None:
                self.notify(
                    f"Not one trait: {answer}. One of: {', '.join(TRAITS)}.",
                    timeout=5,
                    markup=False,
                )
                return

            def evidence(text: str | None) -> None:
                if not text:
                    return
                from floorsup.career import note_trait

                self.write(
                    lambda override: note_trait(
                        app.engine,
                        app.clock.now(),
                        actor=app.actor,
                        staff_id=key,
                        trait=chosen,
                        evidence=text,
                    ),
                    f"{chosen.capitalize()} noted for {name}.",
                )

            self.app.push_screen(
                Ask(f"{chosen.capitalize()}: what did you see {name} do?", "", "evidence"), evidence
            )

        self.app.push_screen(
            Ask(
                f"A leadership trait for {name}",
                "communication, emotional intelligence, humility or coachability (the first letters do)",
                "trait",
            ),
            trait,
        )

    def action_opt_in(self) -> None:
        row = self._need_row()
        if row is None:
            return
        app = self.fapp
        new = not row.person.opted_in
        from floorsup.career import set_opt_in

        self.write(
            lambda override: set_opt_in(
                app.engine,
                app.clock.now(),
                actor=app.actor,
                staff_id=row.staff_id,
                opted_in=new,
            ),
            f"{row.name} {'opted in to' if new else 'opted out of'} mentoring.",
        )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._selected()
        if row is not None:
            from floorsup.tui.screens.agent import open_page

            open_page(self.fapp, staff_id=row.staff_id)


STEP_CHOICES = {
    "plan": STEP_TEXT[Step.PLAN],
    "review": STEP_TEXT[Step.REVIEW],
    "regress": STEP_TEXT[Step.REGRESS],
    "close": "episode closed (back at standard)",
}


def _suggested_step(row: CareerRow) -> str:
    if row.risk is None and row.steps:
        return "close"
    return (row.next_step or Step.PLAN).value


def _pick(answer: str, choices: dict[str, str]) -> str | None:
    """The one choice `answer` starts (a whole name always wins); None if none or several."""
    text = answer.strip().lower()
    if text in choices:
        return text
    hits = [c for c in choices if text and c.startswith(text)]
    return hits[0] if len(hits) == 1 else None

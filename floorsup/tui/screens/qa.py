"""Record a QA evaluation from the keyboard: the date, work type, evaluator, a score per
scorecard criterion (the total adds itself up) or a score out of a maximum, and comments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static, TextArea

from floorsup.agent import AgentProfile, load_agent
from floorsup.domain.qa import EvaluationDateError, evaluation_problems, parse_evaluation_day
from floorsup.store import qa
from floorsup.store.qa import EvaluationError, EvaluationRow
from floorsup.tui.footer import KeyFooter

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp


def _number(text: str) -> float | None:
    try:
        return float(text.strip()) if text.strip() else None
    except ValueError:
        return float("nan")


class QaLoaded(Message):
    def __init__(self, profile: AgentProfile | None, error: str | None = None) -> None:
        super().__init__()
        self.profile, self.error = profile, error


class QaSaved(Message):
    def __init__(self, row: EvaluationRow | None, problems: dict[str, str] | None = None) -> None:
        super().__init__()
        self.row, self.problems = row, problems or {}


class QaScreen(Screen[EvaluationRow | None]):
    """One evaluation for one person. Dismisses with the saved evaluation, or None."""

    is_form = True
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, *, staff_id: str) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.profile: AgentProfile | None = None
        self.ready = False
        self._saving = False

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def _cid(self, name: str) -> str:
        return "qa-c-" + "".join(ch if ch.isalnum() else "_" for ch in name)

    def compose(self) -> ComposeResult:
        s = self.fapp.settings
        yield Static("Loading…", id="qa-head")
        with Horizontal(classes="qa-row"):
            yield Label("Date", classes="qa-label")
            yield Input("today", id="qa-date", compact=True)
            yield Label("Work type", classes="qa-label")
            yield Select(
                [(w, w) for w in s.work_types],
                value=s.work_types[0],
                allow_blank=False,
                id="qa-work-type",
                compact=True,
            )
        with Horizontal(classes="qa-row"):
            yield Label("Evaluator", classes="qa-label")
            yield Input(self.fapp.actor.user, id="qa-evaluator", compact=True)
        with Grid(id="qa-criteria"):
            for name, points in s.scorecard.items():
                yield Label(f"{name} (/{points:g})", classes="qa-label", markup=False)
                yield Input(id=self._cid(name), compact=True, placeholder="—")
        with Horizontal(classes="qa-row"):
            yield Label("Score", classes="qa-label")
            yield Input(id="qa-score", compact=True)
            yield Label("out of", classes="qa-label")
            yield Input(f"{sum(s.scorecard.values()) or 100:g}", id="qa-max", compact=True)
        comments = TextArea(id="qa-comments", soft_wrap=True)
        comments.border_title = "Comments"
        yield comments
        yield Static(id="qa-errors")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        app = self.fapp
        try:
            profile = load_agent(
                app.engine, app.settings, app.clock.now(), who=app.actor, staff_id=self.staff_id
            )
        except Exception as exc:
            self.post_message(QaLoaded(None, str(exc)))
            return
        self.post_message(QaLoaded(profile))

    @on(QaLoaded)
    def _loaded(self, message: QaLoaded) -> None:
        pal = self.fapp.palette
        head = self.query_one("#qa-head", Static)
        if message.profile is None:
            head.update(Text(f"Cannot record an evaluation: {message.error}", style=pal.bad))
            return
        self.profile = message.profile
        d = message.profile.day
        t = Text("QA evaluation · ", style=pal.muted)
        t.append(d.name, style="bold")
        t.append(f"  {d.staff_id}" + (f" · {d.team}" if d.team else ""))
        if message.profile.trends:
            last = message.profile.trends[0]
            t.append(f"\nLatest {last.work_type}: {last.latest_pct:.0%}", style=pal.muted)
        head.update(t)
        self.ready = True
        self.query_one("#qa-date", Input).focus()

    def _criteria(self) -> dict[str, float | None]:
        return {
            name: _number(self.query_one(f"#{self._cid(name)}", Input).value)
            for name in self.fapp.settings.scorecard
        }

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if not (event.input.id or "").startswith("qa-c-"):
            return
        values = list(self._criteria().values())
        if values and all(v is not None and v == v for v in values):
            self.query_one(
                "#qa-score", Input
            ).value = f"{sum(v for v in values if v is not None):g}"

    def _payload(self) -> dict[str, Any]:
        return {
            "date": self.query_one("#qa-date", Input).value,
            "criteria": {k: v for k, v in self._criteria().items() if v is not None},
            "score": self.query_one("#qa-score", Input).value,
            "comments": self.query_one("#qa-comments", TextArea).text,
        }

    def action_save(self) -> None:
        if not self.ready or self._saving:
            return
        s, app = self.fapp.settings, self.fapp
        problems: dict[str, str] = {}
        try:
            at = parse_evaluation_day(
                self.query_one("#qa-date", Input).value, app.clock.now(), s.tz
            )
        except EvaluationDateError as exc:
            problems["date"] = str(exc)
            at = 0.0
        work_type = str(self.query_one("#qa-work-type", Select).value)
        score = _number(self.query_one("#qa-score", Input).value)
        max_score = _number(self.query_one("#qa-max", Input).value)
        criteria = self._criteria()
        evaluator = self.query_one("#qa-evaluator", Input).value
        problems.update(
            evaluation_problems(score, max_score, criteria, s.scorecard, work_type, s.work_types)
        )
        if not evaluator.strip():
            problems["evaluator"] = "who evaluated is required"
        if problems:
            self._show(problems)
            return
        self._saving = True
        self._save(
            dict(
                staff_id=self.staff_id,
                evaluated_at=at,
                evaluator=evaluator,
                work_type=work_type,
                score=score,
                max_score=max_score,
                criteria=criteria,
                comments=self.query_one("#qa-comments", TextArea).text,
            )
        )

    @work(thread=True, exclusive=True, group="qa-save")
    def _save(self, values: dict[str, Any]) -> None:
        app = self.fapp
        try:
            row = qa.record_evaluation(
                app.engine,
                actor=app.actor,
                now=app.clock.now(),
                work_types=app.settings.work_types,
                scorecard=app.settings.scorecard,
                **values,
            )
        except EvaluationError as exc:
            self.post_message(QaSaved(None, exc.problems))
        except Exception as exc:
            self.post_message(QaSaved(None, {"save": f"{type(exc).__name__}: {exc}"}))
        else:
            self.post_message(QaSaved(row))

    @on(QaSaved)
    def _saved(self, message: QaSaved) -> None:
        self._saving = False
        if message.row is None:
            self._show(message.problems)
            return
        self.notify(
            f"Evaluation saved: {message.row.name} {message.row.pct:.0%} {message.row.work_type}.",
            timeout=3,
            markup=False,
        )
        self.ready = False
        self.dismiss(message.row)

    def _show(self, problems: dict[str, str]) -> None:
        ids = {
            "date": "#qa-date",
            "score": "#qa-score",
            "max_score": "#qa-max",
            "evaluator": "#qa-evaluator",
        }
        ids.update({n: f"#{self._cid(n)}" for n in self.fapp.settings.scorecard})
        for field, selector in ids.items():
            self.query_one(selector).set_class(field in problems, "-invalid")
        self.query_one("#qa-errors", Static).update(
            Text(
                "\n".join(f"✗ {k.replace('_', ' ')}: {v}" for k, v in problems.items()),
                style=self.fapp.palette.bad,
            )
        )
        first = next((ids[k] for k in ids if k in problems), None)
        if first:
            self.query_one(first).focus()

    def action_close(self) -> None:
        p = self._payload()
        typed = p["criteria"] or p["score"].strip() or p["comments"].strip()
        if not self.ready or not typed:
            self.dismiss(None)
            return
        from floorsup.tui.confirm import Confirm

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            Confirm("Discard this evaluation?", yes="Discard", no="Keep editing"), answer
        )

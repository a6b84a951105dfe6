"""Coaching notes on screen: the note form (drafts saved as you type, `ctrl+s` saves,
`escape` asks before discarding), reading a note with its earlier versions, the agent
picker and a yes/no question."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.fuzzy import Matcher
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from floorsup.agent import AgentProfile, UnknownAgent, load_agent
from floorsup.domain.coaching import (
    FOLLOW_UP_HELP,
    FollowUpError,
    NoteInput,
    follow_up_status,
    local_today,
    note_problems,
    parse_follow_up,
)
from floorsup.store import coaching, queries
from floorsup.store.coaching import Draft, NoteConflict, NoteError, NoteRow, RevisionRow
from floorsup.store.queries import RosterEntry, roster
from floorsup.tui.confirm import Confirm
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import clock_text, duration
from floorsup.tui.opening import push_when_read

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp


def when(t: float, tz: str, now: float, *, short: bool = False) -> str:
    """`14:05` today; this year `Mon 23 Nov 14:05` (short, for lists: `23 Nov`); before
    that `2024-11-23 14:05` (short: `2024-11-23`)."""
    day, today = local_today(t, tz), local_today(now, tz)
    if day == today:
        return clock_text(t, tz, "%H:%M")
    fmt = "%d %b" if short else "%a %d %b %H:%M"
    if day.year != today.year:
        fmt = "%Y-%m-%d" if short else "%Y-%m-%d %H:%M"
    return clock_text(t, tz, fmt)


def follow_up_text(note: NoteRow, today: dt.date) -> tuple[str, str]:
    """(`27 Nov · overdue`, status) for a note's follow-up."""
    if note.follow_up is None:
        return "", ""
    status = follow_up_status(note.follow_up, note.follow_up_done_at is not None, today)
    label = note.follow_up.strftime("%d %b")
    if note.follow_up.year != today.year:
        label = note.follow_up.isoformat()
    return f"{label} · {status or 'done ✓'}", status or "done"


class AgentPicker(ModalScreen[str | None]):
    """Find a person on the roster by typing part of their name, team, staff id or ACD
    name (fuzzy); `enter` picks, `escape` cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]
    LIMIT = 40

    class Loaded(Message):
        def __init__(self, people: list[RosterEntry]) -> None:
            super().__init__()
            self.people = people

    def __init__(self, title: str = "Which agent?") -> None:
        super().__init__()
        self.title_text = title
        self.people: list[RosterEntry] = []

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title")
            yield Input(placeholder="name, team, staff id or ACD name", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self.query_one("#picker-input", Input).focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        with self.fapp.engine.connect() as conn:
            people = roster(conn)
        self.post_message(self.Loaded(people))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.people = message.people
        self._fill(self.query_one("#picker-input", Input).value)

    @staticmethod
    def _label(p: RosterEntry) -> str:
        return f"{p.name} · {p.team or 'no team'} · {p.staff_id}" + (
            f" · {p.agent}" if p.agent else ""
        )

    def _fill(self, query: str) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        if query.strip():
            matcher = Matcher(query.strip())
            scored = [(matcher.match(self._label(p)), p) for p in self.people]
            hits = [p for s, p in sorted(scored, key=lambda x: -x[0]) if s > 0][: self.LIMIT]
            for p in hits:
                options.add_option(Option(matcher.highlight(self._label(p)), id=p.staff_id))
        else:
            for p in self.people[: self.LIMIT]:
                options.add_option(Option(Text(self._label(p)), id=p.staff_id))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            cur = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, cur + step))

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteLoaded(Message):
    """The first, quick read: who, the note being edited and any draft (the form opens)."""

    def __init__(
        self,
        person: RosterEntry | None,
        note: NoteRow | None,
        draft: Draft | None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.person, self.note, self.draft, self.error = person, note, draft, error


class ProfileLoaded(Message):
    """The second read: the agent's numbers now (the snapshot a new note keeps)."""

    def __init__(self, profile: AgentProfile | None) -> None:
        super().__init__()
        self.profile = profile


class NoteSaved(Message):
    def __init__(
        self,
        note: NoteRow | None,
        error: str | None = None,
        problems: dict[str, str] | None = None,
        theirs: NoteRow | None = None,
    ) -> None:
        super().__init__()
        self.note, self.error, self.problems = note, error, problems or {}
        self.theirs = theirs  # on a conflict: the note as someone else saved it


class DraftSaved(Message):
    def __init__(self, seq: int, error: str | None = None) -> None:
        super().__init__()
        self.seq, self.error = seq, error


ACK_LABEL = {
    False: "Agent has acknowledged it: no (space to change)",
    True: "Agent has acknowledged it: yes ✓",
}


def read_form(
    app: FloorsupApp, staff_id: str | None, agent: str | None, note_id: int | None
) -> NoteLoaded:
    """The form's first, quick read: who, the note being edited and any draft."""
    try:
        with app.engine.connect() as conn:
            person = queries.who(conn, agent=agent, staff_id=staff_id)
            if person is None:
                who_text = staff_id or agent or "nobody"
                raise UnknownAgent(
                    f"{who_text} is not on the roster: notes are kept for people on the "
                    "roster (import it with `floorsup import roster`)"
                )
            note = draft = None
            refusal = coaching.write_refusal(conn, app.actor, person.staff_id)
            if refusal is not None:
                raise UnknownAgent(f"Not yours to write: {refusal}")
            if note_id is not None:
                note = coaching.get_note(conn, note_id, who=app.actor)
                if note is None:
                    raise UnknownAgent(f"note {note_id} no longer exists")
            key = coaching.draft_key(app.actor.user, person.staff_id, note_id)
            draft = coaching.load_draft(conn, key)
    except UnknownAgent as exc:
        return NoteLoaded(None, None, None, str(exc))
    except Exception as exc:
        return NoteLoaded(None, None, None, f"{type(exc).__name__}: {exc}")
    return NoteLoaded(person, note, draft)


def read_numbers(app: FloorsupApp, staff_id: str) -> ProfileLoaded:
    """The agent's numbers now, for the snapshot a new note keeps."""
    try:
        profile = load_agent(
            app.engine, app.settings, app.clock.now(), who=app.actor, staff_id=staff_id
        )
    except Exception:
        profile = None  # the save reads the numbers itself then
    return ProfileLoaded(profile)


def open_form(
    app: FloorsupApp,
    *,
    staff_id: str | None = None,
    agent: str | None = None,
    note_id: int | None = None,
) -> None:
    """Open the note form: read first, then show it whole and ready to type, with the
    agent's numbers (tui/opening.py)."""

    def read() -> tuple[NoteLoaded, ProfileLoaded | None]:
        first = read_form(app, staff_id, agent, note_id)
        return first, read_numbers(app, first.person.staff_id) if first.person else None

    def build(got: tuple[NoteLoaded, ProfileLoaded | None]) -> NoteScreen:
        form = NoteScreen(staff_id=staff_id, agent=agent, note_id=note_id)
        form.read_before = got
        return form

    push_when_read(app, "open-note", read, build)  # type: ignore[arg-type]


class NoteScreen(Screen[NoteRow | None]):
    """Write or edit a coaching note for one person. Dismisses with the saved note, or None."""

    is_form = True
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close"),
    ]
    FIELDS = ("category", "body", "actions", "follow_up", "acknowledged")

    def __init__(
        self, *, staff_id: str | None = None, agent: str | None = None, note_id: int | None = None
    ) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.agent = agent
        self.note_id = note_id
        self.profile: AgentProfile | None = None
        self.note: NoteRow | None = None
        self.key: str | None = None
        self.baseline: dict[str, Any] = {}
        self.ready = False
        self.person: RosterEntry | None = None
        # The version this form edits: a save over any later one is refused (NoteConflict).
        self.base_revision: int | None = None
        self._seq = 0  # the newest payload numbered; drafts save in this order
        self._saved_seq = 0
        self._saving_draft = False
        self._saving = False
        # Draft writes, the save and the discard never overlap: what must wait for the
        # draft write in flight is kept here and run when it is done.
        self._after_draft: Callable[[], None] | None = None
        self._stored: dict[str, Any] = {}  # the form's fields as the stored draft has them
        self._finishing = False
        # From `open_form`: what was read before the form was pushed (no read on mount).
        self.read_before: tuple[NoteLoaded, ProfileLoaded | None] | None = None

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        cats = self.fapp.settings.note_categories
        yield Static("Loading…", id="note-head")
        yield Static(id="note-snapshot")
        with Horizontal(id="note-row"):
            yield Label("Category", classes="note-label")
            yield Select([(c, c) for c in cats], prompt="choose…", id="note-category", compact=True)
            yield Label("Follow-up", classes="note-label")
            yield Input(placeholder="+3d, fri, 2026-12-01", id="note-follow-up", compact=True)
        yield Static(id="note-follow-up-hint")
        body = TextArea(id="note-body", soft_wrap=True)
        body.border_title = "Note"
        yield body
        actions = TextArea(id="note-actions", soft_wrap=True)
        actions.border_title = "Agreed actions"
        yield actions
        with Horizontal(id="note-bottom"):
            yield Checkbox(ACK_LABEL[False], id="note-ack", compact=True)
            yield Static(id="note-draft-state")
        yield Static(id="note-errors")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.read_before is None:
            for w in self._inputs():  # not before the read is in (each toggle restyles)
                w.disabled = True
            self._load()
            return
        first, numbers = self.read_before
        self.read_before = None
        self._loaded(first)
        if numbers is not None:
            self._profile_loaded(numbers)

    def _inputs(self) -> list[Any]:
        return [
            self.query_one("#note-category", Select),
            self.query_one("#note-follow-up", Input),
            self.query_one("#note-body", TextArea),
            self.query_one("#note-actions", TextArea),
            self.query_one("#note-ack", Checkbox),
        ]

    # -- loading ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="note-load")
    def _load(self) -> None:
        """Two reads: first who, the note and the draft (one quick transaction: the form
        opens for typing), then the agent's numbers for the snapshot."""
        first = read_form(self.fapp, self.staff_id, self.agent, self.note_id)
        self.post_message(first)
        if first.person is not None:
            self.post_message(read_numbers(self.fapp, first.person.staff_id))

    @on(NoteLoaded)
    def _loaded(self, message: NoteLoaded) -> None:
        pal = self.fapp.palette
        head = self.query_one("#note-head", Static)
        if message.person is None:
            head.update(Text(f"Cannot write a note: {message.error}", style=pal.bad))
            for w in self._inputs():
                w.disabled = True
            return
        d = self.person = message.person
        self.note = message.note
        self.staff_id = d.staff_id
        self.key = coaching.draft_key(self.fapp.actor.user, d.staff_id, self.note_id)
        tz, now = self.fapp.settings.tz, self.fapp.clock.now()
        self._render_head()
        if self.note:
            n = self.note
            self.base_revision = n.revision
            self.baseline = {
                "category": n.category,
                "body": n.body,
                "actions": n.actions,
                "follow_up": n.follow_up.isoformat() if n.follow_up else "",
                "acknowledged": n.acknowledged,
            }
            if n.snapshot:
                self.query_one("#note-snapshot", Static).update(
                    Text(f"Then: {n.snapshot.summary(duration)}", style=pal.muted)
                )
        else:
            self.baseline = {
                "category": None,
                "body": "",
                "actions": "",
                "follow_up": "",
                "acknowledged": False,
            }
        values = dict(self.baseline)
        draft = message.draft
        if draft is not None:
            values.update({k: v for k, v in draft.payload.items() if k in self.FIELDS})
            if draft.payload.get("follow_up_date"):  # "+3d" typed days ago means that day
                values["follow_up"] = draft.payload["follow_up_date"]
            self._seq = self._saved_seq = draft.seq
            self._stored = {k: values[k] for k in self.FIELDS}
            self.notify(
                f"Your unsaved draft from {when(draft.updated_at, tz, now)} is back.", timeout=4
            )
            base = draft.payload.get("base_revision")
            if self.note and isinstance(base, int) and base != self.note.revision:
                # Someone saved the note after this draft was written: saving must not
                # quietly put the draft over their words.
                self.base_revision = base
                self._warn_changed(self.note)
        self._fill(values)
        for w in self._inputs():
            if w.disabled:
                w.disabled = False
        self.ready = True
        body = self.query_one("#note-body", TextArea)
        body.move_cursor(body.document.end)  # carry on where the text ends
        if values["category"] is None and not values["body"]:
            self.query_one("#note-category", Select).focus()
        else:
            body.focus()
        self._show_follow_up(values.get("follow_up") or "")
        self._show_draft_state()

    def _render_head(self) -> None:
        d, pal = self.person, self.fapp.palette
        if d is None:
            return
        what = f"Edit note #{self.note.id}" if self.note else "New coaching note"
        line = Text()
        line.append(f"{what} · ", style=pal.muted)
        line.append(d.name, style="bold")
        line.append(f"  {d.staff_id}" + (f" · {d.team}" if d.team else ""))
        if self.note:
            tz, now = self.fapp.settings.tz, self.fapp.clock.now()
            line.append(
                f"\nwritten by {self.note.author} {when(self.note.created_at, tz, now)}"
                + (f" · version {self.note.revision}" if self.note.revision > 1 else ""),
                style=pal.muted,
            )
        self.query_one("#note-head", Static).update(line)

    def _warn_changed(self, theirs: NoteRow) -> None:
        first = theirs.body if len(theirs.body) <= 160 else theirs.body[:159] + "…"
        self.query_one("#note-errors", Static).update(
            Text(
                f"⚠ {theirs.updated_by} saved this note at "
                f"{when(theirs.updated_at, self.fapp.settings.tz, self.fapp.clock.now())} "
                f"(version {theirs.revision}), after your text was written. Theirs: «{first}»\n"
                "Your text is here and kept in your draft. ctrl+s saves yours as the new "
                "version (theirs stays in the note's history); escape to leave it.",
                style=self.fapp.palette.warn,
            )
        )

    @on(ProfileLoaded)
    def _profile_loaded(self, message: ProfileLoaded) -> None:
        self.profile = message.profile
        if message.profile is not None and not (self.note and self.note.snapshot):
            label = "Then" if self.note else "Now"
            self.query_one("#note-snapshot", Static).update(
                Text(
                    f"{label}: {message.profile.snapshot().summary(duration)}",
                    style=self.fapp.palette.muted,
                )
            )

    def _fill(self, values: dict[str, Any]) -> None:
        cat = self.query_one("#note-category", Select)
        if values.get("category") in self.fapp.settings.note_categories:
            cat.value = values["category"]
        elif values.get("category"):  # a category since taken out of the settings
            cat.set_options(
                [(c, c) for c in (*self.fapp.settings.note_categories, values["category"])]
            )
            cat.value = values["category"]
        self.query_one("#note-body", TextArea).load_text(values.get("body") or "")
        self.query_one("#note-actions", TextArea).load_text(values.get("actions") or "")
        self.query_one("#note-follow-up", Input).value = values.get("follow_up") or ""
        self.query_one("#note-ack", Checkbox).value = bool(values.get("acknowledged"))

    def payload(self) -> dict[str, Any]:
        cat = self.query_one("#note-category", Select).value
        return {
            "category": cat if isinstance(cat, str) else None,
            "body": self.query_one("#note-body", TextArea).text,
            "actions": self.query_one("#note-actions", TextArea).text,
            "follow_up": self.query_one("#note-follow-up", Input).value,
            "acknowledged": self.query_one("#note-ack", Checkbox).value,
        }

    @property
    def dirty(self) -> bool:
        return self.ready and self.payload() != self.baseline

    # -- drafts: saved as you type ----------------------------------------------------------
    @on(Checkbox.Changed, "#note-ack")
    def _ack_label(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = ACK_LABEL[event.value]  # in words, not only the box's colour

    @on(TextArea.Changed)
    @on(Input.Changed, "#note-follow-up")
    @on(Select.Changed, "#note-category")
    @on(Checkbox.Changed, "#note-ack")
    def _changed(self, event: Message) -> None:
        if isinstance(event, Input.Changed):
            self._show_follow_up(event.value)
        if not self.ready or self.key is None:
            return
        if self.payload() == (self._stored if self._seq else self.baseline):
            return  # the form filling itself in, not anyone typing: nothing new to keep
        self._seq += 1
        if not self._saving_draft and not self._finishing:
            self._save_draft_now()

    def _save_draft_now(self) -> None:
        if self.key is None or self.staff_id is None:
            return
        self._saving_draft = True
        payload = self.payload()
        self._stored = dict(payload)
        payload["base_revision"] = self.base_revision
        try:
            day = parse_follow_up(
                payload["follow_up"], self.fapp.clock.now(), self.fapp.settings.tz
            )
            payload["follow_up_date"] = day.isoformat() if day else ""
        except FollowUpError:
            pass
        draft = Draft(
            self.key,
            self.fapp.actor.user,
            self.staff_id,
            self.note_id,
            self._seq,
            self.fapp.clock.now(),
            payload,
        )
        self._write_draft(draft)

    @work(thread=True, group="note-draft")
    def _write_draft(self, draft: Draft) -> None:
        try:
            coaching.save_draft(self.fapp.engine, draft)
        except Exception as exc:
            self.post_message(DraftSaved(draft.seq, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(DraftSaved(draft.seq))

    @on(DraftSaved)
    def _draft_saved(self, message: DraftSaved) -> None:
        self._saving_draft = False
        if message.error is None:
            self._saved_seq = max(self._saved_seq, message.seq)
        else:
            self.query_one("#note-draft-state", Static).update(
                Text(f"draft NOT saved: {message.error}", style=self.fapp.palette.bad)
            )
        if self._after_draft is not None:  # the save or discard that waited for this write
            then, self._after_draft = self._after_draft, None
            then()
        elif self._seq > self._saved_seq and message.error is None and not self._finishing:
            self._save_draft_now()  # typed more while that one was being written
        else:
            self._show_draft_state()

    def _when_drafts_done(self, then: Callable[[], None]) -> None:
        """Run `then` now, or once the draft write in flight has committed: a draft write
        that lands after the save (or discard) would bring the draft back."""
        self._finishing = True
        if self._saving_draft:
            self._after_draft = then
        else:
            then()

    def _show_draft_state(self) -> None:
        box = self.query_one("#note-draft-state", Static)
        if self._saved_seq and self._saved_seq == self._seq:
            box.update(Text("draft saved ✓", style=self.fapp.palette.muted))
        elif self._seq > self._saved_seq:
            box.update(Text("saving draft…", style=self.fapp.palette.muted))
        else:
            box.update("")

    @property
    def draft_saved(self) -> bool:
        """Everything typed so far is in the database (tests wait on this)."""
        return not self._saving_draft and self._saved_seq == self._seq

    def _show_follow_up(self, value: str) -> None:
        hint = self.query_one("#note-follow-up-hint", Static)
        pal = self.fapp.palette
        if not value.strip():
            hint.update(Text(f"Follow-up: none · {FOLLOW_UP_HELP}", style=pal.muted))
            return
        try:
            day = parse_follow_up(value, self.fapp.clock.now(), self.fapp.settings.tz)
        except FollowUpError as exc:
            if (
                self.note
                and self.note.follow_up
                and value.strip() == self.note.follow_up.isoformat()
            ):
                hint.update(Text(f"Follow-up: {value.strip()} (unchanged)", style=pal.muted))
            else:
                hint.update(Text(f"Follow-up: ✗ {exc}", style=pal.bad))
            return
        assert day is not None
        hint.update(Text(f"Follow-up: → {day.strftime('%A %d %B %Y')}", style=pal.ok))

    # -- save / close -----------------------------------------------------------------------
    def _problems(self) -> tuple[NoteInput | None, dict[str, str]]:
        p = self.payload()
        problems: dict[str, str] = {}
        follow: dt.date | None = None
        text = p["follow_up"].strip()
        if self.note and self.note.follow_up and text == self.note.follow_up.isoformat():
            follow = self.note.follow_up  # an old date kept as it was is fine
        else:
            try:
                follow = parse_follow_up(text, self.fapp.clock.now(), self.fapp.settings.tz)
            except FollowUpError as exc:
                problems["follow_up"] = str(exc)
        note = NoteInput(
            staff_id=self.staff_id or "",
            category=p["category"] or "",
            body=p["body"],
            actions=p["actions"],
            follow_up=follow,
            acknowledged=p["acknowledged"],
        )
        found = note_problems(note, self.fapp.settings.note_categories)
        if not p["category"]:
            found["category"] = "choose a category"
        problems = {**found, **problems}
        return (None if problems else note), problems

    def _show_problems(self, problems: dict[str, str]) -> None:
        ids = {
            "category": "#note-category",
            "body": "#note-body",
            "actions": "#note-actions",
            "follow_up": "#note-follow-up",
        }
        for field, selector in ids.items():
            self.query_one(selector).set_class(field in problems, "-invalid")
        box = self.query_one("#note-errors", Static)
        if not problems:
            box.update("")
            return
        names = {"body": "Note", "follow_up": "Follow-up", "actions": "Agreed actions"}
        box.update(
            Text(
                "\n".join(f"✗ {names.get(k, k.capitalize())}: {v}" for k, v in problems.items()),
                style=self.fapp.palette.bad,
            )
        )
        first = next((ids[k] for k in ids if k in problems), None)
        if first:
            self.query_one(first).focus()

    def action_save(self) -> None:
        if not self.ready or self._saving:
            return
        note, problems = self._problems()
        self._show_problems(problems)
        if note is None:
            return
        self._saving = True
        self._when_drafts_done(lambda: self._save(note))

    @work(thread=True, exclusive=True, group="note-save")
    def _save(self, note: NoteInput) -> None:
        app = self.fapp
        now = app.clock.now()
        try:
            if self.note is None:
                profile = self.profile or load_agent(
                    app.engine, app.settings, now, who=app.actor, staff_id=note.staff_id
                )
                saved = coaching.add_note(
                    app.engine,
                    note,
                    actor=app.actor,
                    now=now,
                    snapshot=profile.snapshot(),
                    categories=app.settings.note_categories,
                    draft_key=self.key,
                )
            else:
                saved = coaching.edit_note(
                    app.engine,
                    self.note.id,
                    note,
                    actor=app.actor,
                    now=now,
                    expected_revision=self.base_revision or self.note.revision,
                    categories=app.settings.note_categories,
                    draft_key=self.key,
                )
        except NoteError as exc:
            self.post_message(NoteSaved(None, problems=exc.problems))
        except NoteConflict as exc:
            theirs = None
            if self.note is not None:
                with app.engine.connect() as conn:
                    theirs = coaching.get_note(conn, self.note.id, who=app.actor)
            self.post_message(NoteSaved(None, str(exc), theirs=theirs))
        except Exception as exc:
            self.post_message(
                NoteSaved(None, f"not saved ({type(exc).__name__}: {exc}); your draft is kept")
            )
        else:
            self.post_message(NoteSaved(saved))

    @on(NoteSaved)
    def _saved(self, message: NoteSaved) -> None:
        self._saving = False
        if message.note is None:
            self._finishing = False  # still writing: keep the draft going
            if self._seq > self._saved_seq and not self._saving_draft:
                self._save_draft_now()
            if message.theirs is not None:
                # Show their version; the next ctrl+s saves over it, keeping theirs as a
                # revision. Nothing the person typed is touched.
                self.note = message.theirs
                self.base_revision = message.theirs.revision
                self._render_head()
                self._warn_changed(message.theirs)
                self._seq += 1  # the draft now records the version it is based on
                if not self._saving_draft:
                    self._save_draft_now()
            elif message.problems:
                self._show_problems(message.problems)
            else:
                self.query_one("#note-errors", Static).update(
                    Text(f"✗ {message.error}", style=self.fapp.palette.bad)
                )
            return
        self.ready = False  # nothing more to keep as a draft
        self.notify(f"Note saved for {message.note.name}.", timeout=3, markup=False)
        self.dismiss(message.note)

    def action_close(self) -> None:
        if self._saving:
            return  # the save in flight decides: saved (and closed) or an error shown
        if not self.ready:
            self.dismiss(None)
            return
        if not self.dirty:
            if self._saved_seq:  # typed, then put back as it was: nothing worth keeping
                self._drop_draft()
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self._drop_draft()
                self.dismiss(None)

        self.app.push_screen(
            Confirm(
                "Discard this note? What you typed is thrown away.",
                yes="Discard",
                no="Keep writing",
            ),
            answer,
        )

    def _drop_draft(self) -> None:
        self.ready = False
        key, engine, app = self.key, self.fapp.engine, self.app
        if key is not None:
            self._when_drafts_done(
                lambda: app.run_worker(lambda: coaching.delete_draft(engine, key), thread=True)
            )


class NoteViewLoaded(Message):
    def __init__(
        self, note: NoteRow | None, revisions: list[RevisionRow], error: str | None = None
    ) -> None:
        super().__init__()
        self.note, self.revisions, self.error = note, revisions, error


class NoteView(Screen[None]):
    """One note as written, the numbers it kept, its follow-up and its earlier versions."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "edit", "Edit"),
        Binding("d", "follow_up_done", "Follow-up done"),
        Binding("enter", "open_agent", "Agent"),
    ]

    def __init__(self, note_id: int) -> None:
        super().__init__()
        self.note_id = note_id
        self.note: NoteRow | None = None

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="note-view"):
            yield Static("Loading…", id="note-view-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load()

    def on_screen_resume(self) -> None:
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        try:
            with self.fapp.engine.connect() as conn:
                note = coaching.get_note(conn, self.note_id, who=self.fapp.actor)
                revisions = coaching.note_revisions(conn, self.note_id, who=self.fapp.actor)
        except Exception as exc:
            self.post_message(NoteViewLoaded(None, [], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(NoteViewLoaded(note, revisions, None if note else "no such note"))

    @on(NoteViewLoaded)
    def _loaded(self, message: NoteViewLoaded) -> None:
        box = self.query_one("#note-view-text", Static)
        pal = self.fapp.palette
        if message.note is None:
            box.update(Text(f"Cannot show note {self.note_id}: {message.error}", style=pal.bad))
            return
        self.note = n = message.note
        tz, now = self.fapp.settings.tz, self.fapp.clock.now()
        today = local_today(now, tz)
        t = Text()
        t.append(f"{n.category.upper()}  ", style="bold")
        t.append(n.name, style="bold")
        t.append(f"  {n.staff_id}" + (f" · {n.team}" if n.team else "") + "\n")
        t.append(f"Written by {n.author} · {when(n.created_at, tz, now)}", style=pal.muted)
        if n.revision > 1:
            t.append(
                f" · edited by {n.updated_by} {when(n.updated_at, tz, now)} (version {n.revision})",
                style=pal.muted,
            )
        t.append("\n")
        if n.snapshot:
            t.append(f"Then: {n.snapshot.summary(duration)}\n", style=pal.muted)
        t.append("\n" + n.body + "\n")
        if n.actions:
            t.append("\nAgreed actions\n", style="bold")
            t.append(n.actions + "\n")
        t.append("\n")
        text, status = follow_up_text(n, today)
        if text:
            style = {"overdue": pal.bad, "due": pal.warn}.get(status, "")
            t.append("Follow-up: ")
            t.append(text, style=style)
            if n.follow_up_done_at:
                t.append(
                    f" by {n.follow_up_done_by} {when(n.follow_up_done_at, tz, now)}",
                    style=pal.muted,
                )
            t.append("\n")
        t.append("Acknowledged by the agent: " + ("yes ✓" if n.acknowledged else "not yet") + "\n")
        if message.revisions:
            t.append(f"\nEarlier versions ({len(message.revisions)})\n", style="bold")
            for r in reversed(message.revisions):
                t.append(
                    f"— version {r.revision}, written by {r.written_by} {when(r.written_at, tz, now)}",
                    style=pal.muted,
                )
                t.append(f" · {r.category}\n", style=pal.muted)
                t.append(r.body + "\n")
                if r.actions:
                    t.append(f"Actions: {r.actions}\n", style=pal.muted)
        box.update(t)

    def action_edit(self) -> None:
        if self.note is not None:
            open_form(self.fapp, staff_id=self.note.staff_id, note_id=self.note.id)

    def action_follow_up_done(self) -> None:
        n = self.note
        if n is None or n.follow_up is None:
            self.notify("This note has no follow-up.", timeout=3)
            return
        self._toggle_follow_up(n.id, n.follow_up_done_at is None)

    @work(thread=True, exclusive=True, group="follow-up")
    def _toggle_follow_up(self, note_id: int, done: bool) -> None:
        app = self.fapp
        try:
            coaching.close_follow_up(
                app.engine, note_id, actor=app.actor, now=app.clock.now(), done=done
            )
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Not changed: {exc}", severity="error")
            return
        self.app.call_from_thread(
            self.notify, "Follow-up marked done." if done else "Follow-up open again.", timeout=3
        )
        self.app.call_from_thread(self._load)

    def action_open_agent(self) -> None:
        if self.note is not None:
            from floorsup.tui.screens.agent import open_page

            open_page(self.app, staff_id=self.note.staff_id)  # type: ignore[arg-type]

"""Nothing typed is lost: the real app, in a real terminal (a pty), is killed with SIGKILL in
the middle of a note; the draft is in the database, and the note form brings it back."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import TextArea

from floorsup.clock import FixedClock
from floorsup.config import Settings, current_user
from floorsup.store.access import resolve
from floorsup.store.engine import make_engine
from floorsup.tui.app import make_app
from floorsup.tui.screens.note import NoteScreen

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ROSTER = Path(__file__).resolve().parents[2] / "db" / "samples" / "roster.csv"
FLOORSUP = Path(sys.executable).with_name("floorsup")
TEXT = "Typing when the power went"


class Terminal:
    """The app running in a pseudo-terminal of 80x24, fed keys like a person types."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.out = b""

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.out += os.read(self.fd, 65536)
                except OSError:
                    return

    def keys(self, text: str, pause: float = 0.6) -> None:
        os.write(self.fd, text.encode())
        self.pump(pause)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def draft_body(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT payload FROM note_draft").fetchall()
    return json.loads(rows[0][0]).get("body") if rows else None


async def test_a_killed_app_loses_no_typed_words(tmp_path: Path) -> None:
    if not FLOORSUP.exists():
        pytest.skip("the floorsup command is not installed beside this Python")
    db = tmp_path / "kill.db"
    env = {
        **os.environ,
        "FLOORSUP_CONFIG": str(tmp_path / "none.toml"),
        "FLOORSUP_TZ": "America/New_York",
        "TERM": "xterm-256color",
    }
    env.pop("CI", None)
    # This account is Wren Thorne's team lead (Team Aurora's, E1004), as on a real floor.
    me = current_user()
    lines = ROSTER.read_text(encoding="utf-8").splitlines()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\n".join(
            [lines[0] + ",login"]
            + [line + ("," + me if line.startswith("E1004,") else ",") for line in lines[1:]]
        )
        + "\n",
        encoding="utf-8",
    )
    subprocess.run(
        [str(FLOORSUP), "--db", str(db), "import", "roster", str(roster)],
        env=env,
        check=True,
        capture_output=True,
    )
    term = Terminal([str(FLOORSUP), "--db", str(db)], env)
    try:
        term.pump(4.0)  # the floor comes up
        term.keys("3", 1.5)  # coaching
        term.keys("n", 1.5)  # a new note: who?
        term.keys("wren thorne", 1.5)
        term.keys("\r", 2.0)  # the form, for Wren Thorne
        term.keys("\r", 0.6)  # open the category list
        term.keys("\x1b[B", 0.4)  # down: adherence
        term.keys("\r", 0.6)
        term.keys("\t", 0.4)  # follow-up
        term.keys("\t", 0.4)  # the note
        for ch in TEXT:
            term.keys(ch, 0.03)
        deadline = time.monotonic() + 20
        while draft_body(db) != TEXT and time.monotonic() < deadline:
            term.pump(0.2)
        body = draft_body(db)
    finally:
        term.kill()  # mid-note: no save, no escape, no clean exit
    assert body == TEXT, f"draft was {body!r}; screen tail: {term.out[-400:]!r}"

    # Start again: the note form for Wren Thorne brings the words back.
    settings = Settings(db=str(db), tz="America/New_York", user=me)
    engine = make_engine(settings.url)
    try:
        with engine.connect() as conn:
            lead = resolve(conn, me)
        assert lead.staff_id == "E1004"
        app = make_app(settings, engine=engine, clock=FixedClock(time.time()), actor=lead)
        async with app.run_test(size=(80, 24)) as pilot:
            app.open_note(staff_id="E1070")
            deadline = time.monotonic() + 10
            while not (isinstance(app.screen, NoteScreen) and app.screen.ready):
                assert time.monotonic() < deadline, "the note form did not open"
                await pilot.pause(0.05)
            assert app.screen.query_one("#note-body", TextArea).text == TEXT
    finally:
        engine.dispose()

"""The database under faults: a damaged file (not a database, header overwritten, cut
short, garbage pages) is caught by every command and by the app's start with a message
that says to restore a backup (exit 2, no traceback); a damaged page deeper in the file is
caught when read and by `floorsup check`; a full disk stops an ingest with a clear message,
commits nothing half-way, leaves a sound database and resumes to a clean run's result once
there is space; a coaching note hitting a full disk is not half-written; and a new database
is made for its owner and group only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from floorsup import cli
from floorsup.config import DEFAULT_NOTE_CATEGORIES
from floorsup.domain.coaching import NoteInput
from floorsup.store import coaching
from floorsup.store.access import system
from floorsup.store.engine import (
    DB_DIR_MODE,
    DB_FILE_MODE,
    DatabaseFull,
    explain_db_error,
    make_engine,
    upgrade,
)
from floorsup.store.roster import import_roster

from .test_backup import (
    current_umask,
    floor_lines,
    ingest,
    new_db,
    snapshot,
    sql,
)

# SQLite's file itself: its modes, damaged pages, PRAGMA max_page_count, a full disk.
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
PAGE = 4096


@pytest.fixture
def run(cli_run: Callable[..., tuple[int, str, str]]) -> Callable[..., tuple[int, str, str]]:
    return cli_run


def engines(*paths: Path) -> list[Engine]:
    return [make_engine(f"sqlite:///{p}") for p in paths]


def snapshots(*paths: Path) -> list[dict[str, list[tuple[Any, ...]]]]:
    made = engines(*paths)
    try:
        return [snapshot(e) for e in made]
    finally:
        for e in made:
            e.dispose()


def write_log(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


# -- file modes -----------------------------------------------------------------------------


def test_a_new_database_is_for_its_owner_and_group_only(tmp_path: Path) -> None:
    """The database file, its -wal and -shm, and the directory floorsup makes for it carry
    no permission for others. Coaching notes and the drafts typed into the note form
    (table note_draft) live in this database, so these modes cover them too."""
    umask = current_umask()
    db = tmp_path / "data" / "floorsup" / "floor.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine)
        with engine.connect() as conn:  # the WAL and its index exist while it is open
            conn.exec_driver_sql("SELECT count(*) FROM note_draft").fetchall()
            files = [db, db.with_name("floor.db-wal"), db.with_name("floor.db-shm")]
            for f in files:
                assert f.exists(), f
                mode = f.stat().st_mode & 0o777
                assert mode == DB_FILE_MODE & ~umask, (f, oct(mode))
                assert mode & 0o007 == 0 and mode & 0o600 == 0o600
    finally:
        engine.dispose()
    assert db.parent.stat().st_mode & 0o777 == DB_DIR_MODE & ~umask
    assert DB_DIR_MODE & 0o007 == 0


# -- a damaged file -------------------------------------------------------------------------


def _not_a_database(db: Path) -> None:
    db.write_text("these are the minutes of the team meeting\n" * 200)


def _header_overwritten(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(b"\0" * 100 + data[100:])


def _cut_mid_page(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size - 1000)


def _cut_at_a_page(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.truncate(PAGE * 20)


def _garbage_pages(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[PAGE:] = os.urandom(len(data) - PAGE)
    db.write_bytes(bytes(data))


def _too_short(db: Path) -> None:
    db.write_bytes(db.read_bytes()[:60])


DAMAGE = {
    "not a database": _not_a_database,
    "header overwritten": _header_overwritten,
    "cut short mid-page": _cut_mid_page,
    "cut short at a page": _cut_at_a_page,
    "garbage pages": _garbage_pages,
    "shorter than a header": _too_short,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_every_command_and_the_app_say_a_damaged_file_is_damaged(
    tmp_path: Path,
    run: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    db = new_db(tmp_path / "floor.db")
    assert db.stat().st_size > PAGE * 40
    DAMAGE[damage](db)
    log = write_log(tmp_path / "queue_log", floor_lines()[:50])

    def no_app(*_a: object, **_k: object) -> None:
        raise AssertionError("the app was started on a damaged database")

    monkeypatch.setattr("floorsup.tui.app.make_app", no_app)
    commands = [
        [],  # the app
        ["report", "queues", "--date", "2025-03-04"],
        ["ingest", "queue-log", str(log)],
        ["init"],
        ["check"],
        ["backup", str(tmp_path / "b.db")],
    ]
    for args in commands:
        code, out, err = run("--db", str(db), *args)
        assert code == 2, (args, out, err)
        assert f"{db}" in err and "is damaged" in err, (args, err)
        if args != ["backup", str(tmp_path / "b.db")]:
            assert "floorsup --db" in err and "restore BACKUP" in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "b.db").exists()


def test_a_damaged_page_deep_in_the_file_is_caught_when_read_and_by_check(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    db = new_db(tmp_path / "floor.db")
    ingest(db, write_log(tmp_path / "queue_log", floor_lines()))
    assert run("--db", str(db), "check")[0] == 0
    root = sql(db, "SELECT rootpage FROM sqlite_master WHERE name = 'call'")[0][0]
    with db.open("r+b") as fh:
        fh.seek((root - 1) * PAGE)
        fh.write(os.urandom(PAGE))

    code, out, err = run("--db", str(db), "report", "queues", "--date", "2025-03-04")
    assert code == 2 and f"the database file {db} is damaged (" in err, out + err
    assert "malformed" in err and "Traceback" not in err

    code, out, err = run("--db", str(db), "check")
    assert code == 2 and "is damaged" in err and out == ""
    code, out, err = run("--db", str(db), "check", "--quick")
    assert code == 2 and "is damaged" in err


# -- a full disk ----------------------------------------------------------------------------


def _limit_pages(monkeypatch: pytest.MonkeyPatch, limit: list[int | None]) -> None:
    """Every engine the CLI makes gets PRAGMA max_page_count = limit[0] (None: no limit):
    the database cannot grow past it, as on a full disk (SQLITE_FULL)."""
    real = cli.make_engine

    def limited(url: str, **kw: Any) -> Engine:
        engine = real(url, **kw)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn: Any, _rec: Any) -> None:
            if limit[0] is not None:
                dbapi_conn.execute(f"PRAGMA max_page_count = {limit[0]}")

        return engine

    monkeypatch.setattr(cli, "make_engine", limited)


def _small_batches(monkeypatch: pytest.MonkeyPatch, lines: int) -> None:
    from floorsup.ingest import follow

    real = follow.QueueLogFeed.__init__

    def init(self: Any, *args: Any, **kw: Any) -> None:
        kw["batch_lines"] = lines
        real(self, *args, **kw)

    monkeypatch.setattr(follow.QueueLogFeed, "__init__", init)


def _committed_equals_its_prefix(db: Path, log: Path, tmp_path: Path) -> int:
    """The database holds exactly what a clean ingest of the file up to its checkpoint
    gives: nothing past the checkpoint, nothing before it missing. Returns the offset."""
    offset, line_no = sql(db, 'SELECT "offset", line_no FROM ingest_source')[0]
    prefix_log = tmp_path / "prefix" / log.name
    prefix_log.parent.mkdir()
    prefix_log.write_bytes(log.read_bytes()[:offset])
    prefix_db = tmp_path / "prefix.db"
    ingest(prefix_db, prefix_log)
    got, want = snapshots(db, prefix_db)
    for table in ("events", "rejected", "calls", "spans", "live"):
        assert got[table] == want[table], table
    assert got["sources"] == want["sources"]
    assert line_no == log.read_bytes()[:offset].count(b"\n")
    return int(offset)


def test_an_ingest_into_a_full_database_stops_cleanly_and_resumes(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = write_log(tmp_path / "queue_log", floor_lines())
    clean = tmp_path / "clean.db"
    ingest(clean, log)
    db = new_db(tmp_path / "floor.db")
    base = sql(db, "PRAGMA page_count")[0][0]
    grown = sql(clean, "PRAGMA page_count")[0][0]
    limit: list[int | None] = [base + (grown - base) // 2]
    _limit_pages(monkeypatch, limit)
    _small_batches(monkeypatch, 200)

    code, out, err = run("--db", str(db), "ingest", "queue-log", str(log))
    assert code == 2, out + err
    assert f"the database {db} cannot grow: disk full" in err
    assert "Traceback" not in err and out == ""
    assert sql(db, "PRAGMA integrity_check") == [("ok",)]
    offset = _committed_equals_its_prefix(db, log, tmp_path)
    assert 0 < offset < log.stat().st_size  # some batches went in, the rest did not

    limit[0] = None  # space is freed
    code, out, err = run("--db", str(db), "ingest", "queue-log", str(log))
    assert code == 0, err
    got, want = snapshots(db, clean)
    assert len(want["events"]) > 2900
    assert got == want


def test_a_coaching_note_on_a_full_disk_is_not_half_written(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "staff_id,name,team,role,hire_date,acd_agent\nE1,Ada Example,Team One,agent,"
        "2025-01-06,SIP/1000\n"
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'floor.db'}")
    try:
        upgrade(engine)
        import_roster(engine, roster, actor=system())
        draft = coaching.Draft("me/E1/new", "me", "E1", None, 1, 1.0, {"body": "typed so far"})
        coaching.save_draft(engine, draft)
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 8}")

        body = "We listened to three calls together and agreed on next steps. " * 150
        saved, failure = 0, None
        for i in range(40):
            try:
                coaching.save_draft(engine, replace(draft, seq=i + 2))  # typed: a new draft
                coaching.add_note(
                    engine,
                    NoteInput(staff_id="E1", category=DEFAULT_NOTE_CATEGORIES[0], body=body),
                    actor=system("me"),
                    now=1_795_000_000.0 + i,
                    snapshot=None,
                    categories=DEFAULT_NOTE_CATEGORIES,
                    draft_key=draft.key,
                )
                saved += 1
            except Exception as exc:
                failure = exc
                break
        assert failure is not None, "the database never filled"
        problem = explain_db_error(failure, str(tmp_path / "floor.db"))
        assert isinstance(problem, DatabaseFull)
        assert "disk full" in str(problem) and "Nothing was half-written" in str(problem)
        with engine.connect() as conn:
            notes = conn.exec_driver_sql("SELECT count(*), max(length(body)) FROM coaching_note")
            count, longest = notes.one()
            drafts = conn.exec_driver_sql("SELECT count(*) FROM note_draft").scalar()
            check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        assert saved > 0 and count == saved and longest == len(body.strip())
        assert drafts == 1  # the failed save kept the draft of what was typed
        assert check == "ok"
    finally:
        engine.dispose()


# -- a real full disk: a small tmpfs (root only) ---------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_an_ingest_on_a_really_full_disk_stops_cleanly_and_resumes(
    tmp_path: Path, small_disk: Path
) -> None:
    log = write_log(tmp_path / "queue_log", floor_lines())
    clean = tmp_path / "clean.db"
    ingest(clean, log)
    db = new_db(small_disk / "floor.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
    env.update(FLOORSUP_CONFIG=str(tmp_path / "no-config.toml"), PYTHONPATH=str(REPO))
    wrapper = tmp_path / "ingest_small_batches.py"
    wrapper.write_text(
        "import sys\nfrom floorsup.ingest import follow\n_init = follow.QueueLogFeed.__init__\n"
        "def init(self, *a, **kw):\n    kw['batch_lines'] = 200\n    _init(self, *a, **kw)\n"
        "follow.QueueLogFeed.__init__ = init\nfrom floorsup.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    cmd = [sys.executable, str(wrapper), "--db", str(db), "--tz", "UTC"]
    cmd += ["ingest", "queue-log", str(log)]

    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"the database {db} cannot grow: disk full" in done.stderr
    assert "Traceback" not in done.stderr
    assert sql(db, "PRAGMA integrity_check") == [("ok",)]
    offset = _committed_equals_its_prefix(db, log, tmp_path)
    assert 0 < offset < log.stat().st_size

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got, want = snapshots(db, clean)
    assert got == want

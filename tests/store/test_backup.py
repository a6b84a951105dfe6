"""Backups and restores of the SQLite database: a backup taken while an ingest (another
process) is committing restores to a fresh place and resumes to exactly a clean run's
result; a backup never leaves a half-written file and does not overwrite one without
--force; a restore is refused while the database is open, for a file that is not a sound
floorsup database or one from a newer floorsup, keeps the previous database, replaces a
damaged one, migrates an older schema, and is not fooled by a stale -wal; PostgreSQL gets
the pg_dump / pg_restore command lines (without its password)."""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.store.backup import BackupError, backup_database, check_database, restore_database
from floorsup.store.engine import head_revision, make_engine, upgrade

REPO = Path(__file__).resolve().parents[2]


@cache
def ingest_helpers() -> ModuleType:
    """tests/ingest/conftest.py's helpers (snapshot, the simulated floor), loaded by path."""
    spec = importlib.util.spec_from_file_location(
        "_floorsup_ingest_helpers", REPO / "tests" / "ingest" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@cache
def floor_lines() -> list[str]:
    h = ingest_helpers()
    try:
        return list(h._simulated_lines(3000))
    except ImportError:
        return list(h._generated_lines(3000))


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return ingest_helpers()._take_snapshot(engine)  # type: ignore[no-any-return]


def ingest(db: Path, log: Path) -> None:
    """A backfill of `log` into `db` from its checkpoint, in this process (the same feed
    the CLI runs)."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine)
        ingest_helpers()._run_feed(engine, log, tz="UTC")
    finally:
        engine.dispose()


def sql(db: Path, query: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def new_db(path: Path, revision: str = "head") -> Path:
    engine = make_engine(f"sqlite:///{path}")
    try:
        if revision == "head":
            upgrade(engine)
        else:
            from alembic import command

            from floorsup.store.engine import alembic_config

            cfg = alembic_config(engine)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
    finally:
        engine.dispose()
    return path


def add_queue(db: Path, name: str) -> None:
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.execute(
            "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, 20, 0.8)",
            (name,),
        )
        conn.commit()
    finally:
        conn.close()


def queues(db: Path) -> list[str]:
    return [r[0] for r in sql(db, "SELECT name FROM queue ORDER BY name")]


@pytest.fixture
def run(cli_run: Callable[..., tuple[int, str, str]]) -> Callable[..., tuple[int, str, str]]:
    return cli_run


# -- the backup taken mid-ingest -------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_backup_taken_mid_ingest_restores_and_resumes_to_a_clean_run(
    tmp_path: Path, ingest_in_batches: Callable[[int], Path]
) -> None:
    lines = floor_lines()
    log = tmp_path / "queue_log"
    log.write_text("\n".join(lines[:800]) + "\n")
    live = new_db(tmp_path / "live.db")
    wrapper = ingest_in_batches(50)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
    env.update(FLOORSUP_CONFIG=str(tmp_path / "no-config.toml"), PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(wrapper), "--db", str(live), "--tz", "UTC"]
        + ["ingest", "queue-log", str(log), "--follow"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    batches = 0
    some = threading.Event()

    def read() -> None:
        nonlocal batches
        assert proc.stdout is not None
        for raw in proc.stdout:
            if raw.startswith(b"batch"):
                batches += 1
                if batches >= 8:
                    some.set()

    def append() -> None:  # the ACD keeps writing while all this happens
        for i in range(800, len(lines), 60):
            with log.open("a") as fh:
                fh.write("\n".join(lines[i : i + 60]) + "\n")
            time.sleep(0.02)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    writer = threading.Thread(target=append)
    taken = None
    batches_at_backup = 0
    try:
        assert some.wait(60), "the ingest never got going"
        writer.start()
        (tmp_path / "backups").mkdir()
        taken = backup_database(live, tmp_path / "backups" / "b.db")  # while it commits
        batches_at_backup = batches
        writer.join()
        size = log.stat().st_size
        deadline = time.monotonic() + 60
        while sql(live, 'SELECT "offset" FROM ingest_source')[0][0] < size:
            assert time.monotonic() < deadline, "the live ingest did not catch up"
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode(errors="replace")
    assert batches > batches_at_backup  # the ingest went on committing after the copy

    assert taken is not None and taken.info.ok
    assert taken.path.stat().st_mode & 0o777 == 0o660 & ~current_umask()
    offset = sql(taken.path, 'SELECT "offset" FROM ingest_source')[0][0]
    assert 0 < offset < size  # the copy stands at one commit, mid-file

    restored = tmp_path / "elsewhere" / "floor.db"
    done = restore_database(taken.path, restored)
    assert done.kept is None and done.upgraded_to is None
    ingest(restored, log)  # resume from the restored checkpoint

    clean = tmp_path / "clean.db"
    ingest(clean, log)
    engines = [make_engine(f"sqlite:///{p}") for p in (clean, restored, live)]
    try:
        want, got, live_got = (snapshot(e) for e in engines)
    finally:
        for e in engines:
            e.dispose()
    assert len(want["events"]) > 2900
    assert got == want
    assert live_got == want


def current_umask() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    return 0o022


# -- backup ---------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_is_one_checked_file_and_never_overwrites_without_force(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    db = new_db(tmp_path / "floor.db")
    add_queue(db, "sales")
    dest = tmp_path / "b.db"
    code, out, err = run("--db", str(db), "backup", str(dest))
    assert code == 0, err
    assert f"written to {dest}" in out and "integrity_check ok" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db", "floor.db"]  # no temp, no -wal
    assert sql(dest, "PRAGMA journal_mode") == [("delete",)]  # self-contained
    assert sql(dest, "PRAGMA integrity_check") == [("ok",)]
    assert queues(dest) == ["sales"]
    assert dest.stat().st_mode & 0o007 == 0

    add_queue(db, "support")
    code, _out, err = run("--db", str(db), "backup", str(dest))
    assert code == 2 and "already exists (add --force" in err
    assert queues(dest) == ["sales"]  # untouched
    code, _out, err = run("--db", str(db), "backup", str(dest), "--force", "--quick")
    assert code == 0, err
    assert queues(dest) == ["sales", "support"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db", "floor.db"]


@pytest.mark.sqlite_only
def test_a_failed_backup_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = new_db(tmp_path / "floor.db")
    out = tmp_path / "out"
    out.mkdir()

    def fail(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("floorsup.store.backup._fsync", fail)
    with pytest.raises(BackupError, match="disk full"):
        backup_database(db, out / "b.db")
    assert list(out.iterdir()) == []


@pytest.mark.sqlite_only
def test_backup_of_a_missing_or_damaged_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no such database file"):
        backup_database(tmp_path / "none.db", tmp_path / "b.db")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"x" * 8192)
    with pytest.raises(BackupError, match="is damaged"):
        backup_database(bad, tmp_path / "b.db")
    assert not (tmp_path / "b.db").exists()


def test_postgres_gets_the_pg_dump_and_pg_restore_lines_without_the_password(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    url = "postgresql://floor:s3cret@db.example:5433/floorsup_live"
    for command in ("backup", "restore"):
        code, out, err = run("--db", url, command, str(tmp_path / "floor.dump"))
        assert code == 2 and out == ""
        assert "does not" in err and "PostgreSQL" in err
        assert "pg_dump --format=custom --host=db.example --port=5433 --username=floor" in err
        assert "pg_restore --clean --if-exists --no-owner" in err
        assert "--dbname=floorsup_live" in err and "floorsup_live" in err
        assert "s3cret" not in err and "Traceback" not in err


# -- restore --------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_restore_keeps_the_previous_database_and_checks_what_it_restores(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    db = new_db(tmp_path / "floor.db")
    add_queue(db, "sales")
    backup = tmp_path / "b.db"
    assert run("--db", str(db), "backup", str(backup))[0] == 0
    add_queue(db, "after-the-backup")

    code, out, err = run("--db", str(db), "restore", str(backup))
    assert code == 0, err
    assert queues(db) == ["sales"]
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and str(kept[0]) in out
    assert queues(kept[0]) == ["after-the-backup", "sales"]
    assert kept[0].stat().st_mode & 0o007 == 0
    assert sql(db, "PRAGMA integrity_check") == [("ok",)]
    assert sql(db, "PRAGMA journal_mode") == [("wal",)]

    code, out, err = run("--db", str(db), "restore", str(backup), "--no-keep")
    assert code == 0, err
    assert len([p for p in tmp_path.iterdir() if ".before-restore-" in p.name]) == 1


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_sound_floorsup_backup(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    db = new_db(tmp_path / "floor.db")
    add_queue(db, "sales")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(16384))
    newer = new_db(tmp_path / "newer.db")
    c = sqlite3.connect(newer)
    c.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    c.commit()
    c.close()
    for bad, why in [
        (other, "not a floorsup database"),
        (garbage, "not a sound floorsup database"),
        (newer, "newer than this floorsup knows"),
        (tmp_path / "missing.db", "no such file"),
    ]:
        code, _out, err = run("--db", str(db), "restore", str(bad))
        assert code == 2, bad
        assert why in err and "Traceback" not in err
        assert queues(db) == ["sales"]
    assert not [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]


@pytest.mark.sqlite_only
def test_restore_is_refused_while_the_database_is_open(tmp_path: Path) -> None:
    db = new_db(tmp_path / "floor.db")
    backup = new_db(tmp_path / "b.db")
    add_queue(db, "sales")
    engine = make_engine(f"sqlite:///{db}")  # as the app or an ingest would hold it
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM queue").fetchall()
            with pytest.raises(BackupError, match="is in use"):
                restore_database(backup, db)
    finally:
        engine.dispose()
    assert queues(db) == ["sales"]
    assert not [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]


@pytest.mark.sqlite_only
def test_restore_is_not_fooled_by_a_stale_wal(tmp_path: Path) -> None:
    """A program killed with commits still in `<db>-wal`: renaming a backup over the file
    would have SQLite replay that WAL into it. Restoring through SQLite does not."""
    db = new_db(tmp_path / "floor.db")
    add_queue(db, "in-the-file")
    backup = tmp_path / "b.db"
    backup_database(db, backup)
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT INTO queue VALUES (99, 'only-in-the-wal', 20, 0.8)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=30)
    wal = tmp_path / "floor.db-wal"
    assert wal.exists() and wal.stat().st_size > 0

    done = restore_database(backup, db, now=1_800_000_000)
    assert queues(db) == ["in-the-file"]
    assert done.kept is not None
    assert queues(done.kept) == ["in-the-file", "only-in-the-wal"]  # nothing lost either
    assert not wal.exists() or wal.stat().st_size == 0
    assert check_database(db).ok


@pytest.mark.sqlite_only
def test_restore_over_a_damaged_database_moves_it_aside_with_its_wal(tmp_path: Path) -> None:
    db = new_db(tmp_path / "floor.db")
    backup = tmp_path / "b.db"
    add_queue(db, "sales")
    backup_database(db, backup)
    db.write_bytes(b"\0" * 100 + db.read_bytes()[100:])  # the header overwritten
    (tmp_path / "floor.db-wal").write_bytes(b"w" * 1000)

    done = restore_database(backup, db, now=1_800_000_000)
    assert done.replaced_damaged and done.kept is not None
    assert queues(db) == ["sales"]
    assert done.kept.read_bytes()[:100] == b"\0" * 100
    assert Path(f"{done.kept}-wal").read_bytes() == b"w" * 1000
    assert not (tmp_path / "floor.db-wal").exists()
    assert check_database(db).ok


@pytest.mark.sqlite_only
def test_an_older_backup_is_migrated_after_restore(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    old = new_db(tmp_path / "old.db", revision="0004")
    target = tmp_path / "new" / "floor.db"
    code, out, err = run("--db", str(target), "restore", str(old))
    assert code == 0, err
    assert f"migrated to {head_revision()}" in out
    assert sql(target, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert sql(old, "SELECT version_num FROM alembic_version") == [("0004",)]  # unchanged

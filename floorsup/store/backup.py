"""Backups of a SQLite database while ingest and the apps keep running, restores that are
safe against a database with a write-ahead log, and an on-demand integrity check.

How the copy is taken: SQLite's online backup API (`sqlite3.Connection.backup`) in one step.
In WAL mode the step is a read transaction: the ingest keeps committing while it runs (a
reader never blocks the writer, the WAL just grows until the copy ends), and the copy is the
database as it stood at one commit. Copying in steps of N pages would let each commit of the
ingest restart the copy from page 1 (SQLite restarts a backup whose source another
connection changed), which on a busy feed may never finish.

How the copy is written: into a temporary file beside PATH (made 0o660 less the umask before
a byte is written), switched to a plain rollback-journal file (one file, nothing beside it),
checked with PRAGMA integrity_check (or quick_check), synced, then renamed to PATH. A failure
at any point leaves no PATH and no temporary file.

How a restore is done: renaming a file over a live database is dangerous because SQLite
keeps recent commits in `<db>-wal`; a stale -wal beside a renamed-in file would be replayed
into it. So a restore copies the backup *into* the database through the same backup API, on
a connection that holds SQLite's exclusive lock (which it gets only when no other program
has the database open; else the restore is refused). SQLite writes the whole copy as one
transaction through its own WAL: a crash part-way leaves the database as it was. Before
that, the current content is copied (the same way) to `<db>.before-restore-<timestamp>`.
A target that is not a database any more (its header is gone) cannot be opened by SQLite:
it is moved aside with its -wal and -shm (kept as a set), after checking that no process
holds SQLite's lock on it, and the backup is written to a new file renamed into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import shlex
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from floorsup.store.engine import (
    DB_FILE_MODE,
    SQLITE_MAGIC,
    StoreError,
    db_error_kind,
    explain_db_error,
    head_revision,
    header_problem,
    known_revision,
    make_db_file,
    make_engine,
    upgrade,
)

LOCK_WAIT_SECONDS = 1.0  # how long a restore waits for a reader that is about to finish
MAX_PROBLEMS = 10


class BackupError(StoreError):
    """A backup, restore or check that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DbInfo:
    """What a check found in one SQLite file."""

    path: Path
    size: int
    pages: int
    page_size: int
    revision: str | None
    problems: tuple[str, ...]  # empty: the check said ok

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    info: DbInfo
    seconds: float


@dataclass(frozen=True, slots=True)
class RestoreResult:
    target: Path
    source: DbInfo
    kept: Path | None  # the previous database, unless --no-keep (or there was none)
    upgraded_to: str | None  # the backup's schema was older: migrated to this revision
    replaced_damaged: bool  # the previous file was not a database: moved aside, not copied


# -- PostgreSQL: its own tools -------------------------------------------------------------


def postgres_instructions(url: str | URL, path: Path | str, *, restore: bool = False) -> str:
    """Why floorsup does not copy PostgreSQL, and the pg_dump / pg_restore command lines to
    use (the database name, host, port and user from the URL; never the password)."""
    u = make_url(url) if isinstance(url, str) else url
    conn: list[str] = []
    if u.host:
        conn.append(f"--host={u.host}")
    if u.port:
        conn.append(f"--port={u.port}")
    if u.username:
        conn.append(f"--username={u.username}")
    db = u.database or "floorsup"
    dump = ["pg_dump", "--format=custom", *conn, f"--file={path}", db]
    load = ["pg_restore", "--clean", "--if-exists", "--no-owner", *conn, f"--dbname={db}", path]
    what = "restore" if restore else "back up"
    return (
        f"floorsup does not {what} a PostgreSQL database itself: PostgreSQL's own tools do it "
        f"consistently while floorsup keeps running.\n"
        f"  back up:  {shlex.join(map(str, dump))}\n"
        f"  restore:  {shlex.join(map(str, load))}  (stop floorsup's ingest and apps first)\n"
        f"The password is not shown: give it in PGPASSWORD or ~/.pgpass."
    )


# -- small helpers ---------------------------------------------------------------------------


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _temp_beside(path: Path) -> Path:
    """A new empty file `.<name>.<random>.tmp` beside `path`, mode 0o660 less the umask."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE)
    except OSError as exc:
        raise BackupError(f"cannot write in {path.parent}: {exc.strerror or exc}") from exc
    os.close(fd)
    return tmp


def _remove(path: Path) -> None:
    for p in (path, _side(path, "-journal"), _side(path, "-wal"), _side(path, "-shm")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect(path: Path, *, timeout: float = 10.0) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=timeout, isolation_level=None)


def _connect_ro(path: Path) -> sqlite3.Connection:
    """Read-only, so a check never changes the file; a WAL-mode file without its -shm may
    need read-write to be opened at all (SQLite then changes nothing but its side files)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return conn
    except sqlite3.OperationalError:
        return _connect(path)


@contextlib.contextmanager
def _closing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield conn
    finally:
        conn.close()


def _wrap(exc: BaseException, where: Path) -> StoreError:
    return explain_db_error(exc, str(where)) or BackupError(f"{where}: {exc}")


# -- checking one file -------------------------------------------------------------------------


def inspect_conn(
    conn: sqlite3.Connection, path: Path, *, quick: bool = False, header: str | None = None
) -> DbInfo:
    """Run PRAGMA integrity_check (or quick_check) on an open connection and read the
    schema revision; every problem found is listed (the first MAX_PROBLEMS of SQLite's)."""
    problems: list[str] = [header] if header else []
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows != ["ok"]:
        problems.extend(rows)
    revision: str | None = None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            problems.append("no alembic_version table: not a floorsup database")
        else:
            got = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            revision = str(got[0][0]) if got else None
            if revision is None:
                problems.append("alembic_version is empty: the schema revision is unknown")
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        problems.append(str(exc))
        pages = page_size = 0
    size = path.stat().st_size if path.exists() else 0
    return DbInfo(path, size, pages, page_size, revision, tuple(dict.fromkeys(problems)))


def check_database(path: Path, *, quick: bool = False) -> DbInfo:
    """The whole check, on demand (`floorsup check`): header, every page (integrity_check
    reads the whole file: minutes for gigabytes), and the schema revision."""
    if not path.is_file():
        raise BackupError(f"{path}: no such database file")
    header = header_problem(path)
    if header is not None and not _has_magic(path):
        return DbInfo(path, path.stat().st_size, 0, 0, None, (header,))
    try:
        with _closing(_connect_ro(path)) as conn:
            return inspect_conn(conn, path, quick=quick, header=header)
    except sqlite3.DatabaseError as exc:
        problems = (header, str(exc)) if header else (str(exc),)
        return DbInfo(path, path.stat().st_size, 0, 0, None, problems)


def _has_magic(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def schema_problem(info: DbInfo) -> str | None:
    """A revision this program does not know: made by a newer floorsup."""
    if info.revision is not None and not known_revision(info.revision):
        return (
            f"its schema revision {info.revision} is newer than this floorsup knows "
            f"({head_revision()}): use the floorsup that made it"
        )
    return None


# -- backup ----------------------------------------------------------------------------------


def backup_database(
    db: Path,
    dest: Path,
    *,
    force: bool = False,
    quick: bool = False,
    progress: Callable[[int, int, int], object] | None = None,
) -> BackupResult:
    """A consistent, checked copy of the SQLite database `db` at `dest` (see the module's
    doc). Refuses an existing `dest` unless `force`; never leaves a half-written `dest`."""
    started = time.perf_counter()
    if not db.is_file():
        raise BackupError(f"{db}: no such database file (nothing to back up)")
    why = header_problem(db)
    if why is not None:
        raise BackupError(
            f"the database file {db} is damaged ({why}): a copy of it would not restore; "
            f"keep your newest backup (and this file) as they are"
        )
    dest = dest.expanduser()
    if dest.is_dir():
        raise BackupError(f"{dest}: is a directory; give the backup file's name")
    if dest.exists() and not force:
        raise BackupError(f"{dest}: already exists (add --force to replace it)")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest}: the directory {dest.parent} does not exist")
    if dest.resolve() == db.resolve():
        raise BackupError(f"{dest}: is the database itself; give another file")
    tmp = _temp_beside(dest)
    try:
        with _closing(_connect(db)) as src, _closing(_connect(tmp)) as out:
            try:
                # One step (pages=-1): one read transaction, which in WAL mode never blocks
                # the ingest; stepping would restart the copy at each commit of the ingest.
                src.backup(out, pages=-1, progress=progress)
            except sqlite3.Error as exc:
                raise _wrap(exc, db) from exc
            out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            info = inspect_conn(out, tmp, quick=quick)
        if not info.ok:
            raise BackupError(
                f"the copy of {db} did not pass its check, so no backup was written: "
                + "; ".join(info.problems)
                + ". Run `floorsup check` on the database."
            )
        _fsync(tmp)
        os.replace(tmp, dest)
        _fsync(dest.parent, directory=True)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            kind = "disk full" if db_error_kind(exc) == "full" else exc.strerror or str(exc)
            raise BackupError(f"{dest}: cannot write the backup: {kind}") from exc
        raise
    info = DbInfo(dest, dest.stat().st_size, info.pages, info.page_size, info.revision, ())
    return BackupResult(dest, info, time.perf_counter() - started)


# -- restore ---------------------------------------------------------------------------------


def _kept_name(target: Path, now: float) -> Path:
    stamp = dt.datetime.fromtimestamp(now).strftime("%Y%m%d-%H%M%S")
    kept, n = _side(target, f".before-restore-{stamp}"), 1
    while kept.exists():
        n += 1
        kept = _side(target, f".before-restore-{stamp}-{n}")
    return kept


def _locked_by_another(path: Path) -> bool:
    """Whether another process holds one of SQLite's locks on `path` (unix VFS: the shared
    range after the pending byte). For a file SQLite itself can no longer open."""
    pending = 0x40000000
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 512, pending, os.SEEK_SET)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 512, pending, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def _copy_out(conn: sqlite3.Connection, dest: Path) -> None:
    """The database on `conn` to a new file `dest` (temp file, then renamed)."""
    tmp = _temp_beside(dest)
    try:
        with _closing(_connect(tmp)) as out:
            conn.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = DELETE")
        _fsync(tmp)
        os.replace(tmp, dest)
    except BaseException:
        _remove(tmp)
        raise


def _in_use(target: Path) -> BackupError:
    return BackupError(
        f"the database {target} is in use (the app, an ingest or the demo has it open): "
        f"stop them, then run the restore again"
    )


def restore_database(
    backup: Path, target: Path, *, keep: bool = True, now: float | None = None
) -> RestoreResult:
    """Put the floorsup backup `backup` in place of the database `target` (see the module's
    doc): the backup is checked first, the previous database kept beside unless `keep` is
    False, and an older schema is migrated to this program's newest afterwards."""
    now = time.time() if now is None else now
    backup, target = backup.expanduser(), target.expanduser()
    if not backup.is_file():
        raise BackupError(f"{backup}: no such file")
    if target.exists() and backup.resolve() == target.resolve():
        raise BackupError(f"{backup}: is the database itself")
    info = check_database(backup)
    if not info.ok:
        raise BackupError(
            f"{backup} cannot be restored: it is not a sound floorsup database ("
            + "; ".join(info.problems)
            + "). Nothing was changed."
        )
    newer = schema_problem(info)
    if newer is not None:
        raise BackupError(f"{backup} cannot be restored: {newer}. Nothing was changed.")

    make_db_file(target)  # the directory (0o750) and, for a new database, the file (0o660)
    kept: Path | None = None
    damaged = header_problem(target) is not None
    if not damaged:
        try:
            kept = _restore_in_place(backup, target, keep=keep, now=now)
        except _TargetDamaged:
            damaged = True
    if damaged:
        kept = _replace_damaged(backup, target, keep=keep, now=now)

    upgraded: str | None = None
    if info.revision != head_revision():
        engine = make_engine(f"sqlite:///{target}")
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        upgraded = head_revision()
    return RestoreResult(target, info, kept, upgraded, damaged)


class _TargetDamaged(Exception):
    pass


def _restore_in_place(backup: Path, target: Path, *, keep: bool, now: float) -> Path | None:
    """The backup API into the target itself, holding SQLite's exclusive lock throughout."""
    kept: Path | None = None
    empty = target.stat().st_size == 0  # a new database: nothing to keep
    live = _connect(target, timeout=LOCK_WAIT_SECONDS)
    try:
        try:
            # Set before the first access: the connection then takes the EXCLUSIVE lock on
            # the file, which it gets only when no other connection has the database open,
            # and keeps it until closed (in WAL mode it uses no shared memory).
            live.execute("PRAGMA locking_mode = EXCLUSIVE")
            live.execute("BEGIN EXCLUSIVE")
            live.execute("SELECT count(*) FROM sqlite_master").fetchall()
            live.execute("COMMIT")
        except sqlite3.Error as exc:
            kind = db_error_kind(exc)
            if kind == "busy":
                raise _in_use(target) from exc
            if kind == "damaged":
                raise _TargetDamaged from exc
            raise _wrap(exc, target) from exc
        if keep and not empty:
            kept = _kept_name(target, now)
            try:
                _copy_out(live, kept)
            except sqlite3.DatabaseError as exc:
                if db_error_kind(exc) == "damaged":
                    raise _TargetDamaged from exc
                raise _wrap(exc, kept) from exc
        with _closing(_connect(backup)) as src:
            try:
                src.backup(live, pages=-1)
            except sqlite3.Error as exc:
                raise BackupError(
                    f"{backup} could not be copied into {target} ({exc}); the database is "
                    f"unchanged" + (f" and its previous content is also in {kept}" if kept else "")
                ) from exc
        live.execute("PRAGMA journal_mode = WAL")
    finally:
        live.close()  # checkpoints the WAL into the file and removes it
    return kept


def _replace_damaged(backup: Path, target: Path, *, keep: bool, now: float) -> Path | None:
    """The target is no longer a database SQLite can open: move it (with its -wal and -shm,
    as a set) aside, then put a copy of the backup at its name."""
    if _locked_by_another(target):
        raise _in_use(target)
    kept = _kept_name(target, now) if keep else None
    tmp = _temp_beside(target)
    try:
        with _closing(_connect(backup)) as src, _closing(_connect(tmp)) as out:
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = WAL")
        _fsync(tmp)
        for suffix in ("-wal", "-shm", "-journal", ""):
            old = _side(target, suffix)
            if not old.exists():
                continue
            if kept is not None:
                os.replace(old, _side(kept, suffix))
            else:
                old.unlink()
        os.replace(tmp, target)
        _fsync(target.parent, directory=True)
    except BaseException:
        _remove(tmp)
        raise
    return kept

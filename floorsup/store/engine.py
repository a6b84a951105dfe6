"""The engine factory: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, same code.

Nothing here runs at import time: the app, the CLI and the tests each ask for an engine.

Also here: what every start checks about a SQLite file (cheaply: its header, and reading its
schema), the modes a new database file gets, and turning SQLite's low-level errors (a
damaged file, a full disk, a lock held too long) into a `StoreError` that says what to do.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "db" / "migrations"
BUSY_TIMEOUT_MS = 10_000

# A database holds staff names, coaching notes and their drafts (note_draft): the user and
# their group only. The file is created 0o660 (less the umask: a stricter umask is honoured,
# "other" never gets a bit); SQLite gives its -wal and -shm files the database file's mode.
# The directory, when floorsup makes it, is 0o750 like the export directory
# (floorsup/tui/exporting.py EXPORT_DIR_MODE): the group may look, only the owner adds files.
# A floor that shares one database between several supervisors' accounts puts it in a
# directory the administrator makes group-writable (0o770, setgid): floorsup never widens an
# existing directory.
DB_FILE_MODE = 0o660
DB_DIR_MODE = 0o750

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = 10, 11, 13
_SQLITE_CANTOPEN, _SQLITE_NOTADB = 14, 26


class StoreError(RuntimeError):
    """The database cannot be used; the message says what to do."""


class DatabaseDamaged(StoreError):
    """The database file is damaged: restore a backup (the message says how)."""


class DatabaseFull(StoreError):
    """The disk (or the database's size limit) is full: nothing was half-written."""


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy manage transactions explicitly; set the pragmas every connection needs.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE: a writer takes the write lock up front instead of failing half-way.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a sqlite:/// URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def hide_password(text: str) -> str:
    """A URL SQLAlchemy cannot read, with what stands for a password (`user:XXX@`) masked."""
    return re.sub(r"(://[^/@:]*:)[^@]*@", r"\1***@", text)


def db_location(url: str | URL) -> str:
    """The database as a user knows it: the file's path, or the URL without its password."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return hide_password(str(url))
    path = sqlite_file(parsed)
    return str(path) if path is not None else parsed.render_as_string(hide_password=True)


def make_db_file(path: Path) -> None:
    """Make the directory (0o750) and an empty database file (0o660 less the umask) if they
    are not there, so that SQLite never creates the file with the umask's wider default."""
    try:
        path.parent.mkdir(mode=DB_DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
        raise StoreError(f"cannot create the database {path}: {why}") from exc
    os.close(fd)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a sqlite:/// or postgresql:// URL, with the settings floorsup relies on."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"--db: {hide_password(url)!r} is neither a file path nor a database URL"
        ) from None  # the cause repeats the URL, password and all
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            make_db_file(path)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


# -- is the file a database? (cheap enough for every start) ---------------------------------


def header_problem(path: Path) -> str | None:
    """What is wrong with the file's first 100 bytes and its size, or None when they look
    like a SQLite database (or the file is empty or absent: a new database). Reads 100 bytes
    and two stat calls: cheap at every start, whatever the file's size."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with path.open("rb") as fh:
        head = fh.read(HEADER_BYTES)
    if not (head.startswith(SQLITE_MAGIC) or SQLITE_MAGIC.startswith(head)):
        return (
            "it does not begin with SQLite's header: not a database, or its header was overwritten"
        )
    if len(head) < HEADER_BYTES:
        return f"it is only {size} bytes long, shorter than a database header: cut short"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header gives an impossible page size ({page_size}): the header is damaged"
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None  # mid-checkpoint the file may be shorter than its header says: SQLite knows
    if size % page_size:
        return f"its {size:,} bytes are not a whole number of {page_size}-byte pages: cut short"
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]  # the in-header size is valid (SQLite 3.7.0 and on)
    if valid and pages * page_size > size:
        return (
            f"its header counts {pages:,} pages ({pages * page_size:,} bytes) but the file "
            f"holds {size:,} bytes: cut short"
        )
    return None


def damaged_message(where: str, why: str, *, opening: bool = False) -> str:
    what = (
        f"cannot open the database {where}: the file is damaged"
        if opening
        else f"the database file {where} is damaged"
    )
    return (
        f"{what} ({why}). Restore the newest backup with "
        f"`floorsup --db {where} restore BACKUP` (the damaged file is kept beside it), or move "
        f"the file away and run `floorsup init` to start an empty database. "
        f"`floorsup check` reports what is wrong."
    )


def check_file(engine: Engine) -> None:
    """Raise DatabaseDamaged when a SQLite file's header says it is not (or no longer) a
    database. Nothing to check for PostgreSQL, which guards its own pages."""
    path = sqlite_file(engine.url)
    if path is None:
        return
    try:
        why = header_problem(path)
    except OSError as exc:
        raise StoreError(f"cannot read the database {path}: {exc.strerror or exc}") from exc
    if why is not None:
        raise DatabaseDamaged(damaged_message(str(path), why, opening=True))


# -- low-level errors as a message that says what to do ---------------------------------------


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is seen for seen in out):
            continue
        out.append(e)
        todo.extend([getattr(e, "orig", None), e.__cause__, e.__context__])
    return out


def db_error_kind(exc: BaseException) -> str | None:
    """'damaged', 'full', 'busy', 'readonly', 'io' or 'cantopen' when `exc` (or what it
    wraps: SQLAlchemy keeps the driver's error in `.orig`) is one of those; else None."""
    for e in _causes(exc):
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            return "full"
        if not isinstance(e, sqlite3.Error):
            continue
        code = (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF
        text = str(e).lower()
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
            "malformed" in text or "not a database" in text
        ):
            return "damaged"
        if code == _SQLITE_FULL or "disk is full" in text:
            return "full"
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "is locked" in text:
            return "busy"
        if code == _SQLITE_READONLY or "readonly" in text:
            return "readonly"
        if code == _SQLITE_IOERR or "disk i/o error" in text:
            return "io"
        if code == _SQLITE_CANTOPEN or "unable to open" in text:
            return "cantopen"
    return None


def _driver_text(exc: BaseException) -> str:
    for e in _causes(exc):
        if isinstance(e, sqlite3.Error):
            return str(e)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def explain_db_error(exc: BaseException, where: str, *, opening: bool = False) -> StoreError | None:
    """A StoreError saying what happened to the database `where` and what to do, for the
    errors a user can act on (damaged file, full disk, lock held, read-only, I/O); None for
    anything else (a bug, which should show as one)."""
    if isinstance(exc, StoreError):
        return exc
    kind = db_error_kind(exc)
    why = _driver_text(exc)
    if kind == "damaged":
        return DatabaseDamaged(damaged_message(where, why, opening=opening))
    if kind == "full":
        return DatabaseFull(
            f"the database {where} cannot grow: disk full ({why}). Nothing was half-written: "
            f"each write is one transaction, so what was committed before stays and the rest "
            f"was rolled back (an ingest resumes from its last committed line). Free space on "
            f"that disk, then run the command again."
        )
    if kind == "busy":
        return StoreError(
            f"the database {where} is busy: another program held its lock for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s ({why}); try again"
        )
    if kind == "readonly":
        return StoreError(
            f"the database {where} cannot be written ({why}): check the owner and mode of "
            f"the file, its -wal and -shm files and its directory"
        )
    if kind == "io":
        return StoreError(
            f"the database {where} could not be read or written: disk I/O error ({why}). "
            f"Check the disk, then run `floorsup check`."
        )
    if kind == "cantopen":
        return StoreError(
            f"cannot open the database {where} ({why}): check that its directory exists and "
            f"that you may read and write it"
        )
    return None


# -- schema -----------------------------------------------------------------------------------


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def _scripts() -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def known_revision(revision: str) -> bool:
    """Whether this program's migrations include `revision` (a newer floorsup's do not)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises for an unknown revision id
        return False


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (every command does this on first use)."""
    from alembic import command

    check_file(engine)
    cfg = alembic_config(engine)
    # BEGIN IMMEDIATE on SQLite: a migration waits for a writer (busy_timeout) instead of
    # being refused at once when it goes from reading to writing.
    with write_conn(engine) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine | None = None) -> str | None:
    return _scripts().get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Upgrade only when behind, so a running app never pays for alembic on each start.

    Every start checks, cheaply, that a SQLite file is a database: its header (100 bytes
    and the file's size) and its schema (read to find the revision). A damaged page deeper
    in the file shows when it is read, as the same clear DatabaseDamaged error (the CLI
    maps it); `floorsup check` reads every page on demand."""
    where = db_location(engine.url)
    check_file(engine)
    try:
        current = current_revision(engine)
    except Exception as exc:  # damaged file, not a database, no permission...
        raise explain_db_error(exc, where, opening=True) or StoreError(
            f"cannot open the database {where}: {exc}"
        ) from exc
    head = head_revision(engine)
    if current == head:
        return
    if current is not None and not known_revision(current):
        raise StoreError(
            f"the database {where} has schema revision {current}, which this floorsup does "
            f"not know (its newest is {head}): it was made by a newer floorsup; use that one"
        )
    try:
        upgrade(engine)
    except StoreError:
        raise
    except Exception as exc:
        problem = explain_db_error(exc, where)
        if problem is None:
            raise
        raise problem from exc


def write_conn(engine: Engine) -> Any:
    """A connection whose transactions start with BEGIN IMMEDIATE on SQLite."""
    conn = engine.connect()
    conn.info["write"] = True
    return conn

"""`floorsup migrate-data --from URL --to URL`: copy a whole floorsup database into another,
SQLite to PostgreSQL (a centre that outgrew one machine) or back, SQLite to SQLite, or
PostgreSQL to PostgreSQL; then check the copy.

A URL is a file path or sqlite:///PATH (a SQLite file), or postgresql://... (also
postgresql+psycopg://...). Passwords are never printed (`db_location` masks them).

What is refused, before anything is written (exit 2, with what to do):
- a URL that is not one (or names another kind of database), a server that cannot be
  reached, a SQLite source that does not exist (it is never created);
- a source whose schema is not this floorsup's newest revision: older (upgrade it first with
  `floorsup --db SOURCE init`), newer (made by a newer floorsup), or none at all;
- a target that holds rows in any table (the refusal names them), or whose schema is newer;
- the same database as both source and target (same file, or the same PostgreSQL database
  however it is spelt: the server's system identifier, the database and schema compared);
- a SQLite target that is not a database file, or in a directory that does not exist;
- a source table outside floorsup's schema that holds rows, or a column one side lacks
  (it would be lost).

How the copy is made:
- The target gets its schema from the project's own Alembic migrations (`ensure_schema`),
  never from the source: its indexes, triggers and note search are the migrations' (on
  SQLite an FTS5 table kept by triggers, on PostgreSQL a GIN index; migration 0003).
- Tables: those of the target's schema after migration (reflected), less alembic_version
  and SQLite's virtual FTS tables and their shadow tables; parents before children (foreign
  key order), primary keys kept, rows read in primary-key order and streamed in batches of
  BATCH_ROWS (a big queue_event never sits in memory; -v says how far it has got).
- The target's write lock (SQLite) or an EXCLUSIVE lock on its tables (PostgreSQL) is held
  from the start of the copy to the commit, and its emptiness checked again under it.
- The source is read in one read transaction (SQLite: one snapshot, on a read-only
  connection that never switches the file's journal mode; PostgreSQL: REPEATABLE READ READ
  ONLY), so the copy is the database at one instant even while an ingest keeps writing.
  What is written to the source after the copy began is not in the target.
- The target is written in one transaction: to PostgreSQL with COPY, to SQLite with INSERT
  (whose triggers index notes; the note index is then rebuilt from the notes, so search
  matches the notes copied whatever happened before). On PostgreSQL every serial/identity
  sequence is then set to its column's max so new rows get new ids, and the tables are
  ANALYZEd. audit_log is append-only (migration 0007): inserting is allowed.
- Before the commit, each table's row count in the target is compared with the source's
  (counted in the same snapshot): a difference rolls everything back. Any failure rolls the
  target back, so it holds no rows; a SQLite file this command created is removed.

NUL characters: PostgreSQL text cannot hold U+0000, and SQLite text can (a damaged feed line
set aside in rejected_line.raw, say). Copying into PostgreSQL replaces each NUL with U+FFFD,
the replacement character (visible, and it says "a character was lost here"), and the
report counts them per table and column. Not U+FFFF: that is what reads on PostgreSQL send
in place of a NUL looked for (store/sql.py) so that such a lookup finds nothing; with
U+FFFD stored it still does. Copies into SQLite keep text exactly as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from floorsup.config import Settings, db_url
from floorsup.store.engine import (
    BUSY_TIMEOUT_MS,
    DatabaseDamaged,
    StoreError,
    current_revision,
    damaged_message,
    db_location,
    ensure_schema,
    head_revision,
    header_problem,
    hide_password,
    known_revision,
    make_engine,
    sqlite_file,
    write_conn,
)

log = logging.getLogger(__name__)

BATCH_ROWS = 5_000
NUL = "\x00"
NUL_REPLACEMENT = "\ufffd"
SKIPPED_TABLES = frozenset({"alembic_version"})
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class MigrateError(StoreError):
    """A copy that cannot be made (or was rolled back); the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    name: str
    rows: int
    seconds: float


@dataclass(frozen=True, slots=True)
class MigrateReport:
    source: str  # as a user knows it: a path, or the URL without its password
    target: str
    source_kind: str  # "SQLite" | "PostgreSQL"
    target_kind: str
    revision: str
    tables: tuple[TableCopy, ...]
    copy_seconds: float  # the copy itself: first row read to the commit
    total_seconds: float  # and the checks and the target's schema
    target_created: bool  # a new SQLite file
    # "table.column" -> NUL characters replaced with U+FFFD (copies into PostgreSQL only)
    nul_replaced: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.copy_seconds if self.copy_seconds > 0 else 0.0


# -- opening the two databases -----------------------------------------------------------------


@dataclass
class _Side:
    role: str  # "source" | "target"
    option: str  # "--from" | "--to"
    url: URL
    where: str
    kind: str  # "sqlite" | "postgresql"
    path: Path | None  # the SQLite file

    @property
    def label(self) -> str:
        return f"the {self.role} {self.where}"


def _side(value: str, role: str, option: str) -> _Side:
    text = (value or "").strip()
    if not text:
        raise MigrateError(f"{option}: expected a database file path or URL")
    raw = db_url(text)
    try:
        url = make_url(raw)
    except ArgumentError:
        raise MigrateError(
            f"{option}: {hide_password(text)!r} is neither a file path nor a database URL"
        ) from None  # the cause repeats the URL, password and all
    kind = url.get_backend_name()
    if kind not in BACKENDS:
        raise MigrateError(
            f"{option}: {db_location(url)!r}: unknown kind of database {kind!r}; expected a "
            "SQLite file (a path or sqlite:///PATH) or postgresql://USER@HOST/DATABASE"
        )
    path = sqlite_file(url)
    if kind == "sqlite" and path is None:
        raise MigrateError(
            f"{option}: {db_location(url)!r}: an in-memory database cannot be copied "
            "from or into; name a file"
        )
    return _Side(role, option, url, db_location(url), kind, path)


def _readonly_sqlite_engine(path: Path) -> Engine:
    """The source file opened read-only: never created, never written, its journal mode
    left as it is (make_engine's connections switch a file to WAL; a backup is not)."""
    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.isolation_level = None  # SQLAlchemy's begin listener below says BEGIN
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")  # deferred: a read snapshot from the first SELECT

    return engine


def _why(exc: BaseException) -> str:
    """The first line of what the driver said, password masked."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return hide_password(lines[0] if lines else type(orig).__name__)


def _connect_check(engine: Engine, side: _Side) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        hint = ""
        if side.kind == "postgresql" and "does not exist" in str(exc.orig):
            hint = " (create it first, e.g. `createdb`, or name another database)"
        raise MigrateError(f"cannot open {side.label}: {_why(exc)}{hint}") from None


def _open_source(side: _Side) -> Engine:
    if side.path is not None:
        if not side.path.exists():
            raise MigrateError(
                f"{side.option}: the source {side.where} does not exist (nothing was created): "
                "check the path"
            )
        if not side.path.is_file():
            raise MigrateError(f"{side.option}: the source {side.where} is not a file")
        why = header_problem(side.path)
        if why is not None:
            raise DatabaseDamaged(damaged_message(side.where, why, opening=True))
        engine = _readonly_sqlite_engine(side.path)
    else:
        engine = _make_engine(side)
    _connect_check(engine, side)
    return engine


def _make_engine(side: _Side) -> Engine:
    try:
        return make_engine(side.url.render_as_string(hide_password=False))
    except NoSuchModuleError:
        raise MigrateError(
            f"{side.option}: {side.where}: no driver for that URL "
            "(use postgresql:// or postgresql+psycopg://)"
        ) from None
    except ImportError as exc:
        raise MigrateError(
            f"{side.option}: {side.where}: the database driver is not installed ({exc.name})"
        ) from None


def _check_source_revision(engine: Engine, side: _Side) -> str:
    head = head_revision()
    try:
        current = current_revision(engine)
    except DBAPIError as exc:
        raise MigrateError(f"cannot read {side.label}: {_why(exc)}") from None
    init = f"`floorsup --db {shlex.quote(side.where)} init`"
    if current is None:
        raise MigrateError(
            f"the source {side.where} holds no floorsup schema (no alembic_version table): is "
            f"it the right database? An older floorsup's database is upgraded with {init}"
        )
    if not known_revision(current):
        raise MigrateError(
            f"the source {side.where} has schema revision {current}, which this floorsup does "
            f"not know (its newest is {head}): it was made by a newer floorsup; use that one"
        )
    if current != head:
        raise MigrateError(
            f"the source {side.where} is at schema revision {current}, older than this "
            f"floorsup's {head}: upgrade it first with {init}, then copy it"
        )
    assert head is not None
    return head


def _pg_identity(engine: Engine) -> tuple[str, str]:
    """The server (its system identifier: the same for every address and name it is reached
    by), the database and the schema the tables are in."""
    with engine.connect() as conn:
        db = str(
            conn.exec_driver_sql("SELECT current_database() || '.' || current_schema()").scalar()
        )
    try:
        with engine.connect() as conn:
            server = str(
                conn.exec_driver_sql("SELECT system_identifier FROM pg_control_system()").scalar()
            )
    except DBAPIError:  # a role without access to it: the start instant and port will do
        with engine.connect() as conn:
            server = str(
                conn.exec_driver_sql(
                    "SELECT pg_postmaster_start_time()::text || ' ' || current_setting('port')"
                ).scalar()
            )
    return server, db


def _same_database(src: _Side, src_engine: Engine, dst: _Side, dst_engine: Engine) -> bool:
    if src.kind != dst.kind:
        return False
    if src.path is not None and dst.path is not None:
        return False  # compared by file before the target was opened
    return _pg_identity(src_engine) == _pg_identity(dst_engine)


def _same_file(src: _Side, dst: _Side) -> bool:
    if src.path is None or dst.path is None:
        return False
    try:
        return os.path.samefile(src.path, dst.path)
    except OSError:
        return src.path.resolve() == dst.path.resolve()


# -- which tables ------------------------------------------------------------------------------


def _copied_names(conn: Connection) -> list[str]:
    """The tables the copy is about: all but alembic_version and (SQLite) virtual tables
    with their shadow tables (the note search's coaching_note_fts*, which the target's own
    migrations make and its triggers fill)."""
    names = set(inspect(conn).get_table_names())
    skip = set(SKIPPED_TABLES)
    if conn.dialect.name == "sqlite":
        virtual = {
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        }
        skip |= virtual
        try:
            skip |= {
                str(r[1])
                for r in conn.exec_driver_sql("PRAGMA main.table_list")
                if r[2] in ("virtual", "shadow")
            }
        except DBAPIError:  # before SQLite 3.37: shadow tables are named after their table
            skip |= {n for n in names for v in virtual if n.startswith(v + "_")}
    return sorted(names - skip)


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _tables_with_rows(conn: Connection) -> list[tuple[str, int]]:
    out = []
    for name in _copied_names(conn):
        q = _quoted(conn, name)
        if conn.exec_driver_sql(f"SELECT 1 FROM {q} LIMIT 1").first() is not None:
            out.append((name, int(conn.exec_driver_sql(f"SELECT count(*) FROM {q}").scalar_one())))
    return out


def _plan(src_conn: Connection, dst_conn: Connection) -> tuple[list[Table], list[Table]]:
    """The tables both sides have, the target's in foreign-key order and the source's table
    of each name. A source table the target's schema has not got is refused if it holds
    rows (they would be lost), and so is a column either side lacks; a table only the target
    has (another program's, say: empty, as checked) is left alone."""
    dst_names = set(_copied_names(dst_conn))
    src_names = set(_copied_names(src_conn))
    lost = []
    for name in sorted(src_names - dst_names):
        n = int(
            src_conn.exec_driver_sql(f"SELECT count(*) FROM {_quoted(src_conn, name)}").scalar_one()
        )
        if n:
            lost.append(f"{name} ({n:,} row{'s' if n != 1 else ''})")
        else:
            log.warning("table %s: not in floorsup's schema and empty: not copied", name)
    if lost:
        raise MigrateError(
            f"the source has table(s) that floorsup's schema has not: {', '.join(lost)}; "
            "they would not be copied. Move them elsewhere (or drop them) first"
        )
    for name in sorted(dst_names - src_names):
        log.warning("table %s: only in the target, left empty", name)
    names = sorted(dst_names & src_names)
    dst_md, src_md = MetaData(), MetaData()
    dst_md.reflect(dst_conn, only=names)
    src_md.reflect(src_conn, only=names)
    order = [t for t in dst_md.sorted_tables if t.name in names]
    for t in order:
        theirs = {c.name for c in src_md.tables[t.name].columns}
        ours = {c.name for c in t.columns}
        if theirs != ours:
            diff = []
            if theirs - ours:
                diff.append("only in the source: " + ", ".join(sorted(theirs - ours)))
            if ours - theirs:
                diff.append("only in the target: " + ", ".join(sorted(ours - theirs)))
            raise MigrateError(f"table {t.name}: the columns differ ({'; '.join(diff)})")
    return order, [src_md.tables[t.name] for t in order]


# -- the copy ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every table read at the same instant."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield conn
        else:
            with conn.begin():
                yield conn


def _rows(
    conn: Connection, table: Table, columns: list[str], batch: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in primary-key order, `batch` at a time (a server-side cursor on
    PostgreSQL, SQLite's own stepping on SQLite)."""
    stmt = select(*(table.c[c] for c in columns)).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=batch).execute(stmt)
    try:
        for part in result.partitions(batch):
            yield list(map(tuple, part))
    finally:
        result.close()


def _has_nul(rows: list[tuple[Any, ...]], i: int) -> bool:
    """Whether column `i` of the batch holds a NUL: one scan in C over the batch's text."""
    try:
        return NUL in "".join(filter(None, map(itemgetter(i), rows)))
    except TypeError:  # not all text (SQLite stores what it is given)
        return any(isinstance(r[i], str) and NUL in r[i] for r in rows)


class _NulCounter:
    """Replaces NUL in the text columns of rows bound for PostgreSQL, counting per column."""

    def __init__(self, table: Table, columns: list[str]) -> None:
        self.table = table.name
        self.text = [(i, c) for i, c in enumerate(columns) if isinstance(table.c[c].type, String)]
        self.counts: dict[str, int] = {}

    def clean(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        hit = [(i, c) for i, c in self.text if _has_nul(rows, i)]
        if not hit:
            return rows
        out = list(rows)
        for n, row in enumerate(rows):
            values = list(row)
            for i, c in hit:
                v = values[i]
                if isinstance(v, str) and NUL in v:
                    key = f"{self.table}.{c}"
                    self.counts[key] = self.counts.get(key, 0) + v.count(NUL)
                    values[i] = v.replace(NUL, NUL_REPLACEMENT)
            out[n] = tuple(values)
        return out


def _copy_sql(dst: Connection, table: Table, columns: list[str]) -> Any:
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )


PROGRESS_SECONDS = 5.0


def _progress(table: str, expected: int) -> Callable[[int], None]:
    """Says how far a long table has got (-v), every PROGRESS_SECONDS."""
    last = time.monotonic()

    def said(copied: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            last = now
            log.info("%s: %s of %s rows", table, f"{copied:,}", f"{expected:,}")

    return said


def _copy_table(
    src: Connection,
    dst: Connection,
    src_table: Table,
    dst_table: Table,
    batch: int,
    nul: dict[str, int],
    expected: int = 0,
) -> int:
    """Stream one table's rows from the source into the target; how many were copied."""
    columns = [c.name for c in dst_table.columns]
    progress = _progress(dst_table.name, expected)
    # Only text read from SQLite can hold a NUL that PostgreSQL would refuse.
    needs_cleaning = dst.dialect.name == "postgresql" and src.dialect.name != "postgresql"
    cleaner = _NulCounter(dst_table, columns) if needs_cleaning else None
    copied = 0
    if dst.dialect.name == "postgresql" and dst.dialect.driver == "psycopg":
        cur = dst.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cur.copy(_copy_sql(dst, dst_table, columns)) as cp:
                for rows in _rows(src, src_table, columns, batch):
                    for row in cleaner.clean(rows) if cleaner else rows:
                        cp.write_row(row)
                    copied += len(rows)
                    progress(copied)
        finally:
            cur.close()
    elif dst.dialect.paramstyle == "qmark":  # SQLite: the driver's executemany, per batch
        sql = (
            f"INSERT INTO {_quoted(dst, dst_table.name)} "
            f"({', '.join(_quoted(dst, c) for c in columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        convert = _bind_processors(dst, dst_table, columns)
        for rows in _rows(src, src_table, columns, batch):
            dst.exec_driver_sql(sql, convert(rows) if convert else rows)
            copied += len(rows)
            progress(copied)
    else:  # another PostgreSQL driver than psycopg: SQLAlchemy's INSERT of many rows
        stmt = insert(dst_table)
        for rows in _rows(src, src_table, columns, batch):
            if cleaner is not None:
                rows = cleaner.clean(rows)
            dst.execute(stmt, [dict(zip(columns, r, strict=True)) for r in rows])
            copied += len(rows)
            progress(copied)
    for key, n in (cleaner.counts if cleaner else {}).items():
        nul[key] = nul.get(key, 0) + n
    return copied


def _hold_target(dst: Connection, tables: list[Table]) -> None:
    """Keep other writers out of the target until the commit, and check again that it is
    empty now that nobody can add a row (it was checked before its schema was made).
    SQLite: the write transaction began with BEGIN IMMEDIATE, the database's write lock.
    PostgreSQL: every table locked EXCLUSIVE (others may still read, nobody may write)."""
    if dst.dialect.name == "postgresql":
        dst.exec_driver_sql(
            f"LOCK TABLE {', '.join(_quoted(dst, t.name) for t in tables)} IN EXCLUSIVE MODE"
        )
    full = _tables_with_rows(dst)
    if full:
        raise MigrateError(
            "the target was written to while the copy was starting: "
            + ", ".join(name for name, _ in full)
            + ". Stop whatever writes to it, and copy into a new file or an empty database"
        )


def _bind_processors(
    dst: Connection, table: Table, columns: list[str]
) -> Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]] | None:
    """What SQLAlchemy does to a value before the driver gets it (SQLite: a date becomes
    its ISO text, a bool 0 or 1), for the columns that need it; None when none does."""
    dialect = dst.dialect
    procs = [
        (i, proc)
        for i, c in enumerate(columns)
        if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    if not procs:
        return None

    def convert(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        out = []
        for row in rows:
            values = list(row)
            for i, proc in procs:
                values[i] = proc(values[i])
            out.append(tuple(values))
        return out

    return convert


def _reset_sequences(dst: Connection, tables: list[Table]) -> None:
    """PostgreSQL: each serial or identity column's sequence set past the largest id copied,
    so the next row inserted gets a new id."""
    names = [t.name for t in tables]
    rows = dst.exec_driver_sql(
        "SELECT table_name, column_name, seq FROM ("
        "  SELECT table_name, column_name,"
        "         pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq"
        "  FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND table_name = ANY(%(names)s)"
        ") s WHERE seq IS NOT NULL ORDER BY table_name, column_name",
        {"names": names},
    ).all()
    for table, column, seq in rows:
        t, c = _quoted(dst, str(table)), _quoted(dst, str(column))
        dst.exec_driver_sql(
            f"SELECT setval(%(seq)s::regclass, GREATEST(COALESCE(max({c}), 0), 1), "
            f"COALESCE(max({c}), 0) >= 1) FROM {t}",
            {"seq": seq},
        )
        log.info("sequence %s set past the largest %s.%s", seq, table, column)


def _rebuild_sqlite_search(dst: Connection) -> None:
    """SQLite: each external-content FTS table rebuilt from its content table (the notes'
    search index then holds exactly the notes copied)."""
    for name, ddl in dst.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    ).all():
        text = str(ddl).lower().replace(" ", "")
        if "usingfts" in text and "content=" in text and "content=''" not in text:
            q = _quoted(dst, str(name))
            dst.exec_driver_sql(f"INSERT INTO {q}({q}) VALUES ('rebuild')")
            log.info("search index %s rebuilt", name)


def migrate_data(
    from_url: str,
    to_url: str,
    *,
    batch_rows: int = BATCH_ROWS,
    on_table: Callable[[TableCopy], None] | None = None,
) -> MigrateReport:
    """Copy every row of the database at `from_url` into the empty database at `to_url`
    (see the module's notes); a refusal or a failure leaves the target without rows."""
    started = time.perf_counter()
    src = _side(from_url, "source", "--from")
    dst = _side(to_url, "target", "--to")
    src_engine = _open_source(src)
    engines = [src_engine]
    created = False
    try:
        if _same_file(src, dst):
            raise MigrateError(
                f"--from and --to are the same database ({src.where}): nothing to do"
            )
        revision = _check_source_revision(src_engine, src)
        log.info("source: %s (%s, schema %s)", src.where, BACKENDS[src.kind], revision)
        if dst.path is not None:
            created = _check_target_file(dst.path, dst.where)
        dst_engine = _make_engine(dst)
        engines.append(dst_engine)
        _connect_check(dst_engine, dst)
        if _same_database(src, src_engine, dst, dst_engine):
            raise MigrateError(
                f"--from and --to are the same database ({src.where} and {dst.where}): "
                "nothing to do"
            )
        _prepare_target(dst_engine, dst)
        tables, seconds, nul = _copy(src_engine, dst_engine, batch_rows, on_table)
    except BaseException:
        for engine in engines:
            engine.dispose()
        if created and dst.path is not None:
            _remove_new_file(dst.path)
        raise
    for engine in engines:
        engine.dispose()
    return MigrateReport(
        source=src.where,
        target=dst.where,
        source_kind=BACKENDS[src.kind],
        target_kind=BACKENDS[dst.kind],
        revision=revision,
        tables=tables,
        copy_seconds=seconds,
        total_seconds=time.perf_counter() - started,
        target_created=created,
        nul_replaced=nul,
    )


def _check_target_file(path: Path, where: str) -> bool:
    """Refuse a target path that is not a file SQLite can start or continue; whether the
    copy will create it."""
    if path.is_dir():
        raise MigrateError(f"--to: {where} is a directory; name a database file")
    if path.exists():
        why = header_problem(path)
        if why is not None:
            raise MigrateError(
                f"--to: {where} is not a database ({why}); name a new file or an empty database"
            )
        return False
    if not path.parent.is_dir():
        raise MigrateError(f"--to: the directory {path.parent} does not exist; make it first")
    return True


def _remove_new_file(path: Path) -> None:
    """A target file this command created, and the files SQLite keeps beside it: unless
    someone else wrote rows into it meanwhile (or it cannot be read), then it stays."""
    try:
        engine = make_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as conn:
                if _tables_with_rows(conn):
                    return
        finally:
            engine.dispose()
    except Exception:  # a file that cannot be read: left for the user to look at
        return
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _prepare_target(engine: Engine, side: _Side) -> None:
    """Refuse a target with a newer schema or with rows (changing nothing); then create or
    upgrade its schema with the project's migrations."""
    try:
        current = current_revision(engine)
        if current is not None and not known_revision(current):
            raise MigrateError(
                f"the target {side.where} has schema revision {current}, which this floorsup "
                f"does not know: it was made by a newer floorsup; use that one"
            )
        with engine.connect() as conn:
            full = _tables_with_rows(conn)
    except DBAPIError as exc:
        raise MigrateError(f"cannot read {side.label}: {_why(exc)}") from None
    if full:
        listed = ", ".join(f"{name} ({n:,} row{'s' if n != 1 else ''})" for name, n in full)
        raise MigrateError(
            f"the target {side.where} is not empty: {listed}. Nothing was changed. Copy into "
            "a new file or an empty database"
        )
    try:
        ensure_schema(engine)
    except DBAPIError as exc:  # a role that may not create tables, say
        raise MigrateError(f"cannot make floorsup's schema in {side.label}: {_why(exc)}") from None
    log.info("target: %s (%s), schema ready", side.where, BACKENDS[side.kind])


def _copy(
    src_engine: Engine,
    dst_engine: Engine,
    batch_rows: int,
    on_table: Callable[[TableCopy], None] | None,
) -> tuple[tuple[TableCopy, ...], float, dict[str, int]]:
    started = time.perf_counter()
    done: list[TableCopy] = []
    nul: dict[str, int] = {}
    stage = "before the first table"
    try:
        with _read_snapshot(src_engine) as sconn, write_conn(dst_engine) as dconn, dconn.begin():
            order, src_tables = _plan(sconn, dconn)
            _hold_target(dconn, order)
            expected = {t.name: _count(sconn, t) for t in src_tables}
            for dst_table, src_table in zip(order, src_tables, strict=True):
                current = dst_table.name
                stage = f"while copying table {current}"
                log.info("%s: copying %s rows", current, f"{expected[current]:,}")
                t0 = time.perf_counter()
                n = _copy_table(
                    sconn, dconn, src_table, dst_table, batch_rows, nul, expected[current]
                )
                item = TableCopy(current, n, time.perf_counter() - t0)
                log.info("%s: %s rows in %.2f s", current, f"{n:,}", item.seconds)
                done.append(item)
                if on_table is not None:
                    on_table(item)
            stage = "after copying every table"
            if dconn.dialect.name == "postgresql":
                _reset_sequences(dconn, order)
            else:
                _rebuild_sqlite_search(dconn)
            wrong = [
                f"{t.name}: source {expected[t.name]:,}, copied {c.rows:,}, target {got:,}"
                for t, c in zip(order, done, strict=True)
                if not (expected[t.name] == c.rows == (got := _count(dconn, t)))
            ]
            if wrong:
                raise MigrateError(
                    "the copy does not match the source, so it was rolled back (the target "
                    "holds no rows): " + "; ".join(wrong)
                )
            if dconn.dialect.name == "postgresql":
                for t in order:
                    dconn.exec_driver_sql(f"ANALYZE {_quoted(dconn, t.name)}")
            log.info("row counts equal in every table; committing")
    except MigrateError:
        raise
    except (DBAPIError, sqlite3.Error, ValueError, OverflowError, UnicodeError) as exc:
        raise MigrateError(_failed(exc, stage)) from exc
    except Exception as exc:
        if not _is_psycopg_error(exc):
            raise
        raise MigrateError(_failed(exc, stage)) from exc
    return tuple(done), time.perf_counter() - started, nul


def _is_psycopg_error(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a SQLite-only install
        return False
    return isinstance(exc, psycopg.Error)


def _failed(exc: BaseException, stage: str) -> str:
    return (
        f"the copy failed {stage}: {_why(exc)}. The target was rolled back: it holds "
        "no rows (a file this copy created is removed); the source is unchanged"
    )


# -- the command -------------------------------------------------------------------------------


def render_report(report: MigrateReport) -> str:
    width = max([len("table"), *(len(t.name) for t in report.tables)])
    lines = [
        f"copied {report.source} ({report.source_kind}) to {report.target} "
        f"({report.target_kind}{', a new file' if report.target_created else ''}), "
        f"schema {report.revision}",
        f"  {'table':<{width}}  {'rows':>12}  {'seconds':>8}",
    ]
    for t in report.tables:
        lines.append(f"  {t.name:<{width}}  {t.rows:>12,}  {t.seconds:>8.2f}")
    lines.append(
        f"{len(report.tables)} tables, {report.rows:,} rows in {report.copy_seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s; {report.total_seconds:.1f} s with the checks "
        "and the target's schema)"
    )
    lines.append("verified: every table holds as many rows in the target as in the source")
    if report.nul_replaced:
        total = sum(report.nul_replaced.values())
        where = ", ".join(f"{k} {n:,}" for k, n in sorted(report.nul_replaced.items()))
        lines.append(
            f"NUL characters: {total:,} replaced with U+FFFD (PostgreSQL text cannot hold "
            f"U+0000): {where}"
        )
    return "\n".join(lines)


def migrate_data_command(args: argparse.Namespace, settings: Settings) -> int:
    """`floorsup migrate-data --from URL --to URL` (the --db setting is not used)."""
    report = migrate_data(args.from_url, args.to_url)
    print(render_report(report))
    return 0

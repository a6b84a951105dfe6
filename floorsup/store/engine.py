"""The engine factory: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, same code.

Nothing here runs at import time: the app, the CLI and the tests each ask for an engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "db" / "migrations"
BUSY_TIMEOUT_MS = 10_000


class StoreError(RuntimeError):
    """The database cannot be used; the message says what to do."""


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


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a sqlite:/// or postgresql:// URL, with the settings floorsup relies on."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"--db: {url!r} is neither a file path nor a database URL") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (every command does this on first use)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Upgrade only when behind, so a running app never pays for alembic on each start."""
    try:
        if current_revision(engine) == head_revision(engine):
            return
    except Exception as exc:  # damaged file, not a database, no permission...
        raise StoreError(
            f"cannot open the database {engine.url.database or engine.url}: {exc}"
        ) from exc
    upgrade(engine)


def write_conn(engine: Engine) -> Any:
    """A connection whose transactions start with BEGIN IMMEDIATE on SQLite."""
    conn = engine.connect()
    conn.info["write"] = True
    return conn

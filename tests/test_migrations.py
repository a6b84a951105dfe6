"""The schema comes only from migrations: upgrading an empty database to head gives exactly
the tables the models describe (nothing missing, nothing left to autogenerate)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import floorsup.store.models  # noqa: F401
from floorsup.store.engine import current_revision, ensure_schema, head_revision, make_engine


def _include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    # The full-text index of notes (an FTS5 table and its shadows on SQLite, a GIN index
    # on an expression on PostgreSQL) is made by hand.
    if type_ == "index" and name == "ix_note_search":
        return False
    return not (type_ == "table" and name and name.startswith("coaching_note_fts"))


@pytest.mark.sqlite_only
def test_upgrade_matches_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": _include_name})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert (mode, fks) == ("wal", 1) and busy >= 1000
    ensure_schema(engine)  # a second start changes nothing


@pytest.mark.sqlite_only
def test_damaged_database_file_gets_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    engine = make_engine(f"sqlite:///{bad}")
    try:
        ensure_schema(engine)
    except Exception as exc:
        assert "cannot open the database" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a damaged file was accepted")


@pytest.mark.sqlite_only
def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    """Every migration can be undone and redone (the full-text index with it)."""
    from alembic import command

    from floorsup.store.engine import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    ensure_schema(engine)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}
    assert not any(n.startswith(("coaching_note", "qa_", "note_draft")) for n in names)
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)


CAREER_TABLES = ("career_stage", "career_event", "mentorship", "leadership_note", "adherence_day")


@pytest.mark.sqlite_only
def test_0004_down_to_0003_and_up_again(tmp_path: Path) -> None:
    """Migration 0004 (career path and mentoring) undoes to 0003 and redoes, keeping what
    0003 made; the one-open-mentorship rule comes back with it as a partial unique index."""
    from alembic import command

    from floorsup.store.engine import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    ensure_schema(engine)

    def names() -> set[str]:
        with engine.connect() as conn:
            return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}

    assert set(CAREER_TABLES) <= names()
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert current_revision(engine) == "0003"
    left = names()
    assert not left & set(CAREER_TABLES)
    assert not any(n.startswith(("ix_career", "ix_mentorship", "uq_mentorship")) for n in left)
    assert {"coaching_note", "coaching_note_fts", "qa_evaluation", "staff"} <= left
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'uq_mentorship_open_mentee'"
        ).scalar()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": _include_name}),
            SQLModel.metadata,
        )
    assert "UNIQUE" in sql and "WHERE ended_at IS NULL" in sql
    assert diff == []
    engine.dispose()


def test_0004_renders_for_postgresql() -> None:
    """The migration is written for PostgreSQL too: offline SQL for it has the partial
    unique index and a boolean default PostgreSQL accepts (not SQLite's 0)."""
    import contextlib
    import io

    from alembic import command
    from alembic.config import Config

    from floorsup.store.engine import MIGRATIONS_DIR

    cfg = Config(output_buffer=io.StringIO())
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", "postgresql://floorsup@localhost/floorsup")
    with contextlib.redirect_stdout(io.StringIO()):
        command.upgrade(cfg, "0003:0004", sql=True)
        command.downgrade(cfg, "0004:0003", sql=True)
    out = cfg.output_buffer.getvalue()  # type: ignore[union-attr]
    assert (
        "CREATE UNIQUE INDEX uq_mentorship_open_mentee ON mentorship (mentee_pk) "
        "WHERE ended_at IS NULL" in out
    )
    assert "mentor_opt_in BOOLEAN DEFAULT false NOT NULL" in out
    assert "DROP TABLE mentorship" in out and "DROP TABLE career_stage" in out


@pytest.mark.sqlite_only
def test_0005_down_to_0004_and_up_again(tmp_path: Path) -> None:
    """Migration 0005 (agents' membership history) undoes to 0004 and redoes."""
    from alembic import command

    from floorsup.store.engine import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    ensure_schema(engine)

    def names() -> set[str]:
        with engine.connect() as conn:
            return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}

    assert {"agent_membership", "ix_membership_agent_since"} <= names()
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert current_revision(engine) == "0004"
    assert not {"agent_membership", "ix_membership_agent_since"} & names()
    assert "career_stage" in names()
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": _include_name}),
            SQLModel.metadata,
        )
    assert diff == []
    engine.dispose()


def test_migrations_down_and_up_on_this_backend(engine_factory: Callable[[str], Engine]) -> None:
    """The same migrations on the test database (a SQLite file, or PostgreSQL with
    FLOORSUP_TEST_PG): at head they match the models; undone to 0002 and redone they
    drop and make again what they should."""
    from alembic import command

    from floorsup.store.engine import alembic_config

    engine = engine_factory("m.db")
    ensure_schema(engine)  # already at head: a second start changes nothing
    assert current_revision(engine) == head_revision(engine)

    def diff() -> list[object]:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_name": _include_name})
            return list(compare_metadata(ctx, SQLModel.metadata))

    def tables() -> set[str]:
        return set(inspect(engine).get_table_names())

    assert diff() == []
    assert set(CAREER_TABLES) | {"agent_membership", "coaching_note"} <= tables()
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert current_revision(engine) == "0002"
    assert not any(n.startswith(("coaching_note", "qa_", "note_draft", "career")) for n in tables())
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)
    assert diff() == []
    if engine.dialect.name == "postgresql":  # the search index comes back with 0003
        assert "ix_note_search" in {i["name"] for i in inspect(engine).get_indexes("coaching_note")}

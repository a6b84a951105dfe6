"""The schema comes only from migrations: upgrading an empty database to head gives exactly
the tables the models describe (nothing missing, nothing left to autogenerate)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import floorsup.store.models  # noqa: F401
from floorsup.store.engine import current_revision, ensure_schema, head_revision, make_engine


def _include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    # The full-text index of notes (an FTS5 table and its shadows) is made by hand.
    return not (type_ == "table" and name and name.startswith("coaching_note_fts"))


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

"""Alembic environment for floorsup. Runs with a connection handed in by
floorsup.store.engine.upgrade, or from the `alembic` command with sqlalchemy.url set."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import floorsup.store.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def include_name(name, type_, parent_names) -> bool:
    """Tables the models do not describe on purpose: SQLite's full-text index of notes
    (coaching_note_fts and its shadow tables), and PostgreSQL's ix_note_search, are made by
    hand in migration 0003."""
    if type_ == "index" and name == "ix_note_search":  # its GIN index on PostgreSQL
        return False
    return not (type_ == "table" and name and name.startswith("coaching_note_fts"))


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        include_name=include_name,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Thin helpers for the hot paths that go below the ORM (bulk ingest): one SQL text with
`?` placeholders, run on SQLite's or PostgreSQL's driver with executemany."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def _sql_for(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s")


def executemany(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.executemany(_sql_for(conn, sql), rows)
    finally:
        cur.close()


def fetchall(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(_sql_for(conn, sql), tuple(params))
        return [tuple(r) for r in cur.fetchall()]
    finally:
        cur.close()


def execute(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(_sql_for(conn, sql), tuple(params))
        return int(cur.rowcount or 0)
    finally:
        cur.close()

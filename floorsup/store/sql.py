"""Thin helpers for the hot paths that go below the ORM (bulk ingest): one SQL text with
`?` placeholders, run on SQLite's or PostgreSQL's driver with executemany."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def _sql_for(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s")


# PostgreSQL text cannot hold a NUL (psycopg refuses to send one: DataError), so nothing
# stored there has one. In a read, a value looked for that holds a NUL (typed into a filter,
# read from a file) is sent with U+FFFF, a Unicode noncharacter, in its place: the lookup
# then finds nothing, as it does on SQLite, instead of failing. Writes are left alone: a
# NUL to be stored is refused by the driver rather than quietly changed.
_NUL_STAND_IN = "\uffff"
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def _params_for(conn: Connection, sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    values = tuple(params)
    if conn.dialect.name == "sqlite" or not _READ.match(sql):
        return values
    return tuple(
        v.replace("\x00", _NUL_STAND_IN) if isinstance(v, str) and "\x00" in v else v
        for v in values
    )


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
        cur.execute(_sql_for(conn, sql), _params_for(conn, sql, params))
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


_VALUES = re.compile(r"\s+VALUES\s*\(([^()]+)\)", re.IGNORECASE)


class JsonRows(str):
    """Rows already encoded as a JSON array (see `bulk_insert`): encoding is Python work, so
    a caller with a writer thread does it on its own thread and leaves the writer only
    SQLite's work, which runs without the GIL."""

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]]) -> JsonRows | Sequence[Sequence[Any]]:
        return cls(json.dumps(rows, allow_nan=False)) if rows else rows


def bulk_insert(conn: Connection, sql: str, rows: Sequence[Sequence[Any]] | JsonRows) -> None:
    """`INSERT ... VALUES (?, ...) [ON CONFLICT ...]` for many rows.

    On SQLite the rows travel as one JSON array read by `json_each`: one statement, one
    bound value, so the whole insert runs inside SQLite without taking Python's GIL per
    row (executemany binds each row under the GIL, which starves a writer thread while
    another thread parses). Elsewhere it is a plain executemany.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        executemany(conn, sql, json.loads(rows) if isinstance(rows, JsonRows) else rows)
        return
    m = _VALUES.search(sql)
    if m is None:
        raise ValueError(f"bulk_insert needs INSERT ... VALUES (?, ...): {sql[:60]}")
    items, k = [], 0
    for item in (x.strip() for x in m.group(1).split(",")):
        if item == "?":
            items.append(f"value->>{k}")
            k += 1
        else:
            items.append(item)  # a literal written into the SQL by the caller
    select = " SELECT " + ", ".join(items) + " FROM json_each(?) WHERE true"
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        payload = rows if isinstance(rows, JsonRows) else json.dumps(rows, allow_nan=False)
        cur.execute(sql[: m.start()] + select + sql[m.end() :], (str(payload),))
    finally:
        cur.close()

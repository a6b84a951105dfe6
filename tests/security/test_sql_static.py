"""SQL is built only from constants: every SQL text floorsup runs is followed back (see
sqlscan.py) and each piece that is not a literal, a module constant, a count or a fragment
chosen from constants must be allow-listed here, precisely, with the reason it is safe."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .sqlscan import Scanner

PACKAGE = Path(__file__).resolve().parents[2] / "floorsup"

# (file, function, the interpolated expression) -> why it cannot carry user text.
_CALLERS_SQL = (
    "the helper's own `sql` parameter: the caller's SQL text, which this scan checks at "
    "every call site (_sql_for only swaps ? for %s on PostgreSQL)"
)
ALLOWED: dict[tuple[str, str, str], str] = {
    ("floorsup/store/sql.py", "executemany", "_sql_for(conn, sql)"): _CALLERS_SQL,
    ("floorsup/store/sql.py", "fetchall", "_sql_for(conn, sql)"): _CALLERS_SQL,
    ("floorsup/store/sql.py", "execute", "_sql_for(conn, sql)"): _CALLERS_SQL,
    ("floorsup/store/sql.py", "bulk_insert", "sql"): _CALLERS_SQL,
    ("floorsup/store/sql.py", "bulk_insert", "item"): (
        "a literal from the caller's own `VALUES (...)` list (the caller's SQL text, checked "
        "at its call site), copied into the SELECT over json_each; the ? become value->>k "
        "with k a counter"
    ),
}
# floorsup migrate-data copies whatever tables the schema has: their names come from the
# databases' own catalogues (reflected), never from a user, and are quoted as identifiers.
_SCHEMA_NAME = (
    "a table or column name read from the database's own schema (reflection), quoted by the "
    "dialect's identifier preparer"
)
_CORE = "a SQLAlchemy Core construct over reflected tables (bound parameters), not SQL text"
for _fn, _expr in (
    ("_tables_with_rows", "_quoted(conn, name)"),
    ("_plan", "_quoted(src_conn, name)"),
    ("_copy_table", "_quoted(dst, dst_table.name)"),
    ("_copy_table", "_quoted(dst, c)"),
    ("_hold_target", "_quoted(dst, t.name)"),
    ("_reset_sequences", "_quoted(dst, str(column))"),
    ("_reset_sequences", "_quoted(dst, str(table))"),
    ("_rebuild_sqlite_search", "_quoted(dst, str(name))"),
    ("_copy", "_quoted(dconn, t.name)"),
):
    ALLOWED[("floorsup/migrate.py", _fn, _expr)] = _SCHEMA_NAME
ALLOWED[
    (
        "floorsup/migrate.py",
        "_rows",
        "select(*(table.c[c] for c in columns)).order_by(*table.primary_key.columns)",
    )
] = _CORE
ALLOWED[("floorsup/migrate.py", "_copy_table", "insert(dst_table)")] = _CORE
# Which coaching notes the reader may see: NoteScope.where() in store/access.py returns one
# of three constant conditions ("1 = 1", "n.category IN (?, ...)" with one ? per category,
# "(n.team_id = ? OR s.team_id = ?)"), its values returned separately and bound.
for _fn in ("find_notes", "agent_notes", "note_count", "follow_ups"):
    ALLOWED[("floorsup/store/coaching.py", _fn, "cond")] = (
        "NoteScope.where(): a constant condition whose values are bound"
    )


def test_sql_is_built_only_from_constants() -> None:
    scanner = Scanner(PACKAGE)
    findings = scanner.scan()
    assert scanner.calls_checked > 100  # the scan found the SQL calls at all
    bad = [f for f in findings if f.key not in ALLOWED]
    assert not bad, "SQL built from something that is not a constant:\n" + "\n".join(
        str(f) for f in bad
    )
    stale = set(ALLOWED) - {f.key for f in findings}
    assert not stale, f"allow-list entries that match nothing any more (remove them): {stale}"


def _scan_source(tmp_path: Path, source: str) -> list[str]:
    pkg = tmp_path / "floorsup"
    (pkg / "store").mkdir(parents=True)
    (pkg / "store" / "sql.py").write_text("def fetchall(conn, sql, params=()): ...\n")
    (pkg / "mod.py").write_text(textwrap.dedent(source))
    return [str(f) for f in Scanner(pkg).scan()]


def test_the_scan_catches_interpolated_user_text(tmp_path: Path) -> None:
    found = _scan_source(
        tmp_path,
        """
        from sqlalchemy import text
        from floorsup.store.sql import fetchall

        COLS = "a, b"

        def by_name(conn, name, n):
            fetchall(conn, f"SELECT {COLS} FROM t WHERE name = '{name}'")
            fetchall(conn, "SELECT * FROM t WHERE name = '" + name + "'")
            fetchall(conn, "SELECT * FROM t WHERE name = '%s'" % name)
            fetchall(conn, "SELECT * FROM t WHERE name = '{}'".format(name))
            sql = "SELECT 1"
            if n:
                sql += f" LIMIT {n}"
            fetchall(conn, sql)
            conn.execute(text(f"SELECT {name}"))
            cur = conn.cursor()
            cur.execute("SELECT " + name)
            conn.exec_driver_sql(f"PRAGMA {name}")
        """,
    )
    assert len(found) == 8, "\n".join(found)
    assert all("mod.py:" in f and "by_name()" in f for f in found)
    assert sum("`name`" in f for f in found) == 7 and "`n`" in found[4]


def test_the_scan_accepts_constants_and_placeholders(tmp_path: Path) -> None:
    found = _scan_source(
        tmp_path,
        """
        from floorsup.store.sql import fetchall

        COLS = {"day": "d, n", "week": "w, n"}
        WHERE = " WHERE a = ?"

        def ok(conn, ids, period, until):
            marks = ", ".join("?" * len(ids)) or "NULL"
            fetchall(conn, f"SELECT {COLS[period]} FROM t WHERE id IN ({marks})", ids)
            where = ["a = ?"]
            if until is not None:
                where.append("b <= ?")
            fetchall(conn, "SELECT 1 FROM t WHERE " + " AND ".join(where) + WHERE)
            part, extra = ("", ()) if until is None else (" AND c = ?", (until,))
            fetchall(conn, f"SELECT 1{part}", extra)
            fetchall(conn, f"SELECT 1 LIMIT {int(until)}")
        """,
    )
    assert found == []


def test_findings_say_where_and_why(tmp_path: Path) -> None:
    (found,) = _scan_source(
        tmp_path,
        """
        from floorsup.store.sql import fetchall

        def f(conn, team):
            return fetchall(conn, f"SELECT 1 FROM team WHERE name = '{team}'")
        """,
    )
    assert "floorsup/mod.py:5 in f()" in found
    assert "`team`" in found and "a parameter" in found and "Bind it as a ? parameter" in found

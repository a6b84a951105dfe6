"""Hostile input for every search and filter: SQL injection, LIKE wildcards, FTS5 syntax,
NUL, very long text, Unicode. And a picture of a database (every table and index, with
row counts) to prove that none of it changed anything."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from sqlalchemy import Engine

from floorsup.store.sql import fetchall

HOSTILE: tuple[str, ...] = (
    # SQL injection
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    '"; DROP TABLE coaching_note; --',
    "'); DROP TABLE staff; --",
    "') UNION SELECT name, sql, 1, 1, 1 FROM sqlite_master --",
    "x' UNION SELECT staff_id FROM staff WHERE 'a'='a",
    "1; DELETE FROM coaching_note",
    "1 OR 1=1",
    "/* comment */ wrap",
    ";",
    "--",
    "?",
    ":name",
    "$1",
    "%s",
    # LIKE wildcards and its escape character
    "%",
    "_",
    "\\",
    "%_%",
    "\\%",
    "50%",
    "a_b",
    "[a-z]",
    # FTS5 syntax
    "NEAR(",
    "NEAR(wrap time, 2)",
    '"unbalanced',
    "'unbalanced",
    "*",
    "wrap*",
    "col:term",
    "body:wrap",
    "{body actions}: wrap",
    "AND OR NOT",
    "wrap AND",
    "NOT wrap",
    "-wrap",
    "^wrap",
    "+",
    "(",
    ")",
    # NUL, very long, Unicode
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "wrap " * 5_000,
    "Zoë Ärnold",
    "ZOË",
    "日本語のメモ",
    "😀",
    "\u202eRTL override",
    "\u0301",
    "straße",
    "Ⅻ",
    "\t\n\r",
)

# People whose names and teams are themselves hostile: lookups must find them literally.
ROSTER_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("S1", "Ada O'Brien", "Team 'One'", "agent", "2025-01-06", "SIP/1001"),
    ("S2", 'Ben "Quote" Smith', "50% Team", "agent", "2024-03-01", "SIP/1002"),
    ("S3", "Zoë Ärnold", "Team_Two", "agent", "2024-05-01", "SIP/1003"),
    ("S4", "Robert'); DROP TABLE staff;--", "Bobby \\ Tables", "agent", "2023-01-01", ""),
    ("S5", "Plain Person", "Team One", "agent", "2022-01-01", "PJSIP/1005"),
    ("' OR 1=1 --", "Injected Id", "Team One", "agent", "2022-02-02", ""),
    ("S7", "Percent 100% Underscore_Name", "Team One", "team_lead", "2021-01-01", ""),
)


def roster_csv() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("staff_id", "name", "team", "role", "hire_date", "acd_agent"))
    w.writerows(ROSTER_ROWS)
    return out.getvalue()


def corpus_text(h: str) -> str | None:
    """The note body that holds `h` literally between spaces (None: not a note body)."""
    if len(h) > 1000 or "\x00" in h:
        return None
    return f"about {h} here"


# PostgreSQL's picture of the same: tables (with their columns), indexes, views and
# triggers in schema public, each with its definition.
PG_SCHEMA_SQL = (
    "SELECT 'table', c.table_name, string_agg(c.column_name || ' ' || c.data_type || ' ' || "
    "c.is_nullable, ', ' ORDER BY c.ordinal_position) FROM information_schema.columns c "
    "JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name "
    "WHERE c.table_schema = 'public' GROUP BY c.table_name "
    "UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
    "UNION ALL SELECT 'view', viewname, definition FROM pg_views WHERE schemaname = 'public' "
    "UNION ALL SELECT 'trigger', tg.tgname, pg_get_triggerdef(tg.oid) FROM pg_trigger tg "
    "JOIN pg_class r ON r.oid = tg.tgrelid JOIN pg_namespace ns ON ns.oid = r.relnamespace "
    "WHERE NOT tg.tgisinternal AND ns.nspname = 'public'"
)


def db_state(engine: Engine) -> dict[str, Any]:
    """Every schema object (type, name, SQL) and every table's row count."""
    sql = (
        "SELECT type, name, sql FROM sqlite_master"
        if engine.dialect.name == "sqlite"
        else PG_SCHEMA_SQL
    )
    with engine.connect() as conn:
        objects = sorted((str(t), str(n), str(s)) for t, n, s in fetchall(conn, sql))
        counts = {
            n: int(fetchall(conn, f'SELECT count(*) FROM "{n}"')[0][0])
            for t, n, _ in objects
            if t == "table"
        }
    return {"objects": objects, "counts": counts}


def fold(text: str) -> str:
    """Case and accents folded, as the search compares words (unicode61 remove_diacritics)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

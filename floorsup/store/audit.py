"""The audit log: every write, who made it, when, what, and the record before and after.

`record` is called by each store write inside its own transaction, so a change and its entry
commit together or not at all. The table is append-only (migration 0007's triggers refuse
UPDATE and DELETE). `entries` reads it back, for managers only.

Not recorded: the ingest's derived rows (calls, spans: the feed itself is the record), the
adherence day cache (recomputed from the rest), and note drafts (a writer's private,
unsent scratch; the note they become is recorded when saved).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from floorsup.store.access import Actor, require
from floorsup.store.sql import execute, fetchall


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True)


def record(
    conn: Connection,
    who: Actor,
    action: str,
    entity: str,
    key: object,
    *,
    before: Any = None,
    after: Any = None,
    at: float,
) -> None:
    """One entry: `who` did `action` (e.g. `note.add`) to `entity` (a table) row `key`;
    `before`/`after` as JSON-able values (None: there was none)."""
    execute(
        conn,
        "INSERT INTO audit_log (at, login, staff_id, role, via_as, action, entity, entity_key, "
        "before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            who.login or who.user,
            who.staff_id,
            who.role,
            who.login is not None,
            action,
            entity,
            None if key is None else str(key),
            to_json(before),
            to_json(after),
        ),
    )


# Each audited table's row by its key, for `before`/`after`.
_ROW_SQL = {
    "coaching_note": "SELECT * FROM coaching_note WHERE id = :k",
    "adherence_authorization": "SELECT * FROM adherence_authorization WHERE id = :k",
    "mentorship": "SELECT * FROM mentorship WHERE id = :k",
    "leadership_note": "SELECT * FROM leadership_note WHERE id = :k",
    "career_event": "SELECT * FROM career_event WHERE id = :k",
    "career_stage": "SELECT * FROM career_stage WHERE staff_pk = :k",
    "qa_evaluation": "SELECT * FROM qa_evaluation WHERE id = :k",
    "queue": "SELECT * FROM queue WHERE name = :k",
    "staff": "SELECT * FROM staff WHERE staff_id = :k",
}


def row_dict(conn: Connection, table: str, key: object) -> dict[str, Any] | None:
    """Row `key` of an audited `table` as a dict (None when there is none)."""
    rows = conn.execute(text(_ROW_SQL[table]), {"k": key}).mappings().all()
    return dict(rows[0]) if rows else None


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: float
    login: str
    staff_id: str | None
    role: str | None
    via_as: bool
    action: str
    entity: str
    entity_key: str | None
    before: str | None
    after: str | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field that differs, in field order."""
        b = json.loads(self.before) if self.before else None
        a = json.loads(self.after) if self.after else None
        if not isinstance(b, dict) and not isinstance(a, dict):
            return [] if b == a else [("", b, a)]
        bd = b if isinstance(b, dict) else {}
        ad = a if isinstance(a, dict) else {}
        keys = list(dict.fromkeys([*bd, *ad]))
        return [(k, bd.get(k), ad.get(k)) for k in keys if bd.get(k) != ad.get(k)]


_COLS = "id, at, login, staff_id, role, via_as, action, entity, entity_key, before, after"


def entries(
    conn: Connection,
    who: Actor,
    *,
    since: float | None = None,
    until: float | None = None,
    login: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """The newest entries first (managers only), narrowed by time, login (any case) and
    action prefix (`note` matches `note.add` and `note.edit`)."""
    require(who, "audit")
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        where.append("at >= ?")
        params.append(since)
    if until is not None:
        where.append("at < ?")
        params.append(until)
    if login:
        where.append("lower(login) = ?")
        params.append(login.strip().lower())
    if action:
        where.append("(action = ? OR action LIKE ? ESCAPE '!')")
        esc = action.strip().replace("!", "!!").replace("%", "!%").replace("_", "!_")
        params += [action.strip(), esc + ".%"]
    sql = f"SELECT {_COLS} FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY at DESC, id DESC LIMIT ?"
    params.append(max(1, int(limit)))
    return [
        AuditRow(
            int(r[0]), float(r[1]), r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8], r[9], r[10]
        )
        for r in fetchall(conn, sql, params)
    ]

"""Coaching notes: write (never overwriting without a revision), find (filters and full-text
search), follow-ups due, and drafts saved as they are typed. Reads return frozen values."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from floorsup.domain.coaching import NoteInput, NoteSnapshot, note_problems
from floorsup.store import audit
from floorsup.store.access import Actor, NotAllowed, note_scope, require_team
from floorsup.store.engine import write_conn
from floorsup.store.sql import execute, fetchall


class NoteError(ValueError):
    """A note cannot be saved; `problems` maps each form field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


class NoteConflict(ValueError):
    """The note changed since the form was opened: saving would overwrite someone's edit."""


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    staff_id: str
    name: str
    team: str | None
    author: str
    category: str
    body: str
    actions: str
    follow_up: dt.date | None
    follow_up_done_at: float | None
    follow_up_done_by: str | None
    acknowledged: bool
    snapshot: NoteSnapshot | None
    created_at: float
    updated_at: float
    updated_by: str
    revision: int

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up is not None and self.follow_up_done_at is None


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """One earlier version of a note: what it said, who wrote it and when."""

    revision: int
    category: str
    body: str
    actions: str
    follow_up: dt.date | None
    acknowledged: bool
    written_by: str
    written_at: float


@dataclass(frozen=True, slots=True)
class NoteQuery:
    """Filters for the notes list. `agent` matches a staff id exactly or a name in part;
    `text` is full-text search over category, note and actions; times are epoch seconds."""

    agent: str | None = None
    team: str | None = None
    category: str | None = None
    author: str | None = None
    created_from: float | None = None
    created_to: float | None = None
    text: str = ""
    limit: int = 500


_NOTE_COLS = (
    "n.id, s.staff_id, s.name, t.name, n.author, n.category, n.body, n.actions, n.follow_up, "
    "n.follow_up_done_at, n.follow_up_done_by, n.acknowledged, n.snapshot, n.created_at, "
    "n.updated_at, n.updated_by, n.revision"
)
_NOTE_FROM = (
    "FROM coaching_note n JOIN staff s ON s.id = n.staff_pk LEFT JOIN team t ON t.id = n.team_id"
)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _iso(day: dt.date | None) -> str | None:
    # Dates travel as ISO text: the same on both drivers (and no sqlite3 date adapter).
    return day.isoformat() if day is not None else None


def _note(r: tuple[Any, ...]) -> NoteRow:
    try:
        snap = NoteSnapshot.from_json(json.loads(r[12] or "{}"))
    except (ValueError, TypeError):
        snap = None
    return NoteRow(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        _date(r[8]),
        r[9],
        r[10],
        bool(r[11]),
        snap,
        float(r[13]),
        float(r[14]),
        r[15],
        int(r[16]),
    )


def _staff(conn: Connection, staff_id: str) -> tuple[int, int | None, str] | None:
    rows = fetchall(conn, "SELECT id, team_id, name FROM staff WHERE staff_id = ?", (staff_id,))
    return (int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None


def _may_write(conn: Connection, who: Actor, staff_id: str) -> tuple[int, int | None, str]:
    """The agent's (pk, team, name), if `who` may write notes for them (their own team)."""
    agent = _staff(conn, staff_id)
    if agent is None:
        raise NoteError({"agent": f"{staff_id!r} is not on the roster"})
    require_team(who, "notes.write", agent[1], agent[2])
    return agent


def write_refusal(conn: Connection, who: Actor, staff_id: str) -> str | None:
    """Why `who` may not write notes for `staff_id` (None: they may), for a form to say
    before anything is typed; the write itself checks again."""
    try:
        _may_write(conn, who, staff_id)
    except (NotAllowed, NoteError) as exc:
        return str(exc)
    return None


def _readable(conn: Connection, who: Actor, note_id: int) -> NoteRow | None:
    """Note `note_id` if `who` may read it; refused (not None) if it exists but is not theirs
    to read, so a writer is told why rather than that it has gone."""
    scope = note_scope(who)
    rows = fetchall(
        conn,
        "SELECT n.team_id, s.team_id, n.category FROM coaching_note n "
        "JOIN staff s ON s.id = n.staff_pk WHERE n.id = ?",
        (note_id,),
    )
    if not rows:
        return None
    if not scope.allows(rows[0][0], rows[0][1], rows[0][2]):
        raise NotAllowed(f"note {note_id} is not one {who.describe()} may read")
    return _get(conn, note_id)


def _check(note: NoteInput, categories: tuple[str, ...]) -> None:
    problems = note_problems(note, categories)
    if problems:
        raise NoteError(problems)


def add_note(
    engine: Engine,
    note: NoteInput,
    *,
    actor: Actor,
    now: float,
    snapshot: NoteSnapshot | None,
    categories: tuple[str, ...],
    draft_key: str | None = None,
) -> NoteRow:
    """Write a new note with the agent's team now and the numbers the author saw: a
    supervisor or team lead, for their own team. The draft it was typed in (if any) goes in
    the same transaction: never both, never neither."""
    _check(note, categories)
    author = actor.user
    with write_conn(engine) as conn, conn.begin():
        who = _may_write(conn, actor, note.staff_id)
        new_id = fetchall(
            conn,
            "INSERT INTO coaching_note (staff_pk, team_id, author, category, body, actions, "
            "follow_up, acknowledged, snapshot, created_at, updated_at, updated_by, revision) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            (
                who[0],
                who[1],
                author,
                note.category,
                note.body.strip(),
                note.actions.strip(),
                _iso(note.follow_up),
                note.acknowledged,
                json.dumps(snapshot.to_json() if snapshot else {}),
                now,
                now,
                author,
            ),
        )[0][0]
        if draft_key:
            execute(conn, "DELETE FROM note_draft WHERE key = ?", (draft_key,))
        audit.record(
            conn,
            actor,
            "note.add",
            "coaching_note",
            new_id,
            after=audit.row_dict(conn, "coaching_note", int(new_id)),
            at=now,
        )
        return _get(conn, int(new_id))  # type: ignore[return-value]


def edit_note(
    engine: Engine,
    note_id: int,
    note: NoteInput,
    *,
    actor: Actor,
    now: float,
    expected_revision: int,
    categories: tuple[str, ...],
    draft_key: str | None = None,
) -> NoteRow:
    """Change a note, keeping what it said before as a revision (with who wrote that and
    when): a supervisor or team lead of the agent's team. If someone saved it since
    `expected_revision`, NoteConflict: nothing changes."""
    _check(note, categories)
    editor = actor.user
    with write_conn(engine) as conn, conn.begin():
        cur = _get(conn, note_id)
        if cur is None:
            raise NoteError({"note": f"note {note_id} no longer exists"})
        _may_write(conn, actor, cur.staff_id)
        if cur.revision != expected_revision:
            raise NoteConflict(
                f"note {note_id} was changed by {cur.updated_by} since you opened it "
                f"(version {cur.revision}, you had {expected_revision}); your text is kept "
                "as a draft: reopen the note to see theirs"
            )
        if cur.staff_id != note.staff_id:
            raise NoteError({"agent": "a note cannot move to another agent"})
        same_follow_up = cur.follow_up == note.follow_up
        unchanged = (
            cur.category == note.category
            and cur.body == note.body.strip()
            and cur.actions == note.actions.strip()
            and same_follow_up
            and cur.acknowledged == note.acknowledged
        )
        if draft_key:
            execute(conn, "DELETE FROM note_draft WHERE key = ?", (draft_key,))
        if unchanged:
            return cur
        before = audit.row_dict(conn, "coaching_note", note_id)
        execute(
            conn,
            "INSERT INTO coaching_note_revision (note_id, revision, category, body, actions, "
            "follow_up, acknowledged, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                note_id,
                cur.revision,
                cur.category,
                cur.body,
                cur.actions,
                _iso(cur.follow_up),
                cur.acknowledged,
                cur.updated_by,
                cur.updated_at,
            ),
        )
        execute(
            conn,
            "UPDATE coaching_note SET category = ?, body = ?, actions = ?, follow_up = ?, "
            "acknowledged = ?, updated_at = ?, updated_by = ?, revision = revision + 1, "
            "follow_up_done_at = ?, follow_up_done_by = ? WHERE id = ?",
            (
                note.category,
                note.body.strip(),
                note.actions.strip(),
                _iso(note.follow_up),
                note.acknowledged,
                now,
                editor,
                # A new follow-up date is a new thing to do: it opens again.
                cur.follow_up_done_at if same_follow_up else None,
                cur.follow_up_done_by if same_follow_up else None,
                note_id,
            ),
        )
        audit.record(
            conn,
            actor,
            "note.edit",
            "coaching_note",
            note_id,
            before=before,
            after=audit.row_dict(conn, "coaching_note", note_id),
            at=now,
        )
        return _get(conn, note_id)  # type: ignore[return-value]


def close_follow_up(
    engine: Engine, note_id: int, *, actor: Actor, now: float, done: bool = True
) -> None:
    """Mark a note's follow-up done (or open again): whoever may write the agent's notes."""
    by = actor.user
    with write_conn(engine) as conn, conn.begin():
        cur = _get(conn, note_id)
        if cur is None:
            raise NoteError({"follow_up": f"note {note_id} no longer exists"})
        _may_write(conn, actor, cur.staff_id)
        before = audit.row_dict(conn, "coaching_note", note_id)
        n = execute(
            conn,
            "UPDATE coaching_note SET follow_up_done_at = ?, follow_up_done_by = ? "
            "WHERE id = ? AND follow_up IS NOT NULL",
            (now if done else None, by if done else None, note_id),
        )
        if not n:
            raise NoteError({"follow_up": f"note {note_id} has no follow-up to close"})
        audit.record(
            conn,
            actor,
            "note.follow_up_done" if done else "note.follow_up_reopened",
            "coaching_note",
            note_id,
            before=before,
            after=audit.row_dict(conn, "coaching_note", note_id),
            at=now,
        )


def _get(conn: Connection, note_id: int) -> NoteRow | None:
    rows = fetchall(conn, f"SELECT {_NOTE_COLS} {_NOTE_FROM} WHERE n.id = ?", (note_id,))
    return _note(rows[0]) if rows else None


def get_note(conn: Connection, note_id: int, *, who: Actor) -> NoteRow | None:
    """The note, if there is one; refused if `who` may not read it."""
    return _readable(conn, who, note_id)


def note_revisions(conn: Connection, note_id: int, *, who: Actor) -> list[RevisionRow]:
    """Earlier versions of a note, oldest first (refused if `who` may not read the note)."""
    _readable(conn, who, note_id)
    return [
        RevisionRow(int(r[0]), r[1], r[2], r[3], _date(r[4]), bool(r[5]), r[6], float(r[7]))
        for r in fetchall(
            conn,
            "SELECT revision, category, body, actions, follow_up, acknowledged, written_by, "
            "written_at FROM coaching_note_revision WHERE note_id = ? ORDER BY revision",
            (note_id,),
        )
    ]


_TOKEN = re.compile(r"\w+", re.UNICODE)


def staff_pks(conn: Connection, agent: str) -> list[int]:
    """The staff whose staff_id is exactly `agent` or whose name holds it, in any case.
    Compared here, not in SQL: a LIKE pattern would read `%` `_` `\\` as wildcards and stop
    at a NUL, and SQLite's lower() folds only ASCII (the staff table is small)."""
    want = agent.casefold()
    return [
        int(pk)
        for pk, sid, name in fetchall(conn, "SELECT id, staff_id, name FROM staff")
        if sid == agent or want in str(name).casefold()
    ]


def team_ids(conn: Connection, name: str) -> list[int]:
    """The ids of the team(s) called `name`, in any case (Unicode case folding: SQLite's
    lower() folds only ASCII)."""
    want = name.strip().casefold()
    return [
        int(r[0]) for r in fetchall(conn, "SELECT id, name FROM team") if r[1].casefold() == want
    ]


def fts_query(text: str) -> str:
    """What a person types → an FTS5 query that cannot be a syntax error: every word must
    appear (the last one as a prefix, so results come while typing). Empty when the text
    has no word (only punctuation or symbols): `find_notes` then looks for it literally."""
    words = [w for w in _TOKEN.findall(text) if w.strip("_")]  # `_` alone: no word
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def ts_query(text: str) -> str:
    """The same search for PostgreSQL's `to_tsquery`: every word, the last one as a prefix
    (`'upset' & 'empath':*`), as `fts_query` asks of FTS5. A word is letters, digits and
    `_` only, so quoting it cannot make a syntax error. Empty when the text has no word."""
    words = [w for w in _TOKEN.findall(text) if w.strip("_")]
    if not words:
        return ""
    return " & ".join(f"'{w}'" for w in words) + ":*"


def find_notes(conn: Connection, q: NoteQuery, *, who: Actor) -> list[NoteRow]:
    """Notes matching every filter given that `who` may read, newest first."""
    cond, allowed = note_scope(who).where()
    where: list[str] = [cond]
    params: list[Any] = list(allowed)
    if q.agent:
        # Through the small staff table first: an OR on the joined row would walk every note.
        pks = staff_pks(conn, q.agent)
        where.append(f"n.staff_pk IN ({', '.join('?' * len(pks)) or 'NULL'})")
        params += pks
    if q.team:
        ids = team_ids(conn, q.team)
        where.append(f"n.team_id IN ({', '.join('?' * len(ids)) or 'NULL'})")
        params += ids
    # In any case; the spelling stored is always found (SQLite's lower() folds only ASCII).
    if q.category:
        where.append("(n.category = ? OR lower(n.category) = ?)")
        params += [q.category, q.category.lower()]
    if q.author:
        where.append("(n.author = ? OR lower(n.author) = ?)")
        params += [q.author, q.author.lower()]
    if q.created_from is not None:
        where.append("n.created_at >= ?")
        params.append(q.created_from)
    if q.created_to is not None:
        where.append("n.created_at < ?")
        params.append(q.created_to)
    match = fts_query(q.text)
    if match and conn.dialect.name == "sqlite":
        # `+n.id`: walk the notes newest first (ix_note_created) and check each against
        # the matches, rather than fetch and sort every match of a common word; the LIMIT
        # then stops the walk early.
        where.append(
            "+n.id IN (SELECT rowid FROM coaching_note_fts WHERE coaching_note_fts MATCH ?)"
        )
        params.append(match)
    elif match:  # PostgreSQL: the expression of the GIN index made by migration 0003
        where.append(
            "to_tsvector('simple', n.category || ' ' || n.body || ' ' || n.actions) "
            "@@ to_tsquery('simple', ?)"
        )
        params.append(ts_query(q.text))  # the words: never a NUL
    elif q.text.strip():
        # No word to index (`%`, `;`, an emoji): the text itself, literally. instr/strpos,
        # not LIKE: no wildcards to escape, and SQLite's LIKE stops at a NUL.
        find = "instr({}, ?) > 0" if conn.dialect.name == "sqlite" else "strpos({}, ?) > 0"
        where.append(
            "("
            + " OR ".join(find.format(col) for col in ("n.category", "n.body", "n.actions"))
            + ")"
        )
        params += [q.text.strip()] * 3
    sql = f"SELECT {_NOTE_COLS} {_NOTE_FROM} WHERE " + " AND ".join(where)
    sql += " ORDER BY n.created_at DESC, n.id DESC LIMIT ?"
    params.append(q.limit)
    return [_note(r) for r in fetchall(conn, sql, params)]


def agent_notes(
    conn: Connection,
    staff_id: str,
    limit: int = 50,
    *,
    who: Actor,
    until: float | None = None,
) -> list[NoteRow]:
    """One agent's notes that `who` may read, newest first (written by `until`, if given:
    a replayed past)."""
    cond, allowed = note_scope(who).where()
    upto = "" if until is None else " AND n.created_at <= ?"
    return [
        _note(r)
        for r in fetchall(
            conn,
            f"SELECT {_NOTE_COLS} {_NOTE_FROM} WHERE n.staff_pk = "
            f"(SELECT id FROM staff WHERE staff_id = ?){upto} AND {cond} "
            "ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
            (staff_id, *([] if until is None else [until]), *allowed, limit),
        )
    ]


def note_count(conn: Connection, staff_id: str, *, who: Actor, until: float | None = None) -> int:
    """How many of one agent's notes `who` may read."""
    cond, allowed = note_scope(who).where()
    upto = "" if until is None else " AND n.created_at <= ?"
    return int(
        fetchall(
            conn,
            "SELECT count(*) FROM coaching_note n JOIN staff s ON s.id = n.staff_pk "
            f"WHERE n.staff_pk = (SELECT id FROM staff WHERE staff_id = ?){upto} AND {cond}",
            (staff_id, *([] if until is None else [until]), *allowed),
        )[0][0]
    )


def follow_ups(
    conn: Connection,
    today: dt.date,
    *,
    who: Actor,
    staff_id: str | None = None,
    team: str | None = None,
    upcoming: bool = False,
    until: float | None = None,
) -> list[NoteRow]:
    """Open follow-ups due today or overdue (and later ones too with `upcoming`), the
    oldest due date first. With `until` (a replayed past): those written by then and not
    yet done then. Only the notes `who` may read."""
    cond, allowed = note_scope(who).where()
    where = ["n.follow_up IS NOT NULL", cond]
    params: list[Any] = list(allowed)
    if until is None:
        where.append("n.follow_up_done_at IS NULL")
    else:
        where += ["n.created_at <= ?", "(n.follow_up_done_at IS NULL OR n.follow_up_done_at > ?)"]
        params += [until, until]
    if not upcoming:
        where.append("n.follow_up <= ?")
        params.append(today.isoformat())
    if staff_id:
        where.append("n.staff_pk = (SELECT id FROM staff WHERE staff_id = ?)")
        params.append(staff_id)
    if team:
        ids = team_ids(conn, team)
        where.append(f"n.team_id IN ({', '.join('?' * len(ids)) or 'NULL'})")
        params += ids
    return [
        _note(r)
        for r in fetchall(
            conn,
            f"SELECT {_NOTE_COLS} {_NOTE_FROM} WHERE {' AND '.join(where)} "
            "ORDER BY n.follow_up, n.created_at",
            params,
        )
    ]


# -- drafts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    key: str
    author: str
    staff_id: str
    note_id: int | None
    seq: int
    updated_at: float
    payload: dict[str, Any] = field(default_factory=dict)


def draft_key(author: str, staff_id: str, note_id: int | None) -> str:
    return f"{author}/{staff_id}/{note_id if note_id is not None else 'new'}"


def save_draft(engine: Engine, draft: Draft) -> None:
    """Keep what is typed. A save older (lower `seq`) than the one stored changes nothing."""
    with write_conn(engine) as conn, conn.begin():
        execute(
            conn,
            "INSERT INTO note_draft (key, author, staff_id, note_id, payload, seq, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "payload = excluded.payload, seq = excluded.seq, updated_at = excluded.updated_at "
            "WHERE excluded.seq > note_draft.seq",
            (
                draft.key,
                draft.author,
                draft.staff_id,
                draft.note_id,
                json.dumps(draft.payload),
                draft.seq,
                draft.updated_at,
            ),
        )


def _draft(r: tuple[Any, ...]) -> Draft:
    try:
        payload = json.loads(r[4])
    except ValueError:
        payload = {}
    return Draft(r[0], r[1], r[2], r[3], int(r[5]), float(r[6]), payload)


_DRAFT_COLS = "key, author, staff_id, note_id, payload, seq, updated_at"


def load_draft(conn: Connection, key: str) -> Draft | None:
    rows = fetchall(conn, f"SELECT {_DRAFT_COLS} FROM note_draft WHERE key = ?", (key,))
    return _draft(rows[0]) if rows else None


def drafts_for(conn: Connection, author: str) -> list[Draft]:
    """An author's unsaved drafts, the newest first."""
    return [
        _draft(r)
        for r in fetchall(
            conn,
            f"SELECT {_DRAFT_COLS} FROM note_draft WHERE author = ? ORDER BY updated_at DESC",
            (author,),
        )
    ]


def delete_draft(engine: Engine, key: str) -> None:
    with write_conn(engine) as conn, conn.begin():
        execute(conn, "DELETE FROM note_draft WHERE key = ?", (key,))

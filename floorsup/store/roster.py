"""Roster import: `staff_id,name,team,role,hire_date,acd_agent` and optionally `login` (the
name a person signs in to the computer with, so the app knows who is at the keyboard). The
whole file is checked first; any bad row rejects the file with its line numbers and nothing
changes.

`login`: when the column is there, each listed person's login is set from it (an empty cell
means none); without the column, stored logins are kept as they are. Logins are compared in
any case, so one used twice in the file (or already held by someone the file does not list)
rejects the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from floorsup.domain.intervals import LAST_DAY
from floorsup.store import audit
from floorsup.store.access import Actor, NotAllowed, require
from floorsup.store.engine import write_conn
from floorsup.store.models import ROLES
from floorsup.store.sql import execute, executemany, fetchall

ROSTER_COLUMNS = ("staff_id", "name", "team", "role", "hire_date", "acd_agent")
OPTIONAL_COLUMNS = ("login",)
FIRST_HIRE_DATE = dt.date(1900, 1, 1)  # before it (or after LAST_DAY) a hire date is a slip


class ImportError_(ValueError):
    """A file was rejected; `problems` lists each one as `file:line: what was expected`."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = problems[:50]
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{path}: rejected, nothing was changed ({len(problems)} problem(s)):\n"
            + "\n".join(shown)
            + more
        )


@dataclass(frozen=True)
class RosterRow:
    line: int
    staff_id: str
    name: str
    team: str
    role: str
    hire_date: dt.date | None
    acd_agents: tuple[str, ...]
    login: str | None = None  # None: no login (or the file has no login column)


@dataclass(frozen=True)
class RosterResult:
    added: int
    updated: int
    teams: int
    acd_names: int


def read_csv_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportError_(str(path), [f"{path}: cannot read: {exc.strerror}"]) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportError_(
            str(path), [f"{path}:{line}: not UTF-8 text (save the file as UTF-8 CSV)"]
        ) from exc


def csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of `text` as (line number where the record ends, cells). A record the
    csv module cannot read (a cell over its size limit) raises ImportError_ naming the line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num or 1
            raise ImportError_(
                str(path),
                [f"{path}:{line}: not a CSV record ({exc}): expected comma-separated cells"],
            ) from None
        yield reader.line_num, row


def parse_roster(path: Path, text: str) -> list[RosterRow]:
    problems: list[str] = []
    reader = csv_rows(path, text)
    try:
        header = [h.strip().lower() for h in next(reader)[1]]
    except StopIteration:
        raise ImportError_(
            str(path), [f"{path}:1: empty file: expected a header {','.join(ROSTER_COLUMNS)}"]
        ) from None
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ImportError_(
            str(path),
            [
                f"{path}:1: header lacks {', '.join(missing)}: expected "
                f"{','.join(ROSTER_COLUMNS)} (and optionally login)"
            ],
        )
    ix = {c: header.index(c) for c in ROSTER_COLUMNS + OPTIONAL_COLUMNS if c in header}
    rows: list[RosterRow] = []
    seen_ids: dict[str, int] = {}
    seen_acd: dict[str, int] = {}
    seen_logins: dict[str, int] = {}
    for line, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(f"{path}:{line}: expected {len(header)} columns, got {len(row)}")
            continue
        get = {c: row[i].strip() for c, i in ix.items()}
        sid, name, role = get["staff_id"], get["name"], get["role"].lower()
        if not sid:
            problems.append(f"{path}:{line}: staff_id is empty")
        elif sid in seen_ids:
            problems.append(f"{path}:{line}: staff_id {sid!r} repeats line {seen_ids[sid]}")
        else:
            seen_ids[sid] = line
        if not name:
            problems.append(f"{path}:{line}: name is empty")
        if role not in ROLES:
            problems.append(f"{path}:{line}: role {get['role']!r} is not one of {', '.join(ROLES)}")
        hire: dt.date | None = None
        if get["hire_date"]:
            try:
                hire = dt.date.fromisoformat(get["hire_date"])
            except ValueError:
                problems.append(
                    f"{path}:{line}: hire_date {get['hire_date']!r} is not a date YYYY-MM-DD"
                )
            else:
                if not FIRST_HIRE_DATE <= hire <= LAST_DAY:
                    problems.append(
                        f"{path}:{line}: hire_date {get['hire_date']!r} is outside "
                        f"{FIRST_HIRE_DATE.isoformat()} to {LAST_DAY.isoformat()}"
                    )
                    hire = None
        names = tuple(a.strip() for a in get["acd_agent"].split(";") if a.strip())
        for a in names:
            if a in seen_acd:
                problems.append(
                    f"{path}:{line}: acd_agent {a!r} already belongs to line {seen_acd[a]}"
                )
            else:
                seen_acd[a] = line
        login = get.get("login") or None
        if login is not None:
            key = login.casefold()
            if key in seen_logins:
                problems.append(
                    f"{path}:{line}: login {login!r} is already used on line {seen_logins[key]}"
                )
            else:
                seen_logins[key] = line
        rows.append(RosterRow(line, sid, name, get["team"], role, hire, names, login))
    if problems:
        raise ImportError_(str(path), problems)
    return rows


def has_login_column(text: str) -> bool:
    """Whether the file's header has the optional `login` column."""
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return False
    return "login" in (h.strip().lower() for h in first)


def _login_clashes(conn: Connection, path: Path, rows: list[RosterRow]) -> list[str]:
    """Logins in the file already held by someone the file does not list (who keeps it)."""
    listed = {r.staff_id for r in rows}
    held = {
        login.strip().casefold(): sid
        for sid, login in fetchall(
            conn, "SELECT staff_id, login FROM staff WHERE login IS NOT NULL"
        )
        if sid not in listed
    }
    return [
        f"{path}:{r.line}: login {r.login!r} already belongs to {held[r.login.casefold()]}, "
        "who is not in this file"
        for r in rows
        if r.login is not None and r.login.casefold() in held
    ]


_STAFF_AUDIT = (
    "SELECT s.staff_id, s.name, t.name, s.role, s.hire_date, s.login, s.active FROM staff s "
    "LEFT JOIN team t ON t.id = s.team_id"
)


def _staff_now(conn: Connection) -> dict[str, dict[str, object]]:
    keys = ("name", "team", "role", "hire_date", "login", "active")
    return {
        str(r[0]): dict(zip(keys, (*r[1:6], bool(r[6])), strict=True))
        for r in fetchall(conn, _STAFF_AUDIT)
    }


def import_roster(
    engine: Engine, path: str | Path, *, actor: Actor, now: float | None = None
) -> RosterResult:
    """Import a roster CSV (see the module's notes): a manager, or anyone on a database
    whose roster is still empty (the first import). `now` (None: the wall clock) dates the
    audit entry, which keeps each person's row before and after where it changed."""
    require(actor, "roster")
    path = Path(path)
    text = read_csv_text(path)
    rows = parse_roster(path, text)
    with_login = has_login_column(text)
    with write_conn(engine) as conn, conn.begin():
        was = _staff_now(conn)
        if actor.setup and was:
            raise NotAllowed(
                f"the roster is no longer empty (someone imported one just now); {actor.user} "
                "is not on it: ask a manager"
            )
        if with_login:
            clashes = _login_clashes(conn, path, rows)
            if clashes:
                raise ImportError_(str(path), clashes)
        teams = {n: i for i, n in fetchall(conn, "SELECT id, name FROM team")}
        for team in sorted({r.team for r in rows if r.team} - set(teams)):
            execute(conn, "INSERT INTO team (name) VALUES (?)", (team,))
        teams = {n: i for i, n in fetchall(conn, "SELECT id, name FROM team")}
        existing = {s: i for i, s in fetchall(conn, "SELECT id, staff_id FROM staff")}
        added = updated = 0
        for r in rows:
            params = (
                r.name,
                teams.get(r.team),
                r.role,
                r.hire_date.isoformat() if r.hire_date else None,
            )
            if r.staff_id in existing:
                execute(
                    conn,
                    "UPDATE staff SET name = ?, team_id = ?, role = ?, hire_date = ?, active = ? WHERE staff_id = ?",
                    (*params, True, r.staff_id),
                )
                updated += 1
            else:
                execute(
                    conn,
                    "INSERT INTO staff (name, team_id, role, hire_date, active, staff_id) VALUES (?, ?, ?, ?, ?, ?)",
                    (*params, True, r.staff_id),
                )
                added += 1
        if with_login:
            # Cleared first, then set: logins may move between people within one file.
            in_file = [(r.staff_id,) for r in rows]
            executemany(conn, "UPDATE staff SET login = NULL WHERE staff_id = ?", in_file)
            executemany(
                conn,
                "UPDATE staff SET login = ? WHERE staff_id = ?",
                [(r.login, r.staff_id) for r in rows if r.login is not None],
            )
        pks = {s: i for i, s in fetchall(conn, "SELECT id, staff_id FROM staff")}
        acd = [(a, pks[r.staff_id]) for r in rows for a in r.acd_agents]
        # An ACD name now on the roster is (re)assigned to that person; names dropped from
        # the roster stay known (they are in the feed) but belong to nobody.
        listed = {a for a, _ in acd}
        for (name,) in fetchall(conn, "SELECT name FROM acd_agent WHERE staff_pk IS NOT NULL"):
            if name not in listed:
                execute(conn, "UPDATE acd_agent SET staff_pk = NULL WHERE name = ?", (name,))
        executemany(
            conn,
            "INSERT INTO acd_agent (name, staff_pk, position) VALUES "
            "(?, ?, (SELECT coalesce(max(position), 0) + 1 FROM acd_agent)) "
            "ON CONFLICT (name) DO UPDATE SET staff_pk = excluded.staff_pk",
            acd,
        )
        result = RosterResult(added, updated, len(teams), len(acd))
        after = _staff_now(conn)
        changed = sorted(k for k in after if was.get(k) != after[k])
        audit.record(
            conn,
            actor,
            "roster.import",
            "staff",
            path.name,
            before={k: was[k] for k in changed if k in was},
            after={"file": str(path), "changed": {k: after[k] for k in changed}},
            at=time.time() if now is None else now,
        )
    return result


def set_queue_target(
    engine: Engine,
    name: str,
    seconds: int,
    fraction: float,
    *,
    actor: Actor,
    now: float | None = None,
) -> None:
    """A queue's service-level target: `fraction` of calls answered within `seconds`. A
    manager (or anyone while the roster is empty, setting up)."""
    require(actor, "config")
    if not name.strip():
        raise ValueError("queue name is empty")
    if "\x00" in name:  # PostgreSQL text cannot hold one: refused alike on both
        raise ValueError("queue name holds a NUL character")
    if not 1 <= seconds <= 3600:
        raise ValueError(f"target seconds {seconds} is out of range: expected 1 to 3600")
    if not 0 < fraction <= 1:
        raise ValueError(
            f"target fraction {fraction} is out of range: expected a fraction in (0, 1], e.g. 0.8"
        )
    with write_conn(engine) as conn, conn.begin():
        before = audit.row_dict(conn, "queue", name.strip())
        execute(
            conn,
            "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET sl_target_seconds = excluded.sl_target_seconds, "
            "sl_target_fraction = excluded.sl_target_fraction",
            (name.strip(), seconds, fraction),
        )
        audit.record(
            conn,
            actor,
            "queue.target",
            "queue",
            name.strip(),
            before=before,
            after=audit.row_dict(conn, "queue", name.strip()),
            at=time.time() if now is None else now,
        )

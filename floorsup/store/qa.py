"""QA evaluations: record one from the screen, read an agent's history. Reads return frozen
values; percentages and trends are worked out in domain.qa."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pendulum
from sqlalchemy import Connection, Engine

from floorsup.domain.intervals import day_out_of_range
from floorsup.domain.qa import QaScore, evaluation_problems
from floorsup.store import audit
from floorsup.store.access import Actor, require
from floorsup.store.engine import write_conn
from floorsup.store.roster import ImportError_, csv_rows, read_csv_text
from floorsup.store.sql import executemany, fetchall


class EvaluationError(ValueError):
    """An evaluation cannot be saved; `problems` maps each form field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    id: int
    staff_id: str
    name: str
    team: str | None
    evaluated_at: float
    evaluator: str
    work_type: str
    score: float
    max_score: float
    criteria: tuple[tuple[str, float], ...]
    comments: str
    recorded_by: str
    recorded_at: float
    source: str

    @property
    def pct(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def as_score(self) -> QaScore:
        return QaScore(
            self.evaluated_at, self.work_type, self.score, self.max_score, self.evaluator
        )


_COLS = (
    "q.id, s.staff_id, s.name, t.name, q.evaluated_at, q.evaluator, q.work_type, q.score, "
    "q.max_score, q.criteria, q.comments, q.recorded_by, q.recorded_at, q.source"
)
_FROM = (
    "FROM qa_evaluation q JOIN staff s ON s.id = q.staff_pk LEFT JOIN team t ON t.id = q.team_id"
)


def _criteria(text: str) -> tuple[tuple[str, float], ...]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return ()
    return tuple((str(k), float(v)) for k, v in data.items()) if isinstance(data, dict) else ()


def _row(r: tuple[Any, ...]) -> EvaluationRow:
    return EvaluationRow(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        float(r[4]),
        r[5],
        r[6],
        float(r[7]),
        float(r[8]),
        _criteria(r[9]),
        r[10],
        r[11],
        float(r[12]),
        r[13],
    )


def record_evaluation(
    engine: Engine,
    *,
    staff_id: str,
    evaluated_at: float,
    evaluator: str,
    work_type: str,
    score: float | None,
    max_score: float | None,
    criteria: Mapping[str, float | None],
    comments: str,
    actor: Actor,
    now: float,
    work_types: tuple[str, ...],
    scorecard: Mapping[str, float],
    source: str = "screen",
) -> EvaluationRow:
    """Save one evaluation (a supervisor, team lead, trainer or manager records it).
    EvaluationError says what is wrong, field by field."""
    require(actor, "qa")
    recorded_by = actor.user
    problems = evaluation_problems(score, max_score, criteria, scorecard, work_type, work_types)
    if not evaluator.strip():
        problems["evaluator"] = "who evaluated is required"
    if problems:
        raise EvaluationError(problems)
    given = {k: float(v) for k, v in criteria.items() if v is not None}
    with write_conn(engine) as conn, conn.begin():
        who = fetchall(conn, "SELECT id, team_id FROM staff WHERE staff_id = ?", (staff_id,))
        if not who:
            raise EvaluationError({"agent": f"{staff_id!r} is not on the roster"})
        clash = fetchall(
            conn,
            "SELECT 1 FROM qa_evaluation WHERE staff_pk = ? AND evaluated_at = ? "
            "AND evaluator = ? AND work_type = ?",
            (who[0][0], evaluated_at, evaluator.strip(), work_type),
        )
        if clash:
            raise EvaluationError(
                {"evaluated_at": "this evaluator already recorded this agent's work type then"}
            )
        new_id = fetchall(
            conn,
            "INSERT INTO qa_evaluation (staff_pk, team_id, evaluated_at, evaluator, work_type, "
            "score, max_score, criteria, comments, recorded_by, recorded_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                who[0][0],
                who[0][1],
                evaluated_at,
                evaluator.strip(),
                work_type,
                score,
                max_score,
                json.dumps(given),
                comments.strip(),
                recorded_by,
                now,
                source,
            ),
        )[0][0]
        audit.record(
            conn,
            actor,
            "qa.record",
            "qa_evaluation",
            new_id,
            after=audit.row_dict(conn, "qa_evaluation", int(new_id)),
            at=now,
        )
        return get_evaluation(conn, int(new_id))  # type: ignore[return-value]


def get_evaluation(conn: Connection, evaluation_id: int) -> EvaluationRow | None:
    rows = fetchall(conn, f"SELECT {_COLS} {_FROM} WHERE q.id = ?", (evaluation_id,))
    return _row(rows[0]) if rows else None


def agent_evaluations(
    conn: Connection,
    staff_id: str,
    *,
    since: float | None = None,
    until: float | None = None,
    limit: int = 200,
) -> list[EvaluationRow]:
    """One agent's evaluations, newest first (from `since` on and up to `until`, if given)."""
    sql = f"SELECT {_COLS} {_FROM} WHERE q.staff_pk = (SELECT id FROM staff WHERE staff_id = ?)"
    params: list[Any] = [staff_id]
    if since is not None:
        sql += " AND q.evaluated_at >= ?"
        params.append(since)
    if until is not None:
        sql += " AND q.evaluated_at <= ?"
        params.append(until)
    sql += " ORDER BY q.evaluated_at DESC, q.id DESC LIMIT ?"
    params.append(limit)
    return [_row(r) for r in fetchall(conn, sql, params)]


def latest_evaluation(conn: Connection, staff_id: str) -> EvaluationRow | None:
    rows = agent_evaluations(conn, staff_id, limit=1)
    return rows[0] if rows else None


def recent_averages(
    conn: Connection, since: float, last_n: int
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Each person's average (as a fraction of the maximum) over their last `last_n`
    evaluations from `since` on, overall and per work type: what mentor eligibility and
    fit read for the whole floor. One pass over the evaluations newest first (the
    `evaluated_at` index gives that order), three narrow columns: faster than window
    functions (140 ms for 29k evaluations, bench/mentoring_bench.py)."""
    ids = {int(pk): str(sid) for pk, sid in fetchall(conn, "SELECT id, staff_id FROM staff")}
    recent: dict[int, list[float]] = {}
    typed: dict[tuple[int, str], list[float]] = {}
    for pk, wt, pct in fetchall(
        conn,
        "SELECT staff_pk, work_type, score / max_score FROM qa_evaluation "
        "WHERE evaluated_at >= ? ORDER BY evaluated_at DESC",
        (since,),
    ):
        mine = recent.get(pk)
        if mine is None:
            recent[pk] = [pct]
        elif len(mine) < last_n:
            mine.append(pct)
        kind = typed.get((pk, wt))
        if kind is None:
            typed[pk, wt] = [pct]
        elif len(kind) < last_n:
            kind.append(pct)
    overall = {ids[pk]: sum(v) / len(v) for pk, v in recent.items() if pk in ids}
    by_type: dict[str, dict[str, float]] = {}
    for (pk, wt), v in typed.items():
        if pk in ids:
            by_type.setdefault(ids[pk], {})[str(wt)] = sum(v) / len(v)
    return overall, by_type


def scores_since(
    conn: Connection, since: float, *, staff_ids: Sequence[str] | None = None
) -> dict[str, list[tuple[float, str, float]]]:
    """Everyone's evaluations from `since` on as (evaluated_at, work type, fraction of the
    maximum), newest first: what the career and mentoring rules read. Only the three columns
    they need, for the whole floor in one statement (`staff_ids` narrows it)."""
    sql = (
        "SELECT s.staff_id, q.evaluated_at, q.work_type, q.score / q.max_score "
        "FROM qa_evaluation q JOIN staff s ON s.id = q.staff_pk WHERE q.evaluated_at >= ?"
    )
    params: list[Any] = [since]
    if staff_ids is not None:
        sql += f" AND s.staff_id IN ({', '.join('?' * len(staff_ids))})"
        params += list(staff_ids)
    out: dict[str, list[tuple[float, str, float]]] = {}
    for sid, at, work_type, pct in fetchall(conn, sql + " ORDER BY q.evaluated_at DESC", params):
        out.setdefault(sid, []).append((float(at), str(work_type), float(pct)))
    return out


# -- importing a file -----------------------------------------------------------------------
#
# `staff_id,evaluated_at,evaluator,work_type,score,max_score`, then optionally one column per
# scorecard criterion (its points for that evaluation; an empty cell means not scored) and a
# `comments` column. `evaluated_at` is a local date (`2026-11-20`: its midnight) or a local
# time (`2026-11-20 14:05`, `2026-11-20T14:05:30`) in the site's zone; it is stored as UTC
# epoch seconds. A time that does not exist (the clocks go forward then) rejects the row; a
# time that happens twice (the clocks go back) is taken at its first occurrence.
#
# The whole file is checked first; any bad row rejects the file (`file:line: what was
# expected`) and nothing changes. An evaluation is known by (staff, evaluated_at, evaluator,
# work type): one already stored with the same score and maximum is counted as already
# present and skipped (importing a file twice adds nothing); one stored with a different
# score rejects the file, naming the line.

QA_COLUMNS = ("staff_id", "evaluated_at", "evaluator", "work_type", "score", "max_score")
QA_OPTIONAL = ("comments",)
_WHEN = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_WHEN_HELP = "a local date YYYY-MM-DD or time YYYY-MM-DD HH:MM[:SS]"


@dataclass(frozen=True, slots=True)
class QaImportResult:
    added: int  # evaluations written
    already: int  # rows of the file already stored with the same score (skipped)


@dataclass(frozen=True, slots=True)
class QaFileRow:
    """One checked row of a QA file."""

    line: int
    staff_id: str
    evaluated_at: float
    evaluator: str
    work_type: str  # as configured (the file's case may differ)
    score: float
    max_score: float
    criteria: tuple[tuple[str, float], ...]
    comments: str

    @property
    def key(self) -> tuple[str, float, str, str]:
        return (self.staff_id, self.evaluated_at, self.evaluator, self.work_type)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _evaluated_at(text: str, tz: str) -> float | str:
    """UTC epoch seconds of a local date or time in `tz`, or what is wrong with it."""
    m = _WHEN.fullmatch(text)
    if m is None:
        return f"evaluated_at {text!r} is not {_WHEN_HELP}"
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    h, mi, s = (int(g) if g else 0 for g in m.group(4, 5, 6))
    try:
        dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return f"evaluated_at {text!r} is not a real date and time ({_WHEN_HELP})"
    wrong = day_out_of_range(dt.date(y, mo, d))
    if wrong:
        return f"evaluated_at {wrong}"
    at = _wall_instant(y, mo, d, h, mi, s, tz)
    if at is not None:
        return at
    if m.group(4) is None:
        # A day whose midnight is skipped (the clocks go forward then) starts when they do.
        return pendulum.datetime(y, mo, d, tz=tz, fold=1).timestamp()
    return (
        f"evaluated_at {text!r} does not exist in {tz} (the clocks go forward then): "
        "expected a time outside the gap"
    )


def _wall_instant(y: int, mo: int, d: int, h: int, mi: int, s: int, tz: str) -> float | None:
    """A local wall-clock time as UTC epoch seconds: the first occurrence of a time that
    happens twice; None for one that does not exist (in the gap when clocks go forward)."""
    ts = pendulum.datetime(y, mo, d, h, mi, s, tz=tz, fold=0).timestamp()
    back = pendulum.from_timestamp(ts, tz=tz).naive()
    return ts if back == dt.datetime(y, mo, d, h, mi, s) else None


def parse_qa(
    path: Path,
    text: str,
    *,
    tz: str,
    work_types: tuple[str, ...],
    scorecard: Mapping[str, float],
    now: float,
    staff_ids: Collection[str] | None = None,
) -> tuple[list[QaFileRow], list[tuple[int, str]]]:
    """The good rows of a QA file and the problems of the others as (line, what was
    expected). A problem with the header (or an empty file) raises ImportError_ at once.
    `staff_ids`: those on the roster (None: not checked)."""
    reader = csv_rows(path, text)
    expected = ",".join(QA_COLUMNS)
    try:
        header = [h.strip().lower() for h in next(reader)[1]]
    except StopIteration:
        raise ImportError_(
            str(path), [f"{path}:1: empty file: expected a header {expected}"]
        ) from None
    criteria_by_lower = {name.lower(): name for name in scorecard}
    listed = ", ".join(scorecard) or "none configured"
    head: list[str] = []
    missing = [c for c in QA_COLUMNS if c not in header]
    if missing:
        head.append(f"{path}:1: header lacks {', '.join(missing)}: expected {expected}")
    seen: set[str] = set()
    for n, col in enumerate(header, 1):
        if not col:
            head.append(f"{path}:1: column {n} has no name: expected {expected}")
            continue
        if col in seen:
            head.append(f"{path}:1: column {col!r} appears twice: expected each column once")
        seen.add(col)
        if col not in QA_COLUMNS and col not in QA_OPTIONAL and col not in criteria_by_lower:
            head.append(
                f"{path}:1: column {col!r} is not a scorecard criterion: expected {expected}, "
                f"then any of the scorecard's criteria ({listed}) and comments"
            )
    if head:
        raise ImportError_(str(path), head)
    ix = {c: header.index(c) for c in QA_COLUMNS}
    crit_ix = {criteria_by_lower[c]: i for i, c in enumerate(header) if c in criteria_by_lower}
    comments_ix = header.index("comments") if "comments" in header else None
    types = {w.lower(): w for w in work_types}
    problems: list[tuple[int, str]] = []
    rows: list[QaFileRow] = []
    seen_keys: dict[tuple[str, float, str, str], int] = {}
    for line, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                (
                    line,
                    f"expected {len(header)} columns ({','.join(header)}), got {len(row)} "
                    "(put a comment holding a comma in double quotes)",
                )
            )
            continue
        get = {c: row[i].strip() for c, i in ix.items()}
        found: list[str] = []
        for col in QA_COLUMNS:
            if not get[col]:
                found.append(f"{col} is empty")
        sid = get["staff_id"]
        if sid and staff_ids is not None and sid not in staff_ids:
            found.append(f"staff_id {sid!r} is not on the roster (import the roster first)")
        when: float | None = None
        if get["evaluated_at"]:
            parsed = _evaluated_at(get["evaluated_at"], tz)
            if isinstance(parsed, str):
                found.append(parsed)
            elif parsed > now:
                found.append(
                    f"evaluated_at {get['evaluated_at']!r} is in the future: "
                    "expected the time the evaluated work happened"
                )
            else:
                when = parsed
        work_type = types.get(get["work_type"].lower(), get["work_type"])
        numbers: dict[str, float | None] = {}
        for col in ("score", "max_score"):
            numbers[col] = _number(get[col]) if get[col] else None
            if get[col] and numbers[col] is None:
                found.append(f"{col} {get[col]!r} is not a number")
        criteria: dict[str, float | None] = {}
        for name, i in crit_ix.items():
            cell = row[i].strip()
            criteria[name] = _number(cell) if cell else None
            if cell and criteria[name] is None:
                found.append(f"{name} {cell!r} is not a number (or leave it empty)")
        for field, what in evaluation_problems(
            numbers["score"], numbers["max_score"], criteria, scorecard, work_type, work_types
        ).items():
            if field in ("score", "max_score") and numbers[field] is None:
                continue  # empty or not a number: said above
            if field == "work_type":
                if get["work_type"]:  # (an empty one is said above)
                    found.append(f"work_type {what}")
            else:
                found.append(what)
        if found:
            problems += [(line, f) for f in found]
            continue
        evaluator = get["evaluator"]
        assert when is not None
        key = (sid, when, evaluator, work_type)
        if key in seen_keys:
            problems.append(
                (
                    line,
                    f"{sid} {get['evaluated_at']} by {evaluator} ({work_type}) repeats line "
                    f"{seen_keys[key]}: expected each evaluation once",
                )
            )
            continue
        seen_keys[key] = line
        rows.append(
            QaFileRow(
                line,
                sid,
                when,
                evaluator,
                work_type,
                numbers["score"] or 0.0,
                numbers["max_score"] or 0.0,
                tuple((k, v) for k, v in criteria.items() if v is not None),
                row[comments_ix].strip() if comments_ix is not None else "",
            )
        )
    return rows, problems


def import_qa(
    engine: Engine,
    path: str | Path,
    *,
    tz: str,
    work_types: tuple[str, ...],
    scorecard: Mapping[str, float],
    actor: Actor,
    now: float,
) -> QaImportResult:
    """Import a QA evaluations CSV (see the notes above); ImportError_ if any row is wrong,
    and then nothing changes. Source = the file's name. A supervisor, team lead, trainer or
    manager."""
    require(actor, "qa")
    recorded_by = actor.user
    path = Path(path)
    text = read_csv_text(path)
    with engine.connect() as conn:
        on_roster = {str(s) for (s,) in fetchall(conn, "SELECT staff_id FROM staff")}
    rows, problems = parse_qa(
        path,
        text,
        tz=tz,
        work_types=work_types,
        scorecard=scorecard,
        now=now,
        staff_ids=on_roster,
    )
    with write_conn(engine) as conn, conn.begin():
        staff = {
            str(s): (int(pk), team)
            for pk, s, team in fetchall(conn, "SELECT id, staff_id, team_id FROM staff")
        }
        stored: dict[tuple[int, float, str, str], tuple[float, float]] = {}
        if rows:
            lo = min(r.evaluated_at for r in rows)
            hi = max(r.evaluated_at for r in rows)
            for pk, at, who, wt, score, top in fetchall(
                conn,
                "SELECT staff_pk, evaluated_at, evaluator, work_type, score, max_score "
                "FROM qa_evaluation WHERE evaluated_at >= ? AND evaluated_at <= ?",
                (lo, hi),
            ):
                stored[(int(pk), float(at), str(who), str(wt))] = (float(score), float(top))
        new: list[QaFileRow] = []
        already = 0
        for r in rows:
            if r.staff_id not in staff:  # removed since the check (the roster never deletes)
                problems.append((r.line, f"staff_id {r.staff_id!r} is not on the roster"))
                continue
            have = stored.get((staff[r.staff_id][0], r.evaluated_at, r.evaluator, r.work_type))
            if have is None:
                new.append(r)
            elif math.isclose(have[0], r.score) and math.isclose(have[1], r.max_score):
                already += 1
            else:
                problems.append(
                    (
                        r.line,
                        f"{r.staff_id}'s {r.work_type} evaluation by {r.evaluator} at "
                        f"{_local_text(r.evaluated_at, tz)} is already stored as "
                        f"{have[0]:g}/{have[1]:g}, not {r.score:g}/{r.max_score:g}: expected "
                        "the same score (correct it on the agent's QA screen)",
                    )
                )
        if problems:
            raise ImportError_(
                str(path),
                [f"{path}:{line}: {what}" for line, what in sorted(problems, key=lambda p: p[0])],
            )
        executemany(
            conn,
            "INSERT INTO qa_evaluation (staff_pk, team_id, evaluated_at, evaluator, work_type, "
            "score, max_score, criteria, comments, recorded_by, recorded_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    staff[r.staff_id][0],
                    staff[r.staff_id][1],
                    r.evaluated_at,
                    r.evaluator,
                    r.work_type,
                    r.score,
                    r.max_score,
                    json.dumps(dict(r.criteria)),
                    r.comments,
                    recorded_by,
                    now,
                    path.name,
                )
                for r in new
            ],
        )
        result = QaImportResult(added=len(new), already=already)
        audit.record(
            conn,
            actor,
            "qa.import",
            "qa_evaluation",
            path.name,
            after={"file": str(path), "added": result.added, "already": result.already},
            at=now,
        )
    return result


def _local_text(ts: float, tz: str) -> str:
    return pendulum.from_timestamp(ts, tz=tz).format("YYYY-MM-DD HH:mm:ss")

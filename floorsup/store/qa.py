"""QA evaluations: record one from the screen, read an agent's history. Reads return frozen
values; percentages and trends are worked out in domain.qa."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from floorsup.domain.qa import QaScore, evaluation_problems
from floorsup.store.engine import write_conn
from floorsup.store.sql import fetchall


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
    recorded_by: str,
    now: float,
    work_types: tuple[str, ...],
    scorecard: Mapping[str, float],
    source: str = "screen",
) -> EvaluationRow:
    """Save one evaluation. EvaluationError says what is wrong, field by field."""
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
        return get_evaluation(conn, int(new_id))  # type: ignore[return-value]


def get_evaluation(conn: Connection, evaluation_id: int) -> EvaluationRow | None:
    rows = fetchall(conn, f"SELECT {_COLS} {_FROM} WHERE q.id = ?", (evaluation_id,))
    return _row(rows[0]) if rows else None


def agent_evaluations(
    conn: Connection, staff_id: str, *, since: float | None = None, limit: int = 200
) -> list[EvaluationRow]:
    """One agent's evaluations, newest first (from `since` on, if given)."""
    sql = f"SELECT {_COLS} {_FROM} WHERE q.staff_pk = (SELECT id FROM staff WHERE staff_id = ?)"
    params: list[Any] = [staff_id]
    if since is not None:
        sql += " AND q.evaluated_at >= ?"
        params.append(since)
    sql += " ORDER BY q.evaluated_at DESC, q.id DESC LIMIT ?"
    params.append(limit)
    return [_row(r) for r in fetchall(conn, sql, params)]


def latest_evaluation(conn: Connection, staff_id: str) -> EvaluationRow | None:
    rows = agent_evaluations(conn, staff_id, limit=1)
    return rows[0] if rows else None

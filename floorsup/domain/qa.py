"""QA evaluations, pure: checking one against the scorecard, and the trend per work type."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pendulum

from floorsup.domain.intervals import day_out_of_range


@dataclass(frozen=True, slots=True)
class QaScore:
    evaluated_at: float
    work_type: str
    score: float
    max_score: float
    evaluator: str = ""

    @property
    def pct(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


def evaluation_problems(
    score: float | None,
    max_score: float | None,
    criteria: Mapping[str, float | None],
    scorecard: Mapping[str, float],
    work_type: str,
    work_types: tuple[str, ...],
) -> dict[str, str]:
    """Field name → what is wrong with an evaluation. Criteria are optional, but each given
    one must be on the scorecard and within its points."""
    problems: dict[str, str] = {}
    if work_type not in work_types:
        problems["work_type"] = f"{work_type!r} is not one of: {', '.join(work_types)}"
    for name, value in criteria.items():
        if value is None:
            continue
        if name not in scorecard:
            problems[name] = f"{name!r} is not on the scorecard ({', '.join(scorecard)})"
        elif not math.isfinite(value) or not 0 <= value <= scorecard[name]:
            problems[name] = f"{name}: {value:g} is not between 0 and {scorecard[name]:g}"
    max_ok = max_score is not None and math.isfinite(max_score) and max_score > 0
    if not max_ok:
        problems["max_score"] = "the maximum score must be a number above 0"
    if score is None or not math.isfinite(score) or score < 0:
        problems["score"] = "the score must be a number, 0 or more"
    elif max_ok and max_score is not None and score > max_score:
        problems["score"] = f"the score {score:g} is above the maximum {max_score:g}"
    return problems


@dataclass(frozen=True, slots=True)
class QaTrend:
    work_type: str
    count: int
    latest_pct: float
    latest_at: float
    recent_pct: float  # mean of the last `window` evaluations
    direction: int  # +1 improving, -1 slipping, 0 steady (or too few to say)
    points: tuple[float, ...]  # oldest first, the last `keep` percentages (a sparkline)


def qa_trends(
    scores: Iterable[QaScore], *, window: int = 3, keep: int = 12, steady: float = 0.02
) -> list[QaTrend]:
    """One trend per work type, busiest first: the latest score, the mean of the last
    `window`, and whether that mean moved more than `steady` against the `window` before."""
    by_type: dict[str, list[QaScore]] = {}
    for s in scores:
        by_type.setdefault(s.work_type, []).append(s)
    out = []
    for work_type, items in by_type.items():
        items.sort(key=lambda s: s.evaluated_at)
        pcts = [s.pct for s in items]
        recent = pcts[-window:]
        before = pcts[-2 * window : -window]
        direction = 0
        if len(before) == window:
            delta = sum(recent) / window - sum(before) / window
            direction = 1 if delta > steady else -1 if delta < -steady else 0
        out.append(
            QaTrend(
                work_type,
                len(items),
                pcts[-1],
                items[-1].evaluated_at,
                sum(recent) / len(recent),
                direction,
                tuple(pcts[-keep:]) if keep > 0 else (),
            )
        )
    out.sort(key=lambda t: (-t.count, t.work_type))
    return out


MAX_DAYS_BACK = 3660  # `-Nd`: about ten years


class EvaluationDateError(ValueError):
    """The evaluation date is not one we can read, or is in the future."""


def parse_evaluation_day(text: str, now: float, tz: str) -> float:
    """When the evaluated work happened, from `2026-11-20`, `today`, `yesterday` or `-3d`,
    in the site's zone: today means now, another day that day at the time it is now. Not in
    the future."""
    raw = text.strip().lower()
    here = pendulum.from_timestamp(now, tz=tz)
    if raw in ("", "today"):
        return now
    if raw == "yesterday":
        day = here.subtract(days=1).date()
    elif raw.startswith("-") and raw[1:-1].isascii() and raw[1:-1].isdigit() and raw[-1] == "d":
        back = int(raw[1:-1])
        if back > MAX_DAYS_BACK:
            raise EvaluationDateError(
                f"{text.strip()!r}: at most {MAX_DAYS_BACK} days back (-{MAX_DAYS_BACK}d)"
            )
        day = here.subtract(days=back).date()
    else:
        try:
            day = pendulum.Date.fromisoformat(raw)
        except ValueError as exc:
            raise EvaluationDateError(
                f"{text.strip()!r}: expected a date like 2026-11-20, today, yesterday or -3d"
            ) from exc
    if day > here.date():
        raise EvaluationDateError(f"{day.isoformat()} is in the future")
    wrong = day_out_of_range(day)
    if wrong:
        raise EvaluationDateError(f"{text.strip()!r}: {wrong}")
    if day == here.date():
        return now
    # That day at this time of day: two evaluations of one day entered a minute apart stay
    # two (the same instant would read as the same evaluation twice).
    return pendulum.datetime(
        day.year, day.month, day.day, here.hour, here.minute, here.second, tz=tz
    ).timestamp()

"""QA, pure: an evaluation checked against the scorecard, and the trend per work type."""

from __future__ import annotations

import math

import pytest

from floorsup.config import DEFAULT_SCORECARD, DEFAULT_WORK_TYPES
from floorsup.domain.qa import QaScore, QaTrend, evaluation_problems, qa_trends

CARD = DEFAULT_SCORECARD
TYPES = DEFAULT_WORK_TYPES
INF, NAN = math.inf, math.nan


def problems(
    score: float | None = 80,
    max_score: float | None = 100,
    criteria: dict[str, float | None] | None = None,
    work_type: str = "phone",
) -> dict[str, str]:
    return evaluation_problems(score, max_score, criteria or {}, CARD, work_type, TYPES)


# -- evaluation_problems ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "max_score", "criteria"),
    [
        (80, 100, {}),
        (0, 100, {}),  # a zero is a score
        (100, 100, {}),  # full marks
        (4.5, 5, {}),
        (80, 100, {"greeting": 10, "close": 0, "resolution": 29.5}),  # at the limits
        (80, 100, {"greeting": None, "compliance": None}),  # criteria left out
        (80, 100, {"greeting": 10.0, "verification": 15.0, "discovery": 20.0}),
    ],
)
def test_good_evaluations(
    score: float, max_score: float, criteria: dict[str, float | None]
) -> None:
    assert problems(score, max_score, criteria) == {}


def test_work_type_must_be_configured() -> None:
    assert problems(work_type="fax") == {
        "work_type": "'fax' is not one of: phone, email, chat, escalation, back office"
    }
    assert "work_type" in problems(work_type="Phone")  # exact, as the form offers them
    assert "work_type" in problems(work_type="")


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"greeting": 11}, "greeting", "greeting: 11 is not between 0 and 10"),
        ({"resolution": 30.5}, "resolution", "resolution: 30.5 is not between 0 and 30"),
        ({"close": -1}, "close", "close: -1 is not between 0 and 10"),
        ({"close": NAN}, "close", "close: nan is not between 0 and 10"),
        ({"close": INF}, "close", "close: inf is not between 0 and 10"),
        (
            {"empathy": 5},
            "empathy",
            "'empathy' is not on the scorecard "
            "(greeting, verification, discovery, resolution, compliance, close)",
        ),
    ],
)
def test_criteria_within_their_points(
    criteria: dict[str, float | None], field: str, message: str
) -> None:
    assert problems(criteria=criteria) == {field: message}


def test_an_unknown_criterion_left_empty_is_ignored() -> None:
    assert problems(criteria={"empathy": None}) == {}


@pytest.mark.parametrize("max_score", [None, 0, -5.0, NAN, INF])
def test_maximum_must_be_a_number_above_zero(max_score: float | None) -> None:
    got = problems(score=0, max_score=max_score)
    assert got["max_score"] == "the maximum score must be a number above 0"


@pytest.mark.parametrize("score", [None, -1, -0.5, NAN, INF, -INF])
def test_score_must_be_a_number_zero_or_more(score: float | None) -> None:
    assert problems(score=score) == {"score": "the score must be a number, 0 or more"}


def test_score_above_the_maximum() -> None:
    assert problems(score=101, max_score=100) == {"score": "the score 101 is above the maximum 100"}
    assert problems(score=4.5, max_score=4) == {"score": "the score 4.5 is above the maximum 4"}


def test_every_problem_at_once() -> None:
    assert set(problems(score=None, max_score=0, criteria={"close": 11}, work_type="x")) == {
        "score",
        "max_score",
        "close",
        "work_type",
    }


def test_a_bad_maximum_is_not_blamed_on_the_score() -> None:
    """Only max_score is wrong: the score is not 'above the maximum -5'."""
    assert problems(score=0, max_score=-5) == {
        "max_score": "the maximum score must be a number above 0"
    }


# -- qa_trends --------------------------------------------------------------------------------

DAY = 86_400.0


def series(work_type: str, pcts: list[float], start: float = 0.0) -> list[QaScore]:
    """One evaluation a day, out of 100, oldest first."""
    return [QaScore(start + i * DAY, work_type, p * 100, 100.0, "sam") for i, p in enumerate(pcts)]


def one(scores: list[QaScore], **kw: float) -> QaTrend:
    (trend,) = qa_trends(scores, **kw)  # type: ignore[arg-type]
    return trend


@pytest.mark.parametrize(
    ("pcts", "direction"),
    [
        ([0.6, 0.6, 0.6, 0.8, 0.8, 0.8], 1),
        ([0.9, 0.9, 0.9, 0.7, 0.7, 0.7], -1),
        ([0.8, 0.8, 0.8, 0.8, 0.8, 0.8], 0),
        ([0.80, 0.80, 0.80, 0.81, 0.81, 0.81], 0),  # moved less than `steady`
        ([0.80, 0.80, 0.80, 0.79, 0.79, 0.79], 0),
        ([0.80, 0.80, 0.80, 0.83, 0.83, 0.83], 1),  # more than 2 points
        ([0.80, 0.80, 0.80, 0.77, 0.77, 0.77], -1),
        ([0.1, 0.1, 0.1, 0.1, 0.6, 0.6, 0.6], 1),  # only the last two windows count
        ([0.1, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5], -1),  # up overall, slipping lately
    ],
)
def test_direction(pcts: list[float], direction: int) -> None:
    assert one(series("phone", pcts)).direction == direction


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
def test_too_few_to_say(n: int) -> None:
    rising = [0.1, 0.2, 0.4, 0.6, 0.8, 0.9]
    if n == 0:
        assert qa_trends([]) == []
        return
    trend = one(series("phone", rising[:n]))
    assert trend.direction == 0  # fewer than two windows of 3
    assert trend.count == n
    assert trend.recent_pct == pytest.approx(sum(rising[:n][-3:]) / len(rising[:n][-3:]))


def test_a_wider_window_needs_more_points() -> None:
    pcts = [0.5, 0.5, 0.5, 0.9, 0.9, 0.9]
    assert one(series("phone", pcts), window=3).direction == 1
    assert one(series("phone", pcts), window=4).direction == 0
    assert one(series("phone", pcts + [0.9, 0.9]), window=4).direction == 1


def test_steady_threshold_is_a_parameter() -> None:
    pcts = [0.80, 0.80, 0.80, 0.85, 0.85, 0.85]
    assert one(series("phone", pcts)).direction == 1
    assert one(series("phone", pcts), steady=0.1).direction == 0


def test_latest_recent_and_points() -> None:
    scores = series("email", [0.5, 0.6, 0.7, 0.8, 0.9])
    trend = one(scores)
    assert trend.work_type == "email"
    assert trend.count == 5
    assert trend.latest_pct == pytest.approx(0.9)
    assert trend.latest_at == scores[-1].evaluated_at
    assert trend.recent_pct == pytest.approx(0.8)  # mean of 0.7, 0.8, 0.9
    assert trend.points == pytest.approx((0.5, 0.6, 0.7, 0.8, 0.9))


def test_order_of_the_input_does_not_matter() -> None:
    scores = series("chat", [0.6, 0.6, 0.6, 0.9, 0.9, 0.95])
    trend = one(list(reversed(scores)))
    assert trend.points == pytest.approx((0.6, 0.6, 0.6, 0.9, 0.9, 0.95))  # oldest first
    assert trend.latest_pct == pytest.approx(0.95) and trend.direction == 1


def test_percentages_use_each_evaluations_own_maximum() -> None:
    scores = [
        QaScore(0.0, "email", 45, 90),
        QaScore(DAY, "email", 9, 10),
        QaScore(2 * DAY, "email", 3, 0),  # a zero maximum counts as 0%
    ]
    assert one(scores).points == pytest.approx((0.5, 0.9, 0.0))


def test_one_trend_per_work_type_busiest_first() -> None:
    scores = [
        *series("email", [0.7, 0.8]),
        *series("phone", [0.9, 0.8, 0.7, 0.6]),
        *series("chat", [0.5, 0.6]),
        *series("back office", [0.9]),
    ]
    trends = qa_trends(scores)
    assert [(t.work_type, t.count) for t in trends] == [
        ("phone", 4),
        ("chat", 2),  # ties by name
        ("email", 2),
        ("back office", 1),
    ]
    assert trends[0].points == pytest.approx((0.9, 0.8, 0.7, 0.6))


@pytest.mark.parametrize(("keep", "expected"), [(3, 3), (12, 12), (20, 15), (1, 1)])
def test_keep_the_last_points(keep: int, expected: int) -> None:
    pcts = [i / 100 for i in range(50, 65)]  # 15 evaluations
    trend = one(series("phone", pcts), keep=keep)
    assert len(trend.points) == expected
    assert trend.points == pytest.approx(tuple(pcts[-expected:]))
    assert trend.count == 15  # keep only trims the sparkline


def test_keep_defaults_to_twelve() -> None:
    assert len(one(series("phone", [0.5] * 30)).points) == 12


def test_keep_zero_keeps_no_points() -> None:
    """(pcts[-0:] would be the whole list.)"""
    assert one(series("phone", [0.5, 0.6, 0.7]), keep=0).points == ()


# -- parse_evaluation_day: found by fuzzing -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-99999999999d", "at most 3660 days back"),  # was OverflowError from pendulum
        ("-²d", "expected a date like"),  # '²' passes isdigit(), int() refused it: ValueError
        ("0001-01-01", "is outside 1990-01-01"),  # was an instant in year 1
    ],
)
def test_parse_evaluation_day_refuses_what_it_cannot_mean(text: str, says: str) -> None:
    """Each is an EvaluationDateError saying why, not an exception from inside."""
    from floorsup.domain.qa import EvaluationDateError, parse_evaluation_day

    with pytest.raises(EvaluationDateError, match=says):
        parse_evaluation_day(text, 1_795_435_200.0, "Europe/Paris")

"""Peer mentoring, pure: who may mentor (every reason with its number), new hires, time two
people share on shift, and the ranking of mentors for one mentee with its reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorsup.domain.mentoring import (
    Fit,
    MentorPolicy,
    Person,
    capacity_refusal,
    eligibility,
    is_new_hire,
    rank_mentors,
    shared_seconds,
    validate_policy,
)

POLICY = MentorPolicy()
TODAY = dt.date(2026, 11, 25)
HOUR = 3600.0


def person(
    staff_id: str = "A100",
    name: str = "Ada",
    *,
    team: str | None = "Team Aurora",
    stage: int = 3,
    hire_date: dt.date | None = dt.date(2024, 1, 8),
    opted_in: bool = True,
    qa_average: float | None = 0.90,
    qa_by_type: Mapping[str, float] | None = None,
    adherence: float | None = 0.95,
    queues: frozenset[str] = frozenset(),
    mentees: int = 0,
) -> Person:
    """A person who may mentor unless told otherwise."""
    return Person(
        staff_id,
        name,
        team,
        stage,
        hire_date,
        opted_in,
        qa_average,
        dict(qa_by_type or {}),
        adherence,
        queues,
        mentees,
    )


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


# -- validate_policy --------------------------------------------------------------------------


def test_default_policy_is_valid() -> None:
    assert validate_policy(POLICY) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"min_stage": 0}, "min_stage must be at least 1 (got 0)"),
        ({"min_tenure_days": -1}, "min_tenure_days must be 0 or more (got -1)"),
        ({"min_qa": 1.1}, "min_qa must be between 0 and 1 (got 1.1)"),
        ({"min_qa": math.nan}, "min_qa must be between 0 and 1 (got nan)"),
        ({"min_adherence": -0.5}, "min_adherence must be between 0 and 1 (got -0.5)"),
        ({"capacity": 0}, "capacity must be at least 1 (got 0)"),
        ({"new_hire_days": -3}, "new_hire_days must be 0 or more (got -3)"),
        ({"qa_last_n": 0}, "qa_last_n must be at least 1 (got 0)"),
        ({"adherence_days": 0}, "adherence_days must be at least 1 (got 0)"),
        ({"horizon_days": 0}, "horizon_days must be at least 1 (got 0)"),
    ],
)
def test_validate_policy_problems(change: dict[str, float], problem: str) -> None:
    assert validate_policy(dataclasses.replace(POLICY, **change)) == [problem]


def test_validate_policy_lists_every_problem() -> None:
    bad = MentorPolicy(capacity=0, horizon_days=0)
    assert validate_policy(bad) == [
        "capacity must be at least 1 (got 0)",
        "horizon_days must be at least 1 (got 0)",
    ]


def test_policy_edges_are_allowed() -> None:
    edge = MentorPolicy(min_stage=1, min_tenure_days=0, min_qa=0, min_adherence=1, capacity=1)
    assert validate_policy(edge) == []


# -- is_new_hire ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hire_date", "expected"),
    [
        (TODAY, True),  # day 0
        (days_ago(89), True),
        (days_ago(90), False),  # the first 90 days are day 0..89
        (days_ago(400), False),
        (TODAY + dt.timedelta(days=7), True),  # starts next week: line a mentor up now
        (None, False),  # no hire date: we cannot say
    ],
)
def test_is_new_hire(hire_date: dt.date | None, expected: bool) -> None:
    assert is_new_hire(POLICY, person(hire_date=hire_date), TODAY) is expected


def test_is_new_hire_follows_the_policy() -> None:
    assert (
        is_new_hire(MentorPolicy(new_hire_days=30), person(hire_date=days_ago(45)), TODAY) is False
    )
    assert is_new_hire(MentorPolicy(new_hire_days=60), person(hire_date=days_ago(45)), TODAY)


# -- eligibility ------------------------------------------------------------------------------


def test_eligible_mentor_has_no_reasons() -> None:
    assert eligibility(POLICY, person(), TODAY) == ()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"stage": 2}, "stage 2 (mentors are stage 3+)"),
        ({"hire_date": days_ago(95)}, "tenure 95 days (needs 180)"),
        ({"hire_date": days_ago(179)}, "tenure 179 days (needs 180)"),
        ({"hire_date": None}, "no hire date on record (needs 180 days)"),
        ({"qa_average": 0.81}, "QA 81% (needs 85%)"),
        ({"qa_average": 0.846}, "QA 84% (needs 85%)"),  # never rounded up to the mark
        ({"qa_average": None}, "no QA yet"),
        ({"adherence": 0.86}, "adherence 86% (needs 90%)"),
        ({"adherence": None}, "no adherence measured yet"),
        ({"opted_in": False}, "has not opted in to mentor"),
        ({"mentees": 2}, "at capacity: 2 of 2 mentees"),
        ({"mentees": 3}, "at capacity: 3 of 2 mentees"),
    ],
)
def test_each_reason_alone(change: dict[str, object], reason: str) -> None:
    p = dataclasses.replace(person(), **change)
    assert eligibility(POLICY, p, TODAY) == (reason,)


@pytest.mark.parametrize(
    "change",
    [
        {"stage": 3},
        {"stage": 4},
        {"hire_date": days_ago(180)},  # exactly the tenure
        {"qa_average": 0.85},  # exactly the mark
        {"adherence": 0.90},
        {"mentees": 1},
    ],
)
def test_on_the_mark_is_eligible(change: dict[str, object]) -> None:
    assert eligibility(POLICY, dataclasses.replace(person(), **change), TODAY) == ()


def test_several_reasons_at_once_in_a_steady_order() -> None:
    p = person(
        stage=1,
        hire_date=days_ago(30),
        qa_average=None,
        adherence=0.5,
        opted_in=False,
        mentees=2,
    )
    assert eligibility(POLICY, p, TODAY) == (
        "stage 1 (mentors are stage 3+)",
        "tenure 30 days (needs 180)",
        "no QA yet",
        "adherence 50% (needs 90%)",
        "has not opted in to mentor",
        "at capacity: 2 of 2 mentees",
    )


def test_eligibility_follows_the_policy() -> None:
    lenient = MentorPolicy(min_stage=2, min_tenure_days=0, min_qa=0.8, capacity=3)
    p = person(stage=2, hire_date=None, qa_average=0.81, mentees=2)
    assert eligibility(lenient, p, TODAY) == ()
    assert eligibility(POLICY, p, TODAY) == (
        "stage 2 (mentors are stage 3+)",
        "no hire date on record (needs 180 days)",
        "QA 81% (needs 85%)",
        "at capacity: 2 of 2 mentees",
    )


def test_capacity_refusal() -> None:
    assert capacity_refusal(POLICY, person(mentees=0)) is None
    assert capacity_refusal(POLICY, person(mentees=1)) is None
    assert capacity_refusal(POLICY, person(mentees=2)) == "at capacity: 2 of 2 mentees"
    assert capacity_refusal(MentorPolicy(capacity=3), person(mentees=2)) is None


# -- shared_seconds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], [], 0),
        ([(0, 10)], [], 0),
        ([(0, 10)], [(20, 30)], 0),  # disjoint
        ([(0, 10)], [(10, 20)], 0),  # touching endpoints share nothing
        ([(0, 100)], [(20, 30)], 10),  # nested
        ([(20, 30)], [(0, 100)], 10),
        ([(0, 10)], [(5, 20)], 5),  # partly overlapping
        ([(0, 10), (5, 15)], [(0, 20)], 15),  # overlapping within one side: merged first
        ([(0, 10), (2, 4), (3, 12)], [(0, 20)], 12),
        ([(0, 10), (10, 20)], [(5, 15)], 10),  # touching within one side
        ([(50, 60), (0, 10), (20, 30)], [(25, 55), (5, 8)], 5 + 3 + 5),  # unsorted
        ([(0, 10), (20, 30), (40, 50)], [(5, 45)], 5 + 10 + 5),  # one spans several
        ([(10, 0), (5, 5)], [(0, 10)], 0),  # reversed and empty intervals cover nothing
        ([(0.5, 2.25)], [(1.0, 3.0)], 1.25),
    ],
)
def test_shared_seconds(
    a: list[tuple[float, float]], b: list[tuple[float, float]], expected: float
) -> None:
    assert shared_seconds(a, b) == expected
    assert shared_seconds(b, a) == expected


def test_shared_seconds_real_shifts() -> None:
    day = 86400.0
    a = [(d * day + 8 * HOUR, d * day + 16 * HOUR) for d in range(5)]  # 08-16 Mon..Fri
    b = [(d * day + 12 * HOUR, d * day + 20 * HOUR) for d in range(1, 6)]  # 12-20 Tue..Sat
    assert shared_seconds(a, b) == 4 * 4 * HOUR


# -- rank_mentors -----------------------------------------------------------------------------

MENTEE = person(
    "N001",
    "Nia",
    stage=1,
    hire_date=days_ago(10),
    opted_in=False,
    qa_average=None,
    adherence=None,
    queues=frozenset({"sales", "support"}),
)
WORK = ("phone", "email", "chat")  # what Nia holds plus what stage 2 adds


def by_id(fits: list[Fit]) -> dict[str, Fit]:
    return {f.mentor.staff_id: f for f in fits}


def test_a_perfect_fit_scores_100_with_every_reason() -> None:
    m = person(
        "M1",
        "Bea",
        queues=frozenset({"support", "sales", "billing"}),
        qa_by_type={"phone": 1.0, "email": 1.0, "escalation": 0.2},
    )
    (fit,) = rank_mentors(POLICY, MENTEE, WORK, [m], {"M1": 60 * HOUR}, TODAY)
    assert fit.score == pytest.approx(100)
    assert fit.shared_hours == 60
    assert fit.eligible and fit.refusals == ()
    assert fit.reasons == (
        "60 h on shift together in the next 14 days",
        "same team (Team Aurora)",
        "shares queues sales, support",
        "0 of 2 mentees",
        "QA 100% on phone, email",  # only the mentee's work they have scores on
    )


def test_each_part_of_the_score() -> None:
    base = person(team="Team Borealis", qa_by_type={}, mentees=2)
    cases = {
        "hours": (dataclasses.replace(base, staff_id="H"), {"H": 41 * HOUR}),
        "team": (dataclasses.replace(base, staff_id="T", team="Team Aurora"), {}),
        "queue": (dataclasses.replace(base, staff_id="Q", queues=frozenset({"sales"})), {}),
        "load": (dataclasses.replace(base, staff_id="L", mentees=1), {}),
        "qa": (dataclasses.replace(base, staff_id="A", qa_by_type={"chat": 0.92}), {}),
        "none": (dataclasses.replace(base, staff_id="Z"), {}),
    }
    shared = {k: v for _, s in cases.values() for k, v in s.items()}
    fits = by_id(rank_mentors(POLICY, MENTEE, WORK, [c for c, _ in cases.values()], shared, TODAY))
    assert fits["H"].score == pytest.approx(40 * 41 / 60)
    assert "41 h on shift together in the next 14 days" in fits["H"].reasons
    assert fits["T"].score == pytest.approx(20)
    assert "same team (Team Aurora)" in fits["T"].reasons
    assert fits["Q"].score == pytest.approx(10)
    assert "shares queue sales" in fits["Q"].reasons
    assert fits["L"].score == pytest.approx(7.5)
    assert "1 of 2 mentees" in fits["L"].reasons
    assert fits["A"].score == pytest.approx(15 * 0.6)
    assert "QA 92% on chat" in fits["A"].reasons
    assert fits["Z"].score == 0
    assert fits["Z"].reasons == (
        "no shifts together in the next 14 days",
        "2 of 2 mentees",
        "no QA yet on phone, email, chat",
    )


def test_qa_below_the_base_earns_nothing_and_above_100_is_capped() -> None:
    low = person("LO", "Lo", team=None, mentees=2, qa_by_type={"phone": 0.7})
    fits = by_id(rank_mentors(POLICY, MENTEE, WORK, [low], {}, TODAY))
    assert fits["LO"].score == 0
    assert "QA 70% on phone" in fits["LO"].reasons


def test_shared_hours_beyond_the_full_mark_add_nothing_more() -> None:
    a = person("A", "Al", team=None, mentees=2)
    b = person("B", "Bo", team=None, mentees=2)
    fits = by_id(
        rank_mentors(POLICY, MENTEE, WORK, [a, b], {"A": 60 * HOUR, "B": 90 * HOUR}, TODAY)
    )
    assert fits["A"].score == fits["B"].score == pytest.approx(40)
    assert fits["B"].shared_hours == 90
    small = rank_mentors(POLICY, MENTEE, WORK, [a], {"A": 600.0}, TODAY)[0]
    assert small.reasons[0] == "under 1 h on shift together in the next 14 days"


def test_eligible_come_first_even_with_a_lower_score() -> None:
    star = person("S", "Sam", stage=2, queues=frozenset({"sales"}))  # ineligible: stage 2
    plain = person("P", "Pat", team=None)
    fits = rank_mentors(POLICY, MENTEE, WORK, [star, plain], {"S": 60 * HOUR}, TODAY)
    assert [f.mentor.staff_id for f in fits] == ["P", "S"]
    assert fits[0].score < fits[1].score
    assert fits[1].refusals == ("stage 2 (mentors are stage 3+)",)
    assert not fits[1].eligible


def test_each_group_by_score_then_name() -> None:
    people = [
        person("1", "Cy", team=None),
        person("2", "Bo", team=None),  # ties with Cy and Al: by name
        person("3", "Al", team=None),
        person("4", "Di"),  # same team: higher
        person("5", "Ed", opted_in=False),  # ineligible, high score
        person("6", "Ab", opted_in=False, team=None),  # ineligible, lower
    ]
    fits = rank_mentors(POLICY, MENTEE, WORK, people, {"1": 30 * HOUR}, TODAY)
    assert [f.mentor.name for f in fits] == ["Cy", "Di", "Al", "Bo", "Ed", "Ab"]
    assert [f.eligible for f in fits] == [True] * 4 + [False] * 2


def test_the_mentee_is_never_their_own_mentor() -> None:
    fits = rank_mentors(POLICY, MENTEE, WORK, [MENTEE, person("M", "Mo")], {}, TODAY)
    assert [f.mentor.staff_id for f in fits] == ["M"]


def test_at_capacity_is_ranked_with_the_reason() -> None:
    full = person("F", "Flo", mentees=2)
    (fit,) = rank_mentors(POLICY, MENTEE, WORK, [full], {}, TODAY)
    assert not fit.eligible
    assert fit.refusals == ("at capacity: 2 of 2 mentees",)
    assert "2 of 2 mentees" in fit.reasons


def test_no_candidates() -> None:
    assert rank_mentors(POLICY, MENTEE, WORK, [], {}, TODAY) == []


# -- properties -------------------------------------------------------------------------------

intervals = st.lists(
    st.tuples(st.integers(0, 1000), st.integers(0, 200)).map(
        lambda t: (float(t[0]), float(t[0] + t[1]))
    ),
    max_size=12,
)


def covered(xs: list[tuple[float, float]]) -> float:
    """The merged total, by brute force over whole seconds."""
    return float(len({s for a, b in xs for s in range(int(a), int(b))}))


@given(intervals, intervals)
def test_shared_is_symmetric_and_bounded(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> None:
    s = shared_seconds(a, b)
    assert s == shared_seconds(b, a)
    assert 0 <= s <= min(covered(a), covered(b))
    assert shared_seconds(a, a) == covered(a)


@given(intervals, intervals)
def test_shared_matches_brute_force(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> None:
    inside_a = {s for x, y in a for s in range(int(x), int(y))}
    inside_b = {s for x, y in b for s in range(int(x), int(y))}
    assert shared_seconds(a, b) == len(inside_a & inside_b)
    assert shared_seconds(list(reversed(a)), b) == len(inside_a & inside_b)


people = st.builds(
    person,
    st.sampled_from(["N001", "A", "B", "C", "D", "E", "F"]),
    st.sampled_from(["Al", "Bo", "Cy"]),
    team=st.sampled_from([None, "Team Aurora", "Team Borealis"]),
    stage=st.integers(1, 4),
    hire_date=st.one_of(st.none(), st.integers(0, 800).map(days_ago)),
    opted_in=st.booleans(),
    qa_average=st.one_of(st.none(), st.floats(0, 1)),
    qa_by_type=st.dictionaries(st.sampled_from(["phone", "email", "escalation"]), st.floats(0, 1)),
    adherence=st.one_of(st.none(), st.floats(0, 1)),
    queues=st.frozensets(st.sampled_from(["sales", "support", "billing"])),
    mentees=st.integers(0, 3),
)


@given(st.lists(people, max_size=8), st.dictionaries(st.sampled_from("ABCDEF"), st.floats(0, 1e6)))
def test_ranking_is_every_candidate_but_the_mentee_in_order(
    candidates: list[Person], shared: dict[str, float]
) -> None:
    fits = rank_mentors(POLICY, MENTEE, WORK, candidates, shared, TODAY)
    expected = [c for c in candidates if c.staff_id != MENTEE.staff_id]
    assert sorted(map(id, (f.mentor for f in fits))) == sorted(map(id, expected))
    flags = [f.eligible for f in fits]
    assert flags == sorted(flags, reverse=True)  # eligible first
    for f, g in zip(fits, fits[1:], strict=False):
        if f.eligible == g.eligible:
            assert (-f.score, f.mentor.name) <= (-g.score, g.mentor.name)
    for f in fits:
        assert 0 <= f.score <= 100 + 1e-9
        assert f.refusals == eligibility(POLICY, f.mentor, TODAY)

"""The career path, pure: held work, promotion evidence (the next stage's rule on the next
stage's work), quality risk (the current stage's rule on held work), the documented steps
back, and checks on a configured path."""

from __future__ import annotations

import math

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorsup.domain.career import (
    CHECK_NAMES,
    DEFAULT_STAGES,
    STEP_TEXT,
    Evaluation,
    Evidence,
    MasteryRule,
    Stage,
    Step,
    evidence_work,
    held,
    learning_work,
    next_step,
    promotion_evidence,
    promotion_refusal,
    quality_risk,
    step_refusal,
    validate_stages,
)

NY = "America/New_York"
DAY = 86400.0
T0 = pendulum.datetime(2026, 9, 1, 12, tz="UTC").timestamp()
ALL = ("phone", "email", "chat", "escalation", "back office")


def ev(day: float, work: str, pct: float) -> Evaluation:
    return Evaluation(T0 + day * DAY, work, pct)


def series(work: str | tuple[str, ...], pcts: list[float], every: float = 9) -> list[Evaluation]:
    """Evaluations `every` days apart, oldest first, cycling through the work types."""
    works = (work,) if isinstance(work, str) else work
    return [ev(i * every, works[i % len(works)], p) for i, p in enumerate(pcts)]


GOOD_EMAIL_CHAT = series(("email", "chat"), [0.90, 0.88, 0.86, 0.90, 0.86])  # 36 days
THREE_OVER_A_MONTH = series(("email", "chat"), [0.90, 0.88, 0.86], every=15)  # 30 days


def details(e: Evidence | None) -> dict[str, str]:
    assert e is not None
    return {c.name: c.detail for c in e.checks}


def failed(e: Evidence | None) -> list[str]:
    assert e is not None
    return [c.name for c in e.checks if not c.ok]


# -- held -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, ()),
        (1, ("phone",)),
        (2, ("phone", "email", "chat")),
        (3, ALL),
        (4, ALL),  # the pipeline adds no work types
        (9, ALL),
    ],
)
def test_held_is_cumulative(n: int, expected: tuple[str, ...]) -> None:
    assert held(DEFAULT_STAGES, n) == expected


def test_held_goes_by_stage_number_and_never_repeats() -> None:
    stages = (
        Stage(2, "Two", ("email", "phone"), MasteryRule()),
        Stage(1, "One", ("phone",), MasteryRule()),
    )
    assert held(stages, 2) == ("phone", "email")


def test_learning_and_evidence_work() -> None:
    assert learning_work(DEFAULT_STAGES, 1) == ("phone", "email", "chat")
    assert learning_work(DEFAULT_STAGES, 4) == ALL
    assert evidence_work(DEFAULT_STAGES, 1) == ("email", "chat")
    assert evidence_work(DEFAULT_STAGES, 2) == ("escalation", "back office")
    assert evidence_work(DEFAULT_STAGES, 3) == ALL  # the pipeline judges all held work
    assert evidence_work(DEFAULT_STAGES, 4) == ()


# -- promotion evidence -----------------------------------------------------------------------


def test_evidence_met() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, GOOD_EMAIL_CHAT, 0.93)
    assert e is not None
    assert e.met
    assert e.to_stage == 2
    assert e.work_types == ("email", "chat")
    assert [c.name for c in e.checks] == list(CHECK_NAMES)
    assert e.average == pytest.approx(0.88)
    assert e.lowest == pytest.approx(0.86)
    assert e.weeks == pytest.approx(36 / 7)
    assert e.adherence == 0.93
    assert details(e) == {
        "evaluations": "5 of 5 evaluations on email, chat",
        "average": "average 88% (needs 85%)",
        "floor": "lowest 86% (floor 70%)",
        "weeks": "over 5.1 weeks (needs 4)",
        "adherence": "adherence 93% (needs 90%)",
    }
    assert e.summary() == (
        "ready: 5 of 5 evaluations on email, chat; average 88% (needs 85%); "
        "lowest 86% (floor 70%); over 5.1 weeks (needs 4); adherence 93% (needs 90%)"
    )
    assert promotion_refusal(DEFAULT_STAGES, 1, e) is None


def test_evidence_is_on_the_next_stages_work_only() -> None:
    # Poor phone work does not count against a move to email/chat: phone is judged as their
    # stage's standard (quality_risk), not here.
    phone = [ev(d + 0.5, "phone", 0.40) for d in range(0, 40, 3)]
    e = promotion_evidence(DEFAULT_STAGES, 1, phone + GOOD_EMAIL_CHAT, 0.93)
    assert e is not None and e.met
    assert {x.work_type for x in e.used} == {"email", "chat"}


def test_too_few_evaluations() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, THREE_OVER_A_MONTH, 0.93)
    assert failed(e) == ["evaluations"]
    assert details(e)["evaluations"] == "3 of 5 evaluations on email, chat"
    assert e is not None and not e.met
    assert e.summary() == "3 of 5 evaluations on email, chat"


def test_no_evaluations_at_all() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, [], 0.93)
    assert e is not None
    assert e.used == () and e.average is None and e.lowest is None and e.weeks is None
    assert failed(e) == ["evaluations", "average", "floor", "weeks"]
    assert details(e)["evaluations"] == "0 of 5 evaluations on email, chat"
    assert details(e)["average"] == "no average yet (needs 85%)"


def test_average_under() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, series("email", [0.84] * 5), 0.93)
    assert failed(e) == ["average"]
    assert details(e)["average"] == "average 84% (needs 85%)"


def test_one_under_the_floor() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, series("chat", [0.95] * 4 + [0.64]), 0.93)
    assert failed(e) == ["floor"]  # the average (88%) is fine
    assert details(e)["floor"] == "lowest 64% (floor 70%)"


def test_exactly_on_the_marks_is_enough() -> None:
    # Five 85%s average 0.8499999999999999 in floats; 70% is the floor, not below it.
    evals = series("email", [0.85] * 5, every=7)
    e = promotion_evidence(DEFAULT_STAGES, 1, evals, 0.90)
    assert e is not None and e.met  # 28 days = exactly 4 weeks
    floor_case = series("email", [0.95, 0.95, 0.95, 0.95, 0.70])
    assert failed(promotion_evidence(DEFAULT_STAGES, 1, floor_case, 0.9)) == []


def test_span_under_the_weeks() -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, series("email", [0.9] * 5, every=5), 0.93)
    assert failed(e) == ["weeks"]
    assert details(e)["weeks"] == "over 2.9 weeks (needs 4)"


def test_just_short_never_reads_as_reaching_the_mark() -> None:
    days = 4 * 7 - 0.3  # 3.96 weeks: rounds to 4.0
    evals = [ev(i * days / 4, "email", p) for i, p in enumerate([0.9] * 4 + [0.846])]
    e = promotion_evidence(DEFAULT_STAGES, 1, evals, 0.897)
    assert failed(e) == ["weeks", "adherence"]
    assert details(e)["weeks"] == "over 3.9 weeks (needs 4)"
    assert details(e)["adherence"] == "adherence 89% (needs 90%)"
    e = promotion_evidence(DEFAULT_STAGES, 1, series("email", [0.8496] * 5), 0.95)
    assert details(e)["average"] == "average 84% (needs 85%)"


@pytest.mark.parametrize(
    ("adherence", "detail"),
    [
        (None, "no adherence measured yet (needs 90%)"),
        (0.86, "adherence 86% (needs 90%)"),
    ],
)
def test_adherence_missing_or_under(adherence: float | None, detail: str) -> None:
    e = promotion_evidence(DEFAULT_STAGES, 1, GOOD_EMAIL_CHAT, adherence)
    assert failed(e) == ["adherence"]
    assert details(e)["adherence"] == detail
    assert e is not None and e.summary() == detail


def test_the_next_stages_rule_is_used() -> None:
    # Stage 3 asks for 88%: the same 86% that would do for stage 2 is not enough.
    evals = series(("escalation", "back office"), [0.86] * 5)
    e = promotion_evidence(DEFAULT_STAGES, 2, evals, 0.95)
    assert e is not None and e.to_stage == 3
    assert e.work_types == ("escalation", "back office")
    assert failed(e) == ["average"]
    assert details(e)["average"] == "average 86% (needs 88%)"
    assert (
        promotion_refusal(DEFAULT_STAGES, 2, e) == "not ready for stage 3: average 86% (needs 88%)"
    )


def test_a_stage_with_no_new_work_judges_all_held_work() -> None:
    # Stage 4 adds nothing: ten evaluations on any held work, 90%+, floor 75%, 8 weeks, 92%.
    evals = series(ALL, [0.92] * 10, every=7)  # 63 days = 9 weeks
    e = promotion_evidence(DEFAULT_STAGES, 3, evals, 0.93)
    assert e is not None and e.met
    assert e.to_stage == 4
    assert e.work_types == ALL
    assert len(e.used) == 10
    assert details(e)["evaluations"] == (
        "10 of 10 evaluations on phone, email, chat, escalation, back office"
    )
    assert details(e)["weeks"] == "over 9.0 weeks (needs 8)"
    e = promotion_evidence(DEFAULT_STAGES, 3, evals, 0.91)
    assert failed(e) == ["adherence"]
    assert details(e)["adherence"] == "adherence 91% (needs 92%)"


def test_the_newest_n_are_used_newest_first() -> None:
    old_bad = series("email", [0.30, 0.30, 0.30])  # days 0, 9, 18
    newer = [ev(30 + i * 9, "chat", p) for i, p in enumerate([0.9, 0.88, 0.86, 0.9, 0.87])]
    e = promotion_evidence(DEFAULT_STAGES, 1, list(reversed(newer)) + old_bad, 0.93)
    assert e is not None and e.met
    assert e.used == tuple(reversed(newer))
    assert [x.at for x in e.used] == sorted((x.at for x in e.used), reverse=True)


def test_top_stage_has_no_evidence() -> None:
    assert promotion_evidence(DEFAULT_STAGES, 4, GOOD_EMAIL_CHAT, 0.99) is None
    assert promotion_evidence(DEFAULT_STAGES, 7, GOOD_EMAIL_CHAT, 0.99) is None


# -- promotion refusal ------------------------------------------------------------------------


def test_promotion_refusal_texts() -> None:
    assert (
        promotion_refusal(DEFAULT_STAGES, 4, None)
        == "already at the top stage (4 Mentor / lead pipeline)"
    )
    e = promotion_evidence(DEFAULT_STAGES, 1, THREE_OVER_A_MONTH, None)
    assert promotion_refusal(DEFAULT_STAGES, 1, e) == (
        "not ready for stage 2: 3 of 5 evaluations on email, chat; "
        "no adherence measured yet (needs 90%)"
    )
    assert promotion_refusal(DEFAULT_STAGES, 1, None) == (
        "not ready for stage 2: no evidence gathered"
    )
    # Evidence judged for another stage (the stage changed under the screen) is not used.
    stale = promotion_evidence(DEFAULT_STAGES, 1, GOOD_EMAIL_CHAT, 0.93)
    assert promotion_refusal(DEFAULT_STAGES, 2, stale) == (
        "the evidence is for stage 2, not stage 3: refresh and judge again"
    )


# -- quality risk -----------------------------------------------------------------------------


def test_not_enough_evaluations_is_no_risk() -> None:
    bad = series("phone", [0.40] * 4)
    assert quality_risk(DEFAULT_STAGES, 2, bad, NY) is None
    assert quality_risk(DEFAULT_STAGES, 2, [], NY) is None


def test_meeting_the_standard_is_no_risk() -> None:
    assert quality_risk(DEFAULT_STAGES, 2, series("phone", [0.85, 0.9, 0.7, 0.9, 0.9]), NY) is None


def test_average_below_the_standard() -> None:
    r = quality_risk(DEFAULT_STAGES, 2, series(("phone", "email"), [0.78] * 5), NY)
    assert r is not None
    assert r.stage == 2
    assert r.work_types == ("phone", "email", "chat")
    assert r.average == pytest.approx(0.78) and r.lowest == pytest.approx(0.78)
    assert r.reasons == ("average 78% (standard 85%)",)
    assert r.summary() == "average 78% (standard 85%)"


def test_one_below_the_floor_with_its_local_date() -> None:
    # 03:00 UTC on 3 November is still 2 November in New York.
    low_at = pendulum.datetime(2026, 11, 3, 3, tz="UTC").timestamp()
    evals = [ev(-9 * i, "email", 0.95) for i in range(1, 5)] + [Evaluation(low_at, "chat", 0.62)]
    r = quality_risk(DEFAULT_STAGES, 2, evals, NY)
    assert r is not None
    assert r.average == pytest.approx(0.884)  # the average alone is fine
    assert r.lowest == pytest.approx(0.62)
    assert r.reasons == ("62% on 2026-11-02 below the floor 70%",)
    in_utc = quality_risk(DEFAULT_STAGES, 2, evals, "UTC")
    assert in_utc is not None
    assert in_utc.reasons == ("62% on 2026-11-03 below the floor 70%",)


def test_both_reasons_average_first_then_each_low_one_newest_first() -> None:
    evals = series("phone", [0.65, 0.9, 0.68, 0.9, 0.8])
    r = quality_risk(DEFAULT_STAGES, 1, evals, "UTC")
    assert r is not None
    assert r.reasons == (
        "average 79% (standard 85%)",
        "68% on 2026-09-19 below the floor 70%",
        "65% on 2026-09-01 below the floor 70%",
    )


def test_only_held_work_types_count() -> None:
    # Stage 1 holds phone only: their email attempts (being learned) are not their standard.
    evals = series("phone", [0.9] * 5) + series("email", [0.3] * 5, every=2)
    assert quality_risk(DEFAULT_STAGES, 1, evals, NY) is None
    # ...and escalations are not held at stage 2 either.
    evals = series("chat", [0.9] * 5) + series("escalation", [0.3] * 5, every=2)
    assert quality_risk(DEFAULT_STAGES, 2, evals, NY) is None
    # At stage 3 they are.
    r = quality_risk(DEFAULT_STAGES, 3, evals, NY)
    assert r is not None and {e.work_type for e in r.used} <= set(ALL)


def test_the_newest_n_are_judged() -> None:
    old_bad = series("phone", [0.3] * 5)  # days 0..36
    new_good = [ev(60 + i, "phone", 0.9) for i in range(5)]
    assert quality_risk(DEFAULT_STAGES, 1, old_bad + new_good, NY) is None
    new_bad = [ev(60 + i, "phone", 0.8) for i in range(5)]
    r = quality_risk(DEFAULT_STAGES, 1, new_bad + old_bad, NY)
    assert r is not None
    assert r.used == tuple(reversed(new_bad))
    assert r.reasons == ("average 80% (standard 85%)",)


def test_the_current_stages_rule_is_the_standard() -> None:
    evals = series(ALL, [0.86] * 5)
    assert quality_risk(DEFAULT_STAGES, 2, evals, NY) is None  # 85% standard
    r = quality_risk(DEFAULT_STAGES, 3, evals, NY)  # 88% standard
    assert r is not None and r.reasons == ("average 86% (standard 88%)",)


def test_a_stage_off_the_path_is_not_judged() -> None:
    assert quality_risk(DEFAULT_STAGES, 0, series("phone", [0.1] * 5), NY) is None


# -- the documented steps ---------------------------------------------------------------------

P, R, G = Step.PLAN, Step.REVIEW, Step.REGRESS


def test_step_texts() -> None:
    assert STEP_TEXT == {P: "coaching plan", R: "review", G: "regression"}
    assert [s.value for s in Step] == ["plan", "review", "regress"]


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        ([], P),
        ([P], R),
        ([P, R], G),
        ([P, R, P], R),  # a new plan after a review waits for its own review
        ([P, P], R),
        ([P, R, R], G),
        ([P, R, G], P),  # a regression ends the episode
    ],
)
def test_next_step_goes_in_order(taken: list[Step], expected: Step) -> None:
    assert next_step(taken) == expected


def test_next_step_reads_stored_kinds() -> None:
    assert next_step([Step("plan")]) == R
    assert next_step([Step("plan"), Step("review")]) == G


NOT_AT_RISK = "not at risk: their recent QA meets the stage's standard"
NO_PLAN_REVIEW = "no coaching plan yet: a review follows a coaching plan"
STAGE_1 = "already at stage 1: there is no stage to go back to"
NO_PLAN_REGRESS = "no coaching plan yet: regression comes after a coaching plan and its review"
NOT_REVIEWED = "the coaching plan has not been reviewed yet: regression comes after the review"


@pytest.mark.parametrize(
    ("step", "taken", "stage", "at_risk", "expected"),
    [
        (P, [], 2, True, None),
        (P, [], 2, False, NOT_AT_RISK),
        (P, [P], 2, False, None),  # an open plan may be revised
        (P, [P, R], 2, False, NOT_AT_RISK),  # reviewed: a new plan needs a new risk
        (P, [P, R], 2, True, None),
        (P, [], 1, True, None),  # stage 1 may be coached
        (R, [], 2, True, NO_PLAN_REVIEW),
        (R, [P], 2, True, None),
        (R, [P], 2, False, None),  # the review says how it went, risk or not
        (R, [P, R], 2, True, None),
        (G, [], 2, True, NO_PLAN_REGRESS),
        (G, [R], 2, True, NO_PLAN_REGRESS),
        (G, [P], 2, True, NOT_REVIEWED),
        (G, [R, P], 2, True, NOT_REVIEWED),  # the review must follow the plan
        (G, [P, R, P], 2, True, NOT_REVIEWED),  # the newest plan is not reviewed
        (G, [P, R], 2, True, None),
        (G, [P, R], 3, False, None),
        (G, [P, R], 1, True, STAGE_1),  # stage 1 cannot regress
        (G, [], 1, True, STAGE_1),
    ],
)
def test_step_refusal(
    step: Step, taken: list[Step], stage: int, at_risk: bool, expected: str | None
) -> None:
    assert step_refusal(step, taken, stage, at_risk) == expected


def test_following_next_step_is_never_refused_above_stage_1() -> None:
    taken: list[Step] = []
    for _ in range(3):
        step = next_step(taken)
        assert step_refusal(step, taken, 2, True) is None
        taken.append(step)
    assert taken == [P, R, G]


# -- validate_stages --------------------------------------------------------------------------


def test_default_stages_are_valid() -> None:
    assert validate_stages(DEFAULT_STAGES) == []


def one(rule: MasteryRule | None = None, name: str = "Phone") -> tuple[Stage, ...]:
    return (Stage(1, name, ("phone",), rule or MasteryRule()),)


@pytest.mark.parametrize(
    ("stages", "problem"),
    [
        ((), "no stages configured: the path needs at least stage 1"),
        (
            (Stage(1, "A", ("phone",), MasteryRule()), Stage(3, "C", ("email",), MasteryRule())),
            "stage numbers must run 1, 2, 3, ... in order without gaps (got 1, 3)",
        ),
        (
            (Stage(2, "B", ("email",), MasteryRule()), Stage(1, "A", ("phone",), MasteryRule())),
            "stage numbers must run 1, 2, 3, ... in order without gaps (got 2, 1)",
        ),
        (
            (Stage(0, "A", ("phone",), MasteryRule()),),
            "stage numbers must run 1, 2, 3, ... in order without gaps (got 0)",
        ),
        (one(name="  "), "stage 1: the name is empty"),
        (one(MasteryRule(last_n=0)), "stage 1: last_n must be at least 1 (got 0)"),
        (
            one(MasteryRule(floor=0)),
            "stage 1: needs 0 < floor <= average <= 1 (got floor 0, average 0.85)",
        ),
        (
            one(MasteryRule(floor=0.9)),
            "stage 1: needs 0 < floor <= average <= 1 (got floor 0.9, average 0.85)",
        ),
        (
            one(MasteryRule(average=1.2)),
            "stage 1: needs 0 < floor <= average <= 1 (got floor 0.7, average 1.2)",
        ),
        (
            one(MasteryRule(average=math.nan)),
            "stage 1: needs 0 < floor <= average <= 1 (got floor 0.7, average nan)",
        ),
        (one(MasteryRule(weeks=-1)), "stage 1: weeks must be 0 or more (got -1)"),
        (
            one(MasteryRule(adherence=1.5)),
            "stage 1: adherence must be between 0 and 1 (got 1.5)",
        ),
        (
            one(MasteryRule(adherence=-0.1)),
            "stage 1: adherence must be between 0 and 1 (got -0.1)",
        ),
        (
            (
                Stage(1, "A", ("phone",), MasteryRule()),
                Stage(2, "B", ("email", "phone"), MasteryRule()),
            ),
            "stage 2: 'phone' is already added by stage 1",
        ),
        (
            (Stage(1, "A", ("phone", "phone"), MasteryRule()),),
            "stage 1 adds 'phone' twice",
        ),
    ],
)
def test_validate_stages_problems(stages: tuple[Stage, ...], problem: str) -> None:
    assert validate_stages(stages) == [problem]


def test_validate_stages_lists_every_problem() -> None:
    stages = (
        Stage(1, "", ("phone",), MasteryRule(last_n=0, weeks=-2)),
        Stage(3, "C", ("phone",), MasteryRule()),
    )
    assert validate_stages(stages) == [
        "stage numbers must run 1, 2, 3, ... in order without gaps (got 1, 3)",
        "stage 1: the name is empty",
        "stage 1: last_n must be at least 1 (got 0)",
        "stage 1: weeks must be 0 or more (got -2)",
        "stage 3: 'phone' is already added by stage 1",
    ]


def test_weeks_zero_and_full_marks_are_allowed() -> None:
    assert validate_stages(one(MasteryRule(average=1, floor=1, weeks=0, adherence=0))) == []


# -- properties -------------------------------------------------------------------------------

evaluations = st.lists(
    st.builds(
        Evaluation,
        st.floats(0, 200 * DAY).map(lambda x: T0 + x),
        st.sampled_from(ALL),
        st.floats(0, 1),
    ),
    max_size=30,
)


@given(evaluations, st.integers(0, 4), st.one_of(st.none(), st.floats(0, 1)))
def test_evidence_shape(evals: list[Evaluation], stage: int, adherence: float | None) -> None:
    e = promotion_evidence(DEFAULT_STAGES, stage, evals, adherence)
    if stage >= 4:
        assert e is None
        return
    assert e is not None
    rule = DEFAULT_STAGES[stage].rule  # the next stage's (numbers start at 1)
    assert [c.name for c in e.checks] == list(CHECK_NAMES)
    assert len(e.used) == min(rule.last_n, sum(x.work_type in e.work_types for x in evals))
    assert all(x.work_type in e.work_types for x in e.used)
    assert [x.at for x in e.used] == sorted((x.at for x in e.used), reverse=True)
    newest_left_out = [x.at for x in evals if x.work_type in e.work_types and x not in e.used]
    if e.used and newest_left_out:
        assert max(newest_left_out) <= e.used[-1].at
    assert e.met == all(c.ok for c in e.checks)
    text = promotion_refusal(DEFAULT_STAGES, stage, e)
    assert (text is None) == e.met


@given(evaluations, st.integers(1, 4))
def test_risk_reasons_match_the_numbers(evals: list[Evaluation], stage: int) -> None:
    r = quality_risk(DEFAULT_STAGES, stage, evals, "UTC")
    rule = DEFAULT_STAGES[stage - 1].rule
    mine = [x for x in evals if x.work_type in held(DEFAULT_STAGES, stage)]
    if len(mine) < rule.last_n:
        assert r is None
        return
    if r is None:
        return
    assert len(r.used) == rule.last_n
    assert r.reasons
    assert r.average is not None and r.lowest is not None
    assert r.average < rule.average or r.lowest < rule.floor

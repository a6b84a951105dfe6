"""Dates, times and durations as people type them (and as settings and options give them):
a value in range, or the documented error with a clear message. Never an OverflowError or a
stray ValueError from inside, never year 1 or NaN as if it were an answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorsup.staffing import StaffingArgs, StaffingArgsError, compute

from . import properties as p
from .properties import FUZZ, Workspace

FILTERS = st.one_of(
    p.any_text,
    st.builds(
        lambda k, v: f"{k}:{v}",
        st.sampled_from(["from", "to", "team", "by", "cat"]),
        p.moment_text,
    ),
)


@FUZZ
@given(text=p.moment_text, tz=p.zones, now=p.nows)
def test_parse_local_instant_gives_a_past_instant_or_says_why(
    text: str, tz: str, now: float
) -> None:
    """Replay's `--at`: an instant not after now on a day in range, or ValueError quoting it."""
    p.check_local_instant(text, tz, now)


@FUZZ
@given(text=p.moment_text, tz=p.zones, now=p.nows)
def test_parse_follow_up_gives_a_day_ahead_or_says_why(text: str, tz: str, now: float) -> None:
    """A follow-up: a day from today up to 2099-12-31, or FollowUpError."""
    p.check_follow_up(text, tz, now)


@FUZZ
@given(text=FILTERS)
def test_parse_note_filter_never_raises_and_keeps_only_good_dates(text: str) -> None:
    """The notes filter: from/to kept only as ISO dates in range; the rest are problems."""
    p.check_note_filter(text)


@FUZZ
@given(text=p.moment_text, tz=p.zones, now=p.nows)
def test_parse_evaluation_day_gives_a_past_instant_or_says_why(
    text: str, tz: str, now: float
) -> None:
    """The QA form's day: an instant not after now on a day in range, or EvaluationDateError."""
    p.check_evaluation_day(text, tz, now)


@FUZZ
@given(text=p.moment_text, tz=p.zones, now=p.nows)
def test_cli_parse_day_gives_a_day_in_range_or_a_usage_error(
    text: str, tz: str, now: float
) -> None:
    """`--date`, `--from`, `--to`: a day in range, or UsageError quoting what was typed."""
    p.check_parse_day(text, tz, now)


@FUZZ
@given(toml_text=p.settings_file, env=p.settings_env)
def test_any_settings_give_settings_or_a_config_error(
    workspace: Workspace, toml_text: str, env: dict[str, str]
) -> None:
    """A settings file and FLOORSUP_* variables of any content (inf, NaN, lists, tables,
    text): valid Settings, or ConfigError."""
    p.check_settings(workspace, toml_text, env)


@FUZZ
@given(values=p.erlang_values)
def test_request_problems_takes_any_numbers(values: tuple[float, ...]) -> None:
    """Erlang's argument check never raises and flags every NaN and infinity."""
    p.check_request_problems(values)


@FUZZ
@given(args=p.staffing_args)
def test_staffing_options_give_an_answer_or_name_the_options(args: StaffingArgs) -> None:
    """`floorsup staffing` with hostile numbers of a size a person types: a finite answer or
    StaffingArgsError naming each option."""
    p.check_staffing(args)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # found by fuzzing: accepted, then an OverflowError while counting agents
        (
            StaffingArgs(1e9, 1e-300 / 60, 1e300, 0.99, 0, patience=5e-324, max_abandon=0.5),
            "--aht",
        ),
        (
            StaffingArgs(1e9, 1e-300 / 60, 300, 0.99, 0, patience=5e-324, max_abandon=0.5),
            "--patience",
        ),
        # found by fuzzing: Erlang A summing 10^8 queue lengths for each count tried
        (
            StaffingArgs(9528.532038361584, 1.0, 1.0, 0.00390625, 0.0, patience=1192515.0),
            "leave --patience out",
        ),
        # found by fuzzing: accepted, then 18 s of counting
        (StaffingArgs(1e12, 30, 1e4, 0.8, 20), "erlangs of traffic"),
    ],
)
def test_staffing_extremes_are_refused_with_a_message(args: StaffingArgs, said: str) -> None:
    """Values each fine alone but no traffic a centre staffs are refused, naming the option."""
    with pytest.raises(StaffingArgsError, match=said):
        compute(args)

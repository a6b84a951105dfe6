"""`floorsup staffing` as a user drives it: the worked examples, Erlang A, every format, and
bad arguments named by their option (exit 2, like the other usage errors)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from floorsup.cli import main

EXAMPLE = [
    "--calls",
    "100",
    "--interval-minutes",
    "30",
    "--aht",
    "180",
    "--target-sl",
    "0.8",
    "--target-seconds",
    "20",
]
KEYS = [
    "traffic_erlangs",
    "agents",
    "scheduled_agents",
    "service_level",
    "probability_of_waiting",
    "asa_seconds",
    "occupancy",
    "binding",
]


def run(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "f.db"), "staffing", *args])


def as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert run(tmp_path, *args, "--format", "json") == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_worked_example_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = as_json(tmp_path, capsys, *EXAMPLE)
    assert list(got) == KEYS  # no abandon_probability without --patience
    assert got == {
        "traffic_erlangs": 10.0,
        "agents": 14,
        "scheduled_agents": 14,
        "service_level": 0.8884,
        "probability_of_waiting": 0.1741,
        "asa_seconds": 7.84,
        "occupancy": 0.7143,
        "binding": "service level",
    }
    assert not (tmp_path / "f.db").exists()  # staffing needs no database


def test_worked_example_with_cap_and_shrinkage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = as_json(tmp_path, capsys, *EXAMPLE, "--max-occupancy", "0.85", "--shrinkage", "0.3")
    assert (got["agents"], got["scheduled_agents"], got["binding"]) == (14, 20, "service level")


def test_the_rounding_trap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """164 calls in 30 minutes at 180 s need 21 agents; at 30% shrinkage that is 30 scheduled
    (21 / 0.7 is 30.000000000000004 in doubles)."""
    args = ["--calls", "164", "--interval-minutes", "30", "--aht", "180"]
    got = as_json(tmp_path, capsys, *args, "--target-sl", "0.8", "--target-seconds", "20",
                  "--shrinkage", "0.3")  # fmt: skip
    assert (got["agents"], got["scheduled_agents"]) == (21, 30)


def test_occupancy_binds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """105 calls in 15 minutes at 180 s = 21 erlangs; a 70% cap needs exactly 30 agents."""
    got = as_json(tmp_path, capsys, "--calls", "105", "--interval-minutes", "15", "--aht", "180",
                  "--target-sl", "0.5", "--target-seconds", "20", "--max-occupancy", "0.7")  # fmt: skip
    assert (got["agents"], got["binding"], got["occupancy"]) == (30, "occupancy", 0.7)


def test_erlang_a(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = as_json(tmp_path, capsys, *EXAMPLE, "--patience", "120")
    assert list(got) == [*KEYS, "abandon_probability"]
    assert (got["agents"], got["binding"]) == (12, "service level")
    assert got["abandon_probability"] == pytest.approx(0.0616, abs=1e-4)
    got = as_json(tmp_path, capsys, *EXAMPLE, "--patience", "60", "--max-abandon", "0.02")
    assert (got["agents"], got["binding"]) == (15, "abandonment")
    assert isinstance(got["abandon_probability"], float) and got["abandon_probability"] <= 0.02


def test_zero_calls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = as_json(tmp_path, capsys, "--calls", "0", *EXAMPLE[2:], "--shrinkage", "0.3")
    assert (got["agents"], got["scheduled_agents"], got["binding"]) == (0, 0, "none")
    got = as_json(tmp_path, capsys, "--calls", "0", *EXAMPLE[2:], "--patience", "90")
    assert (got["agents"], got["abandon_probability"]) == (0, 0.0)


@pytest.mark.parametrize("calls", ["5000", "50000", "500000"])
def test_very_large_centres(tmp_path: Path, capsys: pytest.CaptureFixture[str], calls: str) -> None:
    got = as_json(tmp_path, capsys, "--calls", calls, *EXAMPLE[2:], "--shrinkage", "0.35")
    erlangs = float(calls) * 180 / 1800
    assert got["traffic_erlangs"] == erlangs
    agents = got["agents"]
    assert isinstance(agents, int) and erlangs < agents < erlangs + 3 * math.sqrt(erlangs)
    for key in ("service_level", "probability_of_waiting", "asa_seconds", "occupancy"):
        value = got[key]
        assert isinstance(value, float) and math.isfinite(value)


def test_very_large_centre_erlang_a(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = as_json(tmp_path, capsys, "--calls", "50000", *EXAMPLE[2:], "--patience", "120",
                  "--max-abandon", "0.02")  # fmt: skip
    assert got["binding"] == "abandonment"
    assert isinstance(got["abandon_probability"], float) and got["abandon_probability"] <= 0.02


def test_table_is_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, *EXAMPLE, "--max-occupancy", "0.85", "--shrinkage", "0.3") == 0
    out = capsys.readouterr().out
    assert "Staffing" in out and "Erlang C" in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 2}
    assert "10.00" in lines["Traffic"] and "100 calls × 180 s / 30 min" in lines["Traffic"]
    assert " 14 " in lines["Agents"] and "service level" in lines["Agents"]
    assert " 20 " in lines["Scheduled"] and "30% shrinkage" in lines["Scheduled"]
    assert "88.8%" in lines["Service level"] and "target 80% ✓ met" in lines["Service level"]
    assert "17.4%" in lines["P(wait)"]
    assert "7.8 s" in lines["ASA"]
    assert "71.4%" in lines["Occupancy"] and "cap 85%" in lines["Occupancy"]
    assert "Abandoned" not in lines


def test_table_erlang_a(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, *EXAMPLE, "--patience", "60", "--max-abandon", "0.02") == 0
    out = capsys.readouterr().out
    assert "Erlang A" in out and "abandons count against it" in out
    assert any("Abandoned" in line and "cap 2%" in line for line in out.splitlines())


def test_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, *EXAMPLE, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert list(rows[0]) == KEYS
    assert (rows[0]["agents"], rows[0]["binding"]) == ("14", "service level")


def with_option(option: str, value: str) -> list[str]:
    """EXAMPLE with `option` set to `value` (replaced if present, else added)."""
    args = list(EXAMPLE)
    if option in args:
        args[args.index(option) + 1] = value
        return args
    return [*args, option, value]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--calls", "-5", "--calls: expected a number of calls, 0 or more; got -5"),
        ("--calls", "nan", "--calls: expected a number of calls, 0 or more; got nan"),
        (
            "--interval-minutes",
            "0",
            "--interval-minutes: expected a length above 0 minutes, e.g. 15 or 30; got 0",
        ),
        ("--aht", "0", "--aht: expected an average handle time above 0 seconds; got 0"),
        (
            "--target-sl",
            "80",
            "--target-sl: expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got 80",
        ),
        (
            "--target-sl",
            "1",
            "--target-sl: expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got 1",
        ),
        ("--target-seconds", "-20", "--target-seconds: expected a number of seconds, 0 or more"),
        (
            "--shrinkage",
            "1",
            "--shrinkage: expected a fraction from 0 up to (not including) 1, e.g. 0.3; got 1",
        ),
        ("--shrinkage", "-0.1", "--shrinkage: expected a fraction from 0 up to (not including) 1"),
        (
            "--max-occupancy",
            "0",
            "--max-occupancy: expected a fraction above 0 and at most 1, e.g. 0.85; got 0",
        ),
        ("--max-occupancy", "1.5", "--max-occupancy: expected a fraction above 0 and at most 1"),
        ("--patience", "0", "--patience: expected a mean patience above 0 seconds; got 0"),
        (
            "--max-abandon",
            "0.05",
            "--max-abandon: needs --patience: without it this is Erlang C, where nobody abandons",
        ),
    ],
)
def test_bad_arguments_say_which_and_what_was_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    assert run(tmp_path, *with_option(option, value), "--format", "json") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("floorsup: error: ")
    assert message in captured.err


def test_a_bad_abandon_cap_with_patience(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, *EXAMPLE, "--patience", "60", "--max-abandon", "1.5") == 2
    assert "--max-abandon: expected a fraction between 0 and 1 (exclusive), e.g. 0.05; got 1.5" in (
        capsys.readouterr().err
    )


def test_every_problem_in_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--calls", "-1", "--interval-minutes", "0", "--aht", "0", "--target-sl", "2",
            "--target-seconds", "20", "--shrinkage", "1"]  # fmt: skip
    assert run(tmp_path, *args) == 2
    err = capsys.readouterr().err
    order = ["--calls", "--interval-minutes", "--aht", "--target-sl", "--shrinkage"]
    positions = [err.index(f"{o}: ") for o in order]
    assert positions == sorted(positions)  # in the order of the options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls", "many", *EXAMPLE[2:]], "argument --calls: invalid float value: 'many'"),
        (EXAMPLE[:-2], "the following arguments are required: --target-seconds"),
        ([*EXAMPLE, "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    ],
)
def test_argparse_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        run(tmp_path, *args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err

"""The [alerts] table of the config: parsed into AlertRules, a rule switched off with false,
unknown keys and bad values refused with a message naming the key."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from floorsup.config import _ALERT_KEYS, ConfigError, Settings, load_settings
from floorsup.domain.alerts import AlertRules


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_settings(env=env or {}, config_file=path)


def test_defaults_are_on(tmp_path: Path) -> None:
    s = load_settings(env={}, config_file=tmp_path / "none.toml")
    assert s.alerts == AlertRules()
    a = s.alerts
    assert a.bell and a.sl_below_target
    assert (a.sl_min_offered, a.waiting_above, a.oldest_wait_above_seconds) == (10, 10, 120.0)
    assert a.severe_out_at_least == 3


def test_every_field_has_a_key() -> None:
    assert set(_ALERT_KEYS) == {f.name for f in fields(AlertRules)}


def test_the_table(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        """
tz = "Europe/London"

[alerts]
bell = false
sl_min_offered = 5
waiting_above = 4
oldest_wait_above_seconds = 90.5
severe_out_at_least = 1
clear_after_seconds = 0
""",
    )
    assert s.alerts == AlertRules(
        bell=False,
        sl_below_target=True,  # left out: its default
        sl_min_offered=5,
        waiting_above=4,
        oldest_wait_above_seconds=90.5,
        severe_out_at_least=1,
        clear_after_seconds=0.0,
    )
    assert isinstance(s.alerts.waiting_above, int)
    assert isinstance(s.alerts.oldest_wait_above_seconds, float)


def test_under_a_floorsup_table(tmp_path: Path) -> None:
    s = load(tmp_path, "[floorsup.alerts]\nwaiting_above = 3\n")
    assert s.alerts.waiting_above == 3


def test_false_switches_a_rule_off(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        """
[alerts]
sl_below_target = false
waiting_above = false
oldest_wait_above_seconds = false
severe_out_at_least = false
""",
    )
    assert s.alerts == AlertRules(
        sl_below_target=False,
        waiting_above=None,
        oldest_wait_above_seconds=None,
        severe_out_at_least=None,
    )


def test_a_whole_float_is_a_count(tmp_path: Path) -> None:
    assert load(tmp_path, "[alerts]\nwaiting_above = 12.0\n").alerts.waiting_above == 12


def test_the_environment_does_not_set_tables(tmp_path: Path) -> None:
    s = load(tmp_path, "", env={"FLOORSUP_ALERTS": "nonsense"})
    assert s.alerts == AlertRules()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[alerts]\nwaiting = 3", "alerts: unknown key(s) waiting (known: bell,"),
        ("[alerts]\nbeep = true\nloud = 1", "alerts: unknown key(s) beep, loud"),
        ("alerts = 5", "alerts: expected a table"),
        ('[alerts]\nbell = "yes"', "alerts.bell: 'yes' is not true or false"),
        ("[alerts]\nsl_below_target = 1", "alerts.sl_below_target: 1 is not true or false"),
        (
            '[alerts]\nwaiting_above = "ten"',
            "alerts.waiting_above: 'ten' is not a whole number of calls, or false",
        ),
        (
            "[alerts]\nwaiting_above = true",
            "alerts.waiting_above: True is not a whole number of calls, or false",
        ),
        ("[alerts]\nwaiting_above = 2.5", "alerts.waiting_above: 2.5 is not a whole number"),
        (
            "[alerts]\nsl_min_offered = false",
            "alerts.sl_min_offered: False is not a whole number of calls (0 or more)",
        ),
        (
            '[alerts]\noldest_wait_above_seconds = "2m"',
            "alerts.oldest_wait_above_seconds: '2m' is not a number of seconds, or false",
        ),
        (
            "[alerts]\nclear_after_seconds = false",
            "alerts.clear_after_seconds: False is not a number of seconds (0 or more)",
        ),
        ("[alerts]\nsl_min_offered = -1", "alerts: sl_min_offered must be 0 or more (got -1)"),
        ("[alerts]\nwaiting_above = -1", "alerts: waiting_above must be 0 or more"),
        (
            "[alerts]\nsevere_out_at_least = 0",
            "alerts: severe_out_at_least must be 1 or more (got 0; false switches it off)",
        ),
        (
            "[alerts]\noldest_wait_above_seconds = nan",
            "alerts: oldest_wait_above_seconds must be 0 to 86400 (got nan)",
        ),
        ("[alerts]\nclear_after_seconds = inf", "alerts: clear_after_seconds must be 0 to 3600"),
    ],
)
def test_bad_alerts_say_which(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    assert message in str(err.value)


def test_settings_built_directly_are_validated() -> None:
    with pytest.raises(ConfigError, match="alerts: waiting_above"):
        Settings(tz="UTC", user="x", alerts=AlertRules(waiting_above=-3)).validated()

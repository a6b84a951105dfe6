"""Settings: command line > environment > TOML file > defaults, each value checked, with a
message that names the setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from floorsup.config import (
    DEFAULT_NOTE_CATEGORIES,
    DEFAULT_SCORECARD,
    ConfigError,
    load_settings,
)

TOML = """
tz = "Europe/London"
note_categories = ["quality", "adherence", "kudos"]
work_types = ["phone", "chat"]

[scorecard]
opening = 10
accuracy = 40.5
"""


def test_layers_and_coaching_settings(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(TOML)
    s = load_settings(env={}, config_file=path)
    assert s.tz == "Europe/London"
    assert s.note_categories == ("quality", "adherence", "kudos")
    assert s.work_types == ("phone", "chat")
    assert s.scorecard == {"opening": 10.0, "accuracy": 40.5}
    env = {"FLOORSUP_NOTE_CATEGORIES": "a, b ,c"}
    s = load_settings(env=env, config_file=path)
    assert s.note_categories == ("a", "b", "c")


def test_who_you_are_is_your_login_not_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user is the account running floorsup (by user id, not $USER, which anyone can
    set); config and the environment cannot name someone else. --as is checked later."""
    import pwd

    from floorsup import config

    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    assert config.current_user() == pwd.getpwuid(os.geteuid()).pw_name
    path = tmp_path / "c.toml"
    path.write_text('user = "mia.manager"\n')
    with pytest.raises(ConfigError, match="who you are is your login and cannot be set"):
        load_settings(env={}, config_file=path)
    with pytest.raises(ConfigError, match="FLOORSUP_USER: who you are is your login"):
        load_settings(env={"FLOORSUP_USER": "mia.manager"}, config_file=tmp_path / "none")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(env={}, config_file=_toml(tmp_path, 'as_staff = "M1"'))
    s = load_settings(
        cli={"as_staff": " M1 "}, env={"FLOORSUP_AS_STAFF": "X"}, config_file=path.with_name("n")
    )
    assert s.as_staff == "M1"
    assert (
        load_settings(env={"FLOORSUP_AS_STAFF": "X"}, config_file=path.with_name("n")).as_staff
        is None
    )


def _toml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.toml"
    p.write_text(text + "\n")
    return p


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(env={}, config_file=tmp_path / "none.toml")
    assert s.note_categories == DEFAULT_NOTE_CATEGORIES
    assert s.scorecard == DEFAULT_SCORECARD
    assert s.user


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('note_categories = ["a", "A"]', "note_categories: a name is listed twice"),
        ("note_categories = []", "note_categories: expected a list"),
        ("work_types = 3", "work_types: 3 is not a names"),
        ('user = "  "', "who you are is your login"),
        ("[scorecard]\nopening = 0", "scorecard: 'opening' = 0"),
        ('[scorecard]\nopening = "ten"', "scorecard: 'opening' = 'ten'"),
        ("scorecard = 5", "scorecard: 5 is not a table"),
        ("tz = 'Mars/Olympus'", "tz: unknown time zone"),
        ("nonsense = 1", "unknown setting(s): nonsense"),
    ],
)
def test_bad_settings_say_which(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(env={}, config_file=path)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        # found by fuzzing: int(inf) raised OverflowError out of load_settings
        ("default_target_seconds = inf\n", "default_target_seconds: inf is not a int"),
        ("[mentoring]\nmin_stage = inf\n", "mentoring: "),
        # found by fuzzing: a `floorsup` key that is not a table raised TypeError
        ("floorsup = 3\n", "floorsup = 3: expected a table"),
    ],
)
def test_settings_that_overflow_or_are_not_a_table_are_config_errors(
    tmp_path: Path, toml: str, says: str
) -> None:
    """Each is a ConfigError naming the setting, not an exception from inside."""
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=says):
        load_settings(env={"FLOORSUP_TZ": "UTC"}, config_file=path)

"""A database password never reaches a message or a log: commands that cannot connect (or
cannot read the URL at all) say which database without its password."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from floorsup.cli import main

SECRET = "s3cret"
URLS = (
    f"postgresql://u:{SECRET}@127.0.0.1:1/x",  # nothing listens on port 1
    f"postgresql://u:{SECRET}@127.0.0.1:notaport/x",  # not a port
    f"post gres://u:{SECRET}@127.0.0.1/x",  # not a URL SQLAlchemy can read
    f"://u:{SECRET}@127.0.0.1/x",
)
COMMANDS = (
    ("report", "coaching"),
    ("report", "queues"),
    ("init",),
    ("queue", "q", "--target-seconds", "20"),
)


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("FLOORSUP_DB", raising=False)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("via", ["--db", "FLOORSUP_DB"])
def test_a_password_is_never_shown(
    url: str,
    via: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for command in COMMANDS:
        if via == "--db":
            argv = ["-v", "--db", url, *command]
        else:
            monkeypatch.setenv("FLOORSUP_DB", url)
            argv = ["-v", *command]
        try:
            code = main(argv)
        except BaseException as exc:  # noqa: BLE001 - a crash must not show it either
            assert SECRET not in repr(exc) and SECRET not in str(exc.__cause__)
            code = -1
        out, err = capsys.readouterr()
        assert code != 0, command
        assert SECRET not in out + err, f"{command}: {err[-400:]}"
        assert SECRET not in caplog.text
        caplog.clear()


def test_help_does_not_show_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOORSUP_DB", URLS[0])
    with pytest.raises(SystemExit):
        main(["--help"])
    assert SECRET not in capsys.readouterr().out


def test_init_that_succeeds_names_the_database_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`init` on a server it reaches says "database ready" and where, but not the password
    (seen on a real PostgreSQL server: it printed the whole URL)."""
    import floorsup.cli as cli

    monkeypatch.setattr(cli, "make_engine", lambda url: None)  # no server, no driver needed
    monkeypatch.setattr(cli, "upgrade", lambda engine: None)
    url = f"postgresql://floor:{SECRET}@db.example:5432/floorsup"
    assert main(["--db", url, "init"]) == 0
    out = capsys.readouterr().out
    assert "database ready: postgresql://floor:***@db.example:5432/floorsup" in out
    assert SECRET not in out

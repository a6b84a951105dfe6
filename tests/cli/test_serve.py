"""`floorsup serve`: loopback by default, another address refused unless asked for in so many
words, a warning that it has no login of its own, and a real browser session's app process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from floorsup.cli import main
from floorsup.serve import ServeError, is_loopback, plan

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("floor-pc.example.com", False),
        ("", False),
    ],
)
def test_which_addresses_count_as_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_default_plan_listens_on_loopback_and_passes_the_database_by_environment() -> None:
    p = plan(
        "127.0.0.1",
        8000,
        allow_remote=False,
        db_url="postgresql://floor:s3cret@db/floorsup",
        tz="Europe/London",
        user="tl1",
        python="/usr/bin/python3",
    )
    assert p.url == "http://127.0.0.1:8000"
    # the URL (and any password in it) is not on the command line that `ps` shows
    assert p.command == "/usr/bin/python3 -m floorsup"
    assert "s3cret" not in p.command
    assert p.environment == {
        "FLOORSUP_DB": "postgresql://floor:s3cret@db/floorsup",
        "FLOORSUP_TZ": "Europe/London",
    }
    assert "no login of its own" in p.warning and "ssh -N -L 8000:127.0.0.1:8000" in p.warning


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "floor-pc"])
def test_another_address_is_refused_without_allow_remote(host: str) -> None:
    with pytest.raises(ServeError, match="--allow-remote") as err:
        plan(host, 8000, allow_remote=False, db_url="sqlite:///x.db", tz="UTC", user="tl1")
    assert "no login of its own" in str(err.value)


def test_another_address_with_allow_remote_starts_with_a_louder_warning() -> None:
    p = plan("0.0.0.0", 8080, allow_remote=True, db_url="sqlite:///x.db", tz="UTC", user="tl1")
    assert p.warning.startswith("Listening on 0.0.0.0, beyond this machine")
    assert "authenticating proxy" in p.warning


@pytest.mark.parametrize(("port", "said"), [(0, "not a TCP port"), (70000, "not a TCP port")])
def test_a_bad_port_is_named(port: int, said: str) -> None:
    with pytest.raises(ServeError, match=said):
        plan("127.0.0.1", port, allow_remote=False, db_url="sqlite:///x.db", tz="UTC", user="u")


def test_the_command_refuses_a_public_address_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(tmp_path / "f.db"), "--tz", "UTC", "serve", "--host", "0.0.0.0"])
    assert code == 2
    err = capsys.readouterr().err
    assert "refusing to serve beyond this machine" in err and "--allow-remote" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _first_screen(url: str, timeout: float) -> str:
    """Open a browser tab's websocket and read the app's output until its status line shows."""
    import aiohttp

    seen = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/ws?width=100&height=30") as ws,
    ):
        deadline = time.monotonic() + timeout
        while b"floorsup" not in seen and time.monotonic() < deadline:
            try:
                msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if msg.type == aiohttp.WSMsgType.BINARY:
                seen += msg.data
            elif msg.type == aiohttp.WSMsgType.TEXT:
                seen += msg.data.encode()
            elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
    return seen.decode("utf-8", "replace")


def test_a_browser_tab_gets_a_running_floorsup(tmp_path: Path) -> None:
    """The real server on a free loopback port: the page loads, and a tab's websocket runs
    the app, whose first screen (the floor's status line) arrives."""
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSUP_")}
    env.update(
        FLOORSUP_CONFIG=str(tmp_path / "no-config.toml"),
        PYTHONPATH=str(REPO),
        HOME=str(tmp_path),
    )
    db = tmp_path / "f.db"
    args = [sys.executable, "-m", "floorsup", "--db", str(db), "--tz", "UTC"]
    proc = subprocess.Popen(
        [*args, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert page, f"the server did not answer: {proc.stderr.read() if proc.stderr else ''}"
        assert "floorsup" in page
        screen = asyncio.run(_first_screen(url, timeout=30))
        assert "floorsup" in screen
    finally:
        proc.terminate()
        try:
            _out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
    assert "no login of its own" in err
    assert f"serving the app on {url}" in err

"""`floorsup serve`: the app in a web browser, through textual-serve.

textual-serve starts one `floorsup` app process per browser tab, running as the account that
started the server. It has no login of its own: whoever can reach the port acts as that
account. So the server listens on the loopback address unless told otherwise in so many
words (`--allow-remote`), and says so each time it starts. The way to reach it from another
machine is an SSH tunnel, or an authenticating reverse proxy in front of it.

The database URL and the time zone reach the app processes through the environment
(FLOORSUP_DB, FLOORSUP_TZ), not the command line, so a password in a PostgreSQL URL does not
show in `ps`.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
from dataclasses import dataclass

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

NO_LOGIN_WARNING = (
    "floorsup serve has no login of its own: anyone who can open {url} uses floorsup as "
    "the account {user!r}, with that account's rights. Keep it on 127.0.0.1 and reach it "
    "through an SSH tunnel (ssh -N -L {port}:127.0.0.1:{port} {user}@THIS-HOST), or put an "
    "authenticating proxy in front of it."
)


class ServeError(ValueError):
    """The server cannot start as asked; the message says why and what to do instead."""


def is_loopback(host: str) -> bool:
    """True for a name or address that only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ServePlan:
    host: str
    port: int
    command: str  # the shell command textual-serve runs for each browser tab
    environment: dict[str, str]  # added to the server's own environment for the apps
    warning: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def plan(
    host: str,
    port: int,
    *,
    allow_remote: bool,
    db_url: str,
    tz: str,
    user: str,
    as_staff: str | None = None,
    python: str = sys.executable,
) -> ServePlan:
    """Check the address and port and say what would run; nothing starts here. Each tab
    runs as `user` (this account), or as a manager's `--as` choice when given."""
    host = host.strip()
    if not host:
        raise ServeError("--host: empty; leave it out to serve on 127.0.0.1")
    if not 0 < port < 65536:
        raise ServeError(f"--port: {port} is not a TCP port (1-65535)")
    if not is_loopback(host) and not allow_remote:
        raise ServeError(
            f"--host {host}: refusing to serve beyond this machine. floorsup serve has no "
            "login of its own, so anyone who reaches the port would use floorsup as you. "
            "Use an SSH tunnel to 127.0.0.1, or an authenticating proxy; if you really mean "
            f"to listen on {host}, add --allow-remote."
        )
    command = shlex.join([python, "-m", "floorsup", *(["--as", as_staff] if as_staff else [])])
    shown = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    warning = NO_LOGIN_WARNING.format(url=shown, user=user, port=port)
    if not is_loopback(host):
        warning = f"Listening on {host}, beyond this machine (--allow-remote). " + warning
    return ServePlan(
        host=host,
        port=port,
        command=command,
        environment={"FLOORSUP_DB": db_url, "FLOORSUP_TZ": tz},
        warning=warning,
    )


def run(plan_: ServePlan) -> None:  # pragma: no cover - runs until Ctrl+C; tested end to end
    from textual_serve.server import Server

    os.environ.update(plan_.environment)
    Server(plan_.command, host=plan_.host, port=plan_.port, title="floorsup").serve()

"""Fixtures shared by every test folder: a migrated SQLite database in a temp FILE (never
:memory:, so WAL, locking and reopening behave as in production) and the shared samples."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool

from floorsup.cli import _who as _REAL_WHO  # before the autouse fixture replaces it
from floorsup.store.engine import make_engine, upgrade

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples" / "queue_log"


# With FLOORSUP_TEST_PG set to a PostgreSQL server URL (a role that may create databases),
# `engine_factory` and `engine` give each test a fresh database on that server instead of a
# SQLite file: `.ci/run` runs the store, ingest and access tests this way as well.
PG_SERVER = os.environ.get("FLOORSUP_TEST_PG", "").strip()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (FLOORSUP_TEST_PG set), tests marked `sqlite_only` are skipped, and
    say so: they test SQLite itself, and would pass here only by quietly using a file."""
    if not PG_SERVER:
        return
    skip = pytest.mark.skip(
        reason="sqlite_only: tests SQLite itself (file, WAL, PRAGMA, sqlite3, backup API); "
        "FLOORSUP_TEST_PG runs the suite on PostgreSQL"
    )
    for item in items:
        if item.get_closest_marker("sqlite_only") is not None:
            item.add_marker(skip)


class _PgDatabases:
    """Fresh databases on the test server, copied from one migrated template (fast)."""

    def __init__(self, server: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(server)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.template = f"floorsup_tpl_{os.getpid()}"
        self._sql(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._sql(f'CREATE DATABASE "{self.template}"')
        tpl = make_engine(self._url_of(self.template))
        upgrade(tpl)
        tpl.dispose()

    def _url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self) -> str:
        name = f"floorsup_t_{uuid.uuid4().hex[:12]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        """Drop a test database. Autovacuum may be visiting one just filled, and its worker
        cannot be ended by a role that is not a superuser: wait for it to finish (30 s)."""
        import time

        for _ in range(60):
            try:
                self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except Exception as exc:
                if "being terminated" not in str(exc):
                    raise
                time.sleep(0.5)
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[_PgDatabases | None]:
    if not PG_SERVER:
        yield None
        return
    dbs = _PgDatabases(PG_SERVER)
    yield dbs
    dbs.close()


@pytest.fixture
def engine_factory(
    tmp_path: Path, pg_databases: _PgDatabases | None
) -> Iterator[Callable[[str], Engine]]:
    """`make(name)`: another migrated database in this test's tmp_path (for tests that
    compare two runs), or on the PostgreSQL test server when FLOORSUP_TEST_PG is set. Every
    engine made is disposed of (and a server database dropped) at the end of the test."""
    made: list[Engine] = []
    dropped: list[str] = []

    def make(name: str = "t.db") -> Engine:
        if pg_databases is not None:
            db = pg_databases.create()
            dropped.append(db)
            eng = make_engine(pg_databases._url_of(db))
        else:
            eng = make_engine(f"sqlite:///{tmp_path / name}")
            upgrade(eng)
        made.append(eng)
        return eng

    yield make
    for eng in made:
        eng.dispose()
    if pg_databases is not None:
        for db in dropped:
            pg_databases.drop(db)


@pytest.fixture
def engine(engine_factory: Callable[[str], Engine]) -> Engine:
    """A freshly migrated database: the SQLite file `tmp_path / "t.db"`, or a PostgreSQL
    database when FLOORSUP_TEST_PG is set."""
    return engine_factory("t.db")


@pytest.fixture
def samples_dir() -> Path:
    """The shared real-world queue_log samples (outside the repository); skip without them."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"shared samples not found at {SAMPLES_DIR}")
    return SAMPLES_DIR


# The real `ingest` command with small batches that says "batch N" on stdout after each
# one: for tests that act (kill it, back it up) at a known point of a long ingest.
_INGEST_IN_BATCHES = """\
import sys

from floorsup.ingest import follow

_init = follow.QueueLogFeed.__init__
_run = follow.QueueLogFeed.run


def _small_batches(self, *args, **kw):
    kw["batch_lines"] = {batch}
    _init(self, *args, **kw)


def _with_progress(self, *args, on_batch=None, **kw):
    def progress(summary):
        if on_batch is not None:
            on_batch(summary)
        print("batch", summary.lines, flush=True)

    return _run(self, *args, on_batch=progress, **kw)


follow.QueueLogFeed.__init__ = _small_batches
follow.QueueLogFeed.run = _with_progress

from floorsup.cli import main  # noqa: E402

raise SystemExit(main(sys.argv[1:]))
"""


@pytest.fixture
def ingest_in_batches(tmp_path: Path) -> Callable[[int], Path]:
    """`ingest_in_batches(n)`: a script that runs `floorsup` (same arguments) with ingest
    batches of n lines, printing "batch ..." after each."""

    def make(batch: int) -> Path:
        path = tmp_path / f"ingest_in_batches_{batch}.py"
        path.write_text(_INGEST_IN_BATCHES.format(batch=batch))
        return path

    return make


@pytest.fixture
def cli_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """`cli_run(*args)`: the real `floorsup` command in this process, with no FLOORSUP_*
    settings of the machine's and --tz UTC: (exit code, out, err)."""
    from floorsup import cli

    for key in list(os.environ):
        if key.startswith("FLOORSUP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))

    def go(*args: str) -> tuple[int, str, str]:
        code = cli.main(["--tz", "UTC", *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield go


@pytest.fixture(autouse=True)
def _commands_as_floorsup(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands (`cli.main`) run as floorsup itself, with every right: the
    commands' own tests are about what they do, not who may. The rights tests ask for
    `real_logins` instead, which puts the real resolution (the login on the roster, --as)
    back."""
    from floorsup import cli
    from floorsup.store.access import system

    monkeypatch.setattr(cli, "_who", lambda settings, engine: system(settings.user))


@pytest.fixture
def real_logins(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Commands resolve who runs them as in production; `real_logins(name)` says which
    login this process has (floorsup.config.current_user)."""
    from floorsup import cli, config

    monkeypatch.setattr(cli, "_who", _REAL_WHO)

    def login_as(name: str) -> None:
        monkeypatch.setattr(config, "current_user", lambda: name)

    return login_as

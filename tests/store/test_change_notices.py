"""Each app notices other people's commits within a second: ChangeWatcher on a SQLite file
(PRAGMA data_version) and on PostgreSQL (LISTEN floorsup_changes, fed by migration 0008's
statement-level triggers). The writes come from ANOTHER PROCESS through the store's own
helpers, as another supervisor's app or the ingest would make them; the watcher is looked
at every 0.1 s, as a screen's refresh timer would.

On PostgreSQL (FLOORSUP_TEST_PG set) the same tests run there, and a few more that only
PostgreSQL has: notices per table, a rolled-back write telling nobody, a listener whose
server process is ended coming back, the triggers made and removed by the migration."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

import floorsup.store.models  # noqa: F401  (every table, for the triggers' list)
from floorsup.store.engine import write_conn
from floorsup.store.queries import CHANGE_CHANNEL, ChangeWatcher
from floorsup.store.sql import execute, fetchall

POLL = 0.1  # seconds between looks, as a screen's refresh timer would look
BUDGET = 1.0  # a change must be seen within this long of being committed

# Another process: connects, says "ready", waits for a line on stdin, then makes `rows`
# inserts with the SQL given in one transaction (committed or rolled back), and says when.
WRITER = """\
import sys, time
from floorsup.store.engine import make_engine, write_conn
from floorsup.store.sql import executemany

url, mode, sql, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine = make_engine(url)
with engine.connect() as conn:  # connect (and import) before the clock starts
    pass
print("ready", flush=True)
sys.stdin.readline()
tag = time.time_ns()
with write_conn(engine) as conn:
    tx = conn.begin()
    executemany(conn, sql, [(f"w{tag}-{i}",) for i in range(rows)])
    tx.commit() if mode == "commit" else tx.rollback()
print("done", time.monotonic(), flush=True)
engine.dispose()
"""

NEW_SITE = "INSERT INTO site (name, tz) VALUES (?, 'UTC')"


class Writer:
    """A writing process, started and connected, waiting for `go()`."""

    def __init__(self, engine: Engine, mode: str, sql: str, rows: int = 1) -> None:
        url = engine.url.render_as_string(hide_password=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, url, mode, sql, str(rows)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", line + self.proc.stderr.read()  # type: ignore[union-attr]

    def go(self) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return time.monotonic()

    def finish(self) -> float:
        """Wait for the writer; the monotonic time its transaction ended."""
        out, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, err
        return float(out.split()[-1])  # CLOCK_MONOTONIC: the same clock in both processes


def notice_within(watcher: ChangeWatcher, writer: Writer, budget: float = BUDGET) -> float:
    """Let the writer go and look every POLL s; the latency from its commit to the first
    look that saw it (fails when no look within `budget` of the commit did)."""
    writer.go()
    seen = None
    deadline = time.monotonic() + 30  # the writer's own time to write: not ours to judge
    while seen is None and time.monotonic() < deadline:
        time.sleep(POLL)
        if watcher.changed():
            seen = time.monotonic()
    committed = writer.finish()
    assert seen is not None, "the commit was never noticed"
    latency = seen - committed
    assert latency <= budget, f"noticed {latency:.3f} s after the commit"
    return latency


def quiet(watcher: ChangeWatcher, looks: int = 5) -> list[bool]:
    out = []
    for _ in range(looks):
        time.sleep(POLL)
        out.append(watcher.changed())
    return out


@pytest.fixture
def watcher(engine: Engine) -> Iterator[ChangeWatcher]:
    w = ChangeWatcher(engine)
    assert w.changed() is True  # the first look: nothing known yet
    yield w
    w.close()


def pg_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set FLOORSUP_TEST_PG to run it")


# -- both backends ----------------------------------------------------------------------------
def test_nothing_changed_says_false(watcher: ChangeWatcher) -> None:
    assert quiet(watcher) == [False] * 5


def test_another_process_commit_is_noticed_within_a_second(
    engine: Engine, watcher: ChangeWatcher, capsys: pytest.CaptureFixture[str]
) -> None:
    latency = notice_within(watcher, Writer(engine, "commit", NEW_SITE))
    assert quiet(watcher, 3) == [False] * 3  # once: it was taken
    with capsys.disabled():
        print(f"\n[{engine.dialect.name}] commit noticed {latency * 1000:.0f} ms after it")


def test_an_adherence_exception_by_another_user_is_noticed(
    engine: Engine, watcher: ChangeWatcher
) -> None:
    """Not only the feed: what people write (here an authorised adherence exception)."""
    with write_conn(engine) as conn, conn.begin():
        execute(
            conn,
            "INSERT INTO staff (staff_id, name, role, active) VALUES ('E1', 'Ada', 'agent', true)",
        )
    assert watcher.changed() is True  # our own setup
    sql = (
        'INSERT INTO adherence_authorization (staff_pk, start, "end", authorized_by, '
        "authorized_at, reason) SELECT id, 0, 60, 'kim', 1, ? FROM staff WHERE staff_id = 'E1'"
    )
    notice_within(watcher, Writer(engine, "commit", sql))


def test_a_rolled_back_write_is_not_noticed(engine: Engine, watcher: ChangeWatcher) -> None:
    writer = Writer(engine, "rollback", NEW_SITE)
    writer.go()
    writer.finish()
    assert quiet(watcher, 5) == [False] * 5
    with engine.connect() as conn:
        assert fetchall(conn, "SELECT count(*) FROM site")[0][0] == 0


def test_reset_makes_the_next_look_say_changed(watcher: ChangeWatcher) -> None:
    assert watcher.changed() is False
    watcher.reset()
    assert watcher.changed() is True
    assert watcher.changed() is False


def test_a_marker_still_asks_its_own_question(engine: Engine) -> None:
    """`marker=`: only what it reads counts (a new site does not change the queue count)."""

    def queues(conn: Any) -> object:
        return fetchall(conn, "SELECT count(*) FROM queue")[0][0]

    with ChangeWatcher(engine, marker=queues) as w:
        assert w.changed() is True
        notice = Writer(engine, "commit", NEW_SITE)
        notice.go()
        notice.finish()
        assert quiet(w, 3) == [False] * 3
        sql = "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, 20, 0.8)"
        notice_within(w, Writer(engine, "commit", sql))


def test_close_releases_the_held_connections(engine: Engine) -> None:
    w = ChangeWatcher(engine)
    w.changed()
    pid = w.listener_pid
    w.close()
    assert w._conn is None and w._listener is None and w.listener_pid is None
    if pid is not None:  # PostgreSQL: the listening server process is gone
        assert not backend_alive(engine, pid)
    w.close()  # twice is harmless
    assert w.changed() is True  # and a closed watcher may look again (a fresh start)
    w.close()


# -- PostgreSQL only --------------------------------------------------------------------------
def backend_alive(engine: Engine, pid: int, wait: float = 2.0) -> bool:
    deadline = time.monotonic() + wait
    while True:
        with engine.connect() as conn:
            alive = fetchall(conn, "SELECT count(*) FROM pg_stat_activity WHERE pid = ?", (pid,))
        if not alive[0][0] or time.monotonic() > deadline:
            return bool(alive[0][0])
        time.sleep(0.05)


def raw_listener(engine: Engine) -> Any:
    import psycopg

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    conn = psycopg.connect(*cargs, **cparams, autocommit=True)
    conn.execute(f"LISTEN {CHANGE_CHANNEL}")
    return conn


def notices(conn: Any, wait: float = 0.5) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=wait)]


def test_pg_one_notice_per_table_for_a_thousand_row_batch(engine: Engine) -> None:
    pg_only(engine)
    listener = raw_listener(engine)
    try:
        writer = Writer(engine, "commit", NEW_SITE, rows=1000)
        writer.go()
        writer.finish()
        assert notices(listener) == ["site"]
        with write_conn(engine) as conn, conn.begin():  # several tables, several statements
            execute(
                conn,
                "INSERT INTO site (name, tz) SELECT 'x' || g, 'UTC' FROM generate_series(1, 50) g",
            )
            execute(conn, "UPDATE site SET tz = 'Europe/Paris'")
            execute(conn, "INSERT INTO team (name) VALUES ('T')")
            execute(conn, "DELETE FROM team")
        assert sorted(notices(listener)) == ["site", "team"]
        writer = Writer(engine, "rollback", NEW_SITE, rows=10)
        writer.go()
        writer.finish()
        assert notices(listener) == []
    finally:
        listener.close()


def test_pg_only_the_tables_asked_for(engine: Engine) -> None:
    pg_only(engine)
    with ChangeWatcher(engine, tables={"queue"}) as w:
        assert w.changed() is True
        notice = Writer(engine, "commit", NEW_SITE)
        notice.go()
        notice.finish()
        assert quiet(w, 3) == [False] * 3
        sql = "INSERT INTO queue (name, sl_target_seconds, sl_target_fraction) VALUES (?, 20, 0.8)"
        notice_within(w, Writer(engine, "commit", sql))


def test_pg_a_dropped_listener_comes_back(engine: Engine, watcher: ChangeWatcher) -> None:
    pg_only(engine)
    pid = watcher.listener_pid
    assert pid is not None
    with engine.connect() as conn:
        assert fetchall(conn, "SELECT pg_terminate_backend(?)", (pid,))[0][0] is True
    # changes may have been missed while it was gone: a look soon says so, once
    looks = quiet(watcher, 5)
    assert looks.count(True) == 1, looks
    assert watcher.listener_pid not in (None, pid)
    assert quiet(watcher, 3) == [False] * 3
    notice_within(watcher, Writer(engine, "commit", NEW_SITE))  # and it listens again


def test_pg_a_look_while_the_server_is_unreachable_raises_then_recovers(
    engine: Engine, watcher: ChangeWatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screens catch a failed look (stale mark, reset) and look again next tick."""
    pg_only(engine)
    import psycopg

    pid = watcher.listener_pid
    assert pid is not None

    def refuse(*a: object, **kw: object) -> None:
        raise psycopg.OperationalError("connection refused")

    with engine.connect() as conn:
        fetchall(conn, "SELECT pg_terminate_backend(?)", (pid,))
    monkeypatch.setattr(psycopg, "connect", refuse)
    with pytest.raises(psycopg.OperationalError):
        for _ in range(3):
            time.sleep(POLL)
            watcher.changed()
    monkeypatch.undo()
    assert watcher.changed() is True
    assert quiet(watcher, 2) == [False, False]


def test_pg_silence_is_checked_with_a_ping(engine: Engine, watcher: ChangeWatcher) -> None:
    """After PING_SECONDS without a word the look asks the server, and a notice arriving
    meanwhile is not lost."""
    pg_only(engine)
    watcher.PING_SECONDS = 0.0  # every look pings
    assert quiet(watcher, 2) == [False, False]
    notice_within(watcher, Writer(engine, "commit", NEW_SITE))


def test_pg_the_migration_makes_and_removes_the_triggers(
    engine_factory: Callable[[str], Engine],
) -> None:
    from alembic import command

    from floorsup.store.engine import alembic_config, ensure_schema

    engine = engine_factory("m.db")
    pg_only(engine)

    def triggered() -> set[str]:
        with engine.connect() as conn:
            rows = fetchall(
                conn,
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'floorsup_change_notice'",
            )
        return {r[0] for r in rows}

    assert triggered() == set(SQLModel.metadata.tables)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    assert triggered() == set()
    with engine.connect() as conn:
        assert not fetchall(conn, "SELECT 1 FROM pg_proc WHERE proname = 'floorsup_change_notice'")
    ensure_schema(engine)
    assert triggered() == set(SQLModel.metadata.tables)

"""`floorsup migrate-data --from URL --to URL` on the demo centre: SQLite to SQLite, SQLite to
PostgreSQL and back (and PostgreSQL to PostgreSQL), every table compared row by row, note
search and new inserts working on the copy; and every refusal, which leaves the target as it
was. The PostgreSQL tests need FLOORSUP_TEST_PG (a server URL) and skip without it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlmodel import SQLModel

from floorsup import migrate
from floorsup.demo import build_demo_day
from floorsup.domain.intervals import day_bounds
from floorsup.migrate import MigrateError, migrate_data
from floorsup.store import models  # noqa: F401 - the tables, on SQLModel.metadata
from floorsup.store.access import system
from floorsup.store.coaching import NoteQuery, find_notes
from floorsup.store.engine import make_engine, upgrade

TZ = "America/New_York"
NUL_RAW = "Q|ACD\x00\x00garbage|é"  # a damaged feed line: two NULs
NUL_PAYLOAD = '{"body": "half typed\x00"}'  # a draft saved as typed: one NUL
# Every table of the schema (the copy's list comes from the migrated target; this one from
# the models, so the two are checked against each other).
TABLES = sorted(SQLModel.metadata.tables)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill_the_rest(db: Path) -> None:
    """Rows in the tables a demo day leaves empty (an edited note's revision, a draft, an
    authorised exception, a damaged feed line, an audit entry), with NULs and accents."""
    conn = sqlite3.connect(db)
    try:
        note_id, staff_pk = conn.execute(
            "SELECT id, staff_pk FROM coaching_note ORDER BY id LIMIT 1"
        ).fetchone()
        staff_id = conn.execute("SELECT staff_id FROM staff WHERE id = ?", (staff_pk,)).fetchone()
        source_id = conn.execute("SELECT min(id) FROM ingest_source").fetchone()[0]
        with conn:
            conn.execute(
                "INSERT INTO coaching_note_revision (note_id, revision, category, body, actions, "
                "follow_up, acknowledged, written_by, written_at) "
                "VALUES (?, 1, 'quality', 'Zoë: first words — ✓', '', '2026-11-30', 1, 'lee', 1.5)",
                (note_id,),
            )
            conn.execute("UPDATE coaching_note SET revision = 2 WHERE id = ?", (note_id,))
            conn.execute(
                "INSERT INTO note_draft (key, author, staff_id, note_id, payload, seq, updated_at) "
                "VALUES ('lee/A1/new', 'lee', ?, NULL, ?, 3, 1764000000.25)",
                (staff_id[0], NUL_PAYLOAD),
            )
            conn.execute(
                'INSERT INTO adherence_authorization (staff_pk, start, "end", authorized_by, '
                "authorized_at, reason) VALUES (?, 1763900000.0, 1763900900.0, 'sam', "
                "1763901000.0, 'Fire drill')",
                (staff_pk,),
            )
            conn.execute(
                "INSERT INTO rejected_line (source_id, line_no, byte_offset, reason, raw, seen_at) "
                "VALUES (?, 17, 2048, 'unknown event', ?, 1763900000.0)",
                (source_id, NUL_RAW),
            )
            if not conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]:
                conn.execute(
                    "INSERT INTO audit_log (at, login, action, entity, entity_key, after) "
                    "VALUES (1763900000.0, 'sam', 'note.add', 'coaching_note', ?, '{}')",
                    (str(note_id),),
                )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo centre after a morning, every table holding rows."""
    start, _ = day_bounds(dt.date(2026, 11, 23), TZ)
    db = build_demo_day(
        tmp_path_factory.mktemp("migrate"), tz=TZ, day_start=start, until=start + 10 * 3600
    )
    _fill_the_rest(db)
    empty = [t for t, n in _counts_sqlite(db).items() if n == 0]
    assert not empty, f"the demo left these empty: {empty}"
    return db


@pytest.fixture
def source(demo_db: Path, tmp_path: Path) -> Path:
    """This test's own copy of the demo database."""
    copy = tmp_path / "source.db"
    shutil.copy(demo_db, copy)
    return copy


def _counts_sqlite(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _url(db: Path) -> str:
    return f"sqlite:///{db}"


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as Python values (dates as dates, flags as bools), in key order."""
    md = MetaData()
    with engine.connect() as conn:
        md.reflect(conn, only=TABLES)
        return {
            name: [
                tuple(r)
                for r in conn.execute(
                    select(md.tables[name]).order_by(*md.tables[name].primary_key.columns)
                )
            ]
            for name in TABLES
        }


def _stored(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table as SQLite stores it: each value with its storage class."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for name in TABLES:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            sel = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
            out[name] = conn.execute(f'SELECT {sel} FROM "{name}" ORDER BY 1, 3').fetchall()
        return out
    finally:
        conn.close()


def _nul_replaced(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows as PostgreSQL holds them: each NUL in text replaced with U+FFFD (the demo's
    NULs are in the two tables _fill_the_rest wrote them to)."""
    return {
        name: rs
        if name not in ("rejected_line", "note_draft")
        else [
            tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in r) for r in rs
        ]
        for name, rs in rows.items()
    }


def _search_word(engine: Engine) -> str:
    with engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM coaching_note ORDER BY id LIMIT 1")).scalar()
    return max(str(body).split(), key=len).strip(".,;:!?")


def _found(engine: Engine, word: str) -> list[int]:
    with engine.connect() as conn:
        return [n.id for n in find_notes(conn, NoteQuery(text=word), who=system())]


def _check_search_and_inserts(source: Engine, target: Engine) -> None:
    """Note search on the target finds what it finds on the source; a new row gets a new id."""
    word = _search_word(source)
    found = _found(source, word)
    assert found, word
    assert _found(target, word) == found
    with target.begin() as conn:
        for table in ("site", "coaching_note", "queue_event", "audit_log"):
            top = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()
            row = {
                "site": "INSERT INTO site (name, tz) VALUES ('new site', 'UTC')",
                "coaching_note": "INSERT INTO coaching_note (staff_pk, author, category, body, "
                "actions, acknowledged, snapshot, created_at, updated_at, updated_by, revision) "
                "SELECT min(id), 'lee', 'quality', 'xylophonic words', '', false, '{}', 1, 1, "
                "'lee', 1 FROM staff",
                "queue_event": "INSERT INTO queue_event (ts, callid, queue, agent, event, data) "
                "VALUES (1, 'c', 'q', 'a', 'ENTERQUEUE', '')",
                "audit_log": "INSERT INTO audit_log (at, login, action, entity) "
                "VALUES (1, 'lee', 'test', 'site')",
            }[table]
            conn.execute(text(row))
            assert conn.execute(text(f"SELECT max(id) FROM {table}")).scalar() == top + 1
    assert len(_found(target, "xylophonic")) == 1


# -- SQLite to SQLite --------------------------------------------------------------------------


def test_sqlite_to_sqlite_copies_every_table_exactly(
    source: Path, tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    target = tmp_path / "target.db"
    before = _file_digest(source)
    code, out, err = cli_run("migrate-data", "--from", str(source), "--to", _url(target))
    assert code == 0, err
    counts = _counts_sqlite(source)
    for name, n in counts.items():
        assert any(line.split()[:2] == [name, f"{n:,}"] for line in out.splitlines()), name
    assert f"{len(TABLES)} tables, {sum(counts.values()):,} rows" in out
    assert "verified: every table holds as many rows in the target as in the source" in out
    assert "NUL" not in out  # SQLite keeps them
    # Every value, stored as the source stores it (dates as text, flags as 0/1, NULs kept).
    assert _stored(target) == _stored(source)
    assert _file_digest(source) == before  # the source was only read
    src, dst = make_engine(_url(source)), make_engine(_url(target))
    try:
        with dst.connect() as conn:  # the search index agrees with the notes
            conn.exec_driver_sql(
                "INSERT INTO coaching_note_fts(coaching_note_fts, rank) VALUES ('integrity-check', 1)"
            )
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert f"schema {revision}" in out
        _check_search_and_inserts(src, dst)
    finally:
        src.dispose()
        dst.dispose()


def test_progress_per_table_with_verbose(
    source: Path,
    tmp_path: Path,
    cli_run: Callable[..., tuple[int, str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="floorsup.migrate")
    code, _, err = cli_run(
        "-v", "migrate-data", "--from", _url(source), "--to", str(tmp_path / "t.db")
    )
    assert code == 0, err
    said = [r.getMessage() for r in caplog.records if r.name == "floorsup.migrate"]
    n = _counts_sqlite(source)["queue_event"]
    assert f"queue_event: {n:,} rows in" in "\n".join(said)
    assert any("row counts equal in every table" in m for m in said)


def test_copy_is_one_snapshot_of_a_source_being_written(source: Path, tmp_path: Path) -> None:
    """Rows the ingest commits while the copy runs are not in it: every table is read as it
    stood when the copy began, and the counts still agree. Batches of 997 rows: the copy
    streams, and rows at batch edges are neither lost nor doubled."""
    counts = _counts_sqlite(source)
    batches: list[int] = []
    real_rows = migrate._rows

    def rows(*args: Any) -> Iterator[list[tuple[Any, ...]]]:
        for batch in real_rows(*args):
            batches.append(len(batch))
            yield batch

    writer = sqlite3.connect(source, timeout=5)

    def meanwhile(done: migrate.TableCopy) -> None:
        with writer:
            writer.execute(
                "INSERT INTO queue_event (ts, callid, queue, agent, event, data) "
                "VALUES (1, 'late', 'q', 'a', 'ENTERQUEUE', '')"
            )
            writer.execute("UPDATE agent_live SET state = 'written-late'")

    mp = pytest.MonkeyPatch()
    mp.setattr(migrate, "_rows", rows)
    try:
        report = migrate_data(
            str(source), str(tmp_path / "t.db"), batch_rows=997, on_table=meanwhile
        )
    finally:
        mp.undo()
        writer.close()
    assert {t.name: t.rows for t in report.tables} == counts
    assert _counts_sqlite(tmp_path / "t.db") == counts
    assert max(batches) == 997
    conn = sqlite3.connect(tmp_path / "t.db")
    try:
        assert not conn.execute("SELECT 1 FROM queue_event WHERE callid = 'late'").fetchall()
        assert not conn.execute("SELECT 1 FROM agent_live WHERE state = 'written-late'").fetchall()
    finally:
        conn.close()


def test_a_backup_file_is_read_without_being_changed(source: Path, tmp_path: Path) -> None:
    """A backup is a plain rollback-journal file: copying from it leaves it one, unchanged."""
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = _file_digest(source)
    migrate_data(str(source), str(tmp_path / "t.db"))
    assert _file_digest(source) == before
    assert not source.with_name(source.name + "-wal").exists()
    conn = sqlite3.connect(source)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def pg_new(pg_databases: Any) -> Iterator[Callable[[], str]]:
    """`new()`: the URL of a brand-new database on the test server, with no schema at all."""
    if pg_databases is None:
        pytest.skip("FLOORSUP_TEST_PG is not set (a PostgreSQL server URL)")
    made: list[str] = []

    def new() -> str:
        name = f"floorsup_m_{uuid.uuid4().hex[:12]}"
        pg_databases._sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return str(pg_databases._url_of(name))

    yield new
    for name in made:
        _drop(pg_databases, name)


def _drop(pg_databases: Any, name: str) -> None:
    pg_databases.drop(name)  # (it waits out an autovacuum worker visiting the database)


def test_sqlite_to_postgresql_and_back_round_trip(
    source: Path,
    tmp_path: Path,
    pg_new: Callable[[], str],
    cli_run: Callable[..., tuple[int, str, str]],
) -> None:
    pg_url, pg_url2 = pg_new(), pg_new()
    password = pg_url.split("@")[0].rsplit(":", 1)[-1]
    code, out, err = cli_run("migrate-data", "--from", str(source), "--to", pg_url)
    assert code == 0, err
    assert "verified:" in out
    # The NULs PostgreSQL cannot hold: replaced with U+FFFD, counted where they were.
    assert "NUL characters: 3 replaced with U+FFFD" in out
    assert "note_draft.payload 1" in out and "rejected_line.raw 2" in out
    assert f":{password}@" not in out + err and ":***@" in out
    src = make_engine(_url(source))
    pg = make_engine(pg_url)
    back = tmp_path / "back.db"
    try:
        original = _rows(src)
        assert _rows(pg) == _nul_replaced(original)
        with pg.connect() as conn:  # every sequence stands at its column's largest value
            for seq, table in conn.execute(
                text(
                    "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name), "
                    "table_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() "
                    "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
                )
            ):
                top = conn.execute(text(f'SELECT max(id) FROM "{table}"')).scalar()
                last = conn.execute(text(f"SELECT last_value FROM {seq}")).scalar()
                assert last == top, table

        # PostgreSQL to PostgreSQL (another spelling of the server), then back to SQLite.
        code, out, err = cli_run("migrate-data", "--from", pg_url, "--to", pg_url2)
        assert code == 0, err
        assert "NUL" not in out
        code, out, err = cli_run("migrate-data", "--from", pg_url2, "--to", str(back))
        assert code == 0, err
        stored = _stored(back)
        expected = _stored(source)
        assert {k: v for k, v in stored.items() if k not in ("rejected_line", "note_draft")} == {
            k: v for k, v in expected.items() if k not in ("rejected_line", "note_draft")
        }
        assert [r[10] for r in stored["rejected_line"]] == [NUL_RAW.replace("\x00", "\ufffd")]
        dst = make_engine(_url(back))
        try:
            assert _rows(dst) == _nul_replaced(original)
            _check_search_and_inserts(src, dst)
        finally:
            dst.dispose()
        _check_search_and_inserts(src, pg)
    finally:
        src.dispose()
        pg.dispose()


def test_a_failed_copy_leaves_postgresql_empty(
    source: Path, pg_new: Callable[[], str], cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    """A value PostgreSQL refuses (a byte offset past INTEGER's range) part-way: rolled back,
    the tables before it included."""
    conn = sqlite3.connect(source)
    with conn:
        conn.execute("UPDATE rejected_line SET byte_offset = ?", (2**40,))
    conn.close()
    pg_url = pg_new()
    code, _, err = cli_run("migrate-data", "--from", str(source), "--to", pg_url)
    assert code == 2
    assert "the copy failed while copying table rejected_line" in err
    assert "rolled back" in err
    pg = make_engine(pg_url)
    try:
        with pg.connect() as c:
            assert all(c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() == 0 for t in TABLES)
    finally:
        pg.dispose()


def test_same_postgresql_database_under_another_name_is_refused(
    pg_new: Callable[[], str], cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    url = pg_new()
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()
    host = "localhost" if "127.0.0.1" in url else "127.0.0.1"
    other = url.replace("@127.0.0.1", f"@{host}").replace("@localhost", f"@{host}")
    code, _, err = cli_run("migrate-data", "--from", url, "--to", other)
    assert code == 2
    assert "are the same database" in err


# -- refusals: exit 2, a clear message, the target as it was ----------------------------------


def test_a_missing_source_is_not_created(
    tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    for spelt in (str(tmp_path / "nope.db"), _url(tmp_path / "nope.db")):
        code, _, err = cli_run("migrate-data", "--from", spelt, "--to", str(tmp_path / "t.db"))
        assert code == 2
        assert "does not exist (nothing was created)" in err
        assert not (tmp_path / "nope.db").exists()
        assert not (tmp_path / "t.db").exists()


# Without the PostgreSQL extra installed (a plain [dev] install), a postgresql:// URL is
# answered with this instead of an attempt to connect.
NO_DRIVER = "the database driver is not installed (psycopg)"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://host/db", "unknown kind of database 'ftp'"),
        ("sqlite://", "an in-memory database"),
        ("postgresql+psycopg://floorsup:s3cr3t@127.0.0.1:1/nowhere", "cannot open the target"),
    ],
)
def test_unknown_or_unreachable_target(
    source: Path,
    tmp_path: Path,
    url: str,
    said: str,
    cli_run: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, err = cli_run("migrate-data", "--from", str(source), "--to", url)
    assert code == 2
    assert said in err or (url.startswith("postgresql") and NO_DRIVER in err)
    assert "s3cr3t" not in out + err


def test_unreachable_source_hides_its_password(
    tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = cli_run(
        "migrate-data",
        "--from",
        "postgresql://floorsup:s3cr3t@127.0.0.1:1/nowhere",
        "--to",
        str(tmp_path / "t.db"),
    )
    assert code == 2
    assert "cannot open the source postgresql://floorsup:***@127.0.0.1:1/nowhere" in err or (
        "--from: postgresql://floorsup:***@127.0.0.1:1/nowhere: " + NO_DRIVER in err
    )
    assert "s3cr3t" not in out + err
    assert not (tmp_path / "t.db").exists()


def test_the_same_file_is_refused(
    source: Path, tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(source)
    before = _file_digest(source)
    for to in (str(source), _url(source), str(link)):
        code, _, err = cli_run("migrate-data", "--from", str(source), "--to", to)
        assert code == 2
        assert "are the same database" in err
    assert _file_digest(source) == before


def test_a_target_with_rows_is_refused_and_left_unchanged(
    source: Path,
    tmp_path: Path,
    engine_factory: Callable[[str], Engine],
    cli_run: Callable[..., tuple[int, str, str]],
) -> None:
    # A copy of the source in another file: every table named.
    other = tmp_path / "other.db"
    shutil.copy(source, other)
    before = _file_digest(other)
    code, _, err = cli_run("migrate-data", "--from", str(source), "--to", str(other))
    assert code == 2
    assert "is not empty" in err and "Nothing was changed" in err
    assert "queue_event (" in err and "audit_log (" in err
    assert _file_digest(other) == before
    # A migrated database (SQLite, or PostgreSQL with FLOORSUP_TEST_PG) holding one row.
    target = engine_factory("target.db")
    with target.begin() as conn:
        conn.execute(text("INSERT INTO site (name, tz) VALUES ('kept', 'UTC')"))
    code, _, err = cli_run(
        "migrate-data",
        "--from",
        str(source),
        "--to",
        target.url.render_as_string(hide_password=False),
    )
    assert code == 2
    assert "is not empty: site (1 row)." in err
    with target.connect() as conn:
        assert conn.execute(text("SELECT name FROM site")).scalars().all() == ["kept"]
        assert conn.execute(text("SELECT count(*) FROM staff")).scalar() == 0


def test_an_older_target_with_rows_is_not_upgraded(
    source: Path, tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    old = tmp_path / "old.db"
    eng = make_engine(_url(old))
    _upgrade_to(eng, "0006")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO site (name, tz) VALUES ('kept', 'UTC')"))
    eng.dispose()
    code, _, err = cli_run("migrate-data", "--from", str(source), "--to", str(old))
    assert code == 2
    assert "site (1 row)" in err
    conn = sqlite3.connect(old)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0006"
    finally:
        conn.close()


def _upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    from floorsup.store.engine import alembic_config

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_a_source_behind_newer_or_without_a_schema_is_refused(
    tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    old = tmp_path / "old.db"
    eng = make_engine(_url(old))
    _upgrade_to(eng, "0006")
    eng.dispose()
    target = tmp_path / "t.db"
    code, _, err = cli_run("migrate-data", "--from", str(old), "--to", str(target))
    assert code == 2
    assert "at schema revision 0006, older than" in err
    assert f"upgrade it first with `floorsup --db {old} init`" in err
    assert not target.exists()

    newer = tmp_path / "newer.db"
    eng = make_engine(_url(newer))
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    eng.dispose()
    code, _, err = cli_run("migrate-data", "--from", str(newer), "--to", str(target))
    assert code == 2
    assert "made by a newer floorsup" in err
    assert not target.exists()

    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()
    code, _, err = cli_run("migrate-data", "--from", str(blank), "--to", str(target))
    assert code == 2
    assert "holds no floorsup schema" in err
    assert not target.exists()


def test_a_target_that_is_not_a_database_is_left_alone(
    source: Path, tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n" * 10)
    code, _, err = cli_run("migrate-data", "--from", str(source), "--to", str(notes))
    assert code == 2
    assert "is not a database" in err
    assert notes.read_text() == "my notes, not a database\n" * 10
    code, _, err = cli_run(
        "migrate-data", "--from", str(source), "--to", str(tmp_path / "no" / "dir" / "t.db")
    )
    assert code == 2
    assert "does not exist; make it first" in err
    assert not (tmp_path / "no").exists()


# -- failures part-way: rolled back ------------------------------------------------------------


def test_a_failure_part_way_removes_a_new_file_and_empties_an_existing_one(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(dst: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrate, "_rebuild_sqlite_search", broken)
    new = tmp_path / "new.db"
    with pytest.raises(MigrateError, match="the copy failed after .*disk I/O error.*rolled back"):
        migrate_data(str(source), str(new))
    assert not new.exists()
    assert not new.with_name("new.db-wal").exists()

    existing = tmp_path / "existing.db"
    eng = make_engine(_url(existing))
    upgrade(eng)
    eng.dispose()
    with pytest.raises(MigrateError):
        migrate_data(str(source), str(existing))
    assert existing.exists()
    assert not any(_counts_sqlite(existing).values())


def test_a_count_that_does_not_match_rolls_back(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrate._copy_table

    def one_short(src: Any, dst: Any, src_table: Any, dst_table: Any, *rest: Any) -> int:
        n = real(src, dst, src_table, dst_table, *rest)
        if dst_table.name == "staff":
            dst.exec_driver_sql("DELETE FROM staff WHERE id = (SELECT max(id) FROM staff)")
        return n

    monkeypatch.setattr(migrate, "_copy_table", one_short)
    monkeypatch.setattr(migrate, "_plan", _without_fk_checks(migrate._plan))
    target = tmp_path / "t.db"
    n = _counts_sqlite(source)["staff"]
    with pytest.raises(
        MigrateError,
        match=f"does not match the source.*staff: source {n}, copied {n}, target {n - 1}",
    ):
        migrate_data(str(source), str(target))
    assert not target.exists()


def _without_fk_checks(plan: Callable[..., Any]) -> Callable[..., Any]:
    """The staff row removed above is a parent: let the copy go on to the count check."""

    def go(src: Any, dst: Any) -> Any:
        dst.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        return plan(src, dst)

    return go


def test_a_target_written_to_as_the_copy_starts_is_refused(
    source: Path, engine_factory: Callable[[str], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked empty, then (before the copy's transaction) someone writes: refused, and
    their row kept. The copy holds the target's write lock (SQLite) or locks its tables
    (PostgreSQL) before it checks again."""
    target = engine_factory("target.db")
    url = target.url.render_as_string(hide_password=False)
    real = migrate._prepare_target

    def then_someone_writes(engine: Engine, side: Any) -> None:
        real(engine, side)
        with target.begin() as conn:
            conn.execute(text("INSERT INTO site (name, tz) VALUES ('theirs', 'UTC')"))

    monkeypatch.setattr(migrate, "_prepare_target", then_someone_writes)
    with pytest.raises(MigrateError, match="written to while the copy was starting: site"):
        migrate_data(str(source), url)
    with target.connect() as conn:
        assert conn.execute(text("SELECT name FROM site")).scalars().all() == ["theirs"]
        assert conn.execute(text("SELECT count(*) FROM queue_event")).scalar() == 0


def test_a_source_table_outside_the_schema_is_not_lost_quietly(
    source: Path, tmp_path: Path, cli_run: Callable[..., tuple[int, str, str]]
) -> None:
    conn = sqlite3.connect(source)
    with conn:
        conn.execute("CREATE TABLE my_report (id INTEGER PRIMARY KEY, what TEXT)")
        conn.execute("CREATE TABLE my_scratch (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO my_report (what) VALUES ('kept by hand')")
    conn.close()
    target = tmp_path / "t.db"
    code, _, err = cli_run("migrate-data", "--from", str(source), "--to", str(target))
    assert code == 2
    assert "floorsup's schema has not: my_report (1 row)" in err
    assert "my_scratch" not in err  # empty: nothing to lose
    assert not target.exists()  # the file this copy made is gone again

"""The fuzzing properties, shared by the tests in this folder (a modest number of examples) and
by bench/fuzz_long.py (thousands): the strategies that make hostile input, and one check per
property that runs a single input and asserts what must hold for it.

What every property says, in one line each, is in PROPERTIES at the bottom. The common rule:
bad input gets the documented error with a clear message (the file and the line, what was
expected) or is set aside and counted; nothing else escapes, nothing is half-written, and no
nonsense value (year 1, NaN) comes back as if it were an answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pendulum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from floorsup.cli import UsageError, parse_day
from floorsup.config import (
    DEFAULT_SCORECARD,
    DEFAULT_WORK_TYPES,
    ConfigError,
    Settings,
    load_settings,
)
from floorsup.domain.coaching import FollowUpError, parse_follow_up, parse_note_filter
from floorsup.domain.erlang import request_problems
from floorsup.domain.intervals import FIRST_DAY, LAST_DAY, local_date, parse_local_instant
from floorsup.domain.qa import EvaluationDateError, parse_evaluation_day
from floorsup.ingest.follow import QueueLogFeed
from floorsup.ingest.queue_log import (
    MAX_TS,
    MIN_TS,
    STOCK_EVENTS,
    CsvLayout,
    Format,
    FormatError,
    LocalTimeParser,
    detect_format,
    parse_flat,
    parse_flat_buffer,
    parse_flat_line,
    parse_realtime,
    split_lines,
)
from floorsup.staffing import StaffingArgs, StaffingArgsError, compute
from floorsup.store.access import system
from floorsup.store.engine import make_engine, upgrade
from floorsup.store.models import ROLES
from floorsup.store.qa import import_qa
from floorsup.store.roster import ImportError_, import_roster
from floorsup.store.schedules import import_schedule
from floorsup.store.sql import fetchall

EXAMPLES = int(os.environ.get("FLOORSUP_FUZZ_EXAMPLES", "25"))


def fuzz_settings(examples: int = EXAMPLES, *, derandomize: bool = True) -> settings:
    """No deadline (the machine is shared and slow), the same inputs every run (CI), no
    example database written into the repository."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


NOW = 1_795_435_200.0  # 2026-11-23 12:00 UTC: "now" for everything that needs one
ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Santiago",  # midnight skipped when the clocks go forward
    "Australia/Lord_Howe",  # a 30-minute change
    "Asia/Kathmandu",  # +05:45
    "Pacific/Kiritimati",  # +14:00
    "Pacific/Pago_Pago",  # -11:00
)
HUGE = "x" * 140_000  # over the csv module's 131,072-character field limit

# -- hostile text ---------------------------------------------------------------------------

# Any text a decoded file can hold (no lone surrogates: UTF-8 decoding never makes them).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
nasty_pieces = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ufeff",
        "\r",
        "\t",
        "|",
        ",",
        '"',
        "'",
        ";",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "-1",
        "0",
        "99999999999999999999999",
        "²",
        "٣",
        "１２",
        "0001-01-01",
        "9999-12-31",
        "0000-00-00",
        "2026-02-30",
        "2026-11-20",
        "20261120",
        "2026-W47-5",
        "2026-11-20T14:05",
        "2026-11-20 14:05:30",
        "2026-03-08 02:30",
        "24:00",
        "23:59",
        "00:00",
        "9:5",
        "09:00",
        "today",
        "yesterday",
        "-3d",
        "+3d",
        "+999m",
        "fri",
        "Ω≈ç√",
        "😀",
        "a\nb",
        "a\r\nb",
    ]
)
cell_text = st.one_of(any_text, nasty_pieces, st.just(HUGE))


def _date_text(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


years = st.one_of(
    st.integers(0, 10_000), st.sampled_from([1, 1900, 1989, 1990, 2026, 2099, 2100, 9999])
)
date_text = st.builds(_date_text, years, st.integers(0, 13), st.integers(0, 32))
clock_text = st.one_of(
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 99), st.integers(0, 99)),
    st.builds(
        lambda h, m, s: f"{h}:{m}:{s}",
        st.integers(-1, 10**25),
        st.integers(0, 10**25),
        st.integers(0, 99),
    ),
    nasty_pieces,
)
moment_text = st.one_of(
    any_text,
    nasty_pieces,
    date_text,
    clock_text,
    st.builds(lambda d, c, sep: f"{d}{sep}{c}", date_text, clock_text, st.sampled_from(" T\t")),
    st.builds(
        lambda w, c: f"{w} {c}", st.sampled_from(["today", "yesterday", "Yesterday"]), clock_text
    ),
    st.builds(lambda n, u: f"{n}{u}", st.integers(-(10**30), 10**30), st.sampled_from("dwm")),
    st.builds(lambda n, u: f"+{n}{u}", st.integers(0, 10**6), st.sampled_from("dwmy")),
)
zones = st.sampled_from(ZONES)
nows = st.one_of(st.just(NOW), st.floats(946_684_800.0, 4_000_000_000.0))  # 2000..2096

# -- queue_log ------------------------------------------------------------------------------

_SAFE = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-_+é日"),
    min_size=1,
    max_size=12,
)
_DATA_FIELD = st.one_of(
    _SAFE,
    st.sampled_from(["", "nan", "inf", "-inf", "1e999", "-5", "99999999999999999999", "0"]),
)


@st.composite
def good_flat_line(draw: st.DrawFn, ts: float | None = None) -> str:
    """A well-formed queue_log line: a stock event with any data (absurd numbers included)."""
    when = ts if ts is not None else draw(st.integers(1_700_000_000, 1_800_000_000))
    data = draw(st.lists(_DATA_FIELD, max_size=5))
    return "|".join(
        [
            str(when),
            draw(st.sampled_from(["c1", "c2", "c3", "NONE", "MANAGER"]) | _SAFE),
            draw(st.sampled_from(["sales", "support", "NONE"]) | _SAFE),
            draw(st.sampled_from(["PJSIP/2001", "PJSIP/2002", "Agent/3", "NONE"]) | _SAFE),
            draw(st.sampled_from(sorted(STOCK_EVENTS)) | st.sampled_from(["DID", "INFO", "X-1"])),
            *data,
        ]
    )


@st.composite
def bad_flat_line(draw: st.DrawFn) -> bytes:
    """A line the parser must set aside, one damage at a time (never a blank one)."""
    good = draw(good_flat_line())
    kind = draw(
        st.sampled_from(["nul", "utf8", "short", "ts", "event", "long", "long-ts", "crlf-nul"])
    )
    if kind == "nul":  # NUL inside a record (not only padding before it)
        i = draw(st.integers(1, len(good) - 1))
        return (good[:i] + "\x00" + good[i:]).encode()
    if kind == "crlf-nul":
        return (good + "\x00\r").encode()
    if kind == "utf8":
        raw = good.encode()
        i = draw(st.integers(0, len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xfe"]))
        return raw[:i] + bad + raw[i:]
    if kind == "short":
        parts = draw(st.lists(_SAFE, min_size=1, max_size=4))
        return "|".join(parts).encode()
    fields = good.split("|")
    if kind in ("ts", "long-ts"):
        bad_ts = draw(
            st.sampled_from(
                ["", "nan", "inf", "-1", "1e400", "abc", "0", "631151999", "4102444800", "1.7e9x"]
            )
            | _SAFE.filter(lambda s: not _is_good_ts(s))
        )
        fields[0] = bad_ts if kind == "ts" else "9" * 300_000
        return "|".join(fields).encode()
    if kind == "event":
        fields[4] = draw(st.sampled_from(["", "1ABC", "CON NECT", "A.B", "É", "-X"]))
        return "|".join(fields).encode()
    # very long: a whole line of junk with no separator
    return ("junk" * 70_000).encode()


def _is_good_ts(text: str) -> bool:
    try:
        return MIN_TS <= float(text) < MAX_TS
    except ValueError:
        return False


newlines = st.sampled_from([b"\n", b"\r\n"])
_any_line = st.one_of(
    good_flat_line().map(str.encode),
    bad_flat_line(),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"", b"\r", b" ", b"\x00\x00\x00", b"\x00" * 5 + b"1790000000|c|q|a|PAUSE"]),
)


@st.composite
def _joined_lines(draw: st.DrawFn) -> bytes:
    """Lines of every kind, each ended by LF or CRLF; the last newline cut (a body)."""
    lines = draw(st.lists(_any_line, max_size=12))
    return b"".join(ln + draw(newlines) for ln in lines).removesuffix(b"\n")


hostile_body = st.one_of(st.binary(max_size=400), _joined_lines())


def check_flat_line(line: str) -> None:
    """parse_flat_line: an event with a timestamp in range and a well-formed name, or the
    reason the line is damaged; nothing else."""
    got = parse_flat_line(line)
    if isinstance(got, str):
        assert got.strip()
        return
    ts, _callid, _queue, _agent, event, _data = got
    assert math.isfinite(ts) and MIN_TS <= ts < MAX_TS
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", event)
    assert "\x00" not in "".join(got[1:])


def check_flat_buffer(body: bytes) -> None:
    """parse_flat_buffer (the fast path) agrees with the careful path line for line, and
    every line is an event, a reject or a blank, with its right number."""
    fast_events, fast_rejects, fast_blank, n_lines = parse_flat_buffer(body, line_no=1, offset=0)
    slow_events, slow_rejects, slow_blank = parse_flat(list(split_lines(body, line_no=1, offset=0)))
    assert n_lines == body.count(b"\n") + 1
    assert fast_events == slow_events
    assert fast_rejects == slow_rejects
    assert fast_blank == slow_blank
    covered = {no for no, _ev in fast_events} | {r.line_no for r in fast_rejects}
    assert covered <= set(range(1, n_lines + 1))
    assert len(covered) + fast_blank == n_lines
    starts = [0] + [i + 1 for i, b in enumerate(body) if b == 0x0A]
    for r in fast_rejects:
        assert r.reason.strip()
        assert "\x00" not in r.raw
        assert r.byte_offset == starts[r.line_no - 1]
    for _no, ev in fast_events:
        assert MIN_TS <= ev[0] < MAX_TS


REALTIME_HEADER = "time,callid,queuename,agent,event,data1,data2,data3,data4,data5"
realtime_cell = st.one_of(
    cell_text,
    st.sampled_from(
        [
            "2026-11-23 09:00:00",
            "2026-11-01 01:30:00",
            "2026-03-08 02:30:00",
            "1790000000",
            "0001-01-01 00:00:00",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00+14:00",
            "2026-11-23T09:00:00+25:00",
            "ENTERQUEUE",
            "CONNECT",
        ]
    ),
)
realtime_line = st.one_of(
    any_text,
    st.lists(realtime_cell, max_size=12).map(lambda cells: _csv_line(cells)),
)


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def check_realtime(lines: list[str], tz: str) -> None:
    """parse_realtime: every line an event (time in range), a reject with a reason, a blank
    or a repeated header; never an exception, whatever the cells hold."""
    layout = CsvLayout.from_header(REALTIME_HEADER)
    numbered = [(i + 2, 0, ln) for i, ln in enumerate(lines)]
    events, rejects, blank = parse_realtime(numbered, layout, LocalTimeParser(tz))
    for _no, ev in events:
        assert math.isfinite(ev[0]) and MIN_TS <= ev[0] < MAX_TS
    for r in rejects:
        assert r.reason.strip() and 2 <= r.line_no < len(lines) + 2
    assert len(events) + len(rejects) + blank <= len(lines)


def check_local_time(text: str, tz: str) -> None:
    """The realtime table's `time`: seconds in range, or ValueError (never OverflowError)."""
    try:
        ts = LocalTimeParser(tz)(text)
    except ValueError:
        return
    assert math.isfinite(ts) and MIN_TS <= ts < MAX_TS


def check_header(line: str) -> None:
    """Any first line: a format, or FormatError saying what was expected."""
    try:
        fmt = detect_format(line)
    except FormatError as exc:
        assert "expected" in str(exc)
        return
    if fmt is Format.REALTIME_CSV:
        try:
            CsvLayout.from_header(line)
        except FormatError as exc:
            assert "expected" in str(exc)


# -- databases ------------------------------------------------------------------------------

ROSTER = """staff_id,name,team,role,hire_date,acd_agent,login
E1,Ada Example,Team One,agent,2025-01-06,PJSIP/2001,ada
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002;Agent/2,ben
S1,Sam Super,Team One,supervisor,2020-05-01,,sam
"""
SCHEDULE = """staff_id,date,start,end,activity
E1,2026-11-20,09:00,12:00,open
E1,2026-11-20,12:00,12:30,lunch
E2,2026-11-20,22:00,02:00,open
"""
QA = """staff_id,evaluated_at,evaluator,work_type,score,max_score
E1,2026-11-20 14:05,sam,phone,80,100
"""


class Workspace:
    """Databases for the properties: a migrated template holding a roster, a schedule and an
    evaluation, made once; each example gets its own copy (a file copy, not a migration)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._template: Path | None = None
        self._n = 0

    def template(self) -> Path:
        if self._template is None:
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / "template.db"
            eng = make_engine(f"sqlite:///{path}")
            try:
                upgrade(eng)
                for name, body in (("r.csv", ROSTER), ("s.csv", SCHEDULE), ("q.csv", QA)):
                    (self.root / name).write_text(body, encoding="utf-8")
                import_roster(eng, self.root / "r.csv", actor=system())
                import_schedule(eng, self.root / "s.csv", tz="Europe/London", actor=system())
                import_qa(eng, self.root / "q.csv", actor=system("seed"), **QA_ARGS)
            finally:
                eng.dispose()
            with sqlite3.connect(path) as conn:  # everything in the main file, none in the WAL
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._template = path
        return self._template

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        template = self.template()
        self._n += 1
        path = self.root / f"db{self._n}.db"
        shutil.copyfile(template, path)
        eng = make_engine(f"sqlite:///{path}")
        try:
            yield eng
        finally:
            eng.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def file(self, data: bytes, name: str) -> Path:
        path = self.root / f"{self._n}-{name}"
        path.write_bytes(data)
        return path


def whole_database(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's every row (sorted), sqlite_sequence and the search index included: a rejected import
    must leave exactly this."""
    with engine.connect() as conn:
        tables = [
            r[0]
            for r in fetchall(
                conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(fetchall(conn, f'SELECT * FROM "{t}"'), key=repr) for t in tables}


# -- CSV files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFile:
    """A generated import file: its bytes and how many lines it has (for the messages)."""

    data: bytes
    lines: int


def _line_count(data: bytes) -> int:
    """The most lines a reader could number in `data` (as the csv module counts them over
    text, or as bytes up to an undecodable one), plus one for a message about its end."""
    text = data.decode("utf-8-sig", errors="replace")
    return max(len(io.StringIO(text, newline="").readlines()), data.count(b"\n")) + 1


def csv_file(columns: tuple[str, ...], cells: st.SearchStrategy[str]) -> st.SearchStrategy[CsvFile]:
    """A CSV file built from a header (the right columns shuffled, some missing, repeated,
    upper-cased or extra) and rows of hostile cells (short, long or right), written quoted or
    raw, with LF, CRLF or CR endings, in UTF-8 (with or without BOM) or another encoding, or
    damaged bytes spliced in."""
    header = st.one_of(
        st.permutations(columns).map(list),
        st.lists(
            st.sampled_from([*columns, "comments", "extra", "", "Staff_ID ", "login"]), max_size=9
        ),
        st.permutations(columns).map(lambda c: [x.upper() for x in c]),
        st.permutations(columns).map(lambda c: [*c, c[0]]),
    )

    @st.composite
    def build(draw: st.DrawFn) -> CsvFile:
        if draw(st.integers(0, 30)) == 0:
            raw = draw(st.binary(max_size=200))
            return CsvFile(raw, _line_count(raw))
        head = draw(header)
        width = len(head)
        rows = draw(
            st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=6)
        )
        nl = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        quoted = draw(st.booleans())
        out = io.StringIO()
        if quoted:
            w = csv.writer(
                out,
                lineterminator=nl,
                quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
            )
            w.writerow(head)
            w.writerows(rows)
        else:
            out.write(nl.join(",".join(r) for r in [head, *rows]) + draw(st.sampled_from(["", nl])))
        text = out.getvalue()
        encoding = draw(
            st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
        )
        data = text.encode(encoding, errors="replace")
        if draw(st.integers(0, 8)) == 0:
            i = draw(st.integers(0, len(data)))
            data = (
                data[:i]
                + draw(st.sampled_from([b"\xff", b"\x00", b"\xc3(", b"\r", b"\n"]))
                + data[i:]
            )
        if draw(st.integers(0, 20)) == 0:
            data = b""
        return CsvFile(data, _line_count(data))

    return build()


roster_cell = st.one_of(
    cell_text,
    st.sampled_from(["E1", "E2", "E3", "S1", "N9", *ROLES, "Agent", "boss", "ada", "ADA", "sam"]),
    st.sampled_from(["PJSIP/2001", "PJSIP/2002", "PJSIP/2009;PJSIP/2010", "PJSIP/2009;PJSIP/2009"]),
    st.sampled_from(["2025-01-06", "1899-12-31", "1900-01-01", "2099-12-31", "2100-01-01"]),
)
schedule_cell = st.one_of(
    cell_text,
    st.sampled_from(["E1", "E2", "S1", "N9", "open", "lunch", "OFF", "nap"]),
    date_text,
    st.sampled_from(["2026-11-21", "2026-03-29", "2026-10-25", "2099-12-31", "1990-01-01"]),
    clock_text,
)
qa_cell = st.one_of(
    cell_text,
    st.sampled_from(["E1", "E2", "N9", "sam", "phone", "PHONE", "chat", "email", "80", "100"]),
    st.sampled_from(["10", "-0", "1_0", "0x10", "1e2", "nan", "inf"]),
    st.builds(lambda d, c: f"{d} {c}", date_text, clock_text),
    date_text,
)

QA_ARGS: dict[str, Any] = dict(
    tz="Europe/London", work_types=DEFAULT_WORK_TYPES, scorecard=DEFAULT_SCORECARD, now=NOW
)
_QA_COLUMNS = (
    "staff_id",
    "evaluated_at",
    "evaluator",
    "work_type",
    "score",
    "max_score",
    "greeting",
)


def _line_problems(exc: ImportError_, path: Path, lines: int) -> None:
    """Every problem names the file and a line of it, then says what is wrong."""
    assert exc.problems
    assert str(exc).startswith(f"{path}: rejected, nothing was changed")
    pattern = re.compile(rf"{re.escape(str(path))}:(\d+): \S")
    for p in exc.problems:
        m = pattern.match(p)
        assert m, p
        assert 1 <= int(m.group(1)) <= lines, (p, lines)


def _import_property(
    ws: Workspace, file: CsvFile, name: str, run: Callable[[Engine, Path], object]
) -> None:
    with ws.engine() as engine:
        path = ws.file(file.data, name)
        before = whole_database(engine)
        try:
            run(engine, path)
        except ImportError_ as exc:
            _line_problems(exc, path, file.lines)
            assert whole_database(engine) == before, "a rejected import changed the database"


def check_roster_import(ws: Workspace, file: CsvFile) -> None:
    """import_roster: done, or ImportError_ naming file:line for each problem and the
    database row for row as it was."""
    _import_property(
        ws, file, "roster.csv", lambda engine, path: import_roster(engine, path, actor=system())
    )


def check_schedule_import(ws: Workspace, file: CsvFile, tz: str) -> None:
    """import_schedule: the same, in any zone (gaps, folds, half-hour changes)."""

    def run(engine: Engine, path: Path) -> object:
        return import_schedule(engine, path, tz=tz, activities={"nap": False}, actor=system())

    _import_property(ws, file, "schedule.csv", run)


def check_qa_import(ws: Workspace, file: CsvFile, tz: str) -> None:
    """import_qa: the same; a stored evaluation's time is a finite instant not after now."""

    def run(engine: Engine, path: Path) -> object:
        args = {**QA_ARGS, "tz": tz}
        result = import_qa(engine, path, actor=system("fuzz"), **args)
        with engine.connect() as conn:
            for (at,) in fetchall(conn, "SELECT evaluated_at FROM qa_evaluation"):
                assert math.isfinite(at) and MIN_TS <= at <= NOW
        return result

    _import_property(ws, file, "qa.csv", run)


# -- the ingest of a hostile file -----------------------------------------------------------


@st.composite
def hostile_log(draw: st.DrawFn) -> tuple[bytes, list[str], set[int]]:
    """(file bytes, the good lines' text, the bad lines' numbers). The first line is good (it
    tells the format); good lines have distinct timestamps, so none is a duplicate."""
    kinds = draw(st.lists(st.booleans(), max_size=14))
    lines: list[bytes] = []
    good: list[str] = []
    bad: set[int] = set()
    base = 1_790_000_000
    for i, is_good in enumerate([True, *kinds]):
        if is_good:
            text = draw(good_flat_line(ts=base + 7 * i))
            good.append(text)
            lines.append(text.encode())
        else:
            lines.append(draw(bad_flat_line()))
            bad.add(i + 1)
    if draw(st.booleans()) and good:  # one good line with a very long data field
        lines[0] = (good[0] + "|" + "d" * 150_000).encode()
        good[0] = lines[0].decode()
    data = b"".join(ln + draw(newlines) for ln in lines)
    return data, good, bad


def check_ingest(ws: Workspace, log: tuple[bytes, list[str], set[int]], batch: int) -> None:
    """The real ingest of a hostile file: no exception; every good line stored, every damaged
    line set aside in rejected_line under its own number, and the counts say so."""
    data, good, bad = log
    with ws.engine() as engine:
        path = ws.file(data, "queue_log")
        feed = QueueLogFeed(engine, path, tz="UTC", batch_lines=batch)
        try:
            summary = feed.run()
        finally:
            feed.close()
        assert summary.format == "flat"
        with engine.connect() as conn:
            (sid,) = fetchall(
                conn, "SELECT id FROM ingest_source WHERE path = ?", (str(path.resolve()),)
            )[0]
            stored = fetchall(
                conn,
                "SELECT ts, callid, queue, agent, event, data FROM queue_event WHERE source_id = ?",
                (sid,),
            )
            rejected = {
                r[0]
                for r in fetchall(
                    conn, "SELECT line_no FROM rejected_line WHERE source_id = ?", (sid,)
                )
            }
            counts = fetchall(
                conn, "SELECT lines_ok, lines_rejected FROM ingest_source WHERE id = ?", (sid,)
            )[0]
    expected = {parse_flat_line(g.rstrip("\r")) for g in good}
    assert {tuple(r) for r in stored} == expected
    assert rejected == bad
    assert tuple(counts) == (len(good), len(bad))
    assert summary.events == len(good) and summary.rejected == len(bad)


@st.composite
def event_stream(draw: st.DrawFn) -> bytes:
    """Well-formed lines in any order with any data: late lines, calls that never end,
    agents on two calls, absurd numbers; the derivation must take all of it."""
    lines = draw(st.lists(good_flat_line(ts=None), min_size=1, max_size=40))
    return "".join(line + "\n" for line in lines).encode()


def check_derive(ws: Workspace, data: bytes, batch: int) -> None:
    """Deriving calls and agent states from any sequence of well-formed events: no
    exception, every distinct event stored once, derived rows with finite times."""
    with ws.engine() as engine:
        path = ws.file(data, "queue_log")
        feed = QueueLogFeed(engine, path, tz="UTC", batch_lines=batch)
        try:
            feed.run()
        finally:
            feed.close()
        with engine.connect() as conn:
            n = fetchall(conn, "SELECT count(*) FROM queue_event")[0][0]
            times = fetchall(conn, 'SELECT start, "end" FROM agent_state_span')
            calls = fetchall(conn, "SELECT entered_at, outcome FROM call")
    events, rejects, _blank, _n = parse_flat_buffer(data.rstrip(b"\n"), line_no=1, offset=0)
    assert not rejects
    assert n == len({ev for _no, ev in events})
    for start, end in times:
        assert math.isfinite(start) and (end is None or math.isfinite(end))
    for entered, outcome in calls:
        assert entered is None or math.isfinite(entered)
        assert outcome


# -- typed dates, times and durations -------------------------------------------------------


def _in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def check_local_instant(text: str, tz: str, now: float) -> None:
    """parse_local_instant: a finite instant, not after now, on a day in range; or a
    ValueError (never a subclass leaking from inside) that quotes what was typed."""
    try:
        got = parse_local_instant(text, tz, now)
    except ValueError as exc:
        assert type(exc) is ValueError
        assert str(exc).startswith(repr(text))
        return
    assert math.isfinite(got) and got <= now
    assert _in_range(local_date(got, tz))


def check_follow_up(text: str, tz: str, now: float) -> None:
    """parse_follow_up: None for nothing typed, else a day from today up to LAST_DAY; or a
    FollowUpError saying what is accepted."""
    try:
        got = parse_follow_up(text, now, tz)
    except FollowUpError as exc:
        assert str(exc)
        return
    if got is None:
        assert not text.strip()
        return
    today = pendulum.from_timestamp(now, tz=tz).date()
    assert today <= got <= LAST_DAY


def check_note_filter(text: str) -> None:
    """parse_note_filter never raises; a from/to it keeps is an ISO date in range (compared
    as text with stored dates), and a bad one is a problem, not a filter."""
    fields, words, problems = parse_note_filter(text)
    assert isinstance(words, str) and all(isinstance(p, str) and p for p in problems)
    for key in ("from", "to"):
        if key in fields:
            day = dt.date.fromisoformat(fields[key])
            assert day.isoformat() == fields[key] and _in_range(day)


def check_evaluation_day(text: str, tz: str, now: float) -> None:
    """parse_evaluation_day: a finite instant not after now on a day in range, or an
    EvaluationDateError."""
    try:
        got = parse_evaluation_day(text, now, tz)
    except EvaluationDateError as exc:
        assert str(exc)
        return
    assert math.isfinite(got) and got <= now
    assert _in_range(local_date(got, tz))


def check_parse_day(text: str, tz: str, now: float) -> None:
    """cli.parse_day: a day in range, or a UsageError quoting what was typed."""
    try:
        got = parse_day(text, tz, now)
    except UsageError as exc:
        assert repr(text) in str(exc)
        return
    assert _in_range(got)


toml_value = st.recursive(
    st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        any_text,
        nasty_pieces,
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "adds", "last_n", "average", "x"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
SETTING_KEYS = [f.name for f in Settings.__dataclass_fields__.values()] + ["floorsup", "nope"]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return (
            '"'
            + "".join(
                c
                if c.isprintable() and c not in '"\\'
                else f"\\u{ord(c):04x}"
                if ord(c) < 0x10000
                else f"\\U{ord(c):08x}"
                for c in value
            )
            + '"'
        )
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"


settings_file = st.one_of(
    st.dictionaries(st.sampled_from(SETTING_KEYS), toml_value, max_size=4).map(
        lambda d: "".join(f"{k} = {_toml(v)}\n" for k, v in d.items())
    ),
    any_text,
)
settings_env = st.dictionaries(
    st.sampled_from([f"FLOORSUP_{k.upper()}" for k in SETTING_KEYS]),
    st.one_of(
        any_text.filter(lambda s: "\x00" not in s), nasty_pieces.filter(lambda s: "\x00" not in s)
    ),
    max_size=3,
)


def check_settings(ws: Workspace, toml_text: str, env: dict[str, str]) -> None:
    """load_settings from any TOML file and FLOORSUP_* environment: Settings whose numbers
    are finite and in range, or a ConfigError naming the setting."""
    ws.root.mkdir(parents=True, exist_ok=True)
    path = ws.root / "floorsup.toml"
    path.write_text(toml_text, encoding="utf-8")
    env = {"FLOORSUP_TZ": "UTC", **env}
    try:
        s = load_settings(env=env, config_file=path)
    except ConfigError as exc:
        assert str(exc)
        return
    for name in ("short_abandon_seconds", "default_target_fraction", "refresh_seconds"):
        assert math.isfinite(getattr(s, name)), name
    assert 0.05 <= s.refresh_seconds <= 60 and 1 <= s.default_target_seconds <= 3600


any_float = st.floats(allow_nan=True, allow_infinity=True)
sane_float = st.one_of(
    st.floats(-1e4, 1e4),
    st.sampled_from([0.0, -0.0, 1e-300, math.nan, math.inf, -math.inf, 0.5, 1.0, 0.999]),
)


def check_request_problems(values: tuple[float, ...]) -> None:
    """erlang.request_problems takes any numbers (NaN, infinities) and says what is wrong
    with each, never raising; a NaN or an infinity is always a problem."""
    calls, interval, aht, sl, secs, occ, shrink, patience, abandon = values
    problems = request_problems(calls, interval, aht, sl, secs, occ, shrink, patience, abandon)
    assert all(isinstance(v, str) and v for v in problems.values())
    named = dict(
        calls=calls, interval_seconds=interval, aht=aht, target_sl=sl, target_seconds=secs,
        max_occupancy=occ, shrinkage=shrink, patience=patience, max_abandon=abandon,
    )  # fmt: skip
    for field, value in named.items():
        if value is not None and not math.isfinite(value):
            assert field in problems, field


def check_staffing(args: StaffingArgs) -> None:
    """`floorsup staffing` options: a finite answer, or StaffingArgsError naming the options
    (any magnitude: past what a centre staffs, the options are refused by name)."""
    try:
        got = compute(args)
    except StaffingArgsError as exc:
        assert str(exc).startswith("--")
        return
    for v in (got.traffic, got.service_level, got.asa_seconds, got.occupancy):
        assert math.isfinite(v)
    assert got.agents >= 0 and got.scheduled_agents >= got.agents


erlang_values = st.tuples(
    *[any_float] * 5, st.none() | any_float, any_float, st.none() | any_float, st.none() | any_float
)
staffing_args = st.builds(
    StaffingArgs,
    calls=(sane_float | any_float),
    interval_minutes=(sane_float | any_float),
    aht=(sane_float | any_float),
    target_sl=(sane_float | any_float),
    target_seconds=(sane_float | any_float),
    max_occupancy=st.none() | (sane_float | any_float),
    shrinkage=(sane_float | any_float),
    patience=st.none() | (sane_float | any_float),
    max_abandon=st.none() | (sane_float | any_float),
)

# -- the list bench/fuzz_long.py runs -------------------------------------------------------

ws_needed = object()  # a placeholder argument: the Workspace, filled in by the runner
PROPERTIES: list[tuple[str, Callable[..., None], dict[str, Any]]] = [
    (
        "queue_log.parse_flat_line",
        check_flat_line,
        {"line": st.one_of(any_text, hostile_body.map(lambda b: b.decode("utf-8", "replace")))},
    ),
    ("queue_log.parse_flat_buffer", check_flat_buffer, {"body": hostile_body}),
    (
        "queue_log.parse_realtime",
        check_realtime,
        {"lines": st.lists(realtime_line, max_size=8), "tz": zones},
    ),
    ("queue_log.LocalTimeParser", check_local_time, {"text": realtime_cell, "tz": zones}),
    (
        "queue_log.detect_format",
        check_header,
        {"line": st.one_of(realtime_line, st.just(REALTIME_HEADER + "," + HUGE))},
    ),
    (
        "ingest.hostile_file",
        check_ingest,
        {"ws": ws_needed, "log": hostile_log(), "batch": st.integers(1, 50)},
    ),
    (
        "ingest.any_event_order",
        check_derive,
        {"ws": ws_needed, "data": event_stream(), "batch": st.integers(1, 50)},
    ),
    (
        "store.import_roster",
        check_roster_import,
        {
            "ws": ws_needed,
            "file": csv_file(
                ("staff_id", "name", "team", "role", "hire_date", "acd_agent"), roster_cell
            ),
        },
    ),
    (
        "store.import_schedule",
        check_schedule_import,
        {
            "ws": ws_needed,
            "file": csv_file(("staff_id", "date", "start", "end", "activity"), schedule_cell),
            "tz": zones,
        },
    ),
    (
        "store.import_qa",
        check_qa_import,
        {"ws": ws_needed, "file": csv_file(_QA_COLUMNS, qa_cell), "tz": zones},
    ),
    (
        "intervals.parse_local_instant",
        check_local_instant,
        {"text": moment_text, "tz": zones, "now": nows},
    ),
    ("coaching.parse_follow_up", check_follow_up, {"text": moment_text, "tz": zones, "now": nows}),
    (
        "coaching.parse_note_filter",
        check_note_filter,
        {
            "text": st.one_of(
                any_text,
                st.builds(
                    lambda k, v: f"{k}:{v}",
                    st.sampled_from(["from", "to", "team", "by", "cat"]),
                    moment_text,
                ),
            )
        },
    ),
    (
        "qa.parse_evaluation_day",
        check_evaluation_day,
        {"text": moment_text, "tz": zones, "now": nows},
    ),
    ("cli.parse_day", check_parse_day, {"text": moment_text, "tz": zones, "now": nows}),
    (
        "config.load_settings",
        check_settings,
        {"ws": ws_needed, "toml_text": settings_file, "env": settings_env},
    ),
    ("erlang.request_problems", check_request_problems, {"values": erlang_values}),
    ("staffing.compute", check_staffing, {"args": staffing_args}),
]

FUZZ = fuzz_settings()

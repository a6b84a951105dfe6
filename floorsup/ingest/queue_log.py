"""Parser for Asterisk's queue_log: the flat file and the realtime table exported as CSV.

Flat:     epoch|callid|queuename|agent|event|data1|data2|...
Realtime: a CSV with a header naming time, callid, queuename, agent, event, data1..data5
          (or a single `data` column), `time` a datetime string in the site's zone.

A parsed event is a plain tuple ``(ts, callid, queue, agent, event, data)`` with `data` the
data fields joined by "|" exactly as the flat file has them: cheap to build, hash, compare
and store, which matters at a million lines. Damaged lines become `Rejected` with the
line number and what was expected; they never stop a parse.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

Event = tuple[float, str, str, str, str, str]

# Every event Asterisk's app_queue (and chan_agent) writes. Others (DID, INFO, custom
# events written by dialplan QueueLog()) are kept as raw events all the same.
STOCK_EVENTS = frozenset(
    [
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "WITHDRAW",
        "RINGNOANSWER",
        "RINGCANCELED",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "AGENTDUMP",
        "SYSCOMPAT",
        "QUEUESTART",
        "CONFIGRELOAD",
    ]
)

MIN_TS = 631152000.0  # 1990-01-01: anything earlier is a damaged timestamp
MAX_TS = 4102444800.0  # 2100-01-01
_EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*\Z")


class Format(StrEnum):
    AUTO = "auto"
    FLAT = "flat"
    REALTIME_CSV = "realtime-csv"


@dataclass(frozen=True, slots=True)
class Rejected:
    line_no: int
    byte_offset: int
    reason: str
    raw: str  # the line as printable text (bad bytes escaped)


class FormatError(ValueError):
    """The file as a whole is not a queue_log we can read."""


def printable(raw: bytes | str, limit: int = 500) -> str:
    text = raw.decode("utf-8", errors="backslashreplace") if isinstance(raw, bytes) else raw
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= limit else text[:limit] + "…"


def _parse_ts(text: str) -> float:
    ts = float(text)
    if not MIN_TS <= ts < MAX_TS:
        raise ValueError(text)
    return ts


def parse_flat_line(line: str) -> Event | str:
    """One flat line (no newline) to an event, or the reason it is damaged."""
    if "\x00" in line:
        stripped = line.lstrip("\x00")
        if "\x00" in stripped:
            return "NUL bytes inside the line (file damaged by an unclean shutdown?)"
        line = stripped  # NUL padding before a record: the record itself is whole
    parts = line.split("|")
    if len(parts) < 5:
        return (
            f"truncated: expected epoch|callid|queue|agent|event[|data...], "
            f"got {len(parts)} field(s)"
        )
    try:
        ts = _parse_ts(parts[0])
    except ValueError:
        return f"unparsable timestamp {parts[0][:40]!r}: expected epoch seconds"
    event = parts[4]
    if not _EVENT_NAME.match(event):
        return f"bad event name {event[:40]!r}"
    return (ts, parts[1], parts[2], parts[3], event, "|".join(parts[5:]))


def split_lines(buf: bytes, *, line_no: int, offset: int) -> Iterator[tuple[int, int, str | bytes]]:
    """Complete lines of `buf` as (line_no, byte_offset, text-or-undecodable-bytes)."""
    try:
        text_lines: list[str] | None = buf.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        text_lines = None
    raw_lines = buf.split(b"\n")
    if text_lines is not None and len(text_lines) == len(raw_lines) and buf.isascii():
        pos = offset
        for i, line in enumerate(text_lines):
            yield line_no + i, pos, line
            pos += len(line) + 1
        return
    pos = offset
    for i, raw in enumerate(raw_lines):
        try:
            item: str | bytes = raw.decode("utf-8")
        except UnicodeDecodeError:
            item = raw
        yield line_no + i, pos, item
        pos += len(raw) + 1


def parse_flat(
    lines: Iterable[tuple[int, int, str | bytes]],
) -> tuple[list[tuple[int, Event]], list[Rejected], int]:
    """Parse numbered lines. Returns ([(line_no, event)], rejects, blank line count)."""
    events: list[tuple[int, Event]] = []
    rejects: list[Rejected] = []
    blank = 0
    append = events.append
    for no, off, line in lines:
        if isinstance(line, bytes):
            rejects.append(Rejected(no, off, "not UTF-8 text", printable(line)))
            continue
        if line.endswith("\r"):
            line = line[:-1]
        if not line or line.isspace():
            blank += 1
            continue
        if line.startswith("\x00"):
            pad = len(line) - len(line.lstrip("\x00"))
            if not line[pad:].strip():
                rejects.append(
                    Rejected(
                        no,
                        off,
                        f"{pad} NUL bytes and no record (unclean shutdown)",
                        printable(line),
                    )
                )
                continue
            rejects.append(
                Rejected(
                    no,
                    off,
                    f"{pad} NUL bytes before a record (unclean shutdown); the record after them was kept",
                    printable(line[:pad]),
                )
            )
        parsed = parse_flat_line(line)
        if isinstance(parsed, str):
            rejects.append(Rejected(no, off, parsed, printable(line)))
        else:
            append((no, parsed))
    return events, rejects, blank


# -- realtime table exported as CSV ---------------------------------------------------

REALTIME_REQUIRED = ("time", "callid", "queuename", "agent", "event")


@dataclass(frozen=True)
class CsvLayout:
    columns: tuple[str, ...]
    index: dict[str, int]
    data_cols: tuple[int, ...]

    @classmethod
    def from_header(cls, header_line: str) -> CsvLayout:
        try:
            cols = tuple(c.strip().lower() for c in next(csv.reader([header_line]), []))
        except csv.Error as exc:
            raise FormatError(
                f"realtime CSV header is not a CSV line ({exc}): expected "
                "time,callid,queuename,agent,event,data1..data5"
            ) from None
        index = {c: i for i, c in enumerate(cols)}
        missing = [c for c in REALTIME_REQUIRED if c not in index]
        if missing:
            raise FormatError(
                f"realtime CSV header lacks column(s) {', '.join(missing)}: expected "
                "time,callid,queuename,agent,event,data1..data5"
            )
        data_cols = tuple(
            index[c] for c in ("data1", "data2", "data3", "data4", "data5") if c in index
        )
        if not data_cols and "data" in index:
            data_cols = (index["data"],)
        return cls(cols, index, data_cols)


def looks_like_header(line: str) -> bool:
    low = line.strip().lower()
    return "," in low and "event" in low and ("time" in low or "callid" in low)


def detect_format(first_line: str) -> Format:
    if looks_like_header(first_line):
        return Format.REALTIME_CSV
    head = first_line.lstrip("\x00").split("|", 1)[0]
    if "|" in first_line and head.replace(".", "", 1).isdigit():
        return Format.FLAT
    raise FormatError(
        "cannot tell the format from the first line: expected `epoch|callid|queue|agent|event|...` "
        "or a CSV header `time,callid,queuename,agent,event,data1,...`"
    )


class LocalTimeParser:
    """`time` values of the realtime table: local datetime strings (or epoch numbers).

    A local time in the hour repeated when clocks go back is ambiguous; the table keeps no
    offset. We take the reading nearest to the previous row's instant (rows are written in
    time order), so 01:05 after 01:55 is the second 01:05, not an hour back in time."""

    def __init__(self, tz: str) -> None:
        self.zone = ZoneInfo(tz)
        self._cache: dict[str, float] = {}
        self._last: float | None = None

    def __call__(self, text: str) -> float:
        ts = self._cache.get(text)
        if ts is None:
            ts = self._parse(text)
        self._last = ts
        return ts

    def _parse(self, text: str) -> float:
        raw = text
        text = text.strip()
        try:
            return _parse_ts(text)
        except ValueError:
            pass
        dt = datetime.fromisoformat(text)
        if dt.tzinfo:
            ts = dt.timestamp()
            ambiguous = False
        else:
            first = dt.replace(tzinfo=self.zone, fold=0).timestamp()
            second = dt.replace(tzinfo=self.zone, fold=1).timestamp()
            ambiguous = first != second
            ts = first
            if ambiguous and self._last is not None:
                ts = min((first, second), key=lambda t: abs(t - self._last))  # type: ignore[operator]
        if not MIN_TS <= ts < MAX_TS:
            raise ValueError(text)
        if not ambiguous:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[raw] = ts
        return ts


def parse_realtime(
    lines: Iterable[tuple[int, int, str | bytes]], layout: CsvLayout, times: LocalTimeParser
) -> tuple[list[tuple[int, Event]], list[Rejected], int]:
    events: list[tuple[int, Event]] = []
    rejects: list[Rejected] = []
    blank = 0
    ix = layout.index
    i_time, i_call, i_queue, i_agent, i_event = (ix[c] for c in REALTIME_REQUIRED)
    need = max(ix[c] for c in REALTIME_REQUIRED) + 1
    for no, off, line in lines:
        if isinstance(line, bytes):
            rejects.append(Rejected(no, off, "not UTF-8 text", printable(line)))
            continue
        line = line.rstrip("\r")
        if not line.strip():
            blank += 1
            continue
        if "\x00" in line:
            rejects.append(Rejected(no, off, "NUL bytes in the line", printable(line)))
            continue
        try:
            row = next(csv.reader([line]))
        except csv.Error as exc:
            rejects.append(Rejected(no, off, f"not a CSV row: {exc}", printable(line)))
            continue
        if len(row) < need:
            rejects.append(
                Rejected(
                    no,
                    off,
                    f"truncated: expected {len(layout.columns)} columns, got {len(row)}",
                    printable(line),
                )
            )
            continue
        if [c.strip().lower() for c in row] == list(layout.columns):
            continue  # a repeated header (files concatenated)
        try:
            ts = times(row[i_time])
        except ValueError:
            rejects.append(
                Rejected(
                    no,
                    off,
                    f"unparsable time {row[i_time][:40]!r}: expected YYYY-MM-DD HH:MM:SS",
                    printable(line),
                )
            )
            continue
        event = row[i_event].strip()
        if not _EVENT_NAME.match(event):
            rejects.append(Rejected(no, off, f"bad event name {event[:40]!r}", printable(line)))
            continue
        data = [row[i] if i < len(row) else "" for i in layout.data_cols]
        while data and data[-1] == "":
            data.pop()
        events.append((no, (ts, row[i_call], row[i_queue], row[i_agent], event, "|".join(data))))
    return events, rejects, blank


_KNOWN_NAMES: set[str] = set(STOCK_EVENTS) | {"DID", "INFO"}


def parse_flat_buffer(
    body: bytes, *, line_no: int, offset: int
) -> tuple[list[tuple[int, Event]], list[Rejected], int, int]:
    """Parse whole lines (`body` without its final newline) in one pass.

    Returns (events with their line numbers, rejects, blank lines, lines read). The common
    case (UTF-8, no NUL, no CR) runs a tight loop; any line that does not fit it goes
    through the careful path with its exact line number and byte offset.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        lines = list(split_lines(body, line_no=line_no, offset=offset))
        ev, rej, blank = parse_flat(lines)
        return ev, rej, blank, len(lines)
    if "\x00" in text or "\r" in text or not text.isascii():
        lines = list(split_lines(body, line_no=line_no, offset=offset))
        ev, rej, blank = parse_flat(lines)
        return ev, rej, blank, len(lines)
    events: list[tuple[int, Event]] = []
    rejects: list[Rejected] = []
    blank = 0
    append = events.append
    known = _KNOWN_NAMES
    no = line_no - 1
    pos = offset
    for line in text.split("\n"):
        no += 1
        parts = line.split("|", 5)
        if len(parts) >= 5:
            name = parts[4]
            try:
                ts = float(parts[0])
            except ValueError:
                ts = -1.0
            if MIN_TS <= ts < MAX_TS and (name in known or _EVENT_NAME.match(name)):
                if len(known) < 512:
                    known.add(name)
                append(
                    (
                        no,
                        (
                            ts,
                            parts[1],
                            parts[2],
                            parts[3],
                            name,
                            parts[5] if len(parts) == 6 else "",
                        ),
                    )
                )
                pos += len(line) + 1
                continue
        if not line or line.isspace():
            blank += 1
        else:
            ev, rej, _b = parse_flat([(no, pos, line)])
            events.extend(ev)
            rejects.extend(rej)
        pos += len(line) + 1
    return events, rejects, blank, no - line_no + 1

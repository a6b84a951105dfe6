"""The queue_log parser: every event app_queue writes, custom events, the realtime table as
CSV (local times, DST), format detection, and damaged lines with their line numbers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.ingest.follow import ingest_file
from floorsup.ingest.queue_log import (
    STOCK_EVENTS,
    CsvLayout,
    Format,
    FormatError,
    LocalTimeParser,
    Rejected,
    detect_format,
    parse_flat,
    parse_flat_line,
    parse_realtime,
    split_lines,
)
from floorsup.store.sql import fetchall

T = 1_700_000_000  # 2023-11-14 22:13:20 UTC
CID = "1700000000.1042"

# (event, callid, queue, agent, data as app_queue / chan_agent write it)
STOCK_LINES: dict[str, tuple[str, str, str, str]] = {
    "ENTERQUEUE": (CID, "sales", "NONE", "|+15555550123|1"),  # url|callerid|position
    "CONNECT": (CID, "sales", "PJSIP/2001", "12|1700000012.1043|4"),  # holdtime|bridged|ringtime
    "COMPLETEAGENT": (CID, "sales", "PJSIP/2001", "12|95|1"),  # holdtime|calltime|origpos
    "COMPLETECALLER": (CID, "sales", "PJSIP/2001", "12|95|1"),
    "ABANDON": (CID, "sales", "NONE", "2|3|41"),  # position|origposition|waittime
    "EXITWITHTIMEOUT": (CID, "sales", "NONE", "1|4|300"),
    "EXITEMPTY": (CID, "sales", "NONE", "1|1|0"),
    "EXITWITHKEY": (CID, "sales", "NONE", "5|1|2|42"),  # key|position|origposition|waittime
    "WITHDRAW": (CID, "sales", "NONE", "1|1|20|callback requested"),  # ...|waittime|info
    "RINGNOANSWER": (CID, "sales", "PJSIP/2001", "15000"),  # ms
    "RINGCANCELED": (CID, "sales", "PJSIP/2002", "2310"),  # ms
    "TRANSFER": (CID, "sales", "PJSIP/2001", "2100|from-internal|12|95|1"),
    "BLINDTRANSFER": (CID, "sales", "PJSIP/2001", "2100|from-internal|12|95|1"),
    "ATTENDEDTRANSFER": (
        CID,
        "sales",
        "PJSIP/2001",
        "BRIDGE|9f0d7c3e-5b2a-4f61-8a8e-2c1a7d5e6b40|12|95|1",
    ),
    "ADDMEMBER": ("MANAGER", "sales", "PJSIP/2001", ""),
    "REMOVEMEMBER": ("MANAGER", "sales", "PJSIP/2001", ""),
    "PAUSE": ("NONE", "sales", "PJSIP/2001", "Lunch"),
    "UNPAUSE": ("NONE", "sales", "PJSIP/2001", "Lunch"),
    "PAUSEALL": ("NONE", "NONE", "PJSIP/2001", "Break"),
    "UNPAUSEALL": ("NONE", "NONE", "PJSIP/2001", ""),
    "AGENTLOGIN": ("1700000000.7", "NONE", "Agent/1001", "PJSIP/2001-00000012"),
    "AGENTLOGOFF": ("1700000000.7", "NONE", "Agent/1001", "PJSIP/2001-00000012|3600"),
    "AGENTCALLBACKLOGIN": ("NONE", "NONE", "Agent/1002", "2002@from-internal"),
    "AGENTCALLBACKLOGOFF": ("NONE", "NONE", "Agent/1002", "2002@from-internal|3600|Autologoff"),
    "AGENTDUMP": (CID, "sales", "Agent/1001", ""),
    "SYSCOMPAT": (CID, "sales", "Agent/1001", ""),
    "QUEUESTART": ("NONE", "NONE", "NONE", ""),
    "CONFIGRELOAD": ("NONE", "NONE", "NONE", ""),
}
CUSTOM_LINES: dict[str, tuple[str, str, str, str]] = {
    "DID": (CID, "sales", "NONE", "+18005550100"),
    "INFO": (CID, "sales", "NONE", "CALLERONHOLD|12"),
}
ALL_LINES = {**STOCK_LINES, **CUSTOM_LINES}


def flat(event: str, data: str | None = None, ts: float | str = T) -> str:
    callid, queue, agent, default = ALL_LINES[event]
    return f"{ts}|{callid}|{queue}|{agent}|{event}|{default if data is None else data}"


def numbered(*lines: str | bytes, first: int = 1) -> list[tuple[int, int, str | bytes]]:
    out: list[tuple[int, int, str | bytes]] = []
    off = 0
    for i, ln in enumerate(lines):
        out.append((first + i, off, ln))
        off += len(ln.encode() if isinstance(ln, str) else ln) + 1
    return out


def test_the_table_covers_every_stock_event() -> None:
    assert set(STOCK_LINES) == set(STOCK_EVENTS)
    assert {
        "ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "ABANDON", "EXITWITHTIMEOUT",
        "EXITEMPTY", "EXITWITHKEY", "WITHDRAW", "RINGNOANSWER", "RINGCANCELED", "TRANSFER",
        "BLINDTRANSFER", "ATTENDEDTRANSFER", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE",
        "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF", "QUEUESTART", "CONFIGRELOAD",
    } <= STOCK_EVENTS  # fmt: skip


@pytest.mark.parametrize("event", sorted(ALL_LINES))
def test_every_event_parses_with_its_data_as_written(event: str) -> None:
    callid, queue, agent, data = ALL_LINES[event]
    assert parse_flat_line(flat(event)) == (float(T), callid, queue, agent, event, data)


@pytest.mark.parametrize("event", sorted(ALL_LINES))
def test_fewer_data_fields_than_documented_are_kept_as_given(event: str) -> None:
    callid, queue, agent, data = ALL_LINES[event]
    fewer = "|".join(data.split("|")[:-1])
    assert parse_flat_line(flat(event, fewer)) == (float(T), callid, queue, agent, event, fewer)
    # no data field at all, not even the empty one after the event name
    bare = f"{T}|{callid}|{queue}|{agent}|{event}"
    assert parse_flat_line(bare) == (float(T), callid, queue, agent, event, "")


@pytest.mark.parametrize("event", sorted(ALL_LINES))
def test_more_data_fields_than_documented_are_kept_as_given(event: str) -> None:
    callid, queue, agent, data = ALL_LINES[event]
    more = f"{data}|extra|7"
    assert parse_flat_line(flat(event, more)) == (float(T), callid, queue, agent, event, more)


def test_fractional_epoch_and_lowercase_custom_event() -> None:
    assert parse_flat_line(f"{T}.250|c|q|NONE|myEvent_2|a|b") == (
        T + 0.25,
        "c",
        "q",
        "NONE",
        "myEvent_2",
        "a|b",
    )


def test_parse_flat_numbers_lines_and_keeps_every_event_kind() -> None:
    lines = [flat(ev) for ev in sorted(ALL_LINES)]
    events, rejects, blank = parse_flat(numbered(*lines, first=10))
    assert rejects == [] and blank == 0
    assert [no for no, _ in events] == list(range(10, 10 + len(lines)))
    assert [ev[4] for _, ev in events] == sorted(ALL_LINES)


# -- damaged lines ------------------------------------------------------------------------


def test_damaged_lines_are_set_aside_with_line_number_offset_and_reason() -> None:
    good = flat("ENTERQUEUE")
    raw = [
        good.encode(),  # 1
        b"1700000001|c1|sales|NONE|ABA\x00\x00NDON|1|1|3",  # 2 NUL inside
        b"1700000002|c1|sales",  # 3 truncated
        b"1700000003|c1|sales|Jos\xe9|CONNECT|3|x|1",  # 4 latin-1, not UTF-8
        b"17000x0004|c1|sales|NONE|ABANDON|1|1|3",  # 5 epoch
        b"1700000005|c1|sales|NONE|ENTER QUEUE|",  # 6 event name with a space
        b"1700000006|c1|sales|NONE||1",  # 7 empty event name
        b"",  # 8 blank
        b"  \t",  # 9 blank
        b"1700000009|c1|sales|NONE|CONFIGRELOAD|\r",  # 10 CRLF
        b"12|c1|sales|NONE|ABANDON|1|1|3",  # 11 epoch from 1970: damaged
    ]
    buf = b"\n".join(raw)
    lines = list(split_lines(buf, line_no=1, offset=1000))
    events, rejects, blank = parse_flat(lines)
    assert blank == 2
    assert [(no, ev[4]) for no, ev in events] == [(1, "ENTERQUEUE"), (10, "CONFIGRELOAD")]
    assert events[1][1][5] == ""  # the CR is not part of the data
    by_line = {r.line_no: r for r in rejects}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 11]
    assert len(rejects) == 7  # one reason per damaged line
    starts = {i + 1: 1000 + sum(len(r) + 1 for r in raw[:i]) for i in range(len(raw))}
    for no, r in by_line.items():
        assert r.byte_offset == starts[no], no
    assert "NUL bytes inside the line" in by_line[2].reason
    assert "\\x00" in by_line[2].raw and "\x00" not in by_line[2].raw
    assert "truncated" in by_line[3].reason and "got 3 field(s)" in by_line[3].reason
    assert by_line[4].reason == "not UTF-8 text" and "\\xe9" in by_line[4].raw
    assert "unparsable timestamp '17000x0004'" in by_line[5].reason
    assert "expected epoch seconds" in by_line[5].reason
    assert by_line[6].reason == "bad event name 'ENTER QUEUE'"
    assert by_line[7].reason == "bad event name ''"
    assert "unparsable timestamp '12'" in by_line[11].reason


def test_leading_nul_padding_keeps_the_record_and_reports_the_padding() -> None:
    line = "\x00" * 78 + "1665492726|NONE|NONE|NONE|QUEUESTART|"
    events, rejects, blank = parse_flat(numbered(flat("CONFIGRELOAD"), line, first=119))
    assert blank == 0
    assert events[-1] == (120, (1665492726.0, "NONE", "NONE", "NONE", "QUEUESTART", ""))
    assert len(rejects) == 1
    r = rejects[0]
    assert r.line_no == 120
    assert r.reason.startswith("78 NUL bytes before a record")
    assert "was kept" in r.reason
    assert r.raw == "\\x00" * 78


def test_nul_padding_and_damage_after_it_both_reported() -> None:
    line = "\x00\x00" + "1700000000|c|q\x00|NONE|ABANDON|1|1|3"
    events, rejects, _ = parse_flat(numbered(line))
    assert events == []
    assert any("NUL bytes inside the line" in r.reason for r in rejects)
    assert {r.line_no for r in rejects} == {1}


def test_a_line_of_only_nul_bytes_is_one_reject_that_keeps_nothing() -> None:
    events, rejects, blank = parse_flat(numbered(flat("QUEUESTART"), "\x00" * 40))
    assert len(events) == 1
    assert len(rejects) == 1
    assert rejects[0].line_no == 2
    assert "kept" not in rejects[0].reason


@pytest.mark.parametrize("ts", ["nan", "inf", "-1", "", "1700000000,5", "99999999999"])
def test_impossible_timestamps_are_rejected(ts: str) -> None:
    got = parse_flat_line(f"{ts}|c|q|NONE|ABANDON|1|1|3")
    assert isinstance(got, str) and got.startswith("unparsable timestamp")


def test_crlf_file_splits_into_clean_records_with_byte_offsets() -> None:
    lines = [flat("ENTERQUEUE"), flat("CONNECT", ts=T + 12), flat("COMPLETECALLER", ts=T + 107)]
    buf = b"".join(ln.encode() + b"\r\n" for ln in lines)
    split = list(split_lines(buf[:-1], line_no=1, offset=0))  # the reader drops the last \n
    a, b = len(lines[0]) + 2, len(lines[1]) + 2
    assert [(no, off) for no, off, _ in split] == [(1, 0), (2, a), (3, a + b)]
    events, rejects, blank = parse_flat(split)
    assert rejects == [] and blank == 0
    assert [ev[5] for _, ev in events] == [
        ALL_LINES[e][3] for e in ("ENTERQUEUE", "CONNECT", "COMPLETECALLER")
    ]


def test_split_lines_offsets_are_bytes_for_utf8_text() -> None:
    buf = "1700000000|c|q|José|PAUSE|Café\n1700000001|c|q|NONE|X|".encode()
    (n1, o1, l1), (n2, o2, l2) = split_lines(buf, line_no=7, offset=50)
    assert (n1, o1, n2) == (7, 50, 8)
    assert o2 == 50 + len("1700000000|c|q|José|PAUSE|Café".encode()) + 1
    assert l1 == "1700000000|c|q|José|PAUSE|Café"
    events, rejects, _ = parse_flat([(n1, o1, l1), (n2, o2, l2)])
    assert rejects == [] and events[0][1][3] == "José"


# -- format detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "fmt"),
    [
        ("1664956954|NONE|NONE|NONE|CONFIGRELOAD|", Format.FLAT),
        ("1664956954.5|NONE|NONE|NONE|CONFIGRELOAD|", Format.FLAT),
        ("\x00\x00\x001665492726|NONE|NONE|NONE|QUEUESTART|", Format.FLAT),
        ("time,callid,queuename,agent,event,data1,data2,data3,data4,data5", Format.REALTIME_CSV),
        ("TIME,CallID,QueueName,Agent,Event,Data", Format.REALTIME_CSV),
        ('"time","callid","queuename","agent","event","data1"', Format.REALTIME_CSV),
        ("\ufefftime,callid,queuename,agent,event,data1,data2", Format.REALTIME_CSV),
    ],
)
def test_detect_format(first: str, fmt: Format) -> None:
    assert detect_format(first) is fmt


@pytest.mark.parametrize(
    "first", ["hello world", "2023-11-14 22:13:20|c|q|a|ENTERQUEUE", "time;callid;event", ""]
)
def test_detect_format_refuses_what_it_cannot_read(first: str) -> None:
    with pytest.raises(FormatError, match="cannot tell the format"):
        detect_format(first)


def test_csv_header_must_name_the_required_columns() -> None:
    with pytest.raises(FormatError, match="lacks column\\(s\\) queuename, agent"):
        CsvLayout.from_header("time,callid,event,data1")
    single = CsvLayout.from_header("id,time,callid,queuename,agent,event,data")
    assert single.data_cols == (6,)


# -- realtime table as CSV -----------------------------------------------------------------

HEADER = "time,callid,queuename,agent,event,data1,data2,data3,data4,data5"
NY = "America/New_York"


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=ZoneInfo("UTC")).timestamp()  # type: ignore[misc]


def parse_csv(*rows: str, header: str = HEADER, tz: str = NY):  # type: ignore[no-untyped-def]
    return parse_realtime(
        numbered(*rows, first=2), CsvLayout.from_header(header), LocalTimeParser(tz)
    )


def test_realtime_rows_become_events_in_utc() -> None:
    events, rejects, blank = parse_csv(
        "2024-07-01 09:15:00,1719839700.12,sales,NONE,ENTERQUEUE,,+15555550123,1,,",
        "2024-07-01 09:15:12,1719839700.12,sales,PJSIP/2001,CONNECT,12,1719839712.13,4,,",
        "2024-07-01 09:16:47,1719839700.12,sales,PJSIP/2001,COMPLETECALLER,12,95,1,,",
        "2024-07-01 09:20:00,NONE,NONE,PJSIP/2001,PAUSEALL,Break,,,,",
        "2024-07-01 09:21:00,1719840060.2,sales,NONE,EXITWITHKEY,5,1,2,42,",
        "2024-07-01 09:22:00,1719840120.3,sales,NONE,WITHDRAW,1,1,20,callback requested,",
        "2024-07-01 09:23:00,MANAGER,sales,PJSIP/2002,ADDMEMBER,,,,,",
    )
    assert rejects == [] and blank == 0
    assert [no for no, _ in events] == [2, 3, 4, 5, 6, 7, 8]
    assert events[0][1] == (
        utc(2024, 7, 1, 13, 15),
        "1719839700.12",
        "sales",
        "NONE",
        "ENTERQUEUE",
        "|+15555550123|1",
    )
    assert events[1][1][5] == "12|1719839712.13|4"
    assert events[2][1][0] == utc(2024, 7, 1, 13, 16, 47)
    assert events[3][1][4:] == ("PAUSEALL", "Break")
    assert events[4][1][5] == "5|1|2|42"
    assert events[5][1][5] == "1|1|20|callback requested"
    assert events[6][1][5] == ""  # trailing empty data columns dropped


def test_realtime_single_data_column_and_epoch_time_and_quoted_commas() -> None:
    events, rejects, _ = parse_csv(
        "2024-01-15 08:00:30,c1,sales,NONE,ABANDON,1|1|30",
        '1705323630,c2,sales,PJSIP/2001,PAUSE,"Lunch, early"',
        "2024-01-15T08:00:30-05:00,c3,sales,NONE,ABANDON,1|1|30",
        header="time,callid,queuename,agent,event,data",
    )
    assert rejects == []
    ts = utc(2024, 1, 15, 13, 0, 30)
    assert events[0][1] == (ts, "c1", "sales", "NONE", "ABANDON", "1|1|30")
    assert events[1][1] == (ts, "c2", "sales", "PJSIP/2001", "PAUSE", "Lunch, early")
    assert events[2][1][0] == ts


def test_realtime_dst_gap_and_unambiguous_sides() -> None:
    events, rejects, _ = parse_csv(
        "2024-11-03 00:59:00,a,sales,NONE,ENTERQUEUE,,,1,,",  # EDT
        "2024-11-03 02:00:00,b,sales,NONE,ENTERQUEUE,,,1,,",  # EST, after the repeat
        "2024-03-10 01:59:59,c,sales,NONE,ENTERQUEUE,,,1,,",  # EST, just before the gap
        "2024-03-10 03:00:00,d,sales,NONE,ENTERQUEUE,,,1,,",  # EDT, just after the gap
    )
    assert rejects == []
    ts = [ev[0] for _, ev in events]
    assert ts == [
        utc(2024, 11, 3, 4, 59),
        utc(2024, 11, 3, 7, 0),
        utc(2024, 3, 10, 6, 59, 59),
        utc(2024, 3, 10, 7, 0),
    ]


def test_realtime_ambiguous_hour_maps_to_a_real_instant() -> None:
    """01:30 happens twice on 2024-11-03 in New York (EDT, then EST): either is valid."""
    events, rejects, _ = parse_csv("2024-11-03 01:30:00,a,sales,NONE,ENTERQUEUE,,,1,,")
    assert rejects == []
    assert events[0][1][0] in (utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6, 30))


def test_realtime_rows_through_the_fall_back_hour_stay_in_order() -> None:
    events, rejects, _ = parse_csv(
        "2024-11-03 01:40:00,a,sales,NONE,ENTERQUEUE,,,1,,",  # EDT = 05:40 UTC
        "2024-11-03 01:55:00,a,sales,PJSIP/2001,CONNECT,900,b,3,,",  # EDT = 05:55 UTC
        "2024-11-03 01:05:00,a,sales,PJSIP/2001,COMPLETEAGENT,900,600,1,,",  # EST = 06:05 UTC
        "2024-11-03 01:30:00,a2,sales,NONE,ENTERQUEUE,,,1,,",  # EST = 06:30 UTC
    )
    assert rejects == []
    assert [ev[0] for _, ev in events] == [
        utc(2024, 11, 3, 5, 40),
        utc(2024, 11, 3, 5, 55),
        utc(2024, 11, 3, 6, 5),
        utc(2024, 11, 3, 6, 30),
    ]


def test_realtime_damaged_rows() -> None:
    events, rejects, blank = parse_csv(
        "2024-07-01 09:15:00,c1,sales,NONE,ENTERQUEUE,,,1,,",  # 2 ok
        "yesterday noon,c1,sales,NONE,ABANDON,1,1,3,,",  # 3
        "2024-07-01 09:15:00,c1,sales",  # 4
        "2024-07-01 09:15:00,c1,sales,NONE,ENTER QUEUE,,,,,",  # 5
        "",  # 6
        "2024-07-01 09:15:00,c1,sales\x00,NONE,ABANDON,1,1,3,,",  # 7
        HEADER,  # 8: files concatenated: a repeated header is skipped silently
        "2024-07-01 09:16:00,c1,sales,NONE,ABANDON,1,1,60,,\r",  # 9 ok, CRLF
    )
    assert blank == 1
    assert [(no, ev[4]) for no, ev in events] == [(2, "ENTERQUEUE"), (9, "ABANDON")]
    assert events[1][1][5] == "1|1|60"
    by_line = {r.line_no: r.reason for r in rejects}
    assert sorted(by_line) == [3, 4, 5, 7]
    assert "unparsable time 'yesterday noon'" in by_line[3]
    assert "expected YYYY-MM-DD HH:MM:SS" in by_line[3]
    assert by_line[4] == "truncated: expected 10 columns, got 3"
    assert by_line[5] == "bad event name 'ENTER QUEUE'"
    assert "NUL" in by_line[7]


def test_realtime_bytes_that_are_not_utf8() -> None:
    lines = [(2, 0, b"2024-07-01 09:15:00,c1,sales,Jos\xe9,PAUSE,,,,,")]
    events, rejects, _ = parse_realtime(lines, CsvLayout.from_header(HEADER), LocalTimeParser(NY))
    assert events == []
    assert rejects == [
        Rejected(2, 0, "not UTF-8 text", "2024-07-01 09:15:00,c1,sales,Jos\\xe9,PAUSE,,,,,")
    ]


def test_every_event_kind_is_stored_raw_by_the_ingest(engine: Engine, tmp_path: Path) -> None:
    names = sorted(ALL_LINES)
    lines = [flat(e, ts=T + i) for i, e in enumerate(names)]
    lines += [flat(e, ts=T + 100 + i) + "|extra" for i, e in enumerate(names)]
    lines += [
        flat(e, "|".join(ALL_LINES[e][3].split("|")[:-1]), ts=T + 200 + i)
        for i, e in enumerate(names)
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n")
    s = ingest_file(engine, path, tz="UTC")
    assert (s.events, s.rejected, s.duplicates) == (len(lines), 0, 0)
    with engine.connect() as conn:
        stored = fetchall(
            conn, "SELECT ts, callid, queue, agent, event, data FROM queue_event ORDER BY ts"
        )
        outcomes = fetchall(conn, "SELECT DISTINCT outcome FROM call")
    assert stored == [parse_flat_line(ln) for ln in lines]
    assert outcomes  # the call events among them made calls


@pytest.mark.parametrize(
    "body",
    [
        b"\n".join(flat(e, ts=T + i).encode() for i, e in enumerate(sorted(ALL_LINES))),
        b"1700000000|c|q|NONE|X|\n\n1700000001|c|q\n17000x0001|c|q|NONE|X|\n1700000002|c|q|NONE|BAD EV|",
        b"1700000000|c|q|NONE|X|\r\n1700000001|c|q|NONE|Y|a\r\n  \r\n1700000002|c|q|NONE|Z|",
        b"\x00\x00\x001700000000|c|q|NONE|X|\n1700000001|c|q\x00|NONE|Y|\n\x00\x00",
        b"1700000000|c|q|Jos\xe9|PAUSE|\n1700000001|c|q|NONE|CONFIGRELOAD|",
        "1700000000|c|q|José|PAUSE|Café\n1700000001|c|q|NONE|X|".encode(),
        b"",
    ],
)
def test_fast_buffer_parser_agrees_with_the_careful_one(body: bytes) -> None:
    import floorsup.ingest.queue_log as queue_log

    fast = getattr(queue_log, "parse_flat_buffer", None)
    if fast is None:
        pytest.skip("no parse_flat_buffer in this version")
    lines = list(split_lines(body, line_no=41, offset=9000))
    events, rejects, blank = parse_flat(lines)
    assert fast(body, line_no=41, offset=9000) == (events, rejects, blank, len(lines))


def test_a_realtime_header_the_csv_module_cannot_read_is_a_format_error() -> None:
    """Found by fuzzing: a header with a cell over the csv module's limit raised csv.Error
    (the CLI printed a traceback); it is a FormatError saying what was expected."""
    line = "time,callid,queuename,agent,event," + "x" * 140_000
    assert detect_format(line) is Format.REALTIME_CSV
    with pytest.raises(FormatError, match="expected time,callid"):
        CsvLayout.from_header(line)

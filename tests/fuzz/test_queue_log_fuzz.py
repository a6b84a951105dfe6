"""Hostile bytes and text against the queue_log parser (flat lines, the fast buffer path, the
realtime table's CSV and its times) and through the real ingest: damaged lines are set aside
and counted under their own numbers, good lines around them are stored, nothing raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from . import properties as p
from .properties import FUZZ, Workspace


@FUZZ
@given(line=st.one_of(p.any_text, p.hostile_body.map(lambda b: b.decode("utf-8", "replace"))))
def test_a_flat_line_is_an_event_in_range_or_a_reason(line: str) -> None:
    """Any text: an event (timestamp 1990..2100, a well-formed name, no NUL) or a reason."""
    p.check_flat_line(line)


@FUZZ
@given(body=p.hostile_body)
def test_the_fast_path_agrees_with_the_careful_path_on_any_bytes(body: bytes) -> None:
    """NUL, invalid UTF-8, CR/LF mixes, long lines: the fast buffer parse gives exactly the
    careful line-by-line result, and every line is counted once with its byte offset."""
    p.check_flat_buffer(body)


@FUZZ
@given(lines=st.lists(p.realtime_line, max_size=8), tz=p.zones)
def test_realtime_csv_lines_never_raise(lines: list[str], tz: str) -> None:
    """The realtime table's CSV rows: events with times in range, or rejects with reasons."""
    p.check_realtime(lines, tz)


@FUZZ
@given(text=p.realtime_cell, tz=p.zones)
def test_a_realtime_time_is_in_range_or_a_value_error(text: str, tz: str) -> None:
    """Years 1 and 9999, offsets past a day, NaN: a time in range or ValueError only."""
    p.check_local_time(text, tz)


@FUZZ
@given(line=st.one_of(p.realtime_line, st.just(p.REALTIME_HEADER + "," + p.HUGE)))
def test_a_first_line_gives_a_format_or_says_what_was_expected(line: str) -> None:
    """Any first line: a format, or FormatError (also for a header the csv module cannot
    read)."""
    p.check_header(line)


@FUZZ
@given(log=p.hostile_log(), batch=st.integers(1, 50))
def test_a_hostile_file_is_ingested_around_its_damage(
    workspace: Workspace, log: tuple[bytes, list[str], set[int]], batch: int
) -> None:
    """Through QueueLogFeed and the pipeline, in batches of any size: every good line stored,
    every damaged line in rejected_line under its number, the counters agree."""
    p.check_ingest(workspace, log, batch)


@FUZZ
@given(data=p.event_stream(), batch=st.integers(1, 50))
def test_any_order_of_well_formed_events_derives_without_error(
    workspace: Workspace, data: bytes, batch: int
) -> None:
    """Late lines, calls that never end, absurd numbers in data fields: every distinct event
    stored once, and derived calls and spans have finite times."""
    p.check_derive(workspace, data, batch)

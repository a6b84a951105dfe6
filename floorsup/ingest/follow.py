"""Reading a queue_log file: a one-off backfill, or following it like `tail -F`.

The checkpoint (file identity and the byte offset after the last whole line taken) is
committed with the rows it covers, so a restart resumes exactly where the last commit
ended. Rotation by rename (a new file appears at the path) and by truncation (copytruncate)
are both followed; a line written in two pieces is taken only once it is whole.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from floorsup.ingest.pipeline import BatchCounts, Checkpoint, Pipeline
from floorsup.ingest.queue_log import (
    CsvLayout,
    Event,
    Format,
    FormatError,
    LocalTimeParser,
    Rejected,
    detect_format,
    parse_flat_buffer,
    parse_realtime,
    split_lines,
)
from floorsup.store.engine import write_conn
from floorsup.store.sql import execute, fetchall

log = logging.getLogger(__name__)

HEAD_BYTES = 256
READ_BYTES = 4 << 20
BULK_BYTES = 4 << 20  # a backlog this large (about 60,000 lines) is a backfill
# After a rotation by rename, the writer may go on writing to the old file until it is told
# to reopen (logrotate's `create` puts the new file in place before `postrotate` runs): the
# old file is read on for this long after it last grew.
RETIRED_SECONDS = 30.0


@dataclass
class IngestSummary:
    path: str
    format: str = ""
    lines: int = 0
    events: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0
    calls: int = 0
    spans: int = 0
    rotations: int = 0
    seconds: float = 0.0
    resumed_at: int = 0
    reject_samples: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, c: BatchCounts, lines: int, rejects: list[Rejected]) -> None:
        self.lines += lines
        self.events += c.events
        self.duplicates += c.duplicates
        self.rejected += c.rejected
        self.blank += c.blank
        self.calls += c.calls
        self.spans += c.spans
        room = 20 - len(self.reject_samples)
        if room > 0:
            self.reject_samples.extend(rejects[:room])

    def text(self) -> str:
        rate = self.lines / self.seconds if self.seconds > 0 else 0.0
        out = [
            f"{self.path} ({self.format}): {self.lines:,} lines read in {self.seconds:.2f} s"
            f" ({rate:,.0f} lines/s)"
            + (f", resumed at byte {self.resumed_at:,}" if self.resumed_at else ""),
            f"  events stored {self.events:,}; exact duplicates ignored {self.duplicates:,}; "
            f"blank {self.blank:,}; damaged lines set aside {self.rejected:,}",
            f"  calls derived/updated {self.calls:,}; agent state spans written {self.spans:,}"
            + (f"; rotations followed {self.rotations}" if self.rotations else ""),
        ]
        for r in self.reject_samples:
            out.append(f"  {self.path}:{r.line_no}: {r.reason}: {r.raw[:80]}")
        if self.rejected > len(self.reject_samples):
            out.append(
                f"  … and {self.rejected - len(self.reject_samples)} more (table rejected_line)"
            )
        out.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(out)


def _head_digest(fh: BinaryIO) -> str | None:
    pos = fh.tell()
    fh.seek(0)
    head = fh.read(HEAD_BYTES)
    fh.seek(pos)
    if not head:
        return None
    return f"{len(head)}:{hashlib.sha1(head).hexdigest()}"


def _same_head(fh: BinaryIO, stored: str | None) -> bool:
    if not stored:
        return False
    n, _, digest = stored.partition(":")
    pos = fh.tell()
    fh.seek(0)
    head = fh.read(int(n))
    fh.seek(pos)
    return len(head) == int(n) and hashlib.sha1(head).hexdigest() == digest


class QueueLogFeed:
    """One queue_log path and its checkpoint row."""

    def __init__(
        self,
        engine: Engine,
        path: str | os.PathLike[str],
        *,
        tz: str,
        fmt: Format | str = Format.AUTO,
        batch_lines: int = 50_000,
        pipeline: Pipeline | None = None,
        bulk_bytes: int = BULK_BYTES,
    ) -> None:
        self.engine = engine
        self.path = Path(path).expanduser().resolve()
        self.tz = tz
        self.requested = Format(fmt)
        self.batch_lines = batch_lines
        self.bulk_bytes = bulk_bytes
        self.pipeline = pipeline or Pipeline(engine)
        self.cp = self._checkpoint()
        self._stored = (self.cp.offset, self.cp.line_no)  # what the database holds (or will)
        self.layout: CsvLayout | None = None
        self.times = LocalTimeParser(tz)
        self._retired: _Retired | None = None

    def _checkpoint(self) -> Checkpoint:
        # BEGIN IMMEDIATE: it may insert the file's row, and a deferred read-then-write
        # transaction is refused at once (not waited for) while someone else writes.
        with write_conn(self.engine) as conn, conn.begin():
            rows = fetchall(
                conn,
                'SELECT id, "offset", line_no, dev, inode, head, rotations, format FROM ingest_source WHERE path = ?',
                (str(self.path),),
            )
            if not rows:
                execute(
                    conn,
                    'INSERT INTO ingest_source (path, format, "offset", line_no, lines_ok, lines_rejected, '
                    "lines_duplicate, rotations, updated_at) VALUES (?, ?, 0, 0, 0, 0, 0, 0, ?)",
                    (str(self.path), self.requested.value, time.time()),
                )
                rows = fetchall(
                    conn,
                    'SELECT id, "offset", line_no, dev, inode, head, rotations, format FROM ingest_source WHERE path = ?',
                    (str(self.path),),
                )
        r = rows[0]
        return Checkpoint(int(r[0]), int(r[1]), int(r[2]), r[3], r[4], r[5], int(r[6]), r[7])

    # -- opening and identity -----------------------------------------------------------
    def _open(self, summary: IngestSummary) -> BinaryIO:
        fh = open(self.path, "rb")  # noqa: SIM115 - held open across the follow loop
        st = os.fstat(fh.fileno())
        cp = self.cp
        # Same file = same first bytes (a copy or restore keeps them; a file truncated in
        # place and rewritten does not, though its inode is the same).
        same = _same_head(fh, cp.head) if cp.head else (cp.dev, cp.inode) == (st.st_dev, st.st_ino)
        rotated = ""
        if cp.offset and not same:
            rotated = (
                f"{self.path} is a different file than at the last run (rotated?): reading it from "
                "the start"
            )
        elif cp.offset > st.st_size:
            rotated = (
                f"{self.path} is shorter than at the last run (truncated): reading from the start"
            )
        if rotated:
            self._detect(fh)
            summary.format = self.fmt.value
            summary.notes.append(rotated)
            self._rescue_from_rotated(summary, None)
            cp = self.cp
            cp.offset, cp.line_no = 0, 0
            cp.rotations += 1
            cp.head = None
        cp.dev, cp.inode = st.st_dev, st.st_ino
        summary.resumed_at = cp.offset
        self._detect(fh)
        fh.seek(cp.offset)
        return fh

    def _detect(self, fh: BinaryIO) -> None:
        """The format from the file's first lines: a CSV header on the first, or flat lines
        (a damaged first line, such as the cut-off tail left by a copytruncate, is passed
        over: the next lines decide)."""
        pos = fh.tell()
        fh.seek(0)
        lines: list[str] = []
        while len(lines) < 20:
            raw = fh.readline()
            if not raw:
                break
            if raw.strip(b"\x00\r\n\t "):
                lines.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        fh.seek(pos)
        if self.requested is not Format.AUTO:
            self.fmt = self.requested
        elif not lines:
            self.fmt = Format.FLAT
        else:
            first_error: FormatError | None = None
            for text in lines:
                try:
                    self.fmt = detect_format(text)
                    break
                except FormatError as exc:
                    first_error = first_error or exc
            else:
                assert first_error is not None
                raise first_error
        if self.fmt is Format.REALTIME_CSV:
            if not lines:
                raise FormatError("realtime CSV: the file has no header line yet")
            self.layout = CsvLayout.from_header(lines[0].lstrip("\ufeff"))
        self.cp.format = self.fmt.value

    # -- the loop -------------------------------------------------------------------------
    def run(
        self,
        *,
        follow: bool = False,
        stop: threading.Event | None = None,
        poll: float = 0.25,
        on_batch: Callable[[IngestSummary], None] | None = None,
    ) -> IngestSummary:
        summary = IngestSummary(str(self.path))
        started = time.perf_counter()
        fh = self._open(summary)
        summary.format = self.fmt.value
        bulk = os.fstat(fh.fileno()).st_size - self.cp.offset >= self.bulk_bytes
        if bulk:
            # A large backfill. Its millions of short-lived tuples would set Python's cyclic
            # garbage collector scanning the caches over and over (40% of the time); nothing
            # here makes reference cycles, so it sleeps until the backlog is read.
            # And the writer thread, whose SQLite work runs without the GIL, gets the GIL back
            # sooner after each statement (1 ms turns instead of 5 ms): 10.3 s -> 9.2 s a million.
            gc_was_on = gc.isenabled()
            gc.disable()
            switch = sys.getswitchinterval()
            sys.setswitchinterval(0.001)
        pending = b""
        try:
            while True:
                chunk = fh.read(READ_BYTES)
                if chunk:
                    if follow and self._cut_in_place(fh, summary, on_batch):
                        pending = b""  # read from the new start (the rest came from the copy)
                        continue
                    pending += chunk
                    cut = pending.rfind(b"\n")
                    if cut >= 0:
                        whole, pending = pending[: cut + 1], pending[cut + 1 :]
                        self._take(whole, summary, on_batch, fh)
                    continue
                if bulk:
                    bulk = False
                    sys.setswitchinterval(switch)
                    if gc_was_on:
                        gc.enable()
                if not follow:
                    if pending:  # maybe still being written: read it once it is whole
                        summary.notes.append(
                            f"the last line (byte {self.cp.offset:,} on) has no newline yet: it is read "
                            "by the next run once complete"
                        )
                    break
                self._drain_retired(summary, on_batch)
                self.pipeline.flush()  # idle: what was read is committed before we wait
                if stop is not None and stop.is_set():
                    break
                old_fh = fh
                fh, reopened = self._check_rotation(fh, summary)
                if reopened:
                    if self._retired is not None and self._retired.fh is old_fh:
                        self._retired.pending = pending  # its last line, still being written
                    pending = b""
                    continue
                if stop is not None:
                    stop.wait(poll)
                else:
                    time.sleep(poll)
            self.pipeline.flush()  # everything read is committed before we say so
        finally:
            if bulk:
                sys.setswitchinterval(switch)
                if gc_was_on:
                    gc.enable()
            fh.close()
            if self._retired is not None:
                self._retired.fh.close()
                self._retired = None
            summary.rotations = self.cp.rotations
            summary.seconds = time.perf_counter() - started
        return summary

    def close(self) -> None:
        """Commit what is queued and stop the writer thread."""
        self.pipeline.close()

    def _check_rotation(self, fh: BinaryIO, summary: IngestSummary) -> tuple[BinaryIO, bool]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return fh, False  # vanished: keep waiting for it to come back
        mine = os.fstat(fh.fileno())
        if (st.st_dev, st.st_ino) != (mine.st_dev, mine.st_ino):
            rest = fh.read()  # whatever the writer added to the old file before it moved
            if rest:
                fh.seek(fh.tell() - len(rest))
                return fh, False
            # The writer may not have reopened yet: the old file is read on for a while.
            if self._retired is not None:
                self._retired.fh.close()
            self._retired = _Retired(fh, self.cp.offset, self.cp.line_no)
            summary.notes.append(f"{self.path} rotated (new file): following the new one")
            self.cp.offset, self.cp.line_no = 0, 0
            self.cp.rotations += 1
            self.cp.head = None
            new = open(self.path, "rb")  # noqa: SIM115
            nst = os.fstat(new.fileno())
            self.cp.dev, self.cp.inode = nst.st_dev, nst.st_ino
            return new, True
        if st.st_size < self.cp.offset or (
            self.cp.offset and self.cp.head and not _same_head(fh, self.cp.head)
        ):
            self._truncated(fh, summary, None)
            return fh, True
        return fh, False

    def _cut_in_place(
        self,
        fh: BinaryIO,
        summary: IngestSummary,
        on_batch: Callable[[IngestSummary], None] | None,
    ) -> bool:
        """After a read while following: was the file cut and rewritten in place (copytruncate)
        before the bytes just read were? Then they may be the new file's, from its middle:
        they are dropped and the file read from its start (what the old file held past the
        checkpoint is read from its copy)."""
        cp = self.cp
        if not cp.offset or not cp.head or _same_head(fh, cp.head):
            return False
        self._truncated(fh, summary, on_batch)
        return True

    def _truncated(
        self,
        fh: BinaryIO,
        summary: IngestSummary,
        on_batch: Callable[[IngestSummary], None] | None,
    ) -> None:
        summary.notes.append(f"{self.path} truncated: reading from the start")
        self._rescue_from_rotated(summary, on_batch)
        self.cp.offset, self.cp.line_no = 0, 0
        self.cp.rotations += 1
        self.cp.head = None
        fh.seek(0)

    def _rescue_from_rotated(
        self, summary: IngestSummary, on_batch: Callable[[IngestSummary], None] | None
    ) -> None:
        """The file at the path is not the one the checkpoint is in (rotated by rename while
        stopped, or cut in place by copytruncate): the lines the old file held past the
        checkpoint, which were never read, are read from the rotated file beside it (the one
        that begins with the same bytes and reaches past the checkpoint), if it is there."""
        cp = self.cp
        if not cp.offset or not cp.head:
            return
        best: tuple[float, Path] | None = None
        for other in self.path.parent.glob(f"{glob_escape(self.path.name)}?*"):
            try:
                st = other.stat()
                if not other.is_file() or st.st_size <= cp.offset:
                    continue
                with open(other, "rb") as fh:
                    if not _same_head(fh, cp.head):
                        continue
            except OSError:
                continue
            if best is None or st.st_mtime > best[0]:
                best = (st.st_mtime, other)
        if best is None:
            summary.notes.append(
                f"lines after byte {cp.offset:,} of the old file were not read and no rotated "
                f"copy of it was found beside {self.path}"
            )
            return
        with open(best[1], "rb") as fh:
            fh.seek(cp.offset)
            rest = fh.read()
            cut = rest.rfind(b"\n")
            if cut >= 0:
                before = summary.lines
                self._take(rest[: cut + 1], summary, on_batch, fh)
                summary.notes.append(
                    f"{summary.lines - before:,} lines the old file held past byte {cp.offset:,} "
                    f"were read from {best[1].name}"
                )

    def _drain_retired(
        self, summary: IngestSummary, on_batch: Callable[[IngestSummary], None] | None
    ) -> None:
        """Lines the writer added to the old file after we moved on to the new one (it had
        not reopened yet). They are stored with the new file's checkpoint unmoved: a kill
        meanwhile may lose such a line, never double one."""
        old = self._retired
        if old is None:
            return
        chunk = old.fh.read()
        now = time.monotonic()
        if chunk:
            old.quiet_since = now
            old.pending += chunk
            cut = old.pending.rfind(b"\n")
            if cut >= 0:
                whole, old.pending = old.pending[: cut + 1], old.pending[cut + 1 :]
                parsed, rejects, blank, n_lines = self._parse(
                    whole[:-1], old.line_no + 1, old.offset
                )
                old.offset += len(whole)
                old.line_no += n_lines
                cp = replace(self.cp, expect=self._stored)
                counts = self.pipeline.process(parsed, rejects, cp, blank=blank)
                summary.add(counts, n_lines, list(rejects))
                summary.notes.append(
                    f"{n_lines:,} lines written to the rotated file after the new one appeared "
                    "were read from it"
                )
                if on_batch is not None:
                    on_batch(summary)
        elif now - old.quiet_since > RETIRED_SECONDS:
            old.fh.close()
            self._retired = None

    def _parse(
        self, body: bytes, line_no: int, offset: int
    ) -> tuple[list[tuple[int, Event]], list[Rejected], int, int]:
        """Whole lines (the last newline cut off) → (parsed, rejected, blank, lines)."""
        if self.fmt is Format.REALTIME_CSV:
            assert self.layout is not None
            lines = list(split_lines(body, line_no=line_no, offset=offset))
            n_lines = len(lines)
            if line_no == 1 and lines:
                lines = lines[1:]  # the header
            parsed, rejects, blank = parse_realtime(lines, self.layout, self.times)
            return parsed, rejects, blank, n_lines
        return parse_flat_buffer(body, line_no=line_no, offset=offset)

    def _take(
        self,
        whole: bytes,
        summary: IngestSummary,
        on_batch: Callable[[IngestSummary], None] | None,
        src: BinaryIO,
    ) -> None:
        """Parse and commit whole lines, `batch_lines` at a time, each batch with its checkpoint."""
        start = 0
        n = len(whole)
        while start < n:
            # find the end of the next batch of lines
            end = start
            for _ in range(self.batch_lines):
                nl = whole.find(b"\n", end)
                if nl < 0:
                    end = n
                    break
                end = nl + 1
                if end >= n:
                    break
            piece = whole[start:end]
            body = piece[:-1] if piece.endswith(b"\n") else piece
            parsed, rejects, blank, n_lines = self._parse(body, self.cp.line_no + 1, self.cp.offset)
            consumed = len(piece)
            cp = replace(
                self.cp,
                offset=self.cp.offset + consumed,
                line_no=self.cp.line_no + body.count(b"\n") + 1,
                expect=self._stored,
            )
            if cp.head is None or not cp.head.startswith(f"{HEAD_BYTES}:"):
                # from the file these lines are in (the path may hold a new one by now)
                cp.head = _head_digest(src)
            counts = self.pipeline.process(parsed, rejects, cp, blank=blank)
            self.cp = cp  # handed to the writer; committed in order, with this checkpoint
            self._stored = (cp.offset, cp.line_no)
            summary.add(counts, n_lines, list(rejects))
            if on_batch is not None:
                on_batch(summary)
            start = end


@dataclass
class _Retired:
    """The old file after a rotation by rename, still open, read on for a while."""

    fh: BinaryIO
    offset: int
    line_no: int
    pending: bytes = b""
    quiet_since: float = field(default_factory=time.monotonic)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def ingest_file(
    engine: Engine, path: str | os.PathLike[str], *, tz: str, fmt: Format | str = Format.AUTO
) -> IngestSummary:
    """Read a file from its checkpoint to its end (the `ingest` command without --follow)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        feed = QueueLogFeed(engine, path, tz=tz, fmt=fmt)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from exc
    try:
        return feed.run()
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from exc
    finally:
        feed.close()

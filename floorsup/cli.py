"""The `floorsup` command: one function per subcommand; each builds settings, opens the
store (upgrading it to the newest migration on first use) and calls a service."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pendulum
from sqlalchemy.exc import DBAPIError

from floorsup.config import ConfigError, Settings, load_settings
from floorsup.export import Book, ExportError, write_text, write_xlsx
from floorsup.ingest.queue_log import Format, FormatError
from floorsup.store.access import Actor, NotAllowed, resolve
from floorsup.store.engine import (
    StoreError,
    db_location,
    ensure_schema,
    explain_db_error,
    make_engine,
    sqlite_file,
    upgrade,
)
from floorsup.store.roster import ImportError_

EXIT_NOT_ALLOWED = 77  # sysexits' EX_NOPERM: the role (or an unknown login) may not do this

log = logging.getLogger("floorsup")


class UsageError(ValueError):
    pass


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    engine = make_engine(settings.url)
    ensure_schema(engine)
    return engine


def _who(settings: Settings, engine) -> Actor:  # type: ignore[no-untyped-def]
    """Who runs this command: their login on the roster (or a manager's --as STAFF_ID);
    refused (NotAllowed) for an account the roster does not know. Tests put an actor of
    their choosing here."""
    with engine.connect() as conn:
        return resolve(conn, settings.user, settings.as_staff)


def _known(settings: Settings):  # type: ignore[no-untyped-def]
    """The engine and who is asking, for a command that reads what the roster's people may
    read: an account the roster does not know is refused before anything is read."""
    engine = _engine(settings)
    return engine, _who(settings, engine)


def _now() -> float:
    """The wall clock, read once per command (tests put a fixed instant here)."""
    return time.time()


def parse_day(text: str, tz: str, now: float) -> dt.date:
    today = pendulum.from_timestamp(now, tz=tz).date()
    low = text.strip().lower()
    if low == "today":
        return today
    if low == "yesterday":
        return today - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{text!r} is not a date: expected YYYY-MM-DD, today or yesterday"
        ) from None
    from floorsup.domain.intervals import day_out_of_range

    wrong = day_out_of_range(day)
    if wrong:
        raise UsageError(f"{text!r}: {wrong}: expected YYYY-MM-DD, today or yesterday")
    return day


# -- subcommands ------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.url)
    upgrade(engine)
    print(f"database ready: {db_location(settings.url)}")  # never the password
    return 0


def cmd_import_roster(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.roster import import_roster

    engine = _engine(settings)
    res = import_roster(engine, args.file, actor=_who(settings, engine), now=_now())
    print(
        f"{args.file}: {res.added} staff added, {res.updated} updated, {res.teams} teams, "
        f"{res.acd_names} ACD agent names mapped"
    )
    return 0


def cmd_import_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.schedules import import_schedule

    engine = _engine(settings)
    res = import_schedule(
        engine,
        args.file,
        actor=_who(settings, engine),
        tz=settings.tz,
        activities=settings.activities,
        now=_now(),
    )
    print(
        f"{args.file}: {res.segments} segments for {res.staff} staff over {res.days} "
        f"day(s) imported ({res.removed} replaced), times in {settings.tz}"
    )
    return 0


def cmd_import_qa(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.qa import import_qa

    engine = _engine(settings)
    res = import_qa(
        engine,
        args.file,
        tz=settings.tz,
        work_types=settings.work_types,
        scorecard=settings.scorecard,
        actor=_who(settings, engine),
        now=_now(),
    )
    print(
        f"{args.file}: {res.added} evaluation{'' if res.added == 1 else 's'} added, "
        f"{res.already} already present, times in {settings.tz}"
    )
    return 0


def cmd_queue(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.roster import set_queue_target

    try:
        engine = _engine(settings)
        set_queue_target(
            engine,
            args.name,
            args.target_seconds,
            args.target,
            actor=_who(settings, engine),
            now=_now(),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(f"queue {args.name}: {args.target:.0%} answered within {args.target_seconds} s")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.ingest.follow import QueueLogFeed

    path = Path(args.path)
    if not path.is_file() and not args.follow:
        raise UsageError(f"{path}: no such file")
    engine = _engine(settings)
    while args.follow and not path.exists():
        print(f"waiting for {path} to appear…", file=sys.stderr)
        time.sleep(1)
    stop = threading.Event()
    if args.follow:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())

    def progress(summary):  # type: ignore[no-untyped-def]
        if args.follow and summary.events:
            log.info("%s lines, %s events", summary.lines, summary.events)

    try:
        feed = QueueLogFeed(engine, path, tz=settings.tz, fmt=args.format)
        try:
            summary = feed.run(follow=args.follow, stop=stop, on_batch=progress)
        finally:
            feed.close()
    except FormatError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    print(summary.text())
    return 0


# -- report output: the screen, or a file (--out); xlsx is always a file -------------------

REPORT_FORMATS = ("table", "csv", "json", "xlsx")
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def _report_args(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        help="table (the default), csv, json, or xlsx (a spreadsheet: needs --out); with "
        "--out and no --format, the file's suffix (.csv .json .xlsx) chooses",
    )
    s.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (whole or not at all), not stdout"
    )
    s.set_defaults(report_parser=s)  # for a usage error that needs two options together


def _report_format(args: argparse.Namespace) -> str:
    """--format, else --out's suffix, else table. Checked before any work is done: xlsx
    without --out is a usage error (the usage line, the message, exit status 2)."""
    suffix = args.out.suffix.lower() if args.out is not None else ""
    fmt: str = args.format or SUFFIX_FORMATS.get(suffix) or "table"
    if fmt == "xlsx" and args.out is None:
        message = "--format xlsx writes a spreadsheet file: add --out FILE.xlsx"
        parser = getattr(args, "report_parser", None)
        if parser is not None:
            parser.error(message)  # exits 2, as for any other mistake in the options
        raise UsageError(message)
    return fmt


def _report_width(args: argparse.Namespace) -> int:
    """The table fits a wider terminal; piped, captured or to a file, it is 160 columns."""
    tty = args.out is None and sys.stdout.isatty()
    return max(120, shutil.get_terminal_size((160, 24)).columns if tty else 160)


def _emit(
    args: argparse.Namespace, fmt: str, text: Callable[[], str], book: Callable[[], Book]
) -> None:
    """The report to stdout, or to --out (xlsx: the typed book; else the text), saying
    what was written."""
    try:
        if fmt == "xlsx":
            made = book()
            path = write_xlsx(made, args.out)
            sheets = ", ".join(
                f"{t.title} ({len(t.rows)} row{'' if len(t.rows) == 1 else 's'})"
                for t in made.tables
            )
            print(f"wrote {path}: {sheets}")
        elif args.out is not None:
            print(f"wrote {write_text(text(), args.out)}")
        else:
            sys.stdout.write(text())
    except ExportError as exc:
        raise UsageError(str(exc)) from exc


def _nl(fmt: str) -> str:
    return "\n" if fmt == "json" else ""


def cmd_report_queues(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.reports import queue_book, queue_report, render

    fmt = _report_format(args)
    now = _now()
    if args.date and (args.date_from or args.date_to):
        raise UsageError("give --date, or --from and --to, not both")
    if args.date_from or args.date_to:
        first = parse_day(args.date_from or args.date_to, settings.tz, now)
        last = parse_day(args.date_to or args.date_from, settings.tz, now)
    else:
        first = last = parse_day(args.date or "today", settings.tz, now)
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    engine, _ = _known(settings)
    rows = queue_report(engine, settings, first, last, args.interval, now)
    _emit(
        args,
        fmt,
        lambda: render(rows, fmt, settings) + _nl(fmt),
        lambda: queue_book(rows, settings, first=first, last=last, interval=args.interval, now=now),
    )
    return 0


def cmd_report_adherence(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.reports import adherence_book, adherence_report, render_adherence

    fmt = _report_format(args)
    now = _now()
    day = parse_day(args.date or "today", settings.tz, now)
    engine, _ = _known(settings)
    rows = adherence_report(engine, settings, day, now, team=args.team)
    _emit(
        args,
        fmt,
        lambda: render_adherence(rows, fmt, settings, day) + _nl(fmt),
        lambda: adherence_book(rows, settings, day=day, team=args.team, now=now),
    )
    return 0


COACHING_DEFAULT_DAYS = 7


def cmd_report_coaching(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.reports import coaching_book, coaching_report, render_coaching

    fmt = _report_format(args)
    now = _now()
    # Default: the last 7 days ending today; one end given, the other 7 days from it.
    span = dt.timedelta(days=COACHING_DEFAULT_DAYS - 1)
    last = parse_day(args.date_to, settings.tz, now) if args.date_to else None
    first = parse_day(args.date_from, settings.tz, now) if args.date_from else None
    if last is None:
        last = parse_day("today", settings.tz, now) if first is None else first + span
    if first is None:
        first = last - span
    if last < first:
        raise UsageError(f"--from {first} is after --to {last}")
    try:
        engine, who = _known(settings)
        rows = coaching_report(engine, settings, first, last, now, team=args.team, who=who)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    _emit(
        args,
        fmt,
        lambda: (
            render_coaching(rows, fmt, settings, first, last, width=_report_width(args)) + _nl(fmt)
        ),
        lambda: coaching_book(rows, settings, first=first, last=last, team=args.team, now=now),
    )
    return 0


def cmd_report_career(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.reports import career_book, career_report, render_career

    fmt = _report_format(args)
    now = _now()
    try:
        engine, _ = _known(settings)
        report = career_report(engine, settings, now, team=args.team)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.growth:
        report = {"agents": [], "growth": report["growth"]}
    _emit(
        args,
        fmt,
        lambda: render_career(report, fmt, width=_report_width(args)) + _nl(fmt),
        lambda: career_book(report, settings, team=args.team, growth_only=args.growth, now=now),
    )
    return 0


def cmd_report_mentoring(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.reports import mentoring_book, mentoring_report, render_mentoring

    fmt = _report_format(args)
    now = _now()
    engine, _ = _known(settings)
    report = mentoring_report(engine, settings, now)
    _emit(
        args,
        fmt,
        lambda: render_mentoring(report, fmt, width=_report_width(args)) + _nl(fmt),
        lambda: mentoring_book(report, settings, now=now),
    )
    return 0


def cmd_staffing(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.staffing import StaffingArgs, compute, render

    given = StaffingArgs(
        calls=args.calls,
        interval_minutes=args.interval_minutes,
        aht=args.aht,
        target_sl=args.target_sl,
        target_seconds=args.target_seconds,
        max_occupancy=args.max_occupancy,
        shrinkage=args.shrinkage,
        patience=args.patience,
        max_abandon=args.max_abandon,
    )
    try:
        result = compute(given)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    sys.stdout.write(render(given, result, args.format))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.demo import run_demo

    return run_demo(args, settings)


def replay_clock(text: str, settings: Settings, now: float):  # type: ignore[no-untyped-def]
    """`--at WHEN` as a clock stopped at that moment (a clear usage error if it is not one)."""
    from floorsup.clock import ReplayClock
    from floorsup.domain.intervals import parse_local_instant

    try:
        return ReplayClock(parse_local_instant(text, settings.tz, now))
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from None


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.clock import Clock, WallClock
    from floorsup.tui.app import make_app

    at = getattr(args, "at", None)
    clock: Clock = replay_clock(at, settings, _now()) if at else WallClock()
    engine, who = _known(settings)
    app = make_app(settings, engine=engine, clock=clock, actor=who, freeze_heap=True)
    app.run()
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.serve import ServeError, plan, run

    # A database that cannot open, or a login the roster does not know, fails here, not in
    # each browser tab.
    engine, _ = _known(settings)
    engine.dispose()
    try:
        p = plan(
            args.host,
            args.port,
            allow_remote=args.allow_remote,
            db_url=settings.url,
            tz=settings.tz,
            user=settings.user,
            as_staff=settings.as_staff,
        )
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    print(f"floorsup: warning: {p.warning}", file=sys.stderr)
    print(f"floorsup: serving the app on {p.url} (Ctrl+C stops)", file=sys.stderr)
    run(p)
    return 0


# -- backup, restore, check (SQLite; PostgreSQL has its own tools) -------------------------


def _sqlite_db(settings: Settings, path: Path, *, restore: bool = False) -> Path:
    """The database file, or a StoreError with the pg_dump / pg_restore lines to use."""
    from floorsup.store.backup import postgres_instructions

    db = sqlite_file(settings.url)
    if db is None:
        if settings.url.startswith("sqlite"):
            raise StoreError(f"{db_location(settings.url)}: not a database file")
        raise StoreError(postgres_instructions(settings.url, path, restore=restore))
    return db


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.backup import backup_database

    db = _sqlite_db(settings, args.path)
    res = backup_database(db, args.path, force=args.force, quick=args.quick)
    check = "quick_check" if args.quick else "integrity_check"
    print(
        f"backup of {db} written to {res.path}: {res.info.size:,} bytes, schema "
        f"{res.info.revision}, {check} ok ({res.seconds:.1f} s)"
    )
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.backup import restore_database

    db = _sqlite_db(settings, args.path, restore=True)
    res = restore_database(args.path, db, keep=not args.no_keep, now=_now())
    print(f"restored {args.path} (schema {res.source.revision}) into {db}")
    if res.upgraded_to:
        print(f"its schema was older: migrated to {res.upgraded_to}")
    if res.kept is not None:
        what = (
            "damaged previous file (with its -wal/-shm)"
            if res.replaced_damaged
            else "previous database"
        )
        print(f"the {what} is kept as {res.kept}")
    return 0


def cmd_migrate_data(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.migrate import migrate_data_command

    return migrate_data_command(args, settings)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from floorsup.store.backup import check_database, schema_problem
    from floorsup.store.engine import damaged_message, head_revision

    db = _sqlite_db(settings, Path("floorsup.dump"))
    info = check_database(db, quick=args.quick)
    if not info.ok:
        print(f"floorsup: error: {damaged_message(str(db), info.problems[0])}", file=sys.stderr)
        for problem in info.problems[1:]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    newer = schema_problem(info)
    if newer is not None:
        raise StoreError(f"{db}: {newer}")
    behind = "" if info.revision == head_revision() else " (older: the next command migrates it)"
    print(
        f"{db}: ok ({'quick_check' if args.quick else 'integrity_check'}: {info.pages:,} pages "
        f"of {info.page_size:,} bytes; schema {info.revision}{behind})"
    )
    return 0


# -- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="floorsup",
        description="A terminal command centre for contact-centre floor supervisors. "
        "With no command, opens the live floor.",
    )
    p.add_argument(
        "--db", help="database file or URL (env FLOORSUP_DB; default in the user data directory)"
    )
    p.add_argument(
        "--tz",
        help="the site's time zone, e.g. Europe/London (env FLOORSUP_TZ; default this machine's)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p.add_argument(
        "--as",
        dest="as_staff",
        metavar="STAFF_ID",
        help="managers only: act as another staff member (to see and do what their role may)",
    )
    p.add_argument(
        "--at",
        metavar="WHEN",
        help='open the app as it stood at a past moment, e.g. "2026-11-20 10:30" or "10:30" '
        "(site time; [ and ] then step an interval, ctrl+t picks another moment or live)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("init", help="create or upgrade the database to the newest schema")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser(
        "backup",
        help="a consistent, checked copy of the SQLite database while ingest and apps run",
    )
    s.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    s.add_argument("--force", action="store_true", help="replace PATH if it exists")
    s.add_argument(
        "--quick",
        action="store_true",
        help="check the copy with quick_check (faster on a large database) not integrity_check",
    )
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser(
        "restore",
        help="put a backup in place of the database (stop the app and ingest first); the "
        "previous one is kept as <db>.before-restore-<time>",
    )
    s.add_argument("path", type=Path, metavar="PATH", help="a backup made by `floorsup backup`")
    s.add_argument(
        "--no-keep", action="store_true", help="do not keep the previous database beside it"
    )
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser(
        "check", help="read every page of the database (PRAGMA integrity_check) and report"
    )
    s.add_argument("--quick", action="store_true", help="PRAGMA quick_check: faster, less thorough")
    s.set_defaults(func=cmd_check)

    imp = sub.add_parser("import", help="import a CSV file from the tools you already have")
    isub = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    s = isub.add_parser("roster", help="staff_id,name,team,role,hire_date,acd_agent")
    s.add_argument("file", type=Path)
    s.set_defaults(func=cmd_import_roster)
    s = isub.add_parser("schedule", help="staff_id,date,start,end,activity (local HH:MM in --tz)")
    s.add_argument("file", type=Path)
    s.set_defaults(func=cmd_import_schedule)
    s = isub.add_parser(
        "qa",
        help="staff_id,evaluated_at,evaluator,work_type,score,max_score"
        "[,criterion...][,comments] (local times in --tz)",
    )
    s.add_argument("file", type=Path)
    s.set_defaults(func=cmd_import_qa)

    s = sub.add_parser("queue", help="set a queue's service-level target")
    s.add_argument("name")
    s.add_argument(
        "--target-seconds", type=int, required=True, help="answered within this many seconds"
    )
    s.add_argument(
        "--target", type=float, default=0.8, help="fraction to answer within it (default 0.8)"
    )
    s.set_defaults(func=cmd_queue)

    ing = sub.add_parser("ingest", help="read the ACD's feed")
    gsub = ing.add_subparsers(dest="what", metavar="WHAT", required=True)
    s = gsub.add_parser(
        "queue-log", help="an Asterisk queue_log (flat file or realtime table as CSV)"
    )
    s.add_argument("path")
    s.add_argument("--follow", action="store_true", help="keep reading as it grows, like tail -F")
    s.add_argument("--format", choices=[f.value for f in Format], default="auto")
    s.set_defaults(func=cmd_ingest)

    rep = sub.add_parser("report", help="reports as table, CSV, JSON or XLSX (a spreadsheet)")
    rsub = rep.add_subparsers(dest="what", metavar="WHAT", required=True)
    s = rsub.add_parser("queues", help="per-queue service level, ASA, AHT, abandons by interval")
    s.add_argument("--date", help="YYYY-MM-DD, today or yesterday (default today)")
    s.add_argument("--from", dest="date_from")
    s.add_argument("--to", dest="date_to")
    s.add_argument("--interval", choices=["15", "30", "60", "day", "total"], default="30")
    _report_args(s)
    s.set_defaults(func=cmd_report_queues)

    s = rsub.add_parser(
        "adherence", help="per agent: adherence, conformance and exceptions for a day"
    )
    s.add_argument("--date", help="YYYY-MM-DD, today or yesterday (default today)")
    s.add_argument("--team", help="only this team")
    _report_args(s)
    s.set_defaults(func=cmd_report_adherence)

    s = rsub.add_parser(
        "coaching", help="coaching notes written in a period, with follow-ups and a summary"
    )
    s.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first local day: YYYY-MM-DD, today or yesterday (default 6 days before --to)",
    )
    s.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="last local day, inclusive (default today, or 6 days after --from)",
    )
    s.add_argument("--team", help="only notes about agents of this team (when written)")
    _report_args(s)
    s.set_defaults(func=cmd_report_coaching)

    s = rsub.add_parser(
        "career",
        help="each agent's stage, the evidence for the next, who is at risk, and who grew "
        "into other departments",
    )
    s.add_argument("--team", help="only this team")
    s.add_argument(
        "--growth", action="store_true", help="only who grew into other departments (and where)"
    )
    _report_args(s)
    s.set_defaults(func=cmd_report_career)

    s = rsub.add_parser(
        "mentoring",
        help="every mentorship with the mentee's QA and adherence before and since; new hires "
        "without a mentor",
    )
    _report_args(s)
    s.set_defaults(func=cmd_report_mentoring)

    s = sub.add_parser(
        "staffing",
        help="agents an interval needs for a service level (Erlang C; Erlang A with --patience)",
    )
    s.add_argument(
        "--calls", metavar="N", type=float, required=True, help="calls offered in the interval"
    )
    s.add_argument(
        "--interval-minutes",
        metavar="M",
        type=float,
        required=True,
        help="the interval's length in minutes, e.g. 15 or 30",
    )
    s.add_argument(
        "--aht", metavar="S", type=float, required=True, help="average handle time in seconds"
    )
    s.add_argument(
        "--target-sl",
        metavar="F",
        type=float,
        required=True,
        help="share to answer within T, e.g. 0.8",
    )
    s.add_argument(
        "--target-seconds",
        metavar="T",
        type=float,
        required=True,
        help="the target answer time T in seconds, e.g. 20",
    )
    s.add_argument("--max-occupancy", metavar="F", type=float, help="occupancy cap, e.g. 0.85")
    s.add_argument(
        "--shrinkage",
        metavar="F",
        type=float,
        default=0.0,
        help="share of paid time off the phones, e.g. 0.3 (default 0)",
    )
    s.add_argument(
        "--patience",
        metavar="S",
        type=float,
        help="callers' mean patience in seconds: Erlang A (callers abandon)",
    )
    s.add_argument(
        "--max-abandon",
        metavar="F",
        type=float,
        help="with --patience: a cap on the abandon rate, e.g. 0.05",
    )
    s.add_argument("--format", choices=["table", "csv", "json"], default="table")
    s.set_defaults(func=cmd_staffing)

    s = sub.add_parser(
        "serve",
        help="the app in a web browser (textual-serve); 127.0.0.1 only unless --allow-remote",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    s.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on a non-loopback --host: it has no login of its own, so only behind an "
        "authenticating proxy",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser(
        "migrate-data",
        help="copy a whole database to another (SQLite to PostgreSQL or back), checked",
    )
    s.add_argument("--from", dest="from_url", required=True, metavar="URL", help="copy from")
    s.add_argument(
        "--to", dest="to_url", required=True, metavar="URL", help="copy into (must hold no data)"
    )
    s.set_defaults(func=cmd_migrate_data)

    s = sub.add_parser("demo", help="a believable floor, simulated live, in a fresh database")
    s.add_argument("--speed", type=float, default=1.0, help="run the clock X times faster")
    s.add_argument(
        "--headless", action="store_true", help="no screen: simulate, then print the day's report"
    )
    s.add_argument(
        "--minutes", type=float, default=5.0, help="with --headless: simulated minutes to run live"
    )
    s.add_argument("--seed", type=int, default=7)
    s.add_argument(
        "--keep",
        action="store_true",
        help="keep an existing demo database instead of starting fresh",
    )
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s: %(message)s",
    )
    settings: Settings | None = None
    try:
        settings = load_settings({"db": args.db, "tz": args.tz, "as_staff": args.as_staff})
        func = getattr(args, "func", cmd_app)
        return int(func(args, settings) or 0)
    except (
        ConfigError,
        StoreError,
        ImportError_,
        UsageError,
        FormatError,
        FileNotFoundError,
    ) as exc:
        print(f"floorsup: error: {exc}", file=sys.stderr)
        return EXIT_NOT_ALLOWED if isinstance(exc, NotAllowed) else 2
    except (DBAPIError, sqlite3.Error) as exc:
        # a damaged page read mid-command, a full disk, a lock held too long: say what to do
        where = db_location(settings.url) if settings is not None else "the database"
        problem = explain_db_error(exc, where)
        if problem is None:
            raise
        print(f"floorsup: error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

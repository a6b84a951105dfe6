"""The demo floor: a fictional centre, its schedules, and a pure generator of Asterisk
queue_log lines whose agents (mostly) keep to those schedules."""

from floorsup.sim.centre import (
    ACTIVITIES,
    PRODUCTIVE_ACTIVITIES,
    ROSTER_COLUMNS,
    SCHEDULE_COLUMNS,
    Centre,
    PlannedSegment,
    Shift,
    SimQueue,
    SimStaff,
    day_schedule,
    demo_centre,
    roster_csv,
    roster_rows,
    schedule_csv,
    schedule_rows,
    write_roster_csv,
    write_schedule_csv,
)
from floorsup.sim.floor import EVENTS, TERMINAL_EVENTS, FloorSimulator

__all__ = [
    "ACTIVITIES",
    "EVENTS",
    "PRODUCTIVE_ACTIVITIES",
    "ROSTER_COLUMNS",
    "SCHEDULE_COLUMNS",
    "TERMINAL_EVENTS",
    "Centre",
    "FloorSimulator",
    "PlannedSegment",
    "Shift",
    "SimQueue",
    "SimStaff",
    "day_schedule",
    "demo_centre",
    "roster_csv",
    "roster_rows",
    "schedule_csv",
    "schedule_rows",
    "write_roster_csv",
    "write_schedule_csv",
]

"""The demo floor: a fictional centre and a pure generator of Asterisk queue_log lines."""

from floorsup.sim.centre import (
    ROSTER_COLUMNS,
    Centre,
    Shift,
    SimQueue,
    SimStaff,
    demo_centre,
    roster_csv,
    roster_rows,
    write_roster_csv,
)
from floorsup.sim.floor import EVENTS, TERMINAL_EVENTS, FloorSimulator

__all__ = [
    "EVENTS",
    "ROSTER_COLUMNS",
    "TERMINAL_EVENTS",
    "Centre",
    "FloorSimulator",
    "Shift",
    "SimQueue",
    "SimStaff",
    "demo_centre",
    "roster_csv",
    "roster_rows",
    "write_roster_csv",
]

"""A day at a glance in two lines of text: the schedule above, what happened below.

Each character is an equal slice of the window; it shows what covered most of that slice.
Letters as well as colours (colour is never the only signal), so it reads at 80 columns,
over SSH and in 256 colours."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from floorsup.domain.types import AgentState
from floorsup.tui.format import Palette, hhmm

SCHEDULE_MARK = {
    "open": "O",
    "break": "B",
    "lunch": "L",
    "meeting": "M",
    "training": "T",
    "coaching": "C",
    "off": " ",
}
STATE_MARK = {
    AgentState.AVAILABLE: "a",
    AgentState.RINGING: "r",
    AgentState.ON_CALL: "c",
    AgentState.PAUSED: "p",
    AgentState.LOGGED_OUT: "·",
}


def _dominant(
    pieces: Sequence[tuple[float, float, object]], start: float, step: float, width: int
) -> list[object | None]:
    """For each of `width` slices of `step` seconds from `start`: the value covering most of
    it among (start, end, value) pieces, or None. One sweep over the pieces by start (a
    day's ~200 states and ~120 columns: ~350 steps, not 24,000)."""
    order = sorted(pieces, key=lambda p: p[0])
    out: list[object | None] = []
    first = 0
    for i in range(width):
        lo, hi = start + i * step, start + (i + 1) * step
        while first < len(order) and order[first][1] <= lo and order[first][0] < lo:
            first += 1  # ended before this slice (pieces are in start order)
        best, best_len = None, 0.0
        for s, e, value in order[first:]:
            if s >= hi:
                break
            overlap = min(e, hi) - max(s, lo)
            if overlap > best_len:
                best, best_len = value, overlap
        out.append(best)
    return out


def timeline(
    schedule: Sequence[tuple[float, float, str]],
    actual: Sequence[tuple[float, float, AgentState, str | None]],
    *,
    start: float,
    end: float,
    width: int,
    tz: str,
    palette: Palette,
    now: float | None = None,
) -> Text:
    """Three lines: hour ticks, the schedule, the actual states (with `now` marked)."""
    width = max(width, 10)
    step = (end - start) / width
    ticks = [" "] * width
    hour = 3600.0
    t = start - (start % hour) + hour if start % hour else start
    while t < end:
        i = int((t - start) / step)
        label = hhmm(t, tz)[:2]
        if i + len(label) <= width and all(c == " " for c in ticks[i : i + len(label) + 1]):
            ticks[i : i + len(label)] = list(label)
        t += hour * (2 if width < 60 else 1)
    out = Text("".join(ticks) + "\n", style=palette.muted)
    sched_pieces = [(s, e, a) for s, e, a in schedule]
    act_pieces = [(s, e, (st, r)) for s, e, st, r in actual]
    colours = {
        "open": palette.ok,
        "break": palette.warn,
        "lunch": palette.warn,
    }
    for value in _dominant(sched_pieces, start, step, width):
        if value is None:
            out.append(" ")
        else:
            name = str(value)
            out.append(
                SCHEDULE_MARK.get(name, name[:1].upper() or "?"), style=colours.get(name, "bold")
            )
    out.append("\n")
    for i, value in enumerate(_dominant(act_pieces, start, step, width)):
        if now is not None and start + i * step >= now:
            out.append(" ")
            continue
        if value is None:
            out.append("·", style=palette.muted)
            continue
        state, reason = value  # type: ignore[misc]
        mark = STATE_MARK[state]
        if state is AgentState.PAUSED and reason:
            mark = reason[:1].lower()
        style = {
            AgentState.AVAILABLE: palette.ok,
            AgentState.ON_CALL: "bold",
            AgentState.RINGING: palette.warn,
            AgentState.PAUSED: palette.warn,
            AgentState.LOGGED_OUT: palette.muted,
        }[state]
        out.append(mark, style=style)
    return out


LEGEND = (
    "schedule: O open  B break  L lunch  M meeting  T training  C coaching\n"
    "actual: a available  c on call  r ringing  b/l/… paused  · logged out"
)

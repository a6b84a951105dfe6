"""Cell formatting shared by the screens. Every threshold state carries a symbol or word
as well as a colour (colour is never the only signal); colours come from the theme."""

from __future__ import annotations

import pendulum
from rich.text import Text

from floorsup.domain.metrics import Level, sl_level, state_age_level, wait_level
from floorsup.domain.types import AgentState

STATE_LABEL = {
    AgentState.AVAILABLE: "Available",
    AgentState.RINGING: "Ringing",
    AgentState.ON_CALL: "On call",
    AgentState.PAUSED: "Paused",
    AgentState.LOGGED_OUT: "Logged out",
}
AGE_MARK = ("", " ·", " ▲", " ‼")


class Palette:
    """Theme colours, read once from the app's CSS variables."""

    def __init__(self, variables: dict[str, str] | None = None) -> None:
        v = variables or {}
        self.ok = v.get("success", "green")
        self.warn = v.get("warning", "yellow")
        self.bad = v.get("error", "red")
        self.muted = "dim"  # theme text-muted is "auto 60%", not a Rich colour

    def level(self, level: Level | None) -> str:
        if level is None:
            return ""
        return {Level.OK: self.ok, Level.WARN: self.warn, Level.BAD: self.bad}[level]


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def short_secs(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.0f}s" if seconds < 600 else f"{seconds / 60:.0f}m"


def sl_cell(sl: float | None, target_fraction: float, palette: Palette) -> Text:
    if sl is None:
        return Text("  —", style=palette.muted)
    level = sl_level(sl, target_fraction)
    assert level is not None
    return Text(f"{level.symbol}{sl:5.0%}", style=palette.level(level))


def wait_cell(seconds: float | None, target: int, palette: Palette) -> Text:
    if seconds is None:
        return Text("—", style=palette.muted)
    level = wait_level(seconds, target)
    mark = "" if level is Level.OK else f"{level.symbol}"
    return Text(f"{mark}{duration(seconds)}", style=palette.level(level) if mark else "")


def age_cell(state: AgentState, seconds: float, palette: Palette) -> Text:
    level = state_age_level(state, seconds)
    style = ("", palette.muted, palette.warn, f"bold {palette.bad}")[level]
    return Text(duration(seconds) + AGE_MARK[level], style=style)


def state_text(state: AgentState, reason: str | None, palette: Palette) -> Text:
    label = STATE_LABEL[state]
    if state is AgentState.PAUSED and reason:
        label = f"Paused: {reason}"
    style = {
        AgentState.AVAILABLE: palette.ok,
        AgentState.RINGING: palette.warn,
        AgentState.ON_CALL: "",
        AgentState.PAUSED: palette.muted,
        AgentState.LOGGED_OUT: palette.muted,
    }[state]
    return Text(label, style=style)


def clock_text(t: float, tz: str, fmt: str = "%a %d %b %H:%M:%S") -> str:
    return pendulum.from_timestamp(t, tz=tz).strftime(fmt)


def hhmm(t: float, tz: str) -> str:
    return pendulum.from_timestamp(t, tz=tz).strftime("%H:%M")


_SPARK = "▁▂▃▄▅▆▇█"


def spark(values: tuple[float, ...] | list[float], lo: float = 0.5, hi: float = 1.0) -> str:
    """Percentages as a little bar chart (below `lo` shows as the lowest bar)."""
    out = []
    for v in values:
        f = (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(_SPARK[round(f * (len(_SPARK) - 1))])
    return "".join(out)


def plain(value: str) -> Text:
    """A table cell shown exactly as typed. DataTable reads a plain `str` cell as Rich
    markup: a note saying `[b]` would lose it, and one starting `[/x]` stops the paint."""
    return Text(value, no_wrap=True, end="")


def replay_mark(palette: Palette) -> Text:
    """What the status line says while a past instant is shown instead of "● live"."""
    return Text(
        "⏪ REPLAY, read-only  [ ] step 30 min · ^t another time or live",
        style=f"bold {palette.warn}",
    )

"""Settings: command line > environment (FLOORSUP_*) > TOML file > defaults. Validated."""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pendulum
from platformdirs import user_config_dir, user_data_dir

from floorsup.domain.alerts import AlertRules, validate_alert_rules
from floorsup.domain.career import DEFAULT_STAGES, MasteryRule, Stage, validate_stages
from floorsup.domain.mentoring import MentorPolicy, validate_policy
from floorsup.domain.metrics import SLFormula


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message says which and why."""


def default_db_path() -> Path:
    return Path(user_data_dir("floorsup", appauthor=False)) / "floorsup.db"


def default_config_path() -> Path:
    return Path(user_config_dir("floorsup", appauthor=False)) / "config.toml"


def local_zone_name() -> str:
    try:
        name = pendulum.local_timezone().name
    except Exception:  # pragma: no cover - a machine with no zone information
        return "UTC"
    return name if name and name != "localtime" else "UTC"


def current_user() -> str:
    """Who is at the keyboard: the account this process runs as (each team lead has their
    own over SSH). From the password database by user id, not from $USER or $LOGNAME,
    which anyone can set."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # pragma: no cover - not POSIX
        try:
            return getpass.getuser()
        except Exception:  # no login name in this environment
            return "unknown"


DEFAULT_NOTE_CATEGORIES = (
    "adherence",
    "quality",
    "handle time",
    "behaviour",
    "recognition",
    "career",
    "other",
)
DEFAULT_WORK_TYPES = ("phone", "email", "chat", "escalation", "back office")
# criterion = the points it is worth; an evaluation's score is the sum of its criteria.
DEFAULT_SCORECARD = {
    "greeting": 10.0,
    "verification": 15.0,
    "discovery": 20.0,
    "resolution": 30.0,
    "compliance": 15.0,
    "close": 10.0,
}


def db_url(value: str) -> str:
    """A PATH becomes a sqlite URL; a URL is kept as it is."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@dataclass(frozen=True)
class Settings:
    db: str = field(default_factory=lambda: str(default_db_path()))
    tz: str = field(default_factory=local_zone_name)
    sl_formula: SLFormula = SLFormula.OFFERED_LESS_SHORT
    short_abandon_seconds: float = 5.0
    default_target_seconds: int = 20
    default_target_fraction: float = 0.8
    refresh_seconds: float = 1.0
    # Where `e` saves a screen's table (XLSX); "~" is the user's home, expanded when used.
    export_dir: str = "~/floorsup-exports"
    # Schedules and adherence (TOML: [activities] name = true|false for productive;
    # [reason_map] "pause reason" = "activity").
    activities: dict[str, bool] = field(default_factory=dict)
    reason_map: dict[str, str] = field(default_factory=dict)
    activity_equivalency: bool = False
    exception_threshold_seconds: float = 0.0
    severe_threshold_seconds: float = 300.0
    # Who is at the keyboard: the login (never from config or the environment), and a
    # manager's `--as STAFF_ID` (command line only; store/access.resolve checks it).
    user: str = field(default_factory=lambda: current_user())
    as_staff: str | None = None
    # Coaching and QA.
    note_categories: tuple[str, ...] = DEFAULT_NOTE_CATEGORIES
    work_types: tuple[str, ...] = DEFAULT_WORK_TYPES
    scorecard: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SCORECARD))
    # The career path (TOML: [[stages]] name, adds = [work types], last_n, average, floor,
    # weeks, adherence; in order, stage 1 first) and peer mentoring ([mentoring] table with
    # MentorPolicy's fields).
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    mentoring: MentorPolicy = field(default_factory=MentorPolicy)
    # Alerts ([alerts] table with AlertRules' fields; a threshold = false switches it off).
    alerts: AlertRules = field(default_factory=AlertRules)

    @property
    def url(self) -> str:
        return db_url(self.db)

    def validated(self) -> Settings:
        try:
            pendulum.timezone(self.tz)
        except Exception as exc:
            raise ConfigError(
                f"tz: unknown time zone {self.tz!r} (use a name like Europe/London)"
            ) from exc
        try:
            formula = SLFormula(self.sl_formula)
        except ValueError as exc:
            choices = ", ".join(f.value for f in SLFormula)
            raise ConfigError(f"sl_formula: {self.sl_formula!r} is not one of {choices}") from exc
        if not 0 <= self.short_abandon_seconds <= 600:
            raise ConfigError("short_abandon_seconds: expected 0 to 600")
        if not 1 <= self.default_target_seconds <= 3600:
            raise ConfigError("default_target_seconds: expected 1 to 3600")
        if not 0 < self.default_target_fraction <= 1:
            raise ConfigError("default_target_fraction: expected a fraction in (0, 1]")
        if not 0 <= self.exception_threshold_seconds <= 3600:
            raise ConfigError("exception_threshold_seconds: expected 0 to 3600")
        if not 0 <= self.severe_threshold_seconds <= 86400:
            raise ConfigError("severe_threshold_seconds: expected 0 to 86400")
        for name, productive in self.activities.items():
            if not name.strip() or not isinstance(productive, bool):
                raise ConfigError(
                    f"activities: {name!r} = {productive!r}: expected a name = true or false (productive)"
                )
        for reason, activity in self.reason_map.items():
            if not isinstance(activity, str) or not activity.strip():
                raise ConfigError(
                    f"reason_map: {reason!r} = {activity!r}: expected a pause reason = an activity name"
                )
        if not self.user.strip():
            raise ConfigError("user: expected a name (who writes notes and evaluations)")
        for key in ("note_categories", "work_types"):
            names = getattr(self, key)
            if not names or any(not n.strip() for n in names):
                raise ConfigError(f"{key}: expected a list of one or more names")
            if len({n.strip().lower() for n in names}) != len(names):
                raise ConfigError(f"{key}: a name is listed twice")
        for name, points in self.scorecard.items():
            if (
                not name.strip()
                or isinstance(points, bool)
                or not isinstance(points, (int, float))
                or not 0 < points <= 1000
            ):
                raise ConfigError(
                    f"scorecard: {name!r} = {points!r}: expected a criterion = its points (above 0)"
                )
        if not 0.05 <= self.refresh_seconds <= 60:
            raise ConfigError("refresh_seconds: expected 0.05 to 60")
        if not self.export_dir.strip():
            raise ConfigError("export_dir: expected a directory (where `e` saves tables)")
        problems = validate_stages(self.stages)
        known = {w.strip().lower() for w in self.work_types}
        # Stages someone wrote must name work types QA knows; the shipped ones are kept with
        # a centre's own work types (the career screen then shows no evidence on the missing).
        for st in self.stages if self.stages is not DEFAULT_STAGES else ():
            unknown = [w for w in st.adds if w.strip().lower() not in known]
            if unknown:
                problems.append(
                    f"stage {st.number} ({st.name}) adds {', '.join(unknown)}: not in work_types"
                )
        if problems:
            raise ConfigError("stages: " + "; ".join(problems))
        problems = validate_policy(self.mentoring)
        if self.mentoring.min_stage > len(self.stages):
            problems.append(
                f"min_stage {self.mentoring.min_stage} is above the top stage ({len(self.stages)})"
            )
        if problems:
            raise ConfigError("mentoring: " + "; ".join(problems))
        problems = validate_alert_rules(self.alerts)
        if problems:
            raise ConfigError("alerts: " + "; ".join(problems))
        return replace(
            self,
            sl_formula=formula,
            user=self.user.strip(),
            note_categories=tuple(n.strip() for n in self.note_categories),
            work_types=tuple(n.strip() for n in self.work_types),
            scorecard={k.strip(): float(v) for k, v in self.scorecard.items()},
        )


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(value)
    return dict(value)


_RULE_KEYS = {"last_n": int, "average": float, "floor": float, "weeks": float, "adherence": float}


def _stages(value: Any) -> tuple[Stage, ...]:
    """[[stages]] in order: name, adds (work types), and the mastery rule's numbers (any
    left out take MasteryRule's defaults)."""
    if not isinstance(value, list) or not value:
        raise ValueError(value)
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError(item)
        extra = set(item) - {"name", "adds", *_RULE_KEYS}
        if extra:
            raise ValueError(f"stage {number}: unknown key(s) {', '.join(sorted(extra))}")
        rule = MasteryRule(**{k: cast(item[k]) for k, cast in _RULE_KEYS.items() if k in item})
        out.append(Stage(number, item["name"].strip(), _names(item.get("adds", [])), rule))
    return tuple(out)


def _policy(value: Any) -> MentorPolicy:
    table = _table(value)
    kinds = {f.name: f.type for f in fields(MentorPolicy)}
    unknown = set(table) - set(kinds)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
    typed = {k: (float(v) if kinds[k] in ("float", float) else int(v)) for k, v in table.items()}
    return MentorPolicy(**typed)


# [alerts] key -> (kind of value, what is expected). Kinds: "bool", "count" (a whole number
# 0 or more), "seconds" (a number 0 or more); "?" after it: false switches the rule off.
_ALERT_KEYS: dict[str, tuple[str, str]] = {
    "bell": ("bool", "true or false"),
    "sl_below_target": ("bool", "true or false"),
    "sl_min_offered": ("count", "a whole number of calls (0 or more)"),
    "waiting_above": ("count?", "a whole number of calls, or false to switch it off"),
    "oldest_wait_above_seconds": ("seconds?", "a number of seconds, or false to switch it off"),
    "severe_out_at_least": (
        "count?",
        "a whole number of agents (1 = any), or false to switch it off",
    ),
    "clear_after_seconds": ("seconds", "a number of seconds (0 or more)"),
}


def _alert_value(key: str, value: Any) -> Any:
    kind, expected = _ALERT_KEYS[key]
    if kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind.endswith("?") and value is False:
        return None
    elif isinstance(value, bool):
        pass  # true for a number: refused below
    elif kind.startswith("count"):
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)
    elif isinstance(value, (int, float)):
        return float(value)
    raise ConfigError(f"alerts.{key}: {value!r} is not {expected}")


def _alert_rules(value: Any) -> AlertRules:
    """The [alerts] table: AlertRules' fields; a rule's threshold = false switches it off.
    Ranges are checked in `Settings.validated`."""
    if not isinstance(value, dict):
        raise ConfigError(f"alerts: expected a table ([alerts] with key = value), got {value!r}")
    unknown = set(value) - set(_ALERT_KEYS)
    if unknown:
        raise ConfigError(
            f"alerts: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(_ALERT_KEYS)})"
        )
    return AlertRules(**{k: _alert_value(k, v) for k, v in value.items()})


def _names(value: Any) -> tuple[str, ...]:
    """A TOML list, or (from the environment) names separated by commas."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(value)
    return tuple(v.strip() for v in value if v.strip())


_CASTS: dict[str, Any] = {
    "note_categories": _names,
    "work_types": _names,
    "scorecard": _table,
    "stages": _stages,
    "mentoring": _policy,
    "alerts": _alert_rules,
    "activities": _table,
    "reason_map": _table,
    "activity_equivalency": _bool,
    "exception_threshold_seconds": float,
    "severe_threshold_seconds": float,
    "db": str,
    "tz": str,
    "sl_formula": str,
    "short_abandon_seconds": float,
    "default_target_seconds": int,
    "default_target_fraction": float,
    "refresh_seconds": float,
    "export_dir": str,
}


def load_settings(
    cli: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Layer the sources: CLI > env FLOORSUP_* > TOML file > defaults."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    path = config_file or Path(env.get("FLOORSUP_CONFIG") or default_config_path())
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        section = data.get("floorsup", data)
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: floorsup = {section!r}: expected a table [floorsup]")
        values.update(section)
    if "user" in values or env.get("FLOORSUP_USER"):
        where = "FLOORSUP_USER" if env.get("FLOORSUP_USER") else f"{path}: user"
        raise ConfigError(
            f"{where}: who you are is your login and cannot be set (a manager may use "
            "--as STAFF_ID); remove it"
        )
    for f in fields(Settings):
        key = f"FLOORSUP_{f.name.upper()}"
        if f.name in ("user", "as_staff"):
            continue
        if env.get(key) and f.name not in (
            "activities",
            "reason_map",
            "scorecard",
            "stages",
            "mentoring",
            "alerts",
        ):  # tables: TOML only
            values[f.name] = env[key]
    as_staff = (cli or {}).get("as_staff")
    for key, value in (cli or {}).items():
        if value is not None and key != "as_staff":
            values[key] = value
    unknown = set(values) - set(_CASTS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    typed: dict[str, Any] = {}
    for key, value in values.items():
        try:
            typed[key] = _CASTS[key](value)
        except ConfigError:
            raise  # already says which key and what was expected
        except (TypeError, ValueError, OverflowError) as exc:  # int(inf): OverflowError
            raise ConfigError(
                f"{key}: {value!r} is not a {_CASTS[key].__name__.strip('_')}"
            ) from exc
    settings = Settings(**typed).validated()
    if as_staff is not None:
        if not str(as_staff).strip():
            raise ConfigError("--as: expected a staff_id")
        settings = replace(settings, as_staff=str(as_staff).strip())
    return settings

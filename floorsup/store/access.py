"""Who is at the keyboard, and what their role lets them read and change.

Each team lead and supervisor runs floorsup under their own operating-system account (over
SSH, typically), so the login is how the app knows who is asking. The roster's optional
`login` column says which staff member a login belongs to; without one, a login that is a
staff_id stands for that person. An account the roster does not know is refused, except on
a database with nobody on its roster yet (the first roster import has nobody to ask).

The rights are enforced here, in the store: every write function takes the `Actor` doing it
and calls `require` (or a narrower check) before it touches a row, and the coaching-note
reads filter by `note_scope`, so no screen, command or export can step around them.

| right          | who                                                                    |
|----------------|------------------------------------------------------------------------|
| boards, queues | every role (agent-level data on boards and queue statistics)          |
| notes          | supervisors and team leads read and write their own team's notes;     |
|                | managers read all; trainers read career notes; client services none   |
| mentoring      | assign, reassign and end mentorships: trainers and managers            |
| promotion      | promote and regress a stage: trainers and managers                     |
| coaching steps | coaching plans, reviews, closing an episode, moves, leadership traits: |
|                | supervisors, team leads, trainers and managers                         |
| exceptions     | authorise adherence exceptions: supervisors, team leads, managers      |
| schedules      | import and edit schedules: supervisors, team leads, managers           |
| qa             | record and import QA evaluations: supervisors, team leads, trainers,   |
|                | managers                                                               |
| roster, config | roster imports, queue targets: managers                                |
| audit          | read the audit log: managers                                           |

`system(...)` is the program itself (the demo's seeding, data copies), which no login maps
to; tests/security checks that only those places make one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection

from floorsup.store.engine import StoreError
from floorsup.store.sql import fetchall

SYSTEM_ROLE = "system"

Right = Literal[
    "notes.read",
    "notes.write",
    "mentoring",
    "promotion",
    "coaching_steps",
    "exceptions",
    "schedules",
    "qa",
    "roster",
    "config",
    "audit",
]

RIGHTS: dict[str, frozenset[str]] = {
    "notes.read": frozenset({"supervisor", "team_lead", "manager", "trainer"}),
    "notes.write": frozenset({"supervisor", "team_lead"}),
    "mentoring": frozenset({"trainer", "manager"}),
    "promotion": frozenset({"trainer", "manager"}),
    "coaching_steps": frozenset({"supervisor", "team_lead", "trainer", "manager"}),
    "exceptions": frozenset({"supervisor", "team_lead", "manager"}),
    "schedules": frozenset({"supervisor", "team_lead", "manager"}),
    "qa": frozenset({"supervisor", "team_lead", "trainer", "manager"}),
    "roster": frozenset({"manager"}),
    "config": frozenset({"manager"}),
    "audit": frozenset({"manager"}),
}
# What each right lets someone do, for refusals ("only a manager may change the roster").
DOING: dict[str, str] = {
    "notes.read": "read coaching notes",
    "notes.write": "write coaching notes",
    "mentoring": "assign or end mentorships",
    "promotion": "promote or regress a stage",
    "coaching_steps": "record coaching plans, reviews, moves and leadership traits",
    "exceptions": "authorise adherence exceptions",
    "schedules": "import or edit schedules",
    "qa": "record QA evaluations",
    "roster": "change the roster",
    "config": "change queue targets",
    "audit": "read the audit log",
}
# The note category a trainer may read (the career path is theirs to follow).
TRAINER_CATEGORIES = frozenset({"career"})


class NotAllowed(StoreError):
    """The actor's role does not allow this; the message says who may."""


@dataclass(frozen=True, slots=True)
class Actor:
    user: str  # the login name (what notes and the audit log record as the writer)
    staff_id: str | None  # None: not on the roster
    name: str | None
    role: str | None  # one of models.ROLES, SYSTEM_ROLE, or None when not on the roster
    team_id: int | None = None
    team: str | None = None
    login: str | None = None  # the real login when a manager acts `--as` someone else
    setup: bool = False  # the roster is empty: whoever this is may import the first one

    @property
    def known(self) -> bool:
        return self.staff_id is not None or self.role == SYSTEM_ROLE

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE

    def describe(self) -> str:
        """'Ann Lee (team lead)', for refusals and the audit screen."""
        if self.is_system:
            return f"{self.user} (floorsup itself)"
        if self.staff_id is None:
            return f"{self.user} (not on the roster)"
        return f"{self.name} ({(self.role or '').replace('_', ' ')})"


def system(user: str = "floorsup") -> Actor:
    """The program itself: the demo's seeding and whole-database copies. No login maps to it."""
    return Actor(user, None, user, SYSTEM_ROLE)


def _roles_text(roles: Iterable[str]) -> str:
    names = sorted(r.replace("_", " ") for r in roles)
    if len(names) <= 1:
        return f"a {names[0]}" if names else "nobody"
    return "a " + ", a ".join(names[:-1]) + " or a " + names[-1]


def may(who: Actor, right: Right) -> bool:
    if who.is_system:
        return True
    if who.setup and right in ("roster", "config"):
        return True
    return who.role in RIGHTS[right]


def require(who: Actor, right: Right) -> None:
    """Refuse, naming who may, unless `who`'s role has `right`."""
    if not may(who, right):
        hint = ""
        if who.role == "manager" and who.login is None:
            hint = " (a manager may act as one: floorsup --as STAFF_ID)"
        raise NotAllowed(
            f"only {_roles_text(RIGHTS[right])} may {DOING[right]}; {who.user} is "
            f"{who.describe()}{hint}"
        )


def require_team(who: Actor, right: Right, team_id: int | None, whose: str) -> None:
    """`right`, and for a supervisor or team lead only over their own team's people
    (`whose`: the person's name, for the refusal)."""
    require(who, right)
    if who.role in ("supervisor", "team_lead") and (team_id is None or team_id != who.team_id):
        raise NotAllowed(
            f"{whose} is not on {who.describe()}'s team ({who.team or 'none'}): a "
            f"{(who.role or '').replace('_', ' ')} may {DOING[right]} for their own team only"
        )


@dataclass(frozen=True, slots=True)
class NoteScope:
    """Which coaching notes someone may read: all, or those of their team's people (by the
    agent's team now or when the note was written), or some categories."""

    everything: bool = False
    team_id: int | None = None
    categories: frozenset[str] | None = None

    def where(self, note: str = "n", staff: str = "s") -> tuple[str, list[object]]:
        """A SQL condition (bound parameters) for a query over coaching_note `note` joined
        to staff `staff`."""
        if self.everything:
            return "1 = 1", []
        if self.categories is not None:
            cats = sorted(self.categories)
            return f"{note}.category IN ({', '.join('?' * len(cats))})", list(cats)
        return f"({note}.team_id = ? OR {staff}.team_id = ?)", [self.team_id, self.team_id]

    def allows(self, note_team: int | None, staff_team: int | None, category: str) -> bool:
        if self.everything:
            return True
        if self.categories is not None:
            return category in self.categories
        return self.team_id is not None and self.team_id in (note_team, staff_team)


def note_scope(who: Actor) -> NoteScope:
    """The notes `who` may read; refused for those who may read none."""
    require(who, "notes.read")
    if who.is_system or who.role == "manager":
        return NoteScope(everything=True)
    if who.role == "trainer":
        return NoteScope(categories=TRAINER_CATEGORIES)
    if who.team_id is None:
        raise NotAllowed(f"{who.describe()} has no team on the roster, so no team's notes to read")
    return NoteScope(team_id=who.team_id)


_ACTOR_SQL = (
    "SELECT s.staff_id, s.name, s.role, s.login, s.team_id, t.name FROM staff s "
    "LEFT JOIN team t ON t.id = s.team_id WHERE s.active AND "
)


def actor(conn: Connection, user: str) -> Actor:
    """The active staff member whose `login` is `user` (in any case, Unicode case folding:
    SQLite's lower() folds only ASCII), else the one whose staff_id is exactly `user`, else
    nobody (every field but `user` None). A login wins over a staff_id that happens to be
    spelt the same."""
    want = user.strip()
    if not want:
        return Actor(user, None, None, None)
    folded = want.casefold()
    by_id: Actor | None = None
    for sid, name, role, login, team_id, team in fetchall(
        conn,
        _ACTOR_SQL + "(s.login IS NOT NULL OR s.staff_id = ?) ORDER BY s.id",
        (want,),
    ):
        if login is not None and login.strip().casefold() == folded:
            return Actor(user, sid, name, role, team_id, team)
        if by_id is None and sid == want:
            by_id = Actor(user, sid, name, role, team_id, team)
    return by_id or Actor(user, None, None, None)


def roster_empty(conn: Connection) -> bool:
    return not fetchall(conn, "SELECT 1 FROM staff LIMIT 1")


def resolve(conn: Connection, login: str, as_staff: str | None = None) -> Actor:
    """Who `login` is, for a command or the app: refused when the roster does not know
    them (on an empty roster, a setup actor that may import the first one). `as_staff`: a
    manager acting as another staff member (`--as STAFF_ID`), refused for anyone else."""
    who = actor(conn, login)
    if not who.known:
        if roster_empty(conn):
            return Actor(login, None, None, None, setup=True)
        raise NotAllowed(
            f"the login {login!r} is not on the roster: ask a manager to put it in the "
            "roster's login column (floorsup import roster), then try again"
        )
    if as_staff is None or as_staff.strip() == who.staff_id:
        return who
    if who.role != "manager":
        raise NotAllowed(f"--as is for managers only; {login} is {who.describe()}")
    rows = fetchall(conn, _ACTOR_SQL + "s.staff_id = ?", (as_staff.strip(),))
    if not rows:
        raise NotAllowed(f"--as {as_staff}: no active staff member has that staff_id")
    sid, name, role, their_login, team_id, team = rows[0]
    return Actor(their_login or sid, sid, name, role, team_id, team, login=login)

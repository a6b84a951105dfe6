"""Who is at the keyboard, as the roster knows them.

Each team lead and supervisor runs floorsup under their own login (over SSH, typically), so
the login name is how the app knows who is asking. The roster's optional `login` column says
which staff member a login belongs to; without one, a login that is a staff_id stands for
that person. What each role may read or change is decided by the callers from `Actor.role`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from floorsup.store.sql import fetchall


@dataclass(frozen=True, slots=True)
class Actor:
    user: str  # the login name as given
    staff_id: str | None  # None: not on the roster
    name: str | None
    role: str | None  # one of models.ROLES; None when not on the roster

    @property
    def known(self) -> bool:
        return self.staff_id is not None


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
    for sid, name, role, login in fetchall(
        conn,
        "SELECT staff_id, name, role, login FROM staff "
        "WHERE active AND (login IS NOT NULL OR staff_id = ?) ORDER BY id",
        (want,),
    ):
        if login is not None and login.strip().casefold() == folded:
            return Actor(user, sid, name, role)
        if by_id is None and sid == want:
            by_id = Actor(user, sid, name, role)
    return by_id or Actor(user, None, None, None)

"""Reads for the floor's adherence glance, which comes every few seconds: marks that say
cheaply whether the roster, the schedules or the authorisations changed since the last
look (the glance then keeps what it read and built from them), and every agent's lasting
state in one read.

A mark is compared for equality only; it changes whenever what it stands for does. A
spurious change costs a read again, never a wrong answer.
"""

from __future__ import annotations

from sqlalchemy import Connection

from floorsup.domain.types import AgentState
from floorsup.store.sql import fetchall

# How many of the newest rows a mark holds. SQLite gives a new row the highest id + 1, so
# replacing the day that holds the newest ids with as many segments (a supervisor editing
# the same day twice) brings back the same ids and the same count: only the rows differ.
_NEWEST = 64

_STATES = {st.value: st for st in AgentState}

Mark = tuple[object, ...]


_NEWEST_SQL = {
    "schedule_segment": 'SELECT id, staff_pk, shift_date, start, "end", activity '
    "FROM schedule_segment WHERE id > ? ORDER BY id",
    "adherence_authorization": 'SELECT id, staff_pk, start, "end", authorized_by, '
    "authorized_at, reason FROM adherence_authorization WHERE id > ? ORDER BY id",
}


def _newest(conn: Connection, table: str, top: int | None) -> tuple[object, ...]:
    if top is None:
        return ()
    return tuple(fetchall(conn, _NEWEST_SQL[table], (int(top) - _NEWEST,)))


def schedule_marks(conn: Connection) -> tuple[Mark, Mark]:
    """(schedule segments, adherence authorisations): each table's newest id, its row count
    (a day cleared) and its newest rows (ids SQLite gave again)."""
    seg_top, seg_n, auth_top, auth_n = fetchall(
        conn,
        "SELECT (SELECT max(id) FROM schedule_segment), (SELECT count(*) FROM schedule_segment), "
        "(SELECT max(id) FROM adherence_authorization), "
        "(SELECT count(*) FROM adherence_authorization)",
    )[0]
    seg = _newest(conn, "schedule_segment", seg_top)
    auth = _newest(conn, "adherence_authorization", auth_top)
    return (seg_top, seg_n, seg), (auth_top, auth_n, auth)


def roster_mark(conn: Connection) -> Mark:
    """Everything `schedules.agents_for_adherence` is made of: the active staff (who, name,
    team), the ACD names mapped to them and their order, the teams' names. Small tables,
    read whole: a rename keeps every count and id."""
    return (
        # In a set order: PostgreSQL returns an updated row in a new place.
        tuple(
            fetchall(conn, "SELECT id, staff_id, name, team_id FROM staff WHERE active ORDER BY id")
        ),
        tuple(
            fetchall(
                conn,
                "SELECT name, staff_pk, position FROM acd_agent WHERE staff_pk IS NOT NULL "
                "ORDER BY name",
            )
        ),
        tuple(fetchall(conn, "SELECT id, name FROM team ORDER BY id")),
    )


def live_states_all(conn: Connection) -> dict[str, tuple[float, AgentState, str | None]]:
    """Every agent's lasting state: (since, state, pause reason), as
    `schedules.live_states` gives it for the agents it is asked about; one read of the
    table (a floor's glance wants nearly every agent's)."""
    states = _STATES
    return {
        agent: (float(since), states[state], reason)
        for agent, since, state, reason in fetchall(
            conn, "SELECT agent, state_since, state, reason FROM agent_live"
        )
    }

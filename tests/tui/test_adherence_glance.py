"""The floor's adherence glance (`build_adherence(glance=True)`) says exactly what the full
build says about who is out now, since when and how badly, in the same worst-first order,
at every few minutes of the demo floor's morning: it only leaves out the day's figures of
those in adherence (the floor's summary line does not show them). (No ActualsCache here:
it serves a clock that moves forward with the feed, and this data is all there at once.)"""

from __future__ import annotations

from floorsup.adherence import build_adherence

from .conftest import NOW


def test_the_glance_agrees_with_the_full_build_all_morning(floor) -> None:  # type: ignore[no-untyped-def]
    checked = out_seen = 0
    for t in range(int(NOW) - 4 * 3600, int(NOW) + 1, 420):
        full = build_adherence(floor.engine, floor.settings, t, with_exceptions=False)
        glance = build_adherence(
            floor.engine, floor.settings, t, with_exceptions=False, glance=True
        )
        assert [(r.person.staff_id, r.now) for r in glance.rows if r.now.in_adherence is False] == [
            (r.person.staff_id, r.now) for r in full.rows if r.now.in_adherence is False
        ]
        assert sorted((r.person.staff_id, r.now) for r in glance.rows) == sorted(
            (r.person.staff_id, r.now) for r in full.rows
        )
        assert glance.counts() == full.counts()
        for g in glance.rows:
            if g.now.in_adherence is False:
                assert g.day is not None and g.day == next(
                    r.day for r in full.rows if r.person.staff_id == g.person.staff_id
                )
                out_seen += 1
            else:
                assert g.day is None
        checked += 1
    assert checked >= 30 and out_seen > 0

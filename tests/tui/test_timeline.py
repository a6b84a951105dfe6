"""The timeline's slices: one sweep gives what checking every piece for every slice gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from floorsup.tui.timeline import _dominant


def brute(pieces, start, step, width):  # type: ignore[no-untyped-def]
    out = []
    for i in range(width):
        lo, hi = start + i * step, start + (i + 1) * step
        best, best_len = None, 0.0
        for s, e, v in pieces:
            overlap = min(e, hi) - max(s, lo)
            if overlap > best_len:
                best, best_len = v, overlap
        out.append(best)
    return out


piece = st.tuples(st.integers(0, 500), st.integers(1, 120), st.integers(0, 9)).map(
    lambda t: (float(t[0]), float(t[0] + t[1]), t[2])
)


@given(st.lists(piece, max_size=40), st.integers(0, 100), st.integers(1, 30), st.integers(1, 60))
def test_one_sweep_matches_every_piece_for_every_slice(pieces, start, step, width) -> None:  # type: ignore[no-untyped-def]
    # Pieces given in start order (as the schedule and the states are) or in any order.
    for given_pieces in (sorted(pieces), pieces):
        assert _dominant(given_pieces, float(start), float(step), width) == brute(
            sorted(given_pieces, key=lambda p: p[0]), float(start), float(step), width
        )

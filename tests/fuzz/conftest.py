"""The fuzz tests' shared database workspace: one migrated template (with a roster, a
schedule and an evaluation), copied for each example. Hypothesis settings are given per test
(`properties.FUZZ`: few examples, no deadline, derandomized); FLOORSUP_FUZZ_EXAMPLES raises
the count, and bench/fuzz_long.py runs the same properties with thousands."""

from __future__ import annotations

import pytest

from .properties import Workspace


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("fuzz"))

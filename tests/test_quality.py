"""The checks CI holds us to run with the tests: ruff (lint and format) and mypy on the
pure layers. Skipped only when the tool is not installed (the dev extra installs both)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check", "floorsup", "tests", "bench", "screenshots", "db/migrations"],
        ["format", "--check", "floorsup", "tests", "bench", "screenshots"],
    ],
    ids=["lint", "format"],
)
def test_ruff(args: list[str]) -> None:
    res = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_on_pure_layers() -> None:
    res = subprocess.run(
        [_tool("mypy"), "floorsup/domain", "floorsup/store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr

"""The fuzzing properties of tests/fuzz run long: each with many inputs (--examples), printing
how many inputs it tried and how long that took, for bench/RESULTS.md ("inputs tried").

    .venv/bin/python bench/fuzz_long.py --examples 2000
    .venv/bin/python bench/fuzz_long.py --examples 500 --only ingest --random

Derandomized by default (the same inputs as last time, so figures compare); --random draws
new ones. A property that fails prints its smallest failing input and the run exits 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzz.properties import PROPERTIES, Workspace, fuzz_settings, ws_needed  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def run_one(
    name: str,
    check: Any,
    strategies: dict[str, Any],
    ws: Workspace,
    examples: int,
    derandomize: bool,
) -> tuple[int, float, str | None]:
    """(inputs tried, seconds, the failure or None)."""
    tried = 0
    fixed = {k: v for k, v in strategies.items() if v is ws_needed}
    drawn = {k: v for k, v in strategies.items() if v is not ws_needed}

    @fuzz_settings(examples, derandomize=derandomize)
    @given(args=st.fixed_dictionaries(drawn))
    def prop(args: dict[str, Any]) -> None:
        nonlocal tried
        tried += 1
        check(**{k: ws for k in fixed}, **args)

    started = time.perf_counter()
    try:
        prop()
    except Exception as exc:  # report it and go on with the other properties
        return tried, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:2000]
    return tried, time.perf_counter() - started, None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000, help="inputs per property (most)")
    ap.add_argument("--only", default="", help="run the properties whose name contains this")
    ap.add_argument("--random", action="store_true", help="new random inputs, not the fixed ones")
    args = ap.parse_args(argv)
    failed = 0
    total = 0
    print(f"fuzz_long: up to {args.examples:,} inputs per property, derandomized={not args.random}")
    print(f"{'property':34} {'inputs':>8} {'seconds':>8} {'per s':>8}  result")
    with tempfile.TemporaryDirectory(prefix="floorsup-fuzz-") as tmp:
        ws = Workspace(Path(tmp))
        for name, check, strategies in PROPERTIES:
            if args.only not in name:
                continue
            tried, seconds, error = run_one(
                name, check, strategies, ws, args.examples, not args.random
            )
            total += tried
            rate = tried / seconds if seconds > 0 else 0.0
            print(
                f"{name:34} {tried:>8,} {seconds:>8.1f} {rate:>8,.0f}  {'ok' if error is None else 'FAILED'}",
                flush=True,
            )
            if error is not None:
                failed += 1
                print("    " + error.replace("\n", "\n    "))
    print(f"total inputs tried: {total:,}; properties failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

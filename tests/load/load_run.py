"""Load run of the Discord bot (issue #7, point 4), heavier than the test suite's; not collected by pytest.

    python -m tests.load.load_run [--archive-passages 200000] [--filler 2000] [--users 50] [--json]

Builds a synthetic archive with bench/generate.py (``--archive-passages`` passages, beside a copy
of seeds/) in a temporary folder, starts the real Byline bot against the Discord double, and has
``--users`` members ask 4 questions each (the real per-user limit) while an operator runs /reindex,
which reads ``--filler`` more articles: half the questions as soon as the re-index starts, half as
soon as the new index is in place (tests/e2e/load.py says what is measured). Prints the figures;
exits 1 if a question went unanswered, missed Discord's 3 s deadline, was answered from a mix of
the two indexes, or the event loop was held up for 100 ms or more.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.generate import generate
from tests.e2e.load import DEADLINE, LoadFigures, run_load

REPO = Path(__file__).resolve().parents[2]
MAX_LAG_MS = 100.0


def failures(figures: LoadFigures) -> list[str]:
    """What the run shows is wrong, in words; empty when all holds."""
    found = []
    if figures.answered != figures.questions:
        found.append(f"{figures.questions - figures.answered} questions unanswered")
    if figures.within_deadline != figures.questions:
        found.append(f"{figures.questions - figures.within_deadline} first responses after {DEADLINE:.0f} s")
    if figures.mixed:
        found.append(f"{figures.mixed} answers from neither index")
    if figures.loop_lag_worst_ms >= MAX_LAG_MS:
        found.append(f"the event loop was held up {figures.loop_lag_worst_ms:.0f} ms")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-passages", type=int, default=200_000, help="synthetic archive size")
    parser.add_argument("--filler", type=int, default=2_000, help="articles the re-index adds")
    parser.add_argument("--users", type=int, default=50, help="members asking, 4 questions each")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="byline-load-"))
    seeds = work / "seeds"
    if seeds.exists():
        shutil.rmtree(seeds)
    shutil.copytree(REPO / "seeds", seeds)
    if args.archive_passages:  # generated once per folder; only its article files are copied in
        shutil.copytree(generate(work / "archive", args.archive_passages) / "seeds", seeds / "archive")
    database = work / "load.db"
    for stale in sorted(work.glob("load.db*")):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    try:
        figures = asyncio.run(run_load(seeds, database, users=args.users, per_user=4, filler=args.filler))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(figures.as_dict()))
    else:
        for name, value in figures.as_dict().items():
            print(f"{name:24} {value:.3f}" if isinstance(value, float) else f"{name:24} {value}")
    wrong = failures(figures)
    for line in wrong:
        print(f"FAIL: {line}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

"""Is the confidence calibrated? Of answers given confidence about p, about p should have the
right passage first (unanswerable questions count as not right).

    python eval/calibration.py            # the tune sets
    python eval/calibration.py --measure  # the measure-only sets (only at the end of a round)

Every page is indexed together, as the figures are measured. Prints, per band of confidence, how
many answers fell in it and the share whose first passage holds a gold phrase.
"""

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import MEASURE, TUNE, every_page, question_files  # noqa: E402
from index import Library  # noqa: E402
from index.evaluation import first_right, load_questions  # noqa: E402

BANDS = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]


async def answers(names: list[str]) -> list[tuple[float, bool]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = every_page(Path(tmp))
        async with Library.open(Path(tmp) / "c.db", seeds) as library:
            await library.reindex()
            for path in question_files([]):
                if path.name not in names:
                    continue
                for q in load_questions(path):
                    answer = await library.ask(q.q)
                    right = bool(q.gold) and first_right([h.text for h in answer.hits[:1]], q.gold) == 1
                    out.append((answer.confidence, right))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measure", action="store_true", help="the measure-only sets")
    args = parser.parse_args()
    seen = asyncio.run(answers(MEASURE if args.measure else TUNE))
    print(f"{'confidence':<12} {'answers':>8} {'right first':>12}")
    for low, high in BANDS:
        band = [right for confidence, right in seen if low <= confidence < high]
        share = f"{sum(band) / len(band):.2f}" if band else "-"
        print(f"{low:.1f}-{min(high, 1.0):.1f}      {len(band):>8} {share:>12}")
    brier = sum((c - r) ** 2 for c, r in seen) / len(seen)
    print(f"Brier score {brier:.3f} over {len(seen)} questions")


if __name__ == "__main__":
    main()

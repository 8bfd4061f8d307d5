"""Each re-ordering feature's worth: refit the order without it (tune sets only) and measure.

    python eval/ablate.py

For each feature of index/answer/reranking.py, and for BM25 alone, the pairwise model of
eval/train.py is refitted on the tune sets with that feature left out, and hit@1 / hit@3 are
printed as the mean over the tune sets (002-011). The verdict keeps its weights. The library is
opened with each refitted ranker (``Library.open(..., ranker=...)``); nothing is patched.
Measure-only sets are never read here.
"""

import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import TUNE, byline_reports, every_page, question_files  # noqa: E402
from eval.train import Seen, collect, fit_rank  # noqa: E402
from index.answer import reranking  # noqa: E402
from index.answer.pipeline import Answered  # noqa: E402
from index.answer.ranker import LinearRanker  # noqa: E402
from index.answer.selection import Decision  # noqa: E402


def measure(ranker: LinearRanker, folder: Path) -> list[float]:
    """Mean hit@1 and hit@3 over the tune sets but main, with ``ranker``."""
    files = [f for f in question_files([]) if f.name in TUNE and f.name != "questions.jsonl"]
    reports = asyncio.run(byline_reports(folder / "m.db", folder / "seeds", files, 5, ranker))
    return [float(np.mean([r.hit_at_1 for r in reports])), float(np.mean([r.hit_at_3 for r in reports]))]


def without(seen: Seen, left_out: int) -> Seen:
    """``seen`` with one feature of every candidate set to 0."""
    rows = [[0.0 if j == left_out else v for j, v in enumerate(row)] for row in seen.answered.decision.rows]
    decision: Decision = replace(seen.answered.decision, rows=rows)
    answered: Answered = replace(seen.answered, decision=decision)
    return Seen(seen.gold, answered)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        every_page(folder)
        fitted = LinearRanker()
        data = asyncio.run(collect(fitted, folder))
        print(f"{'left out':<12} {'tune hit@1/@3':<16}")
        features = [(name, i) for i, name in enumerate(reranking.FEATURES)]
        trials: list[tuple[str, int | None]] = [("nothing", None), *features, ("all (bm25)", -1)]
        for name, left_out in trials:
            if left_out is None:
                weights = tuple(fitted.rank_weights)
            elif left_out == -1:
                weights = (1.0,) + (0.0,) * (len(reranking.FEATURES) - 1)
            else:
                weights = tuple(float(w) for w in fit_rank([without(s, left_out) for s in data]))
            tune = measure(replace(fitted, rank_weights=weights), folder)
            print(f"{name:<12} {tune[0]:.3f}/{tune[1]:.3f}")


if __name__ == "__main__":
    main()

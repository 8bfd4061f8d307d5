"""Each re-ordering feature's worth: refit the order without it (tune sets only) and measure.

    python eval/ablate.py

For each feature of index/answer/reranking.py, and for BM25 alone, the pairwise model of eval/train.py
is refitted on the tune sets with that feature left out, and hit@1 / hit@3 are printed as the
mean over the tune sets (002-006) and over the measure-only ones (007-013), every page indexed.
The verdict keeps its weights. Decisions to keep a feature are taken on the tune figures.
"""

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import MEASURE, TUNE, byline_reports, question_files  # noqa: E402
from eval.train import collect, fit_rank  # noqa: E402
from index.answer import reranking  # noqa: E402


def measure() -> tuple[list[float], list[float]]:
    files = [f for f in question_files([]) if f.name != "questions.jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        for folder in ("seeds", "eval/pages", "eval/heldout/pages"):
            for page in (ROOT / folder).glob("*.txt"):
                shutil.copy(page, seeds / page.name)
        reports = asyncio.run(byline_reports(Path(tmp) / "b.db", seeds, files, 5))
    out = []
    for kind in (TUNE, MEASURE):
        chosen = [r for f, r in zip(files, reports, strict=True) if f.name in kind]
        out.append(
            [float(np.mean([r.hit_at_1 for r in chosen])), float(np.mean([r.hit_at_3 for r in chosen]))]
        )
    return out[0], out[1]


def main() -> None:
    fitted = reranking.RANK_WEIGHTS
    data = asyncio.run(collect())
    print(f"{'left out':<12} {'tune hit@1/@3':<16} {'measure hit@1/@3':<16}")
    trials = [
        ("nothing", None),
        *((name, i) for i, name in enumerate(reranking.FEATURES)),
        ("all (bm25)", -1),
    ]
    for name, left_out in trials:
        if left_out == -1:
            weights = (1.0,) + (0.0,) * (len(reranking.FEATURES) - 1)
        else:
            masked = [
                (gold, ([[0.0 if j == left_out else v for j, v in enumerate(row)] for row in rows], r, f, t))
                for gold, (rows, r, f, t) in data
            ]
            weights = tuple(float(w) for w in fit_rank(masked))
        reranking.RANK_WEIGHTS = weights  # type: ignore[misc]
        tune, held = measure()
        print(f"{name:<12} {tune[0]:.3f}/{tune[1]:.3f}      {held[0]:.3f}/{held[1]:.3f}")
    reranking.RANK_WEIGHTS = fitted  # type: ignore[misc]


if __name__ == "__main__":
    main()

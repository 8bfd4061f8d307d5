"""Whether the question-only word lists earn their place: the sets measured without each.

    python eval/lists.py

Mean hit@1 / hit@3 / MRR over the tune sets (main, 002-006) and the measure-only ones, with the
question synonyms (and their phrases) emptied, then with the chat shorthand emptied.
"""

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, ".")
import numpy as np

import index.text.analysis as an
from eval.compare import MEASURE, TUNE, byline_reports, question_files

files = question_files([])


def run(label):
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "s"
        seeds.mkdir()
        for f in ("seeds", "eval/pages", "eval/heldout/pages"):
            for p in Path(f).glob("*.txt"):
                shutil.copy(p, seeds / p.name)
        reps = asyncio.run(byline_reports(Path(tmp) / "b.db", seeds, files, 5))
    out = []
    for kind in (TUNE, MEASURE):
        ch = [r for f, r in zip(files, reps, strict=True) if f.name in kind]
        out.append(
            "/".join(f"{np.mean([getattr(r, k) for r in ch]):.3f}" for k in ("hit_at_1", "hit_at_3", "mrr"))
        )
    print(f"{label:<28} tune(main+002-006) {out[0]}  measure {out[1]}", flush=True)


run("as is")
syn, short, phrases = dict(an.SYNONYMS), dict(an.SHORTHAND), list(an._QUESTION_PHRASES)
an.SYNONYMS.clear()
an._QUESTION_PHRASES[:] = []
run("no question synonyms")
an.SYNONYMS.update(syn)
an._QUESTION_PHRASES[:] = phrases
an.SHORTHAND.clear()
run("no chat shorthand")
an.SHORTHAND.update(short)

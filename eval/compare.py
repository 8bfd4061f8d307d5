"""Byline beside what a user would pick instead, on the same passages, in one run.

    python eval/compare.py                      # every set, every page indexed together
    python eval/compare.py eval/heldout/questions-009.jsonl --json

Every page (seeds/, eval/pages/, eval/heldout/pages/) is indexed into one database, as
eval/README.md says; then, for each question file, Byline's `evaluate` (what users see: hit@1,
hit@3, MRR over the hits shown, and the verdict) and two peers over Byline's own passages from
that database:

- rank-bm25: BM25Okapi over lower-case word tokens (``\\w+``), nothing else;
- bm25s: English stop words and the Snowball stemmer (PyStemmer), its default BM25 ("lucene").

Peers never abstain. Passages of one article that share a sentence compete for one place, for
the peers as for Byline (the first one ranked is kept). Dev-only: needs ``bm25s`` (the dev extra).
"""

import argparse
import asyncio
import json
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import Library  # noqa: E402
from index.answer.ranker import Ranker  # noqa: E402
from index.evaluation import EvalQuestion, EvalReport, evaluate, first_right, load_questions  # noqa: E402

TUNE = ["questions.jsonl"] + [f"questions-{n:03}.jsonl" for n in range(2, 12)]
MEASURE = [f"questions-{n:03}.jsonl" for n in range(12, 23)]
PAGE_SUFFIXES = (".txt", ".md")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Passage:
    text: str
    article: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Figures:
    hit_at_1: float
    hit_at_3: float
    mrr: float


def read_passages(database: Path) -> list[Passage]:
    db = sqlite3.connect(database)
    try:
        rows = db.execute(
            "SELECT text, article_id, first_sentence, last_sentence FROM passages ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    return [Passage(text, str(article), first, last) for text, article, first, last in rows]


def distinct_top(order: np.ndarray, passages: list[Passage], k: int) -> list[int]:
    """The first ``k`` passages of ``order`` that share no sentence with one kept before."""
    kept: list[int] = []
    for i in order.tolist():
        p = passages[i]
        if not any(q.article == p.article and p.first <= q.last and q.first <= p.last
                   for q in (passages[j] for j in kept)):  # fmt: skip
            kept.append(i)
            if len(kept) == k:
                break
    return kept


class RankBM25:
    name = "rank-bm25"

    def __init__(self, passages: list[Passage]) -> None:
        from rank_bm25 import BM25Okapi

        self.model = BM25Okapi([_WORD.findall(p.text.lower()) for p in passages])

    def order(self, question: str) -> np.ndarray:
        scores = self.model.get_scores(_WORD.findall(question.lower()))
        positive = np.flatnonzero(scores > 0)
        return positive[np.argsort(-scores[positive], kind="stable")]


class BM25S:
    name = "bm25s"

    def __init__(self, passages: list[Passage]) -> None:
        import bm25s
        import Stemmer

        self.bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize([p.text for p in passages], stopwords="en", stemmer=self.stemmer,
                                show_progress=False)  # fmt: skip
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)
        self.size = len(passages)

    def order(self, question: str) -> np.ndarray:
        query = self.bm25s.tokenize(question, stopwords="en", stemmer=self.stemmer, return_ids=False,
                                    show_progress=False)[0]  # fmt: skip
        scores = self.model.get_scores(query)
        positive = np.flatnonzero(scores > 0)
        return positive[np.argsort(-scores[positive], kind="stable")]


def peer_figures(peer: RankBM25 | BM25S, passages: list[Passage], path: Path, k: int) -> Figures:
    at1 = at3 = rr = 0.0
    answerable = [q for q in load_questions(path) if q.gold]
    for q in answerable:
        shown = distinct_top(peer.order(q.q), passages, k)
        rank = first_right([passages[i].text for i in shown], q.gold)
        at1 += rank == 1
        at3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
    n = len(answerable) or 1
    return Figures(at1 / n, at3 / n, rr / n)


def every_page(folder: Path) -> Path:
    """A seeds folder in ``folder`` holding every page the question sets are about (seeds/,
    eval/pages/, eval/heldout/pages/), indexed together as eval/README.md says."""
    seeds = folder / "seeds"
    seeds.mkdir()
    for pages in ("seeds", "eval/pages", "eval/heldout/pages"):
        for page in (ROOT / pages).iterdir():
            if page.suffix in PAGE_SUFFIXES:
                shutil.copy(page, seeds / page.name)
    return seeds


def tune_questions() -> Iterator[tuple[Path, EvalQuestion]]:
    """Every question of the sets we tune on (TUNE), with its file: the only questions whose
    text and misses may be read or fitted on (eval/README.md)."""
    for path in question_files([]):
        if path.name in TUNE:
            for q in load_questions(path):
                yield path, q


def question_files(given: list[str]) -> list[Path]:
    if given:
        return [Path(p) for p in given]
    return [ROOT / "eval" / name if name == "questions.jsonl" else ROOT / "eval" / "heldout" / name
            for name in TUNE + MEASURE]  # fmt: skip


async def byline_reports(
    database: Path, seeds: Path, files: list[Path], k: int, ranker: Ranker | None = None
) -> list[EvalReport]:
    async with Library.open(database, seeds, ranker=ranker) as library:
        await library.reindex()
        return [await evaluate(library, load_questions(path), top_k=k) for path in files]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", nargs="*", help="question files (default: every set)")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = question_files(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = every_page(Path(tmp))
        database = Path(tmp) / "byline.db"
        reports = asyncio.run(byline_reports(database, seeds, files, args.top_k))
        passages = read_passages(database)
    peers = [RankBM25(passages), BM25S(passages)]
    rows = []
    for path, report in zip(files, reports, strict=True):
        row = {
            "set": path.stem.removeprefix("questions-").replace("questions", "main"),
            "kind": "tune" if path.name in TUNE else ("measure" if path.name in MEASURE else "-"),
            "byline": [report.hit_at_1, report.hit_at_3, report.mrr],
            "confident_when_right": report.confident_right,
            "not_confident_when_unanswerable": report.unsure_unanswerable,
            "answer_line": [report.answer_line, report.answer_line_right],
        }
        for peer in peers:
            f = peer_figures(peer, passages, path, args.top_k)
            row[peer.name] = [f.hit_at_1, f.hit_at_3, f.mrr]
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{len(passages)} passages; hit@1 / hit@3 / MRR on answerable questions, top {args.top_k}")
    print(f"{'set':<5} {'kind':<8} {'Byline':<20} {'verdict':<12} {'line':<10} "
          f"{'rank-bm25':<20} {'bm25s':<20}")  # fmt: skip

    def three(v: list[float]) -> str:
        return " / ".join(f"{x:.3f}" for x in v)

    for r in rows:
        verdict = f"{r['confident_when_right']:.2f} {r['not_confident_when_unanswerable']:.2f}"
        line = f"{r['answer_line'][0]:.2f} {r['answer_line'][1]:.2f}"
        print(f"{r['set']:<5} {r['kind']:<8} {three(r['byline']):<20} {verdict:<12} {line:<10} "
              f"{three(r['rank-bm25']):<20} {three(r['bm25s']):<20}")  # fmt: skip
    for kind in ("tune", "measure"):
        chosen = [r for r in rows if r["kind"] == kind and r["set"] != "main"]
        if len(chosen) > 1:
            mean = {key: np.mean([r[key] for r in chosen], axis=0).tolist()
                    for key in ("byline", "rank-bm25", "bm25s")}  # fmt: skip
            v1 = np.mean([r["confident_when_right"] for r in chosen])
            v2 = np.mean([r["not_confident_when_unanswerable"] for r in chosen])
            l1, l2 = np.mean([r["answer_line"] for r in chosen], axis=0)
            print(f"{'mean':<5} {kind:<8} {three(mean['byline']):<20} {f'{v1:.2f} {v2:.2f}':<12} "
                  f"{f'{l1:.2f} {l2:.2f}':<10} "
                  f"{three(mean['rank-bm25']):<20} {three(mean['bm25s']):<20}")  # fmt: skip


if __name__ == "__main__":
    main()

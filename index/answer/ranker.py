"""What a question's pipeline asks of a ranker: the order of its candidates, the confidence
that the first answers, and the score of each sentence for the answer line.

The library takes one (``Library.open(..., ranker=...)``); eval/train.py and the benchmarks pass
their own (another set of weights, or one that records the features it is shown) instead of
patching module functions.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.answer import weights


class Ranker(Protocol):
    def order(self, rows: Sequence[Sequence[float]]) -> list[int]:
        """Candidates' indexes, best first, from their feature rows."""

    def confidence(self, verdict: Sequence[float]) -> float:
        """The calibrated probability that the first passage answers, from its verdict features."""

    def confident(self, confidence: float) -> bool:
        """Whether an answer with this confidence is marked confident."""

    def sentence_score(self, features: Sequence[float]) -> float:
        """How likely a sentence is to hold the answer (higher is likelier)."""


@dataclass(frozen=True, slots=True)
class LinearRanker:
    """Linear re-ordering, a logistic verdict with a calibration on top, and a linear sentence
    score: the numbers eval/train.py fits."""

    rank_weights: Sequence[float] = weights.RANK_WEIGHTS
    verdict_weights: Sequence[float] = weights.VERDICT_WEIGHTS
    verdict_bias: float = weights.VERDICT_BIAS
    calibration: tuple[float, float] = weights.CALIBRATION
    confident_at: float = weights.CONFIDENT_AT
    sentence_weights: Sequence[float] = weights.SENTENCE_WEIGHTS

    def order(self, rows: Sequence[Sequence[float]]) -> list[int]:
        if not rows:
            return []
        scores = np.asarray(rows, dtype=np.float64) @ np.asarray(self.rank_weights, dtype=np.float64)
        return sorted(range(len(rows)), key=lambda i: (-scores[i], i))  # ties keep BM25's order

    def logit(self, verdict: Sequence[float]) -> float:
        return self.verdict_bias + sum(w * f for w, f in zip(self.verdict_weights, verdict, strict=True))

    def confidence(self, verdict: Sequence[float]) -> float:
        a, b = self.calibration
        z = a * self.logit(verdict) + b
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def confident(self, confidence: float) -> bool:
        return confidence >= self.confident_at

    def sentence_score(self, features: Sequence[float]) -> float:
        return sum(w * f for w, f in zip(self.sentence_weights, features, strict=True))

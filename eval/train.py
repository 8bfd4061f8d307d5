"""Fit the re-ordering, the verdict, its calibration and the answer line on the TUNE sets only.

    python eval/train.py            # rewrites index/answer/weights.py (--dry-run: print only)

Every page is indexed together, as the figures are measured. Each tune question (eval/README.md;
never the measure-only ones) is answered through ``Library.explain``, which hands back every
candidate's features; the library is opened with the ranker being fitted (``Library.open(...,
ranker=...)``), so nothing is patched:

1. Re-ordering: a pairwise logistic regression over the candidates of answerable questions (a
   candidate is right when it holds a gold phrase). Its coefficients are RANK_WEIGHTS.
2. The verdict: with those weights in place, the first passage's verdict features, labelled 1 when
   it is right and 0 when the question is unanswerable (answerable questions whose first passage
   is wrong say nothing about the verdict's two figures and are left out): VERDICT_WEIGHTS, BIAS.
   With --withheld, each answerable question is also answered a second time with the passages
   that answer it withheld, labelled 0: what an unanswerable question looks like on articles
   about its subject, a negative for every positive instead of a few dozen traps. Left out by
   default: left one set out, it moved neither figure beyond a question or two (docs/evaluation.md).
   Every fit prints the verdict's figures left one set out (fitted on the other sets, judged on
   the one left out): what a set nobody fitted on can expect.
3. Calibration: a logistic fit of "the first passage is right" on the verdict's logit over every
   tune question (wrong first passages count as 0 here): confidence 0.8 then means about 8 in 10
   right. CONFIDENT_AT is the lowest confidence that keeps CONFIDENT_SHARE of right first
   passages confident.
4. The answer line: a logistic model of "this sentence holds a gold phrase" over the sentences
   of the passages shown (SENTENCE_WEIGHTS).

The commit and the pages the weights were fitted on are written beside them.
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import TUNE, every_page, tune_questions  # noqa: E402
from index import Library  # noqa: E402
from index.answer.pipeline import Answered, answer  # noqa: E402
from index.answer.ranker import LinearRanker  # noqa: E402
from index.evaluation import _contains  # noqa: E402

CONFIDENT_SHARE = 0.86  # of right first passages marked confident, on the tune sets (target 0.85)
WEIGHTS = ROOT / "index" / "answer" / "weights.py"


@dataclass(frozen=True, slots=True)
class Seen:
    gold: list[str]
    answered: Answered
    group: str  # the question set it is from


Negatives = list[tuple[str, list[float]]]  # (question set, verdict features) labelled 0


def right(text: str, gold: list[str]) -> bool:
    return any(_contains(text, g) for g in gold)


async def collect(ranker: LinearRanker, folder: Path) -> list[Seen]:
    """What the library decided each tune question on, with ``ranker`` in place."""
    out = []
    async with Library.open(folder / "b.db", folder / "seeds", ranker=ranker) as library:
        await library.reindex()
        for path, q in tune_questions():
            _, answered = await library.explain(q.q, top_k=5)
            if answered is not None and answered.decision.rows:
                out.append(Seen(q.gold, answered, path.stem))
    return out


def fit_rank(data: list[Seen]) -> np.ndarray:
    """Pairwise logistic regression (each right candidate against each wrong one of the same
    question, both ways, no intercept): its coefficients order the candidates directly."""
    from sklearn.linear_model import LogisticRegression

    diffs, y = [], []
    for seen in data:
        if not seen.gold:
            continue
        x = np.array(seen.answered.decision.rows)
        good = np.array([right(t, seen.gold) for t in seen.answered.texts])
        for i in np.flatnonzero(good):
            for j in np.flatnonzero(~good):
                diffs += [x[i] - x[j], x[j] - x[i]]
                y += [1, 0]
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(np.array(diffs), np.array(y))
    return np.asarray(model.coef_[0])


def first_right(seen: Seen) -> bool:
    return bool(seen.gold) and bool(seen.answered.hits) and right(seen.answered.hits[0].text, seen.gold)


# The direction some verdict features must push, whatever the tune sets say: more of the question
# missing, or nothing close in meaning, is never evidence of an answer. Without this the fit gave
# "unseen" (question words no passage holds) a positive weight: the tune sets' paraphrases hold
# words no article uses, and "who won the football match?" was confident on articles with no
# football in them.
NOT_ABOVE_ZERO = ("missing", "unseen", "lacks_kind")
NOT_BELOW_ZERO = ("coverage", "sentence", "names", "words", "meaning", "cosine", "closest")


def withheld(ranker: LinearRanker, data: list[Seen]) -> Negatives:
    """The verdict features of each answerable question answered again without the candidates
    that hold its answer (questions whose candidates all hold it are left out)."""
    out = []
    for seen in data:
        had = seen.answered
        if not seen.gold or had.asked is None:
            continue
        keep = [i for i, c in enumerate(had.candidates) if not right(c.text, seen.gold)]
        if not keep or len(keep) == len(had.candidates):
            continue
        cosines = [had.cosines[i] for i in keep] if had.cosines is not None else None
        again = answer(had.asked, [had.candidates[i] for i in keep], ranker, 5, None, cosines)
        if again.hits:
            out.append((seen.group, again.verdict))
    return out


def fit_verdict(data: list[Seen], negatives: Negatives) -> tuple[np.ndarray, float]:
    """Logistic regression, classes balanced, L2 as sklearn's C=1, with the signs above held."""
    from scipy.optimize import minimize

    from index.answer.reranking import VERDICT_FEATURES

    x, y = [], []
    for seen in data:
        if seen.gold and not first_right(seen):
            continue
        x.append(seen.answered.verdict)
        y.append(int(bool(seen.gold)))
    x += [verdict for _, verdict in negatives]
    y += [0] * len(negatives)
    xs, ys = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    balance = np.where(ys == 1, len(ys) / (2 * ys.sum()), len(ys) / (2 * (len(ys) - ys.sum())))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = xs @ w + b
        p = 1 / (1 + np.exp(-z))
        value = float(np.sum(balance * (np.logaddexp(0, z) - ys * z)) + 0.5 * w @ w)
        grad_z = balance * (p - ys)
        return value, np.append(xs.T @ grad_z + w, grad_z.sum())

    bounds = [
        (None, 0.0) if name in NOT_ABOVE_ZERO else (0.0, None) if name in NOT_BELOW_ZERO else (None, None)
        for name in VERDICT_FEATURES
    ] + [(None, None)]
    found = minimize(loss, np.zeros(xs.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(found.x[:-1]), float(found.x[-1])


def cross_validate(ranker: LinearRanker, data: list[Seen], negatives: Negatives) -> None:
    """The verdict as it does on a set it was not fitted on: fitted on every tune set but one,
    its threshold chosen there, then judged on the one left out; the pooled shares are printed.
    In-sample shares flatter a fit; these are what a new set can expect."""
    confident, unsure, counted = [], [], []
    for group in sorted({s.group for s in data}):
        rest = [s for s in data if s.group != group]
        weights, bias = fit_verdict(rest, [n for n in negatives if n[0] != group])
        fold = replace(ranker, verdict_weights=tuple(weights), verdict_bias=bias)
        fold = replace(fold, calibration=fit_calibration(fold, rest))
        good = np.sort([fold.confidence(s.answered.verdict) for s in rest if first_right(s)])
        threshold = float(good[int((1 - CONFIDENT_SHARE) * len(good))])
        for seen in (s for s in data if s.group == group):
            sure = fold.confidence(seen.answered.verdict) >= threshold
            (confident if first_right(seen) else unsure if not seen.gold else counted).append(sure)
    print(f"left-one-set-out: {np.mean(confident):.3f} of {len(confident)} right first passages "
          f"confident, {1 - np.mean(unsure):.3f} of {len(unsure)} unanswerable questions not")  # fmt: skip


def fit_calibration(ranker: LinearRanker, data: list[Seen]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    z = np.array([[ranker.logit(s.answered.verdict)] for s in data])
    y = np.array([int(first_right(s)) for s in data])
    model = LogisticRegression(C=100.0, max_iter=5000).fit(z, y)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def choose_threshold(ranker: LinearRanker, data: list[Seen], negatives: Negatives) -> float:
    good = np.sort([ranker.confidence(s.answered.verdict) for s in data if first_right(s)])
    unanswerable = np.array([ranker.confidence(s.answered.verdict) for s in data if not s.gold])
    without = np.array([ranker.confidence(v) for _, v in negatives])
    for share in (0.95, 0.9, 0.88, 0.85, 0.8):
        t = float(good[int((1 - share) * len(good))])
        print(f"  {share:.2f} of right first passages confident: {np.mean(unanswerable < t):.3f} "
              f"of unanswerable ones not, {np.mean(without < t):.3f} of those with the answer "
              f"withheld (confidence >= {t:.3f})")  # fmt: skip
    return float(good[int((1 - CONFIDENT_SHARE) * len(good))])


def fit_sentences(data: list[Seen]) -> np.ndarray:
    """Pairwise within each question: a sentence holding a gold phrase against one that does not."""
    from sklearn.linear_model import LogisticRegression

    diffs, y = [], []
    for seen in data:
        if not seen.gold:
            continue
        texts = [h.text for h in seen.answered.hits]
        rows = [(np.array(s.features), right(texts[s.hit][s.span[0] : s.span[1]], seen.gold))
                for s in seen.answered.sentences]  # fmt: skip
        for a, good_a in rows:
            for b, good_b in rows:
                if good_a and not good_b:
                    diffs += [a - b, b - a]
                    y += [1, 0]
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(np.array(diffs), np.array(y))
    return np.asarray(model.coef_[0])


def line_figures(ranker: LinearRanker, data: list[Seen]) -> str:
    """The share of answerable questions whose best sentence (by ``ranker``) holds a gold phrase."""
    holds = holds_right = n_right = n = 0
    for seen in data:
        if not seen.gold or not seen.answered.sentences:
            continue
        texts = [h.text for h in seen.answered.hits]
        best = max(seen.answered.sentences, key=lambda s: ranker.sentence_score(s.features))
        ok = right(texts[best.hit][best.span[0] : best.span[1]], seen.gold)
        n += 1
        holds += ok
        if first_right(seen):
            n_right += 1
            holds_right += ok
    return f"{holds / max(n, 1):.3f} of answerable, {holds_right / max(n_right, 1):.3f} of right-first"


def rounded(values: np.ndarray | list[float]) -> tuple[float, ...]:
    return tuple(round(float(v), 3) for v in values)


def wrapped(name: str, values: tuple[float, ...] | tuple[str, ...]) -> str:
    """``name = (...)`` over lines of at most 100 characters."""
    import textwrap

    body = textwrap.fill(", ".join(map(repr, values)) + ",", 96, initial_indent="    ",
                         subsequent_indent="    ")  # fmt: skip
    return f"{name} = (\n{body}\n)"


def write(ranker: LinearRanker) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    pages = sorted(p.name for p in (ROOT / "eval" / "heldout" / "pages").iterdir())
    WEIGHTS.write_text(
        f'''"""The fitted numbers of the re-ordering, the verdict and the answer line.

Written by ``python eval/train.py`` (fitted on the tune sets only, eval/README.md); the commit
and the pages they were fitted on are recorded below, so a refit can be checked against them.
"""

FITTED_AT = "{commit}"  # the commit whose work tree computed the features
# The pages indexed (every page, as the figures are measured) and the question sets fitted on.
{wrapped("FITTED_ON", ("seeds/", "eval/pages/", *pages, *TUNE))}
{wrapped("RANK_WEIGHTS", rounded(ranker.rank_weights))}
{wrapped("VERDICT_WEIGHTS", rounded(ranker.verdict_weights))}
VERDICT_BIAS = {round(ranker.verdict_bias, 3)}
# Calibration: confidence = 1 / (1 + exp(-(a * z + b))) of the verdict's logit z.
CALIBRATION = {rounded(ranker.calibration)}
CONFIDENT_AT = {round(ranker.confident_at, 3)}  # the confidence from which an answer is confident
{wrapped("SENTENCE_WEIGHTS", rounded(ranker.sentence_weights))}
''',
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the weights, write nothing")
    parser.add_argument("--withheld", action="store_true",
                        help="fit the verdict with answers-withheld negatives too (see 2.)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        every_page(folder)
        data = asyncio.run(collect(LinearRanker(), folder))
        ranker = LinearRanker(rank_weights=rounded(fit_rank(data)))
        data = asyncio.run(collect(ranker, folder))  # the sentences of the fitted order's passages
        print("answer line before:", line_figures(ranker, data))
        ranker = replace(ranker, sentence_weights=rounded(fit_sentences(data)))
        print("answer line after: ", line_figures(ranker, data))
        data = asyncio.run(collect(ranker, folder))  # the verdict reads the fitted answer line
    negatives = withheld(ranker, data) if args.withheld else []
    print(f"verdict: {len(negatives)} answerable questions answered again with the answer withheld")
    cross_validate(ranker, data, negatives)
    verdict, bias = fit_verdict(data, negatives)
    ranker = replace(ranker, verdict_weights=rounded(verdict), verdict_bias=round(bias, 3))
    ranker = replace(ranker, calibration=rounded(fit_calibration(ranker, data)))
    print("threshold:")
    ranker = replace(ranker, confident_at=round(choose_threshold(ranker, data, negatives), 3))
    print(ranker)
    if not args.dry_run:
        write(ranker)
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

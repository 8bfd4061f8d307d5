"""Retrieval quality on a file of questions with the phrases their answers contain.

This is how the people who run Byline check it on their own articles, and how every change to
analysis or segmentation is judged: hit@1, hit@3, MRR, and the share of unanswerable questions
that correctly get no hits.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import fold
from .errors import BylineError
from .library import Library


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    q: str
    gold: list[str]


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    gold: list[str]
    rank: int | None  # where the first right passage came, if anywhere in the top k
    first: str | None  # what came first instead ("<outlet> | <title> ¶n: text")


@dataclass(slots=True)
class EvalReport:
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    mrr: float = 0.0
    no_answer: float = 0.0
    top_k: int = 5
    misses: list[Miss] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "questions": self.answerable + self.unanswerable,
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "top_k": self.top_k,
            "hit@1": round(self.hit_at_1, 4),
            "hit@3": round(self.hit_at_3, 4),
            "mrr": round(self.mrr, 4),
            "no_answer": round(self.no_answer, 4),
            "misses": [
                {"q": m.question, "gold": m.gold, "rank": m.rank, "first": m.first} for m in self.misses
            ],
        }


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSONL file; a malformed line is an error naming its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BylineError(f"Cannot read {path}: {error}") from None
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            q, gold = item["q"], item.get("gold", [])
            if (
                not isinstance(q, str)
                or not q.strip()
                or not isinstance(gold, list)
                or not all(isinstance(g, str) for g in gold)
            ):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise BylineError(
                f'{path}:{number}: expected {{"q": "question", "gold": ["phrase", ...]}}'
            ) from None
        questions.append(EvalQuestion(q, gold))
    if not questions:
        raise BylineError(f"{path} holds no questions")
    return questions


def _contains(text: str, phrase: str) -> bool:
    return " ".join(fold(phrase).split()) in " ".join(fold(text).split())


async def evaluate(library: Library, questions: list[EvalQuestion], top_k: int = 5) -> EvalReport:
    report = EvalReport(top_k=top_k)
    at1 = at3 = rr = empty = 0.0
    for item in questions:
        answer = await library.ask(item.q, top_k=top_k)
        first = None
        if answer.hits:
            h = answer.hits[0]
            first = f"{h.article.outlet or '-'} | {h.article.title} ¶{h.paragraph}: {h.text[:160]}"
        if not item.gold:
            report.unanswerable += 1
            empty += not answer.hits
            if answer.hits:
                report.misses.append(Miss(item.q, [], None, first))
            continue
        report.answerable += 1
        rank = next((h.rank for h in answer.hits if any(_contains(h.text, g) for g in item.gold)), None)
        at1 += rank == 1
        at3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
        if rank != 1:
            report.misses.append(Miss(item.q, item.gold, rank, first))
    if report.answerable:
        report.hit_at_1 = at1 / report.answerable
        report.hit_at_3 = at3 / report.answerable
        report.mrr = rr / report.answerable
    if report.unanswerable:
        report.no_answer = empty / report.unanswerable
    return report

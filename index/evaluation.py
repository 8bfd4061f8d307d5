"""Retrieval quality on a file of questions with the phrases their answers contain.

This is how the people who run Byline check it on their own articles, and how every change to
analysis or segmentation is judged: hit@1, hit@3 and MRR over the passages a user is shown, and
the verdict as figures of its own: of the answerable questions whose right passage comes first,
the share marked confident; of the unanswerable ones, the share marked not confident.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import BylineError
from index.library import Library
from index.text.analysis import fold


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
    confident: bool = False


@dataclass(slots=True)
class EvalReport:
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    mrr: float = 0.0
    confident_right: float = 0.0  # of answerable questions whose right passage is first
    unsure_unanswerable: float = 0.0  # of unanswerable questions
    answer_line: float = 0.0  # of answerable questions, the share whose answer line holds a gold phrase
    answer_line_right: float = 0.0  # the same, of those whose right passage is first
    top_k: int = 5
    misses: list[Miss] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "questions": self.answerable + self.unanswerable,
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "top_k": self.top_k,
            "hit@1": round(self.hit_at_1, 4),
            "hit@3": round(self.hit_at_3, 4),
            "mrr": round(self.mrr, 4),
            "confident_when_right": round(self.confident_right, 4),
            "not_confident_when_unanswerable": round(self.unsure_unanswerable, 4),
            "answer_line": round(self.answer_line, 4),
            "answer_line_when_right": round(self.answer_line_right, 4),
            "misses": [
                {"q": m.question, "gold": m.gold, "rank": m.rank, "first": m.first, "confident": m.confident}
                for m in self.misses
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


def first_right(texts: list[str], gold: list[str]) -> int | None:
    """The rank (from 1) of the first text holding a gold phrase, if any does."""
    return next((rank for rank, text in enumerate(texts, 1) if any(_contains(text, g) for g in gold)), None)


async def evaluate(library: Library, questions: list[EvalQuestion], top_k: int = 5) -> EvalReport:
    report = EvalReport(top_k=top_k)
    at1 = at3 = rr = unsure = right = right_confident = line = line_right = 0.0
    for item in questions:
        answer = await library.ask(item.q, top_k=top_k)
        first = None
        if answer.hits:
            h = answer.hits[0]
            first = f"{h.article.outlet or '-'} | {h.article.title} ¶{h.paragraph}: {h.text[:160]}"
        if not item.gold:
            report.unanswerable += 1
            unsure += not answer.confident
            if answer.confident:
                report.misses.append(Miss(item.q, [], None, first, answer.confident))
            continue
        report.answerable += 1
        rank = first_right([h.text for h in answer.hits], item.gold)
        at1 += rank == 1
        at3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
        holds = answer.answer is not None and any(_contains(answer.answer.text, g) for g in item.gold)
        line += holds
        if rank == 1:
            right += 1
            right_confident += answer.confident
            line_right += holds
        if rank != 1 or not answer.confident:
            report.misses.append(Miss(item.q, item.gold, rank, first, answer.confident))
    if report.answerable:
        report.hit_at_1 = at1 / report.answerable
        report.hit_at_3 = at3 / report.answerable
        report.mrr = rr / report.answerable
        report.answer_line = line / report.answerable
    if right:
        report.confident_right = right_confident / right
        report.answer_line_right = line_right / right
    if report.unanswerable:
        report.unsure_unanswerable = unsure / report.unanswerable
    return report

"""Small talk is told from questions on two lists written by people who saw no code: eval/
smalltalk.jsonl (a tune list: its misses were read) and eval/smalltalk-2.jsonl (measure-only)."""

import json
from pathlib import Path

import pytest

from index import QuestionError
from index.question import clean_question
from index.text.smalltalk import is_smalltalk

EVAL = Path(__file__).resolve().parents[2] / "eval"
FLOOR = 0.95  # right each way


def recognised(text: str) -> str:
    try:
        return "smalltalk" if is_smalltalk(clean_question(text)) else "question"
    except QuestionError:  # nothing left once mentions are removed: answered with a hint
        return "smalltalk"


@pytest.mark.parametrize("name", ["smalltalk.jsonl", "smalltalk-2.jsonl"])
def test_small_talk_and_questions_are_told_apart(name: str) -> None:
    rows = [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line]
    for kind in ("smalltalk", "question"):
        these = [r["text"] for r in rows if r["kind"] == kind]
        assert len(these) >= 60
        share = sum(recognised(t) == kind for t in these) / len(these)
        assert share >= FLOOR, f"{name}: {kind} recognised for {share:.3f}"

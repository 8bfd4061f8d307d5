"""`byline report` and `byline forget`, run in-process on a real database."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from index import Answer, Article, Hit
from index.feedback.votes import Feedback

from .conftest import Run

Byline = Callable[..., Run]
ARTICLE = Article("a1", "Harbour budget", "Courier", None, "harbour.md")


async def _record(database: Path) -> None:
    hits = [Hit(1, 1.0, "The harbour budget grew by a third.", 4, ARTICLE)]
    async with await Feedback.open(database) as feedback:
        answered = feedback.record_answer(
            Answer("harbour budget?", hits, confident=True), hits, guild_id=1, user_id=7, keep_question=True
        )
        feedback.record_answer(
            Answer("tram fares in Leeds?", []), [], guild_id=1, user_id=423456789012345678, keep_question=True
        )
        await feedback.vote(answered, 423456789012345678, False, guild_id=1, question="harbour budget?")


def test_report_json_counts_questions_votes_and_what_was_not_answered(
    byline: Byline, collection_seeds: Path, database: Path
) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    asyncio.run(_record(database))
    run = byline("report", "--json", "--since", "7")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert (report["since_days"], report["questions"], report["confident"]) == (7, 2, 1)
    assert report["votes"] == {"up": 0, "down": 1}
    assert report["down_voted"][0]["title"] == "Harbour budget" and report["down_voted"][0]["paragraph"] == 4
    assert report["not_confident"] == [
        {"words": ["tram", "fares", "leeds"], "count": 1, "questions": ["tram fares in Leeds?"]}
    ]
    text = byline("report")
    assert "2 questions, 1 answered confidently (50%)" in text.out
    assert "1 down, 0 up: “harbour budget?”" in text.out
    assert "cited: Courier · “Harbour budget” · paragraph 4" in text.out
    assert "- tram fares in Leeds?" in text.out


def test_forget_deletes_what_one_user_left(byline: Byline, collection_seeds: Path, database: Path) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    asyncio.run(_record(database))
    run = byline("forget", "423456789012345678", "--json")
    assert run.code == 0 and json.loads(run.out) == {"votes": 1, "questions": 1}
    report = json.loads(byline("report", "--json").out)
    assert report["votes"] == {"up": 0, "down": 0}
    assert report["not_confident"] == [] and report["not_confident_unkept"] == 1
    again = byline("forget", "423456789012345678").out.strip()
    assert again == "Forgot user 423456789012345678: 0 votes and 0 questions."


def test_report_without_a_database_is_one_line(byline: Byline, collection_seeds: Path) -> None:
    run = byline("report", "--seeds-dir", str(collection_seeds))
    assert run.code == 1 and "does not exist yet" in run.err and "\n" not in run.err.strip()


def test_report_since_must_be_positive(byline: Byline, collection_seeds: Path) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    run = byline("report", "--since", "0")
    assert run.code == 2 and "--since" in run.err


@pytest.mark.parametrize(
    "user_id", ["-1", "0", "4_2", "42", "1234567890123456", "123456789012345678901", "1e18"]
)
def test_forget_takes_only_a_discord_id(byline: Byline, collection_seeds: Path, user_id: str) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    run = byline("forget", "--", user_id) if user_id.startswith("-") else byline("forget", user_id)
    assert run.code == 2 and "not a Discord user id" in run.err and run.out == ""


def test_report_says_which_questions_it_counts(
    byline: Byline, collection_seeds: Path, database: Path
) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    assert byline("ask", "harbour budget?").code == 0  # the command line records nothing
    asyncio.run(_record(database))
    report = json.loads(byline("report", "--json").out)
    assert report["questions"] == 2
    assert "Discord" in report["counted"] and "byline ask" in report["counted"]
    assert f"Counted: {report['counted']}." in byline("report").out

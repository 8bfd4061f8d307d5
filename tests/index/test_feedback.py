"""Feedback storage and the report: real SQLite files, one behaviour each."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Answer, Article, Hit, Library
from index.feedback.report import build_report, group_questions
from index.feedback.votes import Feedback, UnknownAnswerError, VoteResult

ARTICLE = Article("a1", "Harbour budget", "Courier", None, "harbour.md")
DAY1 = datetime(2026, 3, 1, 10, tzinfo=UTC).timestamp()
DAY2 = datetime(2026, 3, 2, 10, tzinfo=UTC).timestamp()
NOW = datetime(2026, 3, 3, 12, tzinfo=UTC).timestamp()


def answer(question: str, paragraphs: list[int]) -> tuple[Answer, list[Hit]]:
    hits = [
        Hit(n, 1.0, f"Passage {p} about the harbour budget.", p, ARTICLE) for n, p in enumerate(paragraphs, 1)
    ]
    return Answer(question, hits, confident=bool(hits)), hits


@pytest.fixture
async def feedback(database: Path):
    async with await Feedback.open(database) as store:
        yield store


async def test_a_vote_is_one_per_person_and_can_be_changed(feedback: Feedback) -> None:
    ans, hits = answer("harbour budget?", [1])
    answer_id = feedback.record_answer(ans, hits, guild_id=5, user_id=7, keep_question=False)
    assert len(answer_id) <= 20
    assert await feedback.vote(answer_id, 8, True, guild_id=5, question="harbour budget?") is VoteResult.NEW
    assert await feedback.vote(answer_id, 8, True, guild_id=5, question="harbour budget?") is VoteResult.SAME
    assert (
        await feedback.vote(answer_id, 8, False, guild_id=5, question="harbour budget?") is VoteResult.CHANGED
    )
    assert await feedback.rows("SELECT vote FROM feedback_votes") == [(-1,)]


async def test_a_user_is_stored_only_as_a_salted_hash(database: Path) -> None:
    user = 123456789012345678
    async with await Feedback.open(database) as feedback:
        ans, hits = answer("harbour budget?", [1])
        answer_id = feedback.record_answer(ans, hits, guild_id=5, user_id=user, keep_question=True)
        await feedback.vote(answer_id, user, True, guild_id=5, question="harbour budget?")
        first = feedback.user_hash(user)
    dump = "\n".join(sqlite3.connect(database).iterdump())
    assert str(user) not in dump
    assert first in dump
    other = tmp = database.with_name("other.db")
    async with await Feedback.open(other) as elsewhere:  # another database, another salt
        assert elsewhere.user_hash(user) != first
    async with await Feedback.open(database) as again:  # the same database keeps its salt
        assert again.user_hash(user) == first
    assert tmp.exists()


async def test_questions_are_stored_only_when_kept(feedback: Feedback) -> None:
    ans, hits = answer("secret question?", [])
    feedback.record_answer(ans, hits, guild_id=None, user_id=7, keep_question=False)
    feedback.record_answer(ans, hits, guild_id=None, user_id=7, keep_question=True)
    assert await feedback.rows(
        "SELECT question, user_hash IS NOT NULL FROM feedback_answers ORDER BY question"
    ) == [
        (None, 0),
        ("secret question?", 1),
    ]


async def test_a_vote_on_an_unknown_answer_is_refused(feedback: Feedback) -> None:
    with pytest.raises(UnknownAnswerError):
        await feedback.vote("nosuchanswer", 8, True, guild_id=None, question=None)


async def test_forget_removes_one_persons_votes_and_questions(feedback: Feedback) -> None:
    ans, hits = answer("harbour budget?", [1])
    mine = feedback.record_answer(ans, hits, guild_id=1, user_id=7, keep_question=True)
    theirs = feedback.record_answer(ans, hits, guild_id=1, user_id=9, keep_question=True)
    await feedback.vote(mine, 7, False, guild_id=1, question="q")
    await feedback.vote(theirs, 9, True, guild_id=1, question="q")
    forgotten = await feedback.forget(7)
    assert forgotten.to_dict() == {"votes": 1, "questions": 1}
    assert await feedback.rows("SELECT answer_id FROM feedback_votes") == [(theirs,)]
    assert await feedback.rows("SELECT id FROM feedback_answers WHERE question IS NOT NULL") == [(theirs,)]
    assert (await feedback.forget(7)).to_dict() == {"votes": 0, "questions": 0}


async def test_the_report_counts_days_confidence_votes_and_down_voted_answers(feedback: Feedback) -> None:
    good, good_hits = answer("harbour budget?", [1, 2])
    empty, _ = answer("tram fares?", [])
    a1 = feedback.record_answer(good, good_hits, guild_id=1, user_id=1, keep_question=True, at=DAY1)
    feedback.record_answer(empty, [], guild_id=1, user_id=1, keep_question=True, at=DAY1)
    a3 = feedback.record_answer(good, good_hits[1:], guild_id=1, user_id=2, keep_question=False, at=DAY2)
    await feedback.vote(a1, 10, False, guild_id=1, question="harbour budget?", at=DAY2)
    await feedback.vote(a1, 11, True, guild_id=1, question="harbour budget?", at=DAY2)
    await feedback.vote(a3, 10, False, guild_id=1, question="harbour budget?", at=DAY2)
    report = (await build_report(feedback, 7, now=NOW)).to_dict()
    assert report["days"] == [
        {"day": "2026-03-01", "questions": 2, "confident": 1},
        {"day": "2026-03-02", "questions": 1, "confident": 1},
    ]
    assert (report["questions"], report["confident"], report["confident_share"]) == (3, 2, 0.667)
    assert report["votes"] == {"up": 1, "down": 2}
    # One row an answer (not one a passage shown), its question only when kept, its first passage cited.
    assert [(d["question"], d["paragraph"], d["down"], d["up"]) for d in report["down_voted"]] == [
        (None, 2, 1, 0),
        ("harbour budget?", 1, 1, 1),
    ]
    assert report["not_confident"] == [{"words": ["tram", "fares"], "count": 1, "questions": ["tram fares?"]}]
    assert (await build_report(feedback, 1, now=NOW)).to_dict()["questions"] == 0  # --since 1: none


async def test_a_down_vote_keeps_its_reason_until_it_becomes_an_up_vote(feedback: Feedback) -> None:
    good, hits = answer("harbour budget?", [1])
    first = feedback.record_answer(good, hits, guild_id=1, user_id=1, keep_question=True, at=DAY1)
    second = feedback.record_answer(good, hits, guild_id=1, user_id=1, keep_question=True, at=DAY1)
    for voter in (10, 11):
        await feedback.vote(first, voter, False, guild_id=1, question=None, at=DAY2)
        await feedback.reason(first, voter, "no-answer")
    await feedback.vote(second, 10, False, guild_id=1, question=None, at=DAY2)
    await feedback.reason(second, 10, "out-of-date")
    await feedback.vote(second, 10, True, guild_id=1, question=None, at=DAY2)  # changed their mind
    await feedback.reason(second, 10, "other")  # a reason for an up vote is not kept
    report = (await build_report(feedback, 7, now=NOW)).to_dict()
    assert [(d["down"], d["reasons"]) for d in report["down_voted"]] == [(2, {"no-answer": 2})]


async def test_feedback_tables_from_before_reasons_get_the_column(database: Path) -> None:
    async with await Feedback.open(database):
        pass
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE feedback_votes DROP COLUMN reason")
    async with await Feedback.open(database) as feedback:
        good, hits = answer("harbour budget?", [1])
        answer_id = feedback.record_answer(good, hits, guild_id=1, user_id=1, keep_question=True, at=DAY1)
        await feedback.vote(answer_id, 10, False, guild_id=1, question=None, at=DAY2)
        await feedback.reason(answer_id, 10, "wrong-passage")
        report = (await build_report(feedback, 7, now=NOW)).to_dict()
    assert report["down_voted"][0]["reasons"] == {"wrong-passage": 1}


async def test_unanswered_questions_are_grouped_by_the_words_they_share() -> None:
    groups = group_questions(
        [
            "what is the tram fare in Leeds?",
            "how much are tram fares?",
            "who pays for trams?",
            "when does the museum open?",
            "the?",
        ]
    )
    assert [g.to_dict() for g in groups] == [
        {"words": ["tram"], "count": 3, "questions": [
            "what is the tram fare in Leeds?", "how much are tram fares?", "who pays for trams?"]},
        {"words": ["museum", "open"], "count": 1, "questions": ["when does the museum open?"]},
    ]  # fmt: skip


async def test_feedback_survives_a_schema_change_of_the_index(database: Path, seeds_dir: Path) -> None:
    (seeds_dir / "a.md").write_text("---\ntitle: Harbour\n---\n\nThe harbour budget grew.\n")
    async with Library.open(database=database, seeds_dir=seeds_dir) as lib:
        await lib.reindex()
    async with await Feedback.open(database) as feedback:
        ans, hits = answer("harbour budget?", [1])
        answer_id = feedback.record_answer(ans, hits, guild_id=1, user_id=7, keep_question=False)
        await feedback.vote(answer_id, 7, True, guild_id=1, question="q")
        salt = feedback.user_hash(7)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema_version'")
    async with Library.open(database=database, seeds_dir=seeds_dir) as lib:  # drops the index tables
        await lib.reindex()
    async with await Feedback.open(database) as feedback:
        assert await feedback.rows("SELECT count(*) FROM feedback_votes") == [(1,)]
        assert feedback.user_hash(7) == salt


async def test_answers_and_votes_never_wait_for_a_reindex_holding_the_write_lock(
    feedback: Feedback, database: Path
) -> None:
    ans, hits = answer("harbour budget?", [1])
    held = sqlite3.connect(database, isolation_level=None)
    held.execute("BEGIN IMMEDIATE")  # what a re-index does from its start to its end
    try:
        answer_id = feedback.record_answer(ans, hits, guild_id=1, user_id=7, keep_question=False)
        assert await feedback.vote(answer_id, 8, False, guild_id=1, question="q") is VoteResult.NEW
        assert await feedback.vote(answer_id, 8, True, guild_id=1, question="q") is VoteResult.CHANGED
        assert held.execute("SELECT count(*) FROM feedback_answers").fetchone() == (0,)  # queued
    finally:
        held.execute("COMMIT")
        held.close()
    await feedback.flush()
    assert await feedback.rows("SELECT vote FROM feedback_votes") == [(1,)]
    assert await feedback.rows("SELECT count(*) FROM feedback_passages") == [(1,)]

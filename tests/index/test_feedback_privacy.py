"""What `byline forget` removes, and where the key that salts people's hashes lives."""

import logging
import sqlite3
import stat
from pathlib import Path

import pytest

from index import Answer, Article, Hit
from index.feedback.keyfile import key_file
from index.feedback.votes import Feedback

ARTICLE = Article("a1", "Harbour budget", "Courier", None, "harbour.md")


def answer(question: str) -> tuple[Answer, list[Hit]]:
    hits = [Hit(1, 1.0, "The harbour budget grew.", 1, ARTICLE)]
    return Answer(question, hits, confident=True), hits


async def test_forget_removes_the_question_from_votes_others_made_on_the_answer(database: Path) -> None:
    async with await Feedback.open(database) as feedback:
        ans, hits = answer("what did my landlord pay?")
        mine = feedback.record_answer(ans, hits, guild_id=1, user_id=7, keep_question=True)
        await feedback.vote(mine, 8, True, guild_id=1, question="what did my landlord pay?")
        await feedback.vote(mine, 9, False, guild_id=1, question="what did my landlord pay?")
        await feedback.forget(7)
        assert await feedback.rows("SELECT count(*) FROM feedback_votes") == [(2,)]  # their votes stay
    dump = "\n".join(sqlite3.connect(database).iterdump())
    assert "landlord" not in dump


async def test_forget_leaves_the_questions_of_other_people(database: Path) -> None:
    async with await Feedback.open(database) as feedback:
        ans, hits = answer("tram fares?")
        theirs = feedback.record_answer(ans, hits, guild_id=1, user_id=9, keep_question=True)
        await feedback.vote(theirs, 7, True, guild_id=1, question="tram fares?")
        await feedback.forget(7)
        assert await feedback.rows("SELECT question FROM feedback_answers") == [("tram fares?",)]


async def test_the_salt_is_a_key_file_beside_the_database_not_in_it(database: Path) -> None:
    async with await Feedback.open(database) as feedback:
        first = feedback.user_hash(7)
    key = key_file(database)
    assert key.parent == database.parent
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM feedback_salt").fetchone() == (0,)
        salt = key.read_bytes()
        assert not any(salt in bytes(str(row), "latin-1") for row in db.iterdump())
    async with await Feedback.open(database) as again:
        assert again.user_hash(7) == first


async def test_a_salt_kept_in_the_database_is_moved_to_the_key_file(database: Path) -> None:
    async with await Feedback.open(database) as feedback:
        first = feedback.user_hash(7)
    old_salt = key_file(database).read_bytes()
    key_file(database).unlink()
    with sqlite3.connect(database) as db:  # a database as an older Byline left it
        db.execute("INSERT INTO feedback_salt(id, salt) VALUES (1, ?)", (old_salt,))
    async with await Feedback.open(database) as feedback:
        assert feedback.user_hash(7) == first
    assert key_file(database).read_bytes() == old_salt
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM feedback_salt").fetchone() == (0,)


async def test_a_missing_key_file_means_new_hashes_said_once_in_the_log(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with await Feedback.open(database) as feedback:
        first = feedback.user_hash(7)
    key_file(database).unlink()
    with caplog.at_level(logging.WARNING, logger="index.feedback.keyfile"):
        async with await Feedback.open(database) as feedback:
            assert feedback.user_hash(7) != first
        async with await Feedback.open(database):
            pass
    warnings = [r for r in caplog.records if r.name == "index.feedback.keyfile"]
    assert len(warnings) == 1
    assert str(key_file(database)) in warnings[0].getMessage()


async def test_a_linked_key_file_is_refused_not_followed(database: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "someone-elses"
    elsewhere.write_bytes(b"x" * 32)
    key_file(database).symlink_to(elsewhere)
    with pytest.raises(Exception, match="key file"):
        await Feedback.open(database)


async def test_forget_clears_question_text_votes_kept_on_answers_whose_asker_is_not_on_record(
    database: Path,
) -> None:
    async with await Feedback.open(database) as feedback:
        ans, hits = answer("what did my landlord pay?")
        unkept = feedback.record_answer(ans, hits, guild_id=1, user_id=7, keep_question=False)
        await feedback.vote(unkept, 8, True, guild_id=1, question="what did my landlord pay?")
        await feedback.forget(7)  # the asker cannot be told from the record: the text goes
        assert await feedback.rows("SELECT question FROM feedback_votes") == [(None,)]

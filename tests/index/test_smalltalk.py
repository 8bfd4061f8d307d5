"""index.text.smalltalk: chat is recognised, and chat around a question never changes its answer."""


import pytest

from index import Library
from index.text.smalltalk import is_smalltalk, without_padding

POLAND = "what is Poland's spending?"


@pytest.mark.parametrize(
    "message",
    ["thanks!", "hi", "Hello there 👋", "ok cool", "???", "lol", "thaaanks", "hahaha", "good bot", "help",
     "what can you do?", "testing 123", "bye!", "🙏🙏", "merci", "nvm sorry"],
)  # fmt: skip
def test_chat_alone_is_small_talk(message: str) -> None:
    assert is_smalltalk(message)


@pytest.mark.parametrize(
    "message",
    ["inflation?", "Hegseth", "who won the final", "thanks! and when does it open?", "lol ok but who paid",
     "how many jobs", "2024 budget", "hey, what is the strike about"],
)  # fmt: skip
def test_a_question_with_chat_around_it_is_a_question(message: str) -> None:
    assert not is_smalltalk(message)


@pytest.mark.parametrize(
    ("padded", "plain"),
    [
        ("hey Byline!! whats the uk defence budget lol", "whats the uk defence budget"),
        ("could you please explain the strike tbh", "could you the strike"),
        ("thx, who leads the party?", "who leads the party?"),
    ],
)
def test_padding_is_dropped_from_a_question(padded: str, plain: str) -> None:
    assert without_padding(padded) == plain


def test_a_name_written_with_a_capital_inside_a_question_is_kept() -> None:
    assert without_padding("is Great Britain in it") == "is Great Britain in it"


def test_a_message_of_padding_only_is_kept_whole() -> None:
    assert without_padding("lol") == "lol"


async def test_small_talk_gets_no_passages(seed_library: Library) -> None:
    answer = await seed_library.ask("thanks @Byline!")

    assert answer.kind == "smalltalk"
    assert (answer.hits, answer.answer, answer.confident) == ([], None, False)
    assert answer.to_dict()["kind"] == "smalltalk"


async def test_chat_around_a_question_does_not_change_its_answer(seed_library: Library) -> None:
    plain = await seed_library.ask(POLAND)
    padded = await seed_library.ask(f"hey byline!! {POLAND} lol tbh thx")

    assert padded.kind == "question"
    assert [h.text for h in padded.hits] == [h.text for h in plain.hits]
    assert padded.confidence == pytest.approx(plain.confidence)



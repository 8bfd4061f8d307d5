"""index.ingest.passages: sentence splitting, glued sub-headings, and cutting articles into passages."""

import pytest

from index.ingest.passages import segment, split_sentences
from index.ingest.readers import decode_article_bytes, parse_articles

from ..support import SEED_PAGE, Related, aggregator_page

# --- split_sentences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        "Mr Hegseth met Gen Nakatani in Tokyo.",
        "Mrs Smith and Dr Jones went to St Paul's.",
        "Mr. Smith met Mrs. Jones and Dr. Brown at St. Paul's.",
        "Gen. Milley spoke to Sen. Warren.",
        "It's forecast to spend 4.1 per cent of GDP.",
        "It would cost the UK an additional £17.3 billion.",
        "The book by J. K. Rowling sold well.",
        "George W. Bush spoke first.",
        "The U.S. and the U.K. agreed.",
    ],
)
def test_split_sentences_does_not_break_inside_a_sentence(first: str) -> None:
    assert split_sentences(f"{first} Then they left.") == [first, "Then they left."]


@pytest.mark.parametrize(
    "text",
    [
        "The talks ended. Then they left.",
        "Is it over? Then they left.",
        "It is over! Then they left.",
        "He said: 'We need more.' Then they left.",
        'He said: "We need more." Then they left.',
        "He said: “We need more.” Then they left.",
        "He said: ‘We need more.’ Then they left.",
        "Prices rose 3.5% in 2024. Then they left.",
    ],
)
def test_split_sentences_breaks_at_sentence_ends(text: str) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == 2
    assert sentences[1] == "Then they left."
    assert " ".join(sentences) == text


def test_split_sentences_breaks_before_a_sentence_starting_with_a_number() -> None:
    assert split_sentences("They met twice. 2024 was a busy year.") == [
        "They met twice.",
        "2024 was a busy year.",
    ]


def test_glued_sub_heading_is_left_out_of_the_text() -> None:
    text = "That's friends helping friends. Poland gears up Mr Hegseth came into this meeting with a demand."
    assert split_sentences(text) == [
        "That's friends helping friends.",
        "Mr Hegseth came into this meeting with a demand.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr Hegseth and Mr Nakatani also said they agreed on the need to improve Japan's defence posture.",
        "Prime Minister Sir Keir Starmer has promised to raise spending to three per cent.",
        "Lithuanian Defence Minister Dovilė Šakalienė warned of a premature Russian strike.",
        "Last week Tokyo launched Japan Joint Operations Command to co-ordinate its forces.",
        "Speaking ahead of a NATO meeting in Brussels, Hegseth emphasised the point.",
        "Sources close to Mr Hegseth said the talks went well.",
    ],
)
def test_ordinary_sentences_are_not_mistaken_for_glued_sub_headings(sentence: str) -> None:
    assert split_sentences(sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "Japanese officials welcomed Mr Hegseth to Tokyo on Sunday.",
        "Voters backed Mr Smith in the election last year.",
        "Residents thanked Dr Okafor for the new cable deal.",
    ],
)
def test_sentence_with_a_verb_before_a_title_keeps_its_first_words(sentence: str) -> None:
    assert split_sentences(sentence) == [sentence]


# --- segment -------------------------------------------------------------------------------------

LONG_PARAGRAPH = " ".join(
    f"Sentence number {i} talks about the harbour and the plant in some detail here." for i in range(30)
)


@pytest.fixture(scope="module")
def seed_passages() -> list[list[tuple[int, str]]]:
    return [
        [(p.paragraph, p.text) for p in segment(a.paragraphs)]
        for a in parse_articles(decode_article_bytes(SEED_PAGE.read_bytes()))
    ]


def test_forecast_sentence_is_never_separated_from_the_sentence_it_leans_on(
    seed_passages: list[list[tuple[int, str]]],
) -> None:
    nato = seed_passages[2]
    with_poland = [text for _, text in nato if "Poland was the top military spender" in text]
    assert with_poland
    for text in with_poland:
        assert "It's forecast to spend 4.1 per cent" in text


def test_forecast_sentence_never_starts_a_passage_without_the_sentence_before_it(
    seed_passages: list[list[tuple[int, str]]],
) -> None:
    nato = seed_passages[2]
    with_forecast = [text for _, text in nato if "It's forecast to spend 4.1 per cent" in text]
    assert with_forecast
    for text in with_forecast:
        assert "Poland was the top military spender" in text


def test_seed_glued_sub_heading_is_in_no_passage(seed_passages: list[list[tuple[int, str]]]) -> None:
    assert all("Poland gears up" not in text for article in seed_passages for _, text in article)


def test_seed_sentence_after_the_glued_sub_heading_starts_a_passage(
    seed_passages: list[list[tuple[int, str]]],
) -> None:
    sky = [text for _, text in seed_passages[3]]
    assert any(text.startswith("Mr Hegseth came into this meeting") for text in sky)


def test_paragraph_numbers_start_at_one_and_never_decrease(
    seed_passages: list[list[tuple[int, str]]],
) -> None:
    for article in seed_passages:
        numbers = [n for n, _ in article]
        assert numbers[0] == 1
        assert numbers == sorted(numbers)


def test_one_long_line_body_is_numbered_as_consecutive_paragraphs(
    seed_passages: list[list[tuple[int, str]]],
) -> None:
    for article in seed_passages[1:]:
        numbers = sorted({n for n, _ in article})
        assert len(numbers) > 1
        assert numbers == list(range(1, len(numbers) + 1))


def test_multi_paragraph_article_keeps_its_paragraph_numbers() -> None:
    passages = segment(["Intro paragraph.", "Middle paragraph.", "Last paragraph."])
    assert [(p.paragraph, p.text) for p in passages] == [
        (1, "Intro paragraph."),
        (2, "Middle paragraph."),
        (3, "Last paragraph."),
    ]


def test_long_paragraph_is_cut_into_passages_that_share_its_number() -> None:
    passages = segment(["Intro paragraph.", LONG_PARAGRAPH, "Last paragraph."])
    numbers = [p.paragraph for p in passages]
    assert numbers.count(2) > 1
    assert numbers == [1] + [2] * numbers.count(2) + [3]


def test_long_paragraph_passages_are_runs_of_its_sentences() -> None:
    middle = [p.text for p in segment(["Intro paragraph.", LONG_PARAGRAPH]) if p.paragraph == 2]
    assert all(text in LONG_PARAGRAPH for text in middle)


def test_long_paragraph_passages_stay_near_the_target_size() -> None:
    passages = segment(["Intro paragraph.", LONG_PARAGRAPH])
    assert all(len(p.text.split()) <= 110 for p in passages)


def test_every_sentence_of_a_single_long_paragraph_is_in_a_passage() -> None:
    texts = [p.text for p in segment([LONG_PARAGRAPH])]
    for sentence in split_sentences(LONG_PARAGRAPH):
        assert any(sentence in text for text in texts), sentence


def test_no_passage_of_the_seed_page_is_empty(seed_passages: list[list[tuple[int, str]]]) -> None:
    assert all(text.strip() for article in seed_passages for _, text in article)


def test_no_passage_of_a_written_page_is_empty() -> None:
    page = aggregator_page(
        "Harbour town votes for hydrogen plant",
        ["Residents approved the plant.", "1:30", "Work starts in spring."],
        [Related("Reuters", "3 hours ago", "Carbon slides", "2:45 Prices fell. 3:10 Traders sold.")],
    )
    for article in parse_articles(page):
        assert all(p.text.strip() for p in segment(article.paragraphs))

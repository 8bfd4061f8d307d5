"""Any question and any article text is safe: analysis, segmentation, reading and asking never
raise anything but our own user-facing errors, on arbitrary Unicode."""

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import MAX_QUESTION_CHARS, ArticleFormatError, Library, QuestionError
from index.ingest.passages import segment, split_sentences
from index.ingest.readers import decode_article_bytes, parse_articles
from index.text.analysis import Analyzer

ROOT = Path(__file__).resolve().parents[2]

# Text people type: any Unicode (control characters, right-to-left marks, emoji, combining
# marks), Discord markup, and words from the articles so that some questions do match.
DISCORD_MARKUP = st.sampled_from(
    ["@everyone", "@here", "<@123456789012345678>", "<#1>", "<@&2>", "**", "__", "||", "`", "```", "> ",
     "\u202e", "\u200f", "\u200b", "\x00", "\r\n", "🇵🇱", "👍🏽", "Poland's", "spending", "NATO", "5%",
     "£128bn"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=40), DISCORD_MARKUP), max_size=30).map(" ".join)


@pytest.fixture(scope="module")
def runner_and_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.Runner, Library]]:
    """One library for the whole module, driven from sync Hypothesis tests through a Runner."""
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    runner = asyncio.Runner()
    library = runner.run(Library.open(tmp / "fuzz.db", tmp / "seeds"))
    runner.run(library.reindex())
    yield runner, library
    runner.run(library.close())
    runner.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=TEXT)
def test_any_question_gets_an_answer_or_our_own_error(
    runner_and_library: tuple[asyncio.Runner, Library], question: str
) -> None:
    runner, library = runner_and_library
    try:
        answer = runner.run(library.ask(question, top_k=5))
    except QuestionError as error:
        assert error.message and "\n" not in error.message
        return
    payload = json.loads(json.dumps(answer.to_dict()))
    assert [hit["rank"] for hit in payload["hits"]] == list(range(1, len(payload["hits"]) + 1))
    # BM25's passages first (each shares a term); passages only meaning found may follow, at 0.
    assert all(hit["score"] >= 0 for hit in payload["hits"])
    assert not payload["hits"] or payload["hits"][0]["score"] > 0
    for hit in answer.hits:
        assert all(0 <= start < end <= len(hit.text) for start, end in hit.highlights)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filler=st.text(min_size=1, max_size=5))
def test_a_question_past_the_limit_is_refused_in_one_line(
    runner_and_library: tuple[asyncio.Runner, Library], filler: str
) -> None:
    runner, library = runner_and_library
    question = ("why " + filler) * (100_000 // (len(filler) + 4) + 1)
    if len(" ".join(question.split())) <= MAX_QUESTION_CHARS:
        return  # white space folded it short: not an over-long question
    with pytest.raises(QuestionError) as caught:
        runner.run(library.ask(question))
    assert "\n" not in caught.value.message


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_analysis_of_any_text_gives_clean_terms(text: str) -> None:
    analyzer = Analyzer()
    terms = analyzer.terms(text)
    assert all(term and not any(ch.isspace() for ch in term) for term in terms)
    assert analyzer.terms(text) == terms  # deterministic: passages and questions must agree
    assert isinstance(analyzer.names(text), set)


@settings(max_examples=200, deadline=None)
@given(paragraphs=st.lists(TEXT.filter(str.strip), min_size=1, max_size=6))
def test_segmenting_any_paragraphs_keeps_every_sentence_and_numbers_paragraphs(paragraphs: list[str]) -> None:
    passages = segment(paragraphs)
    assert all(p.paragraph >= 1 and p.first <= p.last for p in passages)
    assert [p.paragraph for p in passages] == sorted(p.paragraph for p in passages)
    assert all(isinstance(s, str) for paragraph in paragraphs for s in split_sentences(paragraph))


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_file_content_is_read_or_refused_with_a_reason(data: bytes) -> None:
    try:
        articles = parse_articles(decode_article_bytes(data))
    except ArticleFormatError as error:
        assert error.message and "\n" not in error.message
        return
    assert articles
    assert all(article.title.strip() and article.paragraphs for article in articles)

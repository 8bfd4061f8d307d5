"""index.library.Library: opening, asking, the answer's shape, and what the library lists."""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from index import (
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    Answer,
    IndexBusyError,
    Library,
    QuestionError,
)
from index.ingest.passages import split_sentences
from index.ingest.readers import decode_article_bytes, parse_articles
from index.store import schema

from ..support import (
    COLLECTION,
    NO_ANSWER_QUESTION,
    SEED_PAGE,
    assert_answer_shape,
    markdown_article,
    no_hits,
    write_collection,
)

SEED_QUESTION = "what is Poland's spending?"
TELESCOPE_QUESTION = "what will astronomers search for with the telescope?"


def write_article(seeds_dir: Path, name: str, title: str, paragraphs: list[str]) -> None:
    (seeds_dir / name).write_text(markdown_article(title, paragraphs), encoding="utf-8")


def move_away(folder: Path) -> None:
    folder.rename(folder.with_name(folder.name + "-moved-away"))
    assert not folder.exists()


# --- opening -------------------------------------------------------------------------------------


async def test_open_can_be_awaited_and_closed(database: Path, collection_seeds: Path) -> None:
    lib = await Library.open(database=database, seeds_dir=collection_seeds)
    try:
        await lib.reindex()
        assert (await lib.ask(TELESCOPE_QUESTION)).hits
    finally:
        await lib.close()


async def test_open_works_as_an_async_context_manager(database: Path, collection_seeds: Path) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
        assert (await lib.ask(TELESCOPE_QUESTION)).hits


async def test_open_creates_the_database_file_and_its_folder(tmp_path: Path, seeds_dir: Path) -> None:
    database = tmp_path / "new" / "folder" / "byline.db"
    async with Library.open(database=database, seeds_dir=seeds_dir):
        pass
    assert database.is_file()


async def test_reopened_library_answers_without_the_seeds_folder(
    database: Path, collection_seeds: Path
) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
        before = (await lib.ask(TELESCOPE_QUESTION)).to_dict()
    move_away(collection_seeds)
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert await lib.is_indexed()
        assert (await lib.ask(TELESCOPE_QUESTION)).to_dict() == before
    assert before["hits"]


async def test_reopened_library_does_not_reread_changed_seeds(database: Path, collection_seeds: Path) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
    (collection_seeds / "observatory.md").write_text(
        "# Replaced\n\nNothing about the sky.\n", encoding="utf-8"
    )
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert (await lib.ask(TELESCOPE_QUESTION)).hits


# --- asking --------------------------------------------------------------------------------------


async def test_seed_question_gets_hits(seed_library: Library) -> None:
    assert (await seed_library.ask(SEED_QUESTION)).hits


async def test_seed_question_first_hit_is_about_poland(seed_library: Library) -> None:
    answer = await seed_library.ask(SEED_QUESTION)
    assert "Poland" in answer.hits[0].text


async def test_seed_hits_carry_their_articles_metadata(seed_library: Library) -> None:
    parsed = {
        (a.title, a.outlet, a.published) for a in parse_articles(decode_article_bytes(SEED_PAGE.read_bytes()))
    }
    for hit in (await seed_library.ask(SEED_QUESTION)).hits:
        assert (hit.article.title, hit.article.outlet, hit.article.published) in parsed
        assert hit.article.source == SEED_PAGE.name
        assert hit.paragraph >= 1


async def test_seed_hit_from_a_related_article_names_its_outlet(seed_library: Library) -> None:
    outlets = {hit.article.outlet for hit in (await seed_library.ask(SEED_QUESTION)).hits}
    assert outlets & {"Daily Mirror", "Sky News"}


async def test_answer_to_dict_has_exactly_the_documented_keys_and_types(seed_library: Library) -> None:
    answer = (await seed_library.ask(SEED_QUESTION)).to_dict()
    assert answer["hits"]
    assert_answer_shape(answer)


async def test_answer_to_dict_round_trips_through_json(seed_library: Library) -> None:
    answer = (await seed_library.ask(SEED_QUESTION)).to_dict()
    assert json.loads(json.dumps(answer)) == answer


async def test_answer_to_dict_keeps_the_question(seed_library: Library) -> None:
    assert (await seed_library.ask(SEED_QUESTION)).to_dict()["question"] == SEED_QUESTION


async def test_hits_are_ranked_from_one_with_positive_scores(seed_library: Library) -> None:
    """Re-ordering decides the ranks; a hit's score stays its BM25 score, so the scores need not
    fall with the rank (README, "How it works")."""
    hits = (await seed_library.ask(SEED_QUESTION, top_k=10)).hits
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.score > 0 for h in hits)


async def test_no_sentence_appears_in_two_hits_of_one_answer(seed_library: Library) -> None:
    seen: set[tuple[str, str]] = set()
    for hit in (await seed_library.ask(SEED_QUESTION, top_k=10)).hits:
        for sentence in split_sentences(hit.text):
            assert (hit.article.id, sentence) not in seen, sentence
            seen.add((hit.article.id, sentence))


async def test_answer_comes_from_the_article_that_holds_it(collection_library: Library) -> None:
    hits = (await collection_library.ask(TELESCOPE_QUESTION)).hits
    assert hits[0].article.source == "observatory.md"
    assert "comets" in hits[0].text


async def test_collection_hit_carries_front_matter_metadata(collection_library: Library) -> None:
    hit = (await collection_library.ask(TELESCOPE_QUESTION)).hits[0]
    observatory = COLLECTION["observatory.md"]
    assert (hit.article.title, hit.article.outlet, hit.article.published) == (
        observatory["title"],
        observatory["outlet"],
        observatory["published"],
    )


async def test_hit_paragraph_is_the_paragraph_holding_the_text(collection_library: Library) -> None:
    hit = (await collection_library.ask(TELESCOPE_QUESTION)).hits[0]
    paragraphs = COLLECTION["observatory.md"]["paragraphs"]
    assert paragraphs[hit.paragraph - 1] == hit.text


@pytest.mark.parametrize("recase", [str.upper, str.title, str.capitalize], ids=["upper", "title", "first"])
async def test_capitalising_a_question_does_not_change_its_hits(
    collection_library: Library, recase: Callable[[str], str]
) -> None:
    for question in (TELESCOPE_QUESTION, "how many jobs will the hydrogen plant create?"):
        lower = (await collection_library.ask(question)).to_dict()["hits"]
        assert lower
        assert (await collection_library.ask(recase(question))).to_dict()["hits"] == lower


async def test_question_with_no_matching_terms_has_no_hits(collection_library: Library) -> None:
    answer = await collection_library.ask(NO_ANSWER_QUESTION)
    assert answer.hits == []
    assert answer.to_dict() == no_hits(NO_ANSWER_QUESTION)


async def test_question_of_only_stop_words_has_no_hits(collection_library: Library) -> None:
    assert (await collection_library.ask("what is it that they were doing?")).hits == []


async def test_unindexed_library_answers_with_no_hits(library: Library) -> None:
    assert (await library.ask(TELESCOPE_QUESTION)).hits == []


@pytest.mark.parametrize("question", ["", "   ", "\n\t "], ids=["empty", "spaces", "whitespace"])
async def test_empty_question_raises_question_error(collection_library: Library, question: str) -> None:
    with pytest.raises(QuestionError):
        await collection_library.ask(question)


async def test_over_long_question_raises_question_error(collection_library: Library) -> None:
    with pytest.raises(QuestionError, match=f"{MAX_QUESTION_CHARS:,}"):
        await collection_library.ask("telescope " * (MAX_QUESTION_CHARS // 10 + 1))


async def test_question_at_the_length_limit_is_answered(collection_library: Library) -> None:
    question = "telescope " * (MAX_QUESTION_CHARS // 10 - 1) + "telescopes"
    assert len(question) == MAX_QUESTION_CHARS
    assert isinstance(await collection_library.ask(question), Answer)


async def test_surrounding_whitespace_does_not_count_towards_the_length(collection_library: Library) -> None:
    question = " " * (2 * MAX_QUESTION_CHARS) + "telescope"
    assert (await collection_library.ask(question)).question == "telescope"


@pytest.mark.parametrize("top_k", [1, 2, 3])
async def test_top_k_limits_the_hits(seed_library: Library, top_k: int) -> None:
    assert len((await seed_library.ask(SEED_QUESTION, top_k=top_k)).hits) == top_k


async def test_smaller_top_k_gives_the_first_hits_of_a_larger_one(seed_library: Library) -> None:
    few = (await seed_library.ask(SEED_QUESTION, top_k=2)).to_dict()["hits"]
    many = (await seed_library.ask(SEED_QUESTION, top_k=5)).to_dict()["hits"]
    assert few == many[:2]


@pytest.mark.parametrize("top_k", [0, -1, MAX_TOP_K + 1])
async def test_top_k_out_of_range_raises_question_error(collection_library: Library, top_k: int) -> None:
    with pytest.raises(QuestionError):
        await collection_library.ask(TELESCOPE_QUESTION, top_k=top_k)


# --- what is indexed -----------------------------------------------------------------------------


async def test_articles_lists_every_indexed_article_with_its_metadata(collection_library: Library) -> None:
    listed = {
        s.article.source: (s.article.title, s.article.outlet, s.article.published)
        for s in await collection_library.articles()
    }
    assert listed == {name: (a["title"], a["outlet"], a["published"]) for name, a in COLLECTION.items()}


async def test_articles_count_their_passages(collection_library: Library) -> None:
    counts = {s.article.source: s.passages for s in await collection_library.articles()}
    assert counts == {name: len(a["paragraphs"]) for name, a in COLLECTION.items()}


async def test_source_summary_to_dict_has_the_documented_keys(collection_library: Library) -> None:
    for summary in await collection_library.articles():
        assert set(summary.to_dict()) == {
            *("id", "title", "outlet", "published", "published_at", "published_estimated"),
            *("url", "source", "passages"),
        }


async def test_seed_page_articles_keep_their_order_in_the_file(seed_library: Library) -> None:
    titles = [s.article.title for s in await seed_library.articles()]
    assert titles == [a.title for a in parse_articles(decode_article_bytes(SEED_PAGE.read_bytes()))]


async def test_article_ids_differ_between_articles(seed_library: Library) -> None:
    ids = [s.article.id for s in await seed_library.articles()]
    assert len(set(ids)) == len(ids) == 4


async def test_articles_read_one_page_at_a_time(seed_library: Library) -> None:
    every = await seed_library.articles()
    assert await seed_library.article_count() == len(every) == 4
    assert await seed_library.articles(1, 2) == every[1:3]
    assert await seed_library.articles(3, 10) == every[3:]
    assert await seed_library.articles(4, 10) == []


async def test_a_reindex_while_another_program_writes_the_database_is_told_busy(
    collection_library: Library, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(database, isolation_level=None)  # `byline reindex` beside the bot
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(IndexBusyError, match="Another re-index of this database is running"):
            await collection_library.reindex()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (await collection_library.reindex()).unchanged == len(COLLECTION)


async def test_a_database_opens_and_answers_while_another_program_holds_its_write_lock(
    collection_library: Library, database: Path, collection_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(database, isolation_level=None)  # a long re-index beside the bot
    other.execute("BEGIN IMMEDIATE")
    try:
        async with Library.open(database=database, seeds_dir=collection_seeds) as restarted:
            assert (await restarted.ask(TELESCOPE_QUESTION)).hits
            with pytest.raises(IndexBusyError):
                await restarted.reindex()
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_the_best_sentence_counts_what_only_words_read_together_say(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)  # other articles, so that the terms weigh something
    paragraph = "Food prices were steady across the region all spring. Fuel prices went 5% higher in March."
    write_article(seeds_dir, "prices.md", "Prices", [paragraph])
    await library.reindex()
    [hit, *_] = (await library.ask("prices in percent")).hits
    assert hit.sentence is not None
    assert hit.text[hit.sentence[0] : hit.sentence[1]] == "Fuel prices went 5% higher in March."


async def test_a_database_path_with_uri_characters_answers(tmp_path: Path, collection_seeds: Path) -> None:
    folder = tmp_path / "news #1? 100% sure"
    folder.mkdir()
    async with Library.open(database=folder / "byline.db", seeds_dir=collection_seeds) as lib:
        await lib.reindex()
        assert (await lib.ask(TELESCOPE_QUESTION)).hits


async def test_a_verb_the_articles_only_write_as_a_surname_does_not_have_to_be_mentioned(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    rover = "The rover was lost, said Jeremy Fix, chief engineer at the lunar firm."
    navy = "The ministers agreed to speed up the maintenance of warships at the naval yard."
    write_article(seeds_dir, "rover.md", "Rover lost", [rover])
    write_article(seeds_dir, "navy.md", "Navy deal", [navy])
    await library.reindex()
    # "fix" is a name wherever the articles write it, yet "fixing" in a question is a verb.
    [hit, *_] = (await library.ask("what did they agree about fixing warships?")).hits
    assert hit.text == navy
    assert hit.article.title == "Navy deal"


async def test_answer_words_reorder_what_the_question_finds_but_find_nothing_themselves(
    database: Path, seeds_dir: Path
) -> None:
    """What BM25 finds: the semantic layer is off here, as it may add the ferry passage by
    meaning (it is embedded with its article's title, "Bridge opens")."""
    write_collection(seeds_dir)
    opened = "The new bridge over the estuary opened to traffic on Monday after a ceremony."
    length = "At 12 kilometres, the bridge is now the longest crossing of its kind in Europe."
    ferry = "Building the ferry terminal took six years and needed many kilometres of cable."
    write_article(seeds_dir, "bridge.md", "Bridge opens", [opened, length, ferry])
    async with Library.open(database, seeds_dir, semantic=False) as library:
        await library.reindex()
        hits = (await library.ask("how long is the bridge?")).hits
    assert hits[0].text == length  # "kilometres" answers "how long"
    assert ferry not in {hit.text for hit in hits}  # years and kilometres, but no bridge


async def test_a_word_the_articles_lack_is_matched_by_another_form_of_it(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    stadium = "The owner plans to expand the stadium from 24,000 seats to 33,500 within three years."
    pitch = "The club's pitch was relaid in the summer after a wet winter left it in poor shape."
    write_article(seeds_dir, "club.md", "Club sold", [stadium, pitch])
    await library.reindex()
    question = "how many seats after the expansion?"  # the article says "expand", never "expansion"
    [hit, *_] = (await library.ask(question)).hits
    assert hit.text == stadium
    assert "expand" in {hit.text[start:end] for start, end in hit.highlights}


async def test_another_form_is_looked_for_only_when_the_articles_lack_the_word(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    election = "Voters elected a new council on Thursday, with turnout of 41 per cent."
    power = "The council said electricity prices would rise by 8 per cent next year."
    write_article(seeds_dir, "council.md", "Council vote", [election, power])
    await library.reindex()
    hits = (await library.ask("who was elected to the council?")).hits
    assert hits[0].text == election
    # "electricity" would stand in for "elected": the other passage is shown for "council" alone.
    assert {hit.text[start:end] for hit in hits[1:] for start, end in hit.highlights} == {"council"}


@pytest.mark.parametrize(
    ("passage", "question"),
    [
        # "police" is the term "polic", "policy" the term "polici": neither stands in for the other.
        (
            "The council's new parking policy starts next month, with higher charges.",
            "what did police say about parking?",
        ),
        (
            "Police said the parking fines in the centre would double from next month.",
            "what is the parking policy?",
        ),
    ],
)
async def test_a_term_of_five_letters_neither_has_nor_is_another_form(
    library: Library, seeds_dir: Path, passage: str, question: str
) -> None:
    write_collection(seeds_dir)
    write_article(seeds_dir, "parking.md", "Parking", [passage])
    await library.reindex()
    answer = await library.ask(question)
    # "parking" alone is not what the question asks: far less sure than of the passage's own words.
    whole = await library.ask(passage)
    assert whole.confident and answer.confidence < whole.confidence - 0.3
    assert all(hit.text[start:end] == "parking" for hit in answer.hits for start, end in hit.highlights)

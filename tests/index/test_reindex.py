"""Library.reindex and index.ingest.scan: what changed in the seeds folder, what was skipped, and why."""

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from index import BylineError, IndexBusyError, Library
from index import snapshot as snapshot_module
from index.ingest import reindex as indexer
from index.ingest import runner
from index.ingest.readers import MAX_FILE_BYTES

from ..support import COLLECTION, article_text, markdown_article, write_collection

TELESCOPE_QUESTION = "what will astronomers search for with the telescope?"
CIDER_QUESTION = "what happened to the cider orchards?"


def rewrite(path: Path, text: str) -> None:
    """Write new content and move the modification time clearly forward."""
    later = path.stat().st_mtime_ns + 2_000_000_000
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(later, later))


def add_a_line_to_every_file(folder: Path) -> None:
    for path in folder.glob("*.md"):
        rewrite(path, path.read_text(encoding="utf-8") + "\n\nA closing line.\n")


async def sources(lib: Library) -> list[str]:
    return sorted({s.article.source for s in await lib.articles()})


async def snapshot(lib: Library) -> tuple:
    """Everything a user can see of the index: counts, articles and some answers."""
    return (
        await lib.stats(),
        [s.to_dict() for s in await lib.articles()],
        (await lib.ask(TELESCOPE_QUESTION)).to_dict(),
        (await lib.ask(CIDER_QUESTION)).to_dict(),
    )


@pytest.fixture(autouse=True, params=["thread", "process"])
def where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs twice: re-indexing in a worker thread (a small archive) and in a
    process of its own (a large one), which must behave the same."""
    if request.param == "process":
        monkeypatch.setattr(runner, "PROCESS_MIN_PASSAGES", 0)
    return request.param


async def test_a_large_archive_is_reindexed_in_a_process_of_its_own(
    where: str, library: Library, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "process":

        def not_here(*args: object) -> None:
            raise AssertionError("re-indexed in the calling process")

        monkeypatch.setattr(indexer, "reindex", not_here)
    write_collection(seeds_dir)
    assert (await library.reindex()).added == len(COLLECTION)
    assert (await library.ask(TELESCOPE_QUESTION)).hits


async def test_a_folder_holding_a_large_file_is_reindexed_in_a_process_of_its_own(
    library: Library, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line of megabytes would hold the GIL of the program asking (a bot) for one pattern's pass."""

    def not_here(*args: object) -> None:
        raise AssertionError("re-indexed in the calling process")

    monkeypatch.setattr(indexer, "reindex", not_here)
    monkeypatch.setattr(runner, "PROCESS_MIN_FILE_BYTES", 20_000)
    write_collection(seeds_dir)
    (seeds_dir / "long.md").write_text("# Long line\n\n" + "the pilots walked out over rosters " * 600)
    assert (await library.reindex()).added == len(COLLECTION) + 1
    assert runner.has_file_of(seeds_dir, 20_000) and not runner.has_file_of(seeds_dir, 30_000)


def test_a_folder_of_many_files_is_large_however_few_passages(seeds_dir: Path) -> None:
    for i in range(5):
        (seeds_dir / "sub").mkdir(exist_ok=True)
        (seeds_dir / "sub" / f"{i}.md").write_text("x", encoding="utf-8")
    assert runner.has_files(seeds_dir, 5)
    assert not runner.has_files(seeds_dir, 6)


# --- counting changes ----------------------------------------------------------------------------


async def test_first_reindex_counts_every_file_as_added(library: Library, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    report = await library.reindex()
    assert (report.added, report.updated, report.removed, report.unchanged) == (len(COLLECTION), 0, 0, 0)
    assert report.articles == len(COLLECTION)
    assert report.passages == sum(s.passages for s in await library.articles())
    assert report.skipped == []


async def test_second_reindex_counts_every_file_as_unchanged(collection_library: Library) -> None:
    report = await collection_library.reindex()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, len(COLLECTION))
    assert report.articles == len(COLLECTION)


async def test_file_with_same_size_and_mtime_is_not_read_again(
    collection_library: Library, collection_seeds: Path
) -> None:
    path = collection_seeds / "observatory.md"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace("comets", "lemurs")
    assert changed != text and len(changed.encode()) == stat.st_size
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    report = await collection_library.reindex()

    assert (report.unchanged, report.updated) == (len(COLLECTION), 0)
    assert any("comets" in h.text for h in (await collection_library.ask("comets")).hits)
    assert (await collection_library.ask("lemurs")).hits == []


async def test_changed_file_counts_as_updated(collection_library: Library, collection_seeds: Path) -> None:
    path = collection_seeds / "observatory.md"
    rewrite(path, path.read_text(encoding="utf-8") + "\nA planetarium dome will follow in winter.\n")
    report = await collection_library.reindex()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, len(COLLECTION) - 1)


async def test_changed_file_answers_with_its_new_text(
    collection_library: Library, collection_seeds: Path
) -> None:
    path = collection_seeds / "observatory.md"
    rewrite(path, path.read_text(encoding="utf-8").replace("comets", "asteroids"))
    await collection_library.reindex()
    assert any("asteroids" in h.text for h in (await collection_library.ask("asteroids")).hits)
    assert (await collection_library.ask("comets")).hits == []


async def test_updated_file_keeps_its_article_id(collection_library: Library, collection_seeds: Path) -> None:
    before = {s.article.source: s.article.id for s in await collection_library.articles()}
    path = collection_seeds / "observatory.md"
    rewrite(path, path.read_text(encoding="utf-8").replace("comets", "asteroids"))
    await collection_library.reindex()
    after = {s.article.source: s.article.id for s in await collection_library.articles()}
    assert after == before


async def test_removed_file_counts_as_removed(collection_library: Library, collection_seeds: Path) -> None:
    (collection_seeds / "orchard.md").unlink()
    report = await collection_library.reindex()
    assert (report.removed, report.unchanged, report.articles) == (
        1,
        len(COLLECTION) - 1,
        len(COLLECTION) - 1,
    )


async def test_removed_file_no_longer_answers(collection_library: Library, collection_seeds: Path) -> None:
    assert (await collection_library.ask(CIDER_QUESTION)).hits
    (collection_seeds / "orchard.md").unlink()
    await collection_library.reindex()
    assert (await collection_library.ask(CIDER_QUESTION)).hits == []
    assert "orchard.md" not in await sources(collection_library)


async def test_touched_file_with_the_same_content_is_unchanged(
    collection_library: Library, collection_seeds: Path
) -> None:
    path = collection_seeds / "lighthouse.md"
    rewrite(path, path.read_text(encoding="utf-8"))
    report = await collection_library.reindex()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, len(COLLECTION))


async def test_new_file_is_added_next_to_the_indexed_ones(
    collection_library: Library, collection_seeds: Path
) -> None:
    (collection_seeds / "ferry.md").write_text(
        markdown_article("Ferry strike", ["Ferry crews walked out over rotas.", "Sailings were cancelled."]),
        encoding="utf-8",
    )
    report = await collection_library.reindex()
    assert (report.added, report.unchanged, report.articles) == (1, len(COLLECTION), len(COLLECTION) + 1)
    assert (await collection_library.ask("why did ferry crews walk out?")).hits


async def test_files_in_sub_folders_are_indexed_with_their_relative_path(
    library: Library, seeds_dir: Path
) -> None:
    (seeds_dir / "science").mkdir()
    (seeds_dir / "science" / "observatory.md").write_text(article_text(COLLECTION["observatory.md"]))
    await library.reindex()
    assert await sources(library) == ["science/observatory.md"]
    assert (await library.ask(TELESCOPE_QUESTION)).hits[0].article.source == "science/observatory.md"


async def test_hidden_files_and_folders_are_ignored(library: Library, seeds_dir: Path) -> None:
    write_collection(seeds_dir, ["orchard.md"])
    (seeds_dir / ".draft.md").write_text(article_text(COLLECTION["observatory.md"]))
    (seeds_dir / ".git").mkdir()
    (seeds_dir / ".git" / "notes.md").write_text(article_text(COLLECTION["lighthouse.md"]))
    report = await library.reindex()
    assert (report.added, report.skipped) == (1, [])
    assert await sources(library) == ["orchard.md"]


# --- files that are skipped ----------------------------------------------------------------------


def make_binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def make_latin1(path: Path) -> None:
    path.write_bytes("Café crème\n\nUn article écrit en Latin-1.\n".encode("latin-1"))


def make_empty(path: Path) -> None:
    path.write_bytes(b"")


def make_heading_only(path: Path) -> None:
    path.write_text("# Only a heading\n", encoding="utf-8")


BAD_FILES = [
    ("image.txt", make_binary, "binary"),
    ("latin1.txt", make_latin1, "UTF-8"),
    ("empty.md", make_empty, "empty"),
    ("heading.md", make_heading_only, "no article"),
    ("report.pdf", make_binary, ".pdf"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_bad_file_is_skipped_with_its_reason(
    library: Library, seeds_dir: Path, name: str, make: Callable[[Path], None], reason: str
) -> None:
    write_collection(seeds_dir)
    make(seeds_dir / name)
    report = await library.reindex()
    assert [s.source for s in report.skipped] == [name]
    assert reason in report.skipped[0].reason


async def test_good_files_are_indexed_next_to_bad_ones(library: Library, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    for name, make, _ in BAD_FILES:
        make(seeds_dir / name)
    report = await library.reindex()
    assert (report.added, report.articles) == (len(COLLECTION), len(COLLECTION))
    assert sorted(s.source for s in report.skipped) == sorted(name for name, _, _ in BAD_FILES)
    assert (await library.ask(TELESCOPE_QUESTION)).hits


async def test_a_date_or_time_that_cannot_be_represented_stops_nothing(
    library: Library, seeds_dir: Path
) -> None:
    """"9999 years ago" (OverflowError) and a modification time past 2262 (too large for SQLite's
    INTEGER) each stopped the whole re-index with a traceback."""
    write_collection(seeds_dir)
    (seeds_dir / "ancient.md").write_text("---\ntitle: Ancient\npublished: 9999 years ago\n---\n\nText.\n")
    future = seeds_dir / "future.md"
    future.write_text("---\ntitle: Future\npublished: 2 days ago\n---\n\nFerries return.\n")
    os.utime(future, ns=(time.time_ns(), 99_999_999_999 * 10**9))
    report = await library.reindex()
    assert (report.added, report.skipped) == (len(COLLECTION) + 2, [])
    dates = {s.article.title: s.article.published_at for s in await library.articles()}
    assert dates["Ancient"] is None and dates["Future"] is None
    assert (await library.ask("ferries return")).hits[0].article.title == "Future"
    again = await library.reindex()
    assert (again.unchanged, again.updated) == (len(COLLECTION) + 2, 0)  # not read again


async def test_file_over_the_size_limit_is_skipped_as_too_large(library: Library, seeds_dir: Path) -> None:
    with (seeds_dir / "huge.txt").open("wb") as huge:
        huge.truncate(MAX_FILE_BYTES + 1)
    report = await library.reindex()
    assert [(s.source, "too large" in s.reason) for s in report.skipped] == [("huge.txt", True)]


async def test_link_to_a_file_outside_the_seeds_folder_is_skipped(
    library: Library, seeds_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "private.md"
    outside.write_text(article_text(COLLECTION["observatory.md"]), encoding="utf-8")
    (seeds_dir / "link.md").symlink_to(outside)
    report = await library.reindex()
    assert [s.source for s in report.skipped] == ["link.md"]
    assert "outside" in report.skipped[0].reason
    assert (await library.ask(TELESCOPE_QUESTION)).hits == []


async def test_previously_good_file_that_turns_binary_keeps_its_indexed_version(
    collection_library: Library, collection_seeds: Path
) -> None:
    before = (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()
    path = collection_seeds / "observatory.md"
    make_binary(path)
    os.utime(path, ns=(path.stat().st_mtime_ns + 2_000_000_000,) * 2)
    report = await collection_library.reindex()
    assert (report.removed, report.updated, report.articles) == (0, 0, len(COLLECTION))
    assert [s.source for s in report.skipped] == ["observatory.md"]
    assert "previous version" in report.skipped[0].reason
    assert (await collection_library.ask(TELESCOPE_QUESTION)).to_dict() == before


# --- failures ------------------------------------------------------------------------------------

EXPLODING_TRIGGER = """
CREATE TRIGGER fail BEFORE INSERT ON passages WHEN NEW.text LIKE '%EXPLODE%'
BEGIN SELECT RAISE(ABORT, 'boom'); END;
"""


async def test_failed_reindex_leaves_the_previous_index_whole(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    before = await snapshot(collection_library)
    with sqlite3.connect(database) as db:
        db.executescript(EXPLODING_TRIGGER)
    (collection_seeds / "ferry.md").write_text(
        markdown_article("Ferry strike", ["Ferry crews walked out over rotas."]), encoding="utf-8"
    )
    (collection_seeds / "bomb.md").write_text(
        markdown_article("Bomb", ["This paragraph will EXPLODE on insert."]), encoding="utf-8"
    )
    rewrite(collection_seeds / "observatory.md", "# Replaced\n\nNothing about the sky any more.\n")
    (collection_seeds / "orchard.md").unlink()

    with pytest.raises((sqlite3.Error, BylineError)):
        await collection_library.reindex()

    assert await snapshot(collection_library) == before
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM passages WHERE text LIKE '%Ferry%'").fetchone() == (0,)


async def test_failed_reindex_leaves_the_previous_index_whole_after_reopening(
    database: Path, collection_seeds: Path
) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
        before = await snapshot(lib)
        with sqlite3.connect(database) as db:
            db.executescript(EXPLODING_TRIGGER)
        (collection_seeds / "bomb.md").write_text(
            markdown_article("Bomb", ["This paragraph will EXPLODE on insert."]), encoding="utf-8"
        )
        (collection_seeds / "orchard.md").unlink()
        with pytest.raises((sqlite3.Error, BylineError)):
            await lib.reindex()
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert await snapshot(lib) == before


async def test_reindex_report_to_dict_has_the_documented_keys_and_types(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    make_binary(seeds_dir / "image.txt")
    report = (await library.reindex()).to_dict()
    assert set(report) == {
        "added", "updated", "removed", "unchanged", "articles", "passages", "skipped", "seconds",
        "embedded", "embedding_seconds", "embedding_left",
    }  # fmt: skip
    for key in ("added", "updated", "removed", "unchanged", "articles", "passages", "embedded"):
        assert type(report[key]) is int, key
    assert type(report["embedding_left"]) is int
    assert isinstance(report["seconds"], float) and report["seconds"] >= 0
    assert isinstance(report["embedding_seconds"], float) and report["embedding_seconds"] >= 0
    assert report["skipped"] == [{"source": "image.txt", "reason": report["skipped"][0]["reason"]}]
    assert isinstance(report["skipped"][0]["reason"], str) and report["skipped"][0]["reason"]


async def test_missing_seeds_folder_is_an_error_naming_the_setting(database: Path, tmp_path: Path) -> None:
    async with Library.open(database=database, seeds_dir=tmp_path / "nowhere") as lib:
        with pytest.raises(BylineError, match="BYLINE_SEEDS_DIR"):
            await lib.reindex()


async def test_second_concurrent_reindex_raises_index_busy(library: Library, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    first = asyncio.create_task(library.reindex())
    for _ in range(100):
        if library.reindexing:
            break
        await asyncio.sleep(0)
    assert library.reindexing
    with pytest.raises(IndexBusyError):
        await library.reindex()
    assert (await first).added == len(COLLECTION)


async def test_reindex_after_a_finished_one_is_not_busy(collection_library: Library) -> None:
    assert not collection_library.reindexing
    assert (await collection_library.reindex()).unchanged == len(COLLECTION)


# --- small collections ---------------------------------------------------------------------------


async def test_folder_with_one_short_article_answers_a_question_about_it(
    library: Library, seeds_dir: Path
) -> None:
    write_collection(seeds_dir, ["hydrogen.md"])
    await library.reindex()
    hits = (await library.ask("how many jobs will the plant create?")).hits
    assert hits
    assert "400 jobs" in hits[0].text


async def test_folder_with_one_short_plain_text_article_answers_a_question_about_it(
    library: Library, seeds_dir: Path
) -> None:
    (seeds_dir / "orchard.txt").write_text(
        "Frost ruins cider orchards\n"
        "A late frost destroyed most of the apple blossom this week.\n"
        "Growers expect the harvest to fall by half.\n"
        "Insurers said claims from farmers had tripled since Monday.\n",
        encoding="utf-8",
    )
    await library.reindex()
    hits = (await library.ask("what do insurers say about the claims?")).hits
    assert hits and "tripled" in hits[0].text


async def test_a_question_between_the_commit_and_the_new_index_gets_a_whole_answer(
    collection_library: Library, collection_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a re-index commits, the passages it replaced are gone from SQLite while the previous
    index still names them, until the new index is in place: a question then must not come back
    short of its passages."""
    before = (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()
    add_a_line_to_every_file(collection_seeds)  # every passage is replaced
    committed = threading.Event()
    running = runner.run

    def slow_after_commit(*args: Any) -> object:
        result = running(*args)
        committed.set()
        time.sleep(0.5)  # before the re-index puts its index in place
        return result

    monkeypatch.setattr(runner, "run", slow_after_commit)
    reindex = asyncio.create_task(collection_library.reindex())
    answers, in_window = [], 0
    while not reindex.done():
        answers.append((await collection_library.ask(TELESCOPE_QUESTION)).to_dict())
        in_window += committed.is_set()  # answered after the commit
        await asyncio.sleep(0.01)
    await reindex
    after = (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()
    assert before != after and before["hits"]
    assert in_window and all(answer in (before, after) for answer in answers)


async def test_an_index_another_program_committed_is_answered_from(
    database: Path, collection_seeds: Path
) -> None:
    """`byline reindex` run beside the bot replaces the passages the bot's index names."""
    async with Library.open(database=database, seeds_dir=collection_seeds) as bot:
        await bot.reindex()
        before = (await bot.ask(TELESCOPE_QUESTION)).to_dict()
        add_a_line_to_every_file(collection_seeds)  # every passage is replaced
        async with Library.open(database=database, seeds_dir=collection_seeds) as other:
            await other.reindex()
            expected = (await other.ask(TELESCOPE_QUESTION)).to_dict()
        assert (await bot.ask(TELESCOPE_QUESTION)).to_dict() == expected != before


async def test_a_reindex_through_a_link_to_the_database_is_answered_from(
    database: Path,
    collection_seeds: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`byline reindex --database link.db` wrote its index beside the link, where a bot opened on
    the file never looked: it warned on every question and lacked the change until a restart."""
    monkeypatch.setattr(snapshot_module, "LOOK_EVERY", 0.0)
    link = tmp_path / "link.db"
    link.symlink_to(database)
    async with Library.open(database=database, seeds_dir=collection_seeds) as bot:
        await bot.reindex()
        (collection_seeds / "ferry.md").write_text(
            markdown_article("Ferry strike", ["Ferry crews walked out over rotas."]), encoding="utf-8"
        )
        async with Library.open(database=link, seeds_dir=collection_seeds) as other:
            assert other.store.path == str(database)
            assert (await other.reindex()).added == 1
        with caplog.at_level(logging.WARNING):
            hits = (await bot.ask("ferry crews rotas")).hits
    assert hits and hits[0].article.title == "Ferry strike"
    assert not caplog.records
    assert _index_folders(tmp_path) == [f"{database.name}.index"]  # none beside the link


def _index_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".index"))


async def test_articles_another_program_added_are_found(
    database: Path, collection_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_module, "LOOK_EVERY", 0.0)
    async with Library.open(database=database, seeds_dir=collection_seeds) as bot:
        await bot.reindex()
        assert (await bot.ask("ferry crews rotas")).hits == []
        (collection_seeds / "ferry.md").write_text(
            markdown_article("Ferry strike", ["Ferry crews walked out over rotas."]), encoding="utf-8"
        )
        async with Library.open(database=database, seeds_dir=collection_seeds) as other:
            assert (await other.reindex()).added == 1
        hits = (await bot.ask("ferry crews rotas")).hits
        assert hits and hits[0].article.title == "Ferry strike"


async def test_questions_filling_the_worker_threads_after_a_commit_do_not_stall_the_reindex(
    collection_library: Library, collection_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Questions that find their passages replaced must not wait for the re-index to put its
    index in place: it needs a worker thread too, and they could hold every one."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=3))
    add_a_line_to_every_file(collection_seeds)  # every passage is replaced
    committed = asyncio.Event()
    running = runner.run

    def slow_after_commit(*args: Any) -> object:
        result = running(*args)
        loop.call_soon_threadsafe(committed.set)
        time.sleep(0.3)  # questions fill the worker threads meanwhile
        return result

    monkeypatch.setattr(runner, "run", slow_after_commit)
    reindex = asyncio.create_task(collection_library.reindex())
    await committed.wait()
    asks = [collection_library.ask(TELESCOPE_QUESTION) for _ in range(8)]
    answers = await asyncio.wait_for(asyncio.gather(*asks), 20)
    await asyncio.wait_for(reindex, 20)
    after = (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()
    assert after["hits"] and all(answer.to_dict() == after for answer in answers)

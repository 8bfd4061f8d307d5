"""The semantic layer (index/semantic/): the shipped model checked before it runs, vectors made
for new passages only and tied to the model, and passages found by meaning."""

import asyncio
import logging
import shutil
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest

from index import Library
from index.errors import InstallError
from index.semantic import layer as semantic_layer
from index.semantic import model as semantic_model
from index.semantic.vectors import embedded_text
from index.store.health import check

from ..support import markdown_article, write_collection

BRAKES = "Volkswagen is calling back 40,000 cars because their brakes can fail."
MAYOR = "The recall of the mayor failed in a vote on Sunday."
QUESTION = "Which automobile manufacturer had a recall?"


def model_copy(tmp_path: Path) -> Path:
    """The shipped model's files, copied to be damaged."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("embedding_model.json", "tokenizer.json", semantic_model.describe()["model"]):
        shutil.copy(semantic_model.DATA / name, folder / name)
    return folder


def vector_count(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0])


def passage_count(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM passages").fetchone()[0])


def test_the_shipped_model_matches_its_recorded_checksum() -> None:
    model = semantic_model.load()
    assert model.checksum == semantic_model.describe()["sha256"]
    vectors = model.embed(["The car was recalled.", "The automobile was recalled.", "Apples grow on trees."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_changed_byte_in_the_model_file_is_refused(tmp_path: Path) -> None:
    folder = model_copy(tmp_path)
    path = folder / semantic_model.describe()["model"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(InstallError, match="damaged"):
        semantic_model.load(folder)


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    folder = model_copy(tmp_path)
    (folder / semantic_model.describe()["model"]).unlink()
    with pytest.raises(InstallError, match="missing"):
        semantic_model.load(folder)


def test_a_long_text_is_cut_at_max_tokens_not_refused() -> None:
    model = semantic_model.load()
    long = "The council met again. " * 400  # far more than MAX_TOKENS word pieces
    [vector] = model.embed([long])
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


async def test_a_damaged_model_is_one_warning_and_bm25_answers_alone(
    database: Path,
    seeds_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = model_copy(tmp_path)
    path = folder / semantic_model.describe()["model"]
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    monkeypatch.setattr(semantic_layer, "packaged", lambda: semantic_model.load(folder))
    write_collection(seeds_dir)
    with caplog.at_level(logging.WARNING):
        async with Library.open(database, seeds_dir) as library:
            report = await library.reindex()
            answer = await library.ask("what do insurers say about the claims?")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0].getMessage()
    assert "BM25 alone" in warnings[0].getMessage()
    assert report.passages and report.embedded == 0 and vector_count(database) == 0
    assert answer.hits and "tripled" in answer.hits[0].text


async def test_a_passage_sharing_no_word_with_the_question_is_found_by_meaning(
    database: Path, seeds_dir: Path
) -> None:
    (seeds_dir / "brakes.md").write_text(markdown_article("Brake fault", [BRAKES]), encoding="utf-8")
    (seeds_dir / "mayor.md").write_text(markdown_article("Town hall", [MAYOR]), encoding="utf-8")
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()
        with_meaning = {hit.text for hit in (await library.ask(QUESTION)).hits}
    async with Library.open(database, seeds_dir, semantic=False) as library:
        bm25_alone = {hit.text for hit in (await library.ask(QUESTION)).hits}
    assert MAYOR in bm25_alone and BRAKES not in bm25_alone  # "recall" is the only shared word
    assert BRAKES in with_meaning


async def test_a_question_no_passage_shares_a_word_with_still_has_no_hits(
    database: Path, seeds_dir: Path
) -> None:
    (seeds_dir / "brakes.md").write_text(markdown_article("Brake fault", [BRAKES]), encoding="utf-8")
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()
        assert (await library.ask("automobile")).hits == []


async def test_only_new_and_changed_passages_are_embedded(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded: list[str] = []
    model = semantic_model.packaged()
    real = model.embed

    def counting(texts: list[str]) -> np.ndarray:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(model, "embed", counting)
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        first = await library.reindex()
        assert first.embedded == first.passages == vector_count(database) == len(embedded)
        embedded.clear()
        changed = markdown_article("Brake fault", [BRAKES, MAYOR])
        (seeds_dir / "brakes.md").write_text(changed, encoding="utf-8")
        second = await library.reindex()
        assert second.embedded == 2 and second.embedding_seconds > 0
        assert embedded == [embedded_text("Brake fault", BRAKES), embedded_text("Brake fault", MAYOR)]
        embedded.clear()
        third = await library.reindex()
        assert third.embedded == 0 and embedded == []
    assert vector_count(database) == passage_count(database)


async def test_vectors_of_another_model_are_all_made_again(database: Path, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        first = await library.reindex()
    with sqlite3.connect(database) as db:  # as if another model had made them: other vectors
        db.execute("UPDATE meta SET value = 'another model' WHERE key = 'embedding_model'")
        rows = db.execute("SELECT passage_id, vector FROM passage_vectors").fetchall()
        for pid, blob in rows:
            other = np.frombuffer(blob, dtype=np.float32)[::-1].tobytes()
            db.execute("UPDATE passage_vectors SET vector = ?, crc = ? WHERE passage_id = ?",
                       (other, zlib.crc32(other), pid))  # fmt: skip
    async with Library.open(database, seeds_dir) as library:
        assert library.semantic is not None and library.semantic.table is not None
        await library.reindex()  # nothing changed in the folder; every vector is made again
        assert await wait_for_vectors(database, first.passages) == first.passages
        assert dict(rows) == stored_vectors(database)


def stored_vectors(database: Path) -> dict[int, bytes]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT passage_id, vector FROM passage_vectors").fetchall())


async def test_a_damaged_stored_vector_is_made_again(database: Path, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()
    with sqlite3.connect(database) as db:
        pid, blob = db.execute("SELECT passage_id, vector FROM passage_vectors LIMIT 1").fetchone()
        damaged = blob[:-4] + b"\0\0\0\0"
        db.execute("UPDATE passage_vectors SET vector = ? WHERE passage_id = ?", (damaged, pid))
    async with Library.open(database, seeds_dir) as library:  # set aside at open, made again after
        await library.reindex()
        assert await wait_for_vectors(database, passage_count(database)) == passage_count(database)
    with sqlite3.connect(database) as db:
        again = db.execute("SELECT vector FROM passage_vectors WHERE passage_id = ?", (pid,)).fetchone()[0]
    assert again == blob


async def wait_for_vectors(database: Path, count: int) -> int:
    for _ in range(400):
        if (found := check(database).embedded) == count:
            return found
        await asyncio.sleep(0.05)
    return check(database).embedded


async def test_status_counts_the_passages_with_a_vector_as_the_background_makes_them(
    database: Path, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir, semantic=False) as library:
        report = await library.reindex()
    health = check(database)
    assert (health.embedded, health.passages) == (0, report.passages) and health.healthy
    async with Library.open(database, seeds_dir):  # the background thread makes the missing ones
        assert await wait_for_vectors(database, report.passages) == report.passages
    assert check(database).to_dict()["embedded"] == report.passages


def count_plan(database: Path) -> str:
    with sqlite3.connect(database) as db:
        plan = db.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM passage_vectors")
        return " ".join(row[-1] for row in plan)


async def test_counting_the_vectors_reads_an_index_not_every_vector_even_in_an_older_database(
    database: Path, seeds_dir: Path
) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        report = await library.reindex()
    assert "COVERING INDEX passage_vectors_count" in count_plan(database)  # a new database has it
    with sqlite3.connect(database) as db:  # a database made before the index: vectors to make
        db.execute("DROP INDEX passage_vectors_count")
        db.execute("DELETE FROM passage_vectors WHERE passage_id = 1")
    assert "COVERING INDEX" not in count_plan(database)
    async with Library.open(database, seeds_dir):  # the first embedding pass adds it
        assert await wait_for_vectors(database, report.passages) == report.passages
    assert "COVERING INDEX passage_vectors_count" in count_plan(database)


async def test_a_large_archive_is_answered_at_once_and_gains_vectors_in_the_background(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_layer, "INLINE_MAX", 0)  # every re-index counts as large
    write_collection(seeds_dir)
    (seeds_dir / "brakes.md").write_text(markdown_article("Brake fault", [BRAKES]), encoding="utf-8")
    (seeds_dir / "mayor.md").write_text(markdown_article("Town hall", [MAYOR]), encoding="utf-8")
    async with Library.open(database, seeds_dir) as library:
        report = await library.reindex()
        assert report.embedded == 0
        assert (await library.ask("what do insurers say about the claims?")).hits  # BM25 at once
        assert await wait_for_vectors(database, report.passages) == report.passages
        assert BRAKES in {hit.text for hit in (await library.ask(QUESTION)).hits}


async def test_semantic_off_makes_no_vectors(database: Path, seeds_dir: Path) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir, semantic=False) as library:
        report = await library.reindex()
        assert library.semantic is None and report.embedded == 0
    assert vector_count(database) == 0


async def test_vectors_of_another_model_are_never_read_even_while_a_reindex_holds_the_lock(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        first = await library.reindex()
    monkeypatch.setattr(semantic_layer, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("UPDATE meta SET value = 'another model' WHERE key = 'embedding_model'")
    holder.execute("BEGIN IMMEDIATE")  # as a re-index in another program would
    try:
        async with Library.open(database, seeds_dir) as library:
            assert library.semantic is not None and library.semantic.table is not None
            assert len(library.semantic.table) == 0  # none of the other model's vectors is used
            assert (await library.ask("what do insurers say about the claims?")).hits
            holder.execute("ROLLBACK")
            await asyncio.to_thread(library.semantic.embed_missing)  # or the background thread did
            assert len(library.semantic.table) == first.passages == vector_count(database)
    finally:
        holder.close()

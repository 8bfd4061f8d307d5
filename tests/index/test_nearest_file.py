"""Past exact search: the passage vectors in a memory-mapped HNSW file (usearch) beside the index.

The real library and the real model on a small collection, with the sizes at which the file is
made (``exact_max``) and extended (``tail_max``) lowered by their parameters."""

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import Library
from index.semantic import nearest, nearest_build, upkeep
from index.semantic.layer import SemanticLayer
from index.semantic.model import packaged
from index.snapshot import load_snapshot
from index.store.segments.files import index_dir_for

from ..support import markdown_article, write_collection

BRAKES = "Volkswagen is calling back 40,000 cars because their brakes can fail."
MAYOR = "The recall of the mayor failed in a vote on Sunday."
QUESTION = "Which automobile manufacturer had a recall?"
SMALL = {"exact_max": 4, "tail_max": 3}


async def indexed(database: Path, seeds_dir: Path) -> None:
    """A collection indexed with every vector made (the exact path: it is small)."""
    (seeds_dir / "brakes.md").write_text(markdown_article("Brake fault", [BRAKES]), encoding="utf-8")
    (seeds_dir / "mayor.md").write_text(markdown_article("Town hall", [MAYOR]), encoding="utf-8")
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()


def opened(database: Path, **sizes: int) -> SemanticLayer:
    layer = SemanticLayer(str(database), nearest=sizes or SMALL)
    layer.prepare()
    layer.upkeep.wait(120)
    return layer


def passage_id(database: Path, text: str) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT id FROM passages WHERE text = ?", (text,)).fetchone()[0])


def nearest_texts(layer: SemanticLayer, database: Path, k: int = 3) -> list[str]:
    snapshot = load_snapshot(str(database))
    assert layer.table is not None
    question = packaged().embed([QUESTION])[0]
    found = layer.table.nearest(question, snapshot.index, k)
    with sqlite3.connect(database) as db:
        ids = [int(snapshot.passage_ids[p]) for p, _ in found]
        return [db.execute("SELECT text FROM passages WHERE id = ?", (i,)).fetchone()[0] for i in ids]


def stored_count(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0])


async def test_past_exact_max_the_vectors_go_to_a_file_and_none_stay_in_memory(
    database: Path, seeds_dir: Path
) -> None:
    await indexed(database, seeds_dir)
    layer = opened(database)
    assert layer.table is not None and layer.table.file is not None
    assert layer.table.file.size == stored_count(database) > SMALL["exact_max"]
    assert layer.table.held == 0 and len(layer.table) == stored_count(database)
    assert nearest_texts(layer, database)[0] == BRAKES


async def test_a_library_opened_again_reads_no_vector_the_file_holds(database: Path, seeds_dir: Path) -> None:
    await indexed(database, seeds_dir)
    first = opened(database)
    assert first.table is not None and first.table.file is not None
    again = SemanticLayer(str(database), nearest=SMALL)
    again.prepare()
    assert again.table is not None and again.table.file is not None
    assert again.table.file.meta == first.table.file.meta and again.table.held == 0
    assert not again.upkeep.behind


async def test_cosines_from_the_file_are_within_int8_rounding_of_the_exact_ones(
    database: Path, seeds_dir: Path
) -> None:
    await indexed(database, seeds_dir)
    exact = opened(database, exact_max=10_000, tail_max=10_000)
    filed = opened(database)
    assert exact.table is not None and exact.table.file is None and filed.table is not None
    with sqlite3.connect(database) as db:
        ids = [pid for (pid,) in db.execute("SELECT id FROM passages ORDER BY id")]
    question = packaged().embed([QUESTION])[0]
    assert filed.cosines(ids, question) == pytest.approx(exact.cosines(ids, question), abs=0.01)
    snapshot = load_snapshot(str(database))
    near_exact = exact.table.nearest(question, snapshot.index, 5)
    near_filed = filed.table.nearest(question, snapshot.index, 5)
    assert [p for p, _ in near_filed] == [p for p, _ in near_exact]
    assert [c for _, c in near_filed] == pytest.approx([c for _, c in near_exact], abs=0.01)  # int8


async def test_a_removed_passage_never_comes_back_from_the_file(database: Path, seeds_dir: Path) -> None:
    await indexed(database, seeds_dir)
    layer = opened(database)
    assert layer.table is not None and layer.table.file is not None
    gone = passage_id(database, BRAKES)
    (seeds_dir / "brakes.md").unlink()
    async with Library.open(database, seeds_dir, semantic=False) as library:
        await library.reindex()
    assert layer.table.file.size == stored_count(database) + 1  # still in the file
    texts = nearest_texts(layer, database, k=stored_count(database))
    assert BRAKES not in texts and len(texts) == stored_count(database)
    assert gone not in [passage_id(database, t) for t in texts]


async def test_new_passages_are_searched_in_memory_then_added_to_the_file(
    database: Path, seeds_dir: Path
) -> None:
    (seeds_dir / "mayor.md").write_text(markdown_article("Town hall", [MAYOR]), encoding="utf-8")
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()
    layer = opened(database, exact_max=4, tail_max=10_000)
    assert layer.table is not None and layer.table.file is not None
    before = layer.table.file
    (seeds_dir / "brakes.md").write_text(markdown_article("Brake fault", [BRAKES]), encoding="utf-8")
    async with Library.open(database, seeds_dir) as library:
        await library.reindex()
    layer.refresh()
    assert layer.table.file is before and layer.table.held == 1  # the new passage, held exactly
    assert nearest_texts(layer, database)[0] == BRAKES
    layer.upkeep.tail_max = 0  # now past it: the file is extended with the newer vector
    layer.upkeep.check()
    layer.upkeep.wait(120)
    assert layer.table.file is not None and layer.table.file.size == before.size + 1
    assert layer.table.held == 0 and nearest_texts(layer, database)[0] == BRAKES
    folder = index_dir_for(database)
    tags = {p.name.split(".")[0] for p in folder.glob("nearest-*")}
    assert tags == {f"nearest-{layer.table.file.meta.tag}"}


async def test_a_damaged_file_is_one_warning_then_made_again(
    database: Path, seeds_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await indexed(database, seeds_dir)
    layer = opened(database)
    assert layer.table is not None and layer.table.file is not None
    path = layer.table.file.meta.path(index_dir_for(database), "usearch")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.INFO, logger="index.semantic"):
        again = opened(database)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0]
    assert again.table is not None and again.table.file is not None and again.table.held == 0
    assert again.table.file.meta.tag != layer.table.file.meta.tag and not path.exists()
    assert nearest_texts(again, database)[0] == BRAKES


async def test_a_file_of_another_model_is_not_used(database: Path, seeds_dir: Path) -> None:
    await indexed(database, seeds_dir)
    layer = opened(database)
    assert layer.table is not None and layer.table.file is not None
    assert nearest.NearestFile.open(index_dir_for(database), "another model") is None
    assert nearest.NearestFile.open(index_dir_for(database), layer.table.file.meta.model) is not None


async def test_while_a_large_archive_has_no_file_bm25_and_the_held_vectors_answer(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await indexed(database, seeds_dir)
    monkeypatch.setattr(upkeep, "EXACT_MAX", 4)
    monkeypatch.setattr(upkeep, "TAIL_MAX", 3)
    async with Library.open(database, seeds_dir) as library:
        assert library.semantic is not None
        library.semantic.upkeep.wait(120)
        answer = await library.ask(QUESTION)
        table = library.semantic.table
        assert table is not None and table.file is not None and table.held == 0
    assert BRAKES in [hit.text for hit in answer.hits]


def test_a_file_is_written_under_a_temporary_name_then_renamed(tmp_path: Path) -> None:
    rows = np.eye(8, dtype=np.float32)
    builder = nearest.NearestBuilder(tmp_path, 8)
    builder.add(np.arange(1, 9), rows)
    meta = builder.write("model", 8)
    names = sorted(p.name for p in tmp_path.iterdir())
    kinds = ("usearch", "rows", "ids.npy")
    assert names == sorted([nearest.META, *(f"nearest-{meta.tag}.{k}" for k in kinds)])
    opened_file = nearest.NearestFile.open(tmp_path, "model")
    assert opened_file is not None and opened_file.size == 8 and opened_file.last_id == 8
    ids, cosines = opened_file.search(rows[2], 1)
    assert ids.tolist() == [3] and cosines[0] == pytest.approx(1.0, abs=0.01)


def test_a_set_not_written_leaves_nothing_behind(tmp_path: Path) -> None:
    builder = nearest.NearestBuilder(tmp_path, 8)
    builder.add(np.arange(1, 9), np.eye(8, dtype=np.float32))
    builder.discard()
    assert list(tmp_path.iterdir()) == []


async def test_files_left_by_a_database_built_again_are_not_used(
    database: Path, seeds_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await indexed(database, seeds_dir)
    first = opened(database)
    assert first.table is not None and first.table.file is not None
    for name in (database.name, f"{database.name}-wal", f"{database.name}-shm"):
        (database.parent / name).unlink(missing_ok=True)  # the folder beside it stays
    other = tmp_path / "other"
    other.mkdir()
    (other / "mayor.md").write_text(markdown_article("Town hall", [MAYOR]), encoding="utf-8")
    write_collection(other)  # the same passages but brakes, numbered from 1 again
    async with Library.open(database, other) as library:
        await library.reindex()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="index.semantic"):
        again = opened(database)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "another database" in warnings[0]
    assert again.table is not None and again.table.file is not None
    assert again.table.file.meta.tag != first.table.file.meta.tag
    assert BRAKES not in nearest_texts(again, database, k=stored_count(database))


async def test_the_set_is_made_by_a_process_of_its_own_and_only_extended_with_new_vectors(
    database: Path, seeds_dir: Path
) -> None:
    await indexed(database, seeds_dir)
    folder, model = index_dir_for(database), packaged().checksum
    assert nearest_build.build_apart(str(database), folder, 384, model, "")
    made = nearest.NearestFile.open(folder, model)
    assert made is not None and made.size == stored_count(database)
    # Nothing stored past the set: nothing to write, and the set stays.
    assert not nearest_build.build_apart(str(database), folder, 384, model, made.meta.tag)
    still = nearest.read_meta(folder)
    assert still is not None and still.tag == made.meta.tag


def test_a_failed_build_says_why_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_text("not a database\n" * 100, encoding="utf-8")
    with pytest.raises(RuntimeError) as failed:
        nearest_build.build_apart(str(broken), tmp_path / "folder", 384, "model", "")
    message = str(failed.value)
    assert "\n" not in message and "not a database" in message
    assert not list((tmp_path / "folder").glob("nearest-*"))


async def test_a_stopped_layer_makes_no_set_and_ends_the_one_being_made(
    database: Path, seeds_dir: Path
) -> None:
    await indexed(database, seeds_dir)
    layer = SemanticLayer(str(database), nearest=SMALL)
    layer.stop()
    layer.prepare()
    layer.upkeep.wait(120)
    folder = index_dir_for(database)
    assert layer.table is not None and layer.table.file is None and layer.upkeep.behind
    assert nearest.read_meta(folder) is None
    with pytest.raises(RuntimeError):
        model = packaged().checksum
        nearest_build.build_apart(str(database), folder, 384, model, "", lambda process: process.terminate())
    assert nearest.read_meta(folder) is None and not list(folder.glob("nearest-*"))

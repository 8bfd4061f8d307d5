"""Background vectors (index/semantic/background.py): made in a process of their own at a lower
priority, sent back batch by batch as committed, and ended with the library; the model's texts
run two at once give the vectors they give one at a time."""

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from index import Library
from index.semantic import background
from index.semantic import layer as semantic_layer
from index.semantic import model as semantic_model
from index.semantic.vectors import embedded_text
from index.store.health import check

from ..support import write_collection

TEXTS = [
    "Volkswagen is calling back 40,000 cars because their brakes can fail.",
    "The recall of the mayor failed in a vote on Sunday.",
    "Poland will spend 4.1 per cent of its GDP on defence this year.",
    "short",
    "Heavy rain is expected across the north of England on Thursday, with flood warnings in place.",
    "The central bank left interest rates unchanged.",
]


def test_texts_run_two_at_once_get_the_vectors_they_get_one_at_a_time() -> None:
    alone = semantic_model.load().embed(TEXTS)
    together = semantic_model.load(parallel=2).embed(TEXTS)
    assert np.array_equal(alone, together)


async def indexed_without_vectors(database: Path, seeds_dir: Path) -> dict[int, str]:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir, semantic=False) as library:
        await library.reindex()
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT p.id, a.title, p.text FROM passages p JOIN articles a ON a.id = p.article_id"
        )
        return {pid: embedded_text(title, text) for pid, title, text in rows}


def stored(database: Path) -> dict[int, bytes]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT passage_id, vector FROM passage_vectors").fetchall())


async def test_the_process_sends_each_batch_it_committed(database: Path, seeds_dir: Path) -> None:
    texts = await indexed_without_vectors(database, seeds_dir)
    process = background.EmbeddingProcess(str(database))
    sent = list(await asyncio.to_thread(lambda: list(process.batches(384))))
    await asyncio.to_thread(process.finish)
    ids = np.concatenate([ids for ids, _ in sent])
    vectors = np.vstack([made for _, made in sent])
    assert sorted(ids.tolist()) == sorted(texts)  # every passage, once
    kept = stored(database)
    assert all(kept[int(pid)] == vector.tobytes() for pid, vector in zip(ids, vectors, strict=True))
    here = semantic_model.packaged().embed([texts[int(pid)] for pid in ids])
    assert np.array_equal(here, vectors)  # the vectors this process would have made


async def test_the_process_runs_at_a_lower_priority(database: Path, seeds_dir: Path) -> None:
    await indexed_without_vectors(database, seeds_dir)
    process = background.EmbeddingProcess(str(database))
    wanted = min(19, os.getpriority(os.PRIO_PROCESS, 0) + background.NICENESS)
    try:
        seen = []
        for _ in range(200):
            seen.append(os.getpriority(os.PRIO_PROCESS, process.pid))  # not reaped yet: still there
            if seen[-1] == wanted:
                break
            await asyncio.sleep(0.01)
        assert seen and seen[-1] == wanted
    finally:
        process.terminate()
        await asyncio.to_thread(process.finish)


async def test_a_failed_process_says_why(tmp_path: Path) -> None:
    (tmp_path / "not-a-database").write_bytes(b"\x00" * 4096)
    process = background.EmbeddingProcess(str(tmp_path / "not-a-database"))
    assert await asyncio.to_thread(lambda: list(process.batches(384))) == []
    with pytest.raises(background.EmbeddingFailed, match="database"):
        await asyncio.to_thread(process.finish)


class Started(background.EmbeddingProcess):
    """The real process, remembered so that the test can look at it."""

    every: ClassVar[list["Started"]] = []

    def __init__(self, database: str) -> None:
        super().__init__(database)
        Started.every.append(self)


async def test_closing_the_library_ends_the_process_and_keeps_what_it_committed(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages = len(await indexed_without_vectors(database, seeds_dir))
    monkeypatch.setattr(semantic_layer, "BATCH", 2)
    monkeypatch.setattr(background, "EmbeddingProcess", Started)
    Started.every.clear()
    async with Library.open(database, seeds_dir):  # the background process starts
        for _ in range(400):
            if Started.every:
                break
            await asyncio.sleep(0.01)
    [process] = Started.every
    assert process.returncode is not None  # ended, not left running
    health = check(database)
    assert health.healthy and 0 <= health.embedded <= passages
    async with Library.open(database, seeds_dir) as library:  # the next one finishes the work
        assert library.semantic is not None and library.semantic.table is not None
        table = library.semantic.table
        for _ in range(400):
            if len(table) == passages:
                break
            await asyncio.sleep(0.05)
        assert len(table) == passages == check(database).embedded


async def test_without_a_process_a_thread_makes_them(
    database: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages = len(await indexed_without_vectors(database, seeds_dir))
    monkeypatch.setattr(background, "APART", False)
    monkeypatch.setattr(background, "EmbeddingProcess", Started)
    Started.every.clear()
    async with Library.open(database, seeds_dir) as library:
        assert library.semantic is not None and library.semantic.table is not None
        for _ in range(400):
            if len(library.semantic.table) == passages:
                break
            await asyncio.sleep(0.05)
        assert len(library.semantic.table) == passages == check(database).embedded
    assert Started.every == []


async def test_the_reindex_report_says_what_it_embedded_and_what_is_left_to_the_background(
    database: Path, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_collection(seeds_dir)
    async with Library.open(database, seeds_dir) as library:
        small = await library.reindex()  # few passages: embedded by the re-index itself
    assert small.embedded == small.passages > 0 and small.embedding_seconds > 0
    assert small.embedding_left == 0
    monkeypatch.setattr(semantic_layer, "INLINE_MAX", 0)  # every re-index counts as large
    async with Library.open(tmp_path / "large.db", seeds_dir) as library:
        large = await library.reindex()
    assert large.embedded == 0 and large.embedding_left == large.passages == small.passages

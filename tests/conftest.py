"""Shared fixtures: temporary seeds folders, databases and libraries (real files, real SQLite)."""

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from index import Library

from .support import SEED_PAGE, write_collection


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """An empty seeds folder."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    return folder


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Where the test's database goes (not created yet)."""
    return tmp_path / "byline.db"


@pytest.fixture
def collection_seeds(seeds_dir: Path) -> Path:
    """A seeds folder holding the four one-article Markdown files of ``support.COLLECTION``."""
    write_collection(seeds_dir)
    return seeds_dir


@pytest.fixture
def seed_page_seeds(seeds_dir: Path) -> Path:
    """A seeds folder holding a copy of the project's seed page."""
    shutil.copy(SEED_PAGE, seeds_dir / SEED_PAGE.name)
    return seeds_dir


@pytest.fixture
async def library(database: Path, seeds_dir: Path) -> AsyncIterator[Library]:
    """A library on a fresh database and the (initially empty) seeds folder; not indexed yet."""
    async with Library.open(database=database, seeds_dir=seeds_dir) as lib:
        yield lib


@pytest.fixture
async def collection_library(database: Path, collection_seeds: Path) -> AsyncIterator[Library]:
    """A library that has indexed the four-article collection."""
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
        yield lib


@pytest.fixture
async def seed_library(database: Path, seed_page_seeds: Path) -> AsyncIterator[Library]:
    """A library that has indexed the seed page."""
    async with Library.open(database=database, seeds_dir=seed_page_seeds) as lib:
        await lib.reindex()
        yield lib


@pytest.fixture(autouse=True)
def no_log_handler_outlives_the_test() -> Iterator[None]:
    """A log handler left on the root logger that writes to a test's captured output writes to a
    closed file once the test is over: "--- Logging error --- ValueError: I/O operation on closed
    file" in every later test's output. Whichever test leaves one fails here."""
    yield
    stale = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False)
    ]
    assert not stale, f"log handlers writing to a closed stream were left on the root logger: {stale}"

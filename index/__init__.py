"""Byline's knowledge base: articles in, sourced passages out. Never imports discord.

``Library`` and ``clean_question`` are loaded on first use (PEP 562's module ``__getattr__``):
the library brings numpy, SQLite's async driver and the analyser with it, and a program that
only names an error, a model or a limit (``byline --help``) should not wait for them.
"""

import importlib
from typing import TYPE_CHECKING, Any

from index.errors import (
    ArticleFormatError,
    BylineError,
    IndexBusyError,
    InstallError,
    QuestionError,
    StorageError,
)
from index.limits import MAX_QUESTION_CHARS, MAX_TOP_K
from index.models import Answer, Article, Hit, ReindexReport, SkippedFile, SourceSummary

if TYPE_CHECKING:
    from index.library import Library, clean_question

_LOADED_ON_USE = {"Library": "index.library", "clean_question": "index.library"}

__all__ = [
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "Answer",
    "Article",
    "ArticleFormatError",
    "BylineError",
    "Hit",
    "IndexBusyError",
    "InstallError",
    "Library",
    "QuestionError",
    "ReindexReport",
    "SkippedFile",
    "SourceSummary",
    "StorageError",
    "clean_question",
]


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value

"""Byline's knowledge base: articles in, sourced passages out. Never imports discord.

``Library`` is loaded on first use (PEP 562's module ``__getattr__``):
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
from index.models import Answer, AnswerLine, Article, Hit, ReindexReport, SkippedFile, SourceSummary
from index.question import MAX_QUESTION_CHARS, MAX_TOP_K, clean_question

if TYPE_CHECKING:
    from index.library import Library

_LOADED_ON_USE = {"Library": "index.library"}

__all__ = [
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "Answer",
    "AnswerLine",
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

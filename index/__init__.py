"""Byline's knowledge base: articles in, sourced passages out. Never imports discord."""

from index.errors import (
    ArticleFormatError,
    BylineError,
    IndexBusyError,
    InstallError,
    QuestionError,
    StorageError,
)
from index.library import Library
from index.models import Answer, AnswerLine, Article, Hit, ReindexReport, SkippedFile, SourceSummary
from index.question import MAX_QUESTION_CHARS, MAX_TOP_K, clean_question

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

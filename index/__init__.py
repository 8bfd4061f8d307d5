"""Byline's knowledge base: articles in, sourced passages out. Never imports discord.

This package is the one door the front ends (bot/) use: they import names from ``index`` only,
never from its sub-packages (tests/bot/test_imports.py keeps it so). Errors, models and limits are
loaded with the package; everything else on first use (PEP 562's module ``__getattr__``): the
library brings numpy, SQLite's async driver and the analyser with it, and a program that only
names an error, a model or a limit (``byline --help``) should not wait for them.
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
from index.models import (
    SMALLTALK,
    Answer,
    AnswerLine,
    Article,
    Hit,
    ReindexReport,
    SkippedFile,
    SourceSummary,
)
from index.question import MAX_QUESTION_CHARS, MAX_TOP_K, clean_question

if TYPE_CHECKING:
    from index.evaluation import EvalReport, evaluate, load_questions
    from index.feedback.report import COUNTED as FEEDBACK_COUNTED
    from index.feedback.report import DownVoted, FeedbackReport
    from index.feedback.report import build_report as build_feedback_report
    from index.feedback.votes import REASONS, Feedback, VoteResult
    from index.ingest.additions import OUTLET_MAX, AdditionError, article_details, article_text
    from index.ingest.additions import Saved as SavedArticle
    from index.ingest.additions import check_suffix as check_article_suffix
    from index.ingest.additions import remove as remove_added_article
    from index.ingest.additions import roll_back as roll_back_article
    from index.ingest.additions import save as save_article
    from index.ingest.apart import check as check_article_apart
    from index.ingest.dates import timestamp as published_timestamp
    from index.ingest.readers import MAX_FILE_BYTES
    from index.library import Library
    from index.locations import check_seeds_folder, database_path
    from index.store.catalog import CHOICE_MAX as ARTICLE_CHOICE_MAX
    from index.store.catalog import Holdings
    from index.store.catalog import choice_name as article_choice_name
    from index.store.catalog import holdings as article_holdings
    from index.store.catalog import titled as articles_titled
    from index.store.health import IndexHealth
    from index.store.health import check as check_health
    from index.store.repair import forget_check as forget_database_check

# The names loaded on first use: name -> (module, its name there). A new front-end need goes
# here (and in the TYPE_CHECKING block above, for mypy), not into a deep import in bot/.
_LOADED_ON_USE = {
    "Library": ("index.library", "Library"),
    # answering from Discord: votes and the operators' report
    "Feedback": ("index.feedback.votes", "Feedback"),
    "REASONS": ("index.feedback.votes", "REASONS"),
    "VoteResult": ("index.feedback.votes", "VoteResult"),
    "FEEDBACK_COUNTED": ("index.feedback.report", "COUNTED"),
    "DownVoted": ("index.feedback.report", "DownVoted"),
    "FeedbackReport": ("index.feedback.report", "FeedbackReport"),
    "build_feedback_report": ("index.feedback.report", "build_report"),
    # /add and /remove: an article checked, saved into the seeds folder, rolled back, removed
    "AdditionError": ("index.ingest.additions", "AdditionError"),
    "OUTLET_MAX": ("index.ingest.additions", "OUTLET_MAX"),
    "SavedArticle": ("index.ingest.additions", "Saved"),
    "article_details": ("index.ingest.additions", "article_details"),
    "article_text": ("index.ingest.additions", "article_text"),
    "check_article_suffix": ("index.ingest.additions", "check_suffix"),
    "save_article": ("index.ingest.additions", "save"),
    "roll_back_article": ("index.ingest.additions", "roll_back"),
    "remove_added_article": ("index.ingest.additions", "remove"),
    "check_article_apart": ("index.ingest.apart", "check"),
    "MAX_FILE_BYTES": ("index.ingest.readers", "MAX_FILE_BYTES"),
    "published_timestamp": ("index.ingest.dates", "timestamp"),
    # the articles by title, read without opening the library (autocomplete, /help)
    "ARTICLE_CHOICE_MAX": ("index.store.catalog", "CHOICE_MAX"),
    "Holdings": ("index.store.catalog", "Holdings"),
    "article_choice_name": ("index.store.catalog", "choice_name"),
    "article_holdings": ("index.store.catalog", "holdings"),
    "articles_titled": ("index.store.catalog", "titled"),
    # the database's health, paths and repair (byline status, settings)
    "IndexHealth": ("index.store.health", "IndexHealth"),
    "check_health": ("index.store.health", "check"),
    "forget_database_check": ("index.store.repair", "forget_check"),
    "check_seeds_folder": ("index.locations", "check_seeds_folder"),
    "database_path": ("index.locations", "database_path"),
    # byline eval
    "EvalReport": ("index.evaluation", "EvalReport"),
    "evaluate": ("index.evaluation", "evaluate"),
    "load_questions": ("index.evaluation", "load_questions"),
}

__all__ = [
    "ARTICLE_CHOICE_MAX",
    "FEEDBACK_COUNTED",
    "MAX_FILE_BYTES",
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "OUTLET_MAX",
    "REASONS",
    "SMALLTALK",
    "AdditionError",
    "Answer",
    "AnswerLine",
    "Article",
    "ArticleFormatError",
    "BylineError",
    "DownVoted",
    "EvalReport",
    "Feedback",
    "FeedbackReport",
    "Hit",
    "Holdings",
    "IndexBusyError",
    "IndexHealth",
    "InstallError",
    "Library",
    "QuestionError",
    "ReindexReport",
    "SavedArticle",
    "SkippedFile",
    "SourceSummary",
    "StorageError",
    "VoteResult",
    "article_choice_name",
    "article_details",
    "article_holdings",
    "article_text",
    "articles_titled",
    "build_feedback_report",
    "check_article_apart",
    "check_article_suffix",
    "check_health",
    "check_seeds_folder",
    "clean_question",
    "database_path",
    "evaluate",
    "forget_database_check",
    "load_questions",
    "published_timestamp",
    "remove_added_article",
    "roll_back_article",
    "save_article",
]


def __getattr__(name: str) -> Any:
    found = _LOADED_ON_USE.get(name)
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = found
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # found directly from now on
    return value

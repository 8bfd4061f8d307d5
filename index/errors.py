"""Errors a person can cause, each with a message written for that person.

The front ends turn these into replies in one place (the CLI's ``main``, the bot's error
handler); anything else is a bug and is logged with a traceback.
"""


class BylineError(Exception):
    """Base of every error whose message can be shown to a user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuestionError(BylineError):
    """The question cannot be asked: empty, or too long."""


class ArticleFormatError(BylineError):
    """A file holds no article Byline can read; the message is the reason it was skipped."""


class IndexBusyError(BylineError):
    """A re-index is already running; the caller should wait for it."""


class InstallError(BylineError):
    """A file Byline ships with is missing or damaged."""


class StorageError(BylineError):
    """The database cannot be opened or is not a Byline database."""

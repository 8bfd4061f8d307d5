"""Logging for the bot: one handler, no secret ever written out, and no warnings about voice.

discord.py does not log the bot token, but at DEBUG it logs every request URL and every gateway
event, and both carry interaction tokens (``/interactions/{id}/{token}/callback``,
``/webhooks/{app}/{token}``, ``"token": "..."`` in INTERACTION_CREATE), which let anyone answer
as the bot for 15 minutes. The formatter below removes the bot token and interaction tokens from
every formatted line, tracebacks included, whichever logger wrote it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

_URL_TOKEN = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+")
_JSON_TOKEN = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+""")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets and without interaction tokens."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _URL_TOKEN.sub(rf"\1{REDACTED}", text)
    return _JSON_TOKEN.sub(rf"\1{REDACTED}", text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose output never contains the given secrets or interaction tokens."""

    def __init__(self, fmt: str = FORMAT, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class NoVoiceWarnings(logging.Filter):
    """Drops discord.py's start-up warnings that voice libraries are missing: Byline has no voice.

    A filter on our handler, rather than discord.py's global ``VoiceClient.warn_nacl`` switch, so
    nothing outside the bot's own logging changes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "discord.client" and "voice will NOT be supported" in record.getMessage())


class JsonLinesFormatter(RedactingFormatter):
    """One JSON object a line (``BYLINE_LOG_FORMAT=json``), for log collectors: time, level,
    logger, message and any traceback, redacted as the text lines are."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            line["traceback"] = redact(self.formatException(record.exc_info), self.secrets)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    level: str, *, secrets: Iterable[str] = (), stream: TextIO | None = None, json_lines: bool = False
) -> logging.Handler:
    """Send every log record (ours and discord.py's) to one redacting handler on ``stream``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter((JsonLinesFormatter if json_lines else RedactingFormatter)(secrets=secrets))
    handler.addFilter(NoVoiceWarnings())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler

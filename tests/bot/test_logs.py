"""bot.logs: no secret in any log line, from any logger, tracebacks included."""

import io
import json
import logging
import sys

import pytest

from bot.logs import REDACTED, RedactingFormatter, configure_logging, redact

TOKEN = "MTIzNDU2Nzg5.Gabcde.fake-token-for-tests"


def test_the_bot_token_is_redacted() -> None:
    assert redact(f"login with {TOKEN} failed", [TOKEN]) == f"login with {REDACTED} failed"


def test_interaction_tokens_in_urls_and_events_are_redacted() -> None:
    line = (
        "POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb246abc/callback with None; "
        "PATCH https://discord.com/api/v10/webhooks/9/aW50ZXJhY3Rpb246xyz/messages/@original; "
        "event {'token': 'aW50ZXJhY3Rpb246qrs', \"token\": \"aW50ZXJhY3Rpb246tuv\"}"
    )
    out = redact(line)
    assert "aW50ZXJhY3Rpb246" not in out
    assert f"/interactions/123/{REDACTED}/callback" in out and f"/webhooks/9/{REDACTED}/messages" in out


def test_tracebacks_are_redacted_too() -> None:
    formatter = RedactingFormatter(secrets=[TOKEN])
    try:
        raise RuntimeError(f"bad token {TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = formatter.format(record)
    assert "RuntimeError" in text and TOKEN not in text


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_configure_logging_redacts_every_logger() -> None:
    out = io.StringIO()
    configure_logging("DEBUG", secrets=[TOKEN], stream=out)
    logging.getLogger("discord.http").debug("GET /users/@me with Authorization Bot %s", TOKEN)
    logging.getLogger("byline.bot").info("started")
    assert TOKEN not in out.getvalue() and "started" in out.getvalue()


@pytest.mark.usefixtures("restore_root_logger")
def test_only_the_warnings_about_voice_libraries_are_left_out() -> None:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    client = logging.getLogger("discord.client")
    client.warning("PyNaCl is not installed, voice will NOT be supported")
    client.warning("davey is not installed, voice will NOT be supported")
    client.warning("Shard ID None has stopped responding to the gateway.")
    logging.getLogger("byline.bot").warning("voice will NOT be supported")  # not discord.py's: kept
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "stopped responding" in lines[0] and lines[1].endswith("byline.bot: voice will NOT be supported")


def test_json_lines_are_json_and_redacted_too() -> None:
    from bot.logs import JsonLinesFormatter

    formatter = JsonLinesFormatter(secrets=[TOKEN])
    try:
        raise RuntimeError(f"bad token {TOKEN}")
    except RuntimeError:
        record = logging.LogRecord(
            "discord.http",
            logging.ERROR,
            __file__,
            1,
            "POST /interactions/1/%s/callback",
            ("abc",),
            sys.exc_info(),
        )
    line = formatter.format(record)
    assert "\n" not in line and TOKEN not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR" and parsed["logger"] == "discord.http"
    assert parsed["message"] == f"POST /interactions/1/{REDACTED}/callback"
    assert "RuntimeError" in parsed["traceback"] and parsed["time"].endswith("+00:00")

"""The one place where errors become replies.

``report_error`` is called by the command tree's ``on_error``, by the DM/mention listener, by the
"more results" button and by the /sources paginator. Our own errors (``BylineError`` and the
refusals below) and Discord's typed command errors become a short reply for the person, privately
where Discord allows it (ephemeral). Anything else is a bug: it is logged with its traceback under
a short error id, and the person is shown the id and nothing more.
"""

from __future__ import annotations

import logging
import math
import secrets

import discord
from discord import app_commands

from index import BylineError

from .replies import NO_PINGS

log = logging.getLogger("byline.errors")


class Refusal(BylineError, app_commands.CheckFailure):
    """A check said no; ``message`` says why, for the person."""


class WarmingUp(Refusal):
    """The index is being built for the first time; questions cannot be answered yet."""

    def __init__(self) -> None:
        super().__init__("I'm warming up: the articles are still being indexed. Try again in a moment.")


class NotAllowed(Refusal):
    """The person may not run this command here."""


class QuestionExpired(BylineError):
    """A "more results" button whose question is no longer remembered (too long for its custom_id)."""

    def __init__(self) -> None:
        super().__init__(
            "I no longer have that question (long questions are only kept for a while). "
            "Ask it again with /ask."
        )


def user_message(error: BaseException) -> str | None:
    """What to tell the person about an error we expect; None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        wait = max(1, math.ceil(error.retry_after))
        return f"You're asking faster than I can keep up. Try again in {wait} s."
    if isinstance(error, BylineError):
        return error.message
    if isinstance(error, app_commands.BotMissingPermissions):
        return "I'm missing permissions here: " + ", ".join(error.missing_permissions) + "."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command has just changed; it will work again in a moment."
    if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
        return str(error)
    return None


def _describe(target: discord.Interaction | discord.Message) -> str:
    if isinstance(target, discord.Message):
        return f"message {target.id} from user {target.author.id}"
    name = target.command.qualified_name if target.command else (target.data or {}).get("custom_id")
    return f"interaction {target.id} ({name}) from user {target.user.id}"


async def report_error(target: discord.Interaction | discord.Message, error: BaseException) -> None:
    """Tell the person what went wrong (privately when possible); log bugs with an id."""
    text = user_message(error)
    if text is None:
        error_id = secrets.token_hex(4)
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        log.error(
            "error %s while handling %s",
            error_id,
            _describe(target),
            exc_info=(type(original), original, original.__traceback__),
        )
        text = (
            f"Something went wrong on my side (error `{error_id}`). "
            "It has been logged; please try again later."
        )
    else:
        log.info("refused %s: %s", _describe(target), text)
    try:
        await _send(target, text)
    except discord.HTTPException as failure:
        log.warning("could not tell %s about an error: %s", _describe(target), failure)


async def _send(target: discord.Interaction | discord.Message, text: str) -> None:
    if isinstance(target, discord.Message):
        await target.reply(text, allowed_mentions=NO_PINGS)
        return
    response = target.response
    if not response.is_done():
        await response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    elif response.type is discord.InteractionResponseType.deferred_channel_message:
        # The "thinking…" message is the reply; it is private if the deferral was.
        await target.edit_original_response(content=text, embed=None, view=None, allowed_mentions=NO_PINGS)
    else:
        await target.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)

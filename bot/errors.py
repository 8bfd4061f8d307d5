"""The one place where errors become replies.

``report_error`` is called by the command tree's ``on_error``, by the DM/mention listener and by
the page buttons of /ask and /sources. Our own errors (``BylineError`` and the refusals below) and
Discord's typed command errors become a short reply for the person; anything else is a bug: it is
logged with its traceback under a short error id, and the person is shown the id and nothing more.

The rule: an error reply to an interaction is always private (ephemeral), whatever happened
before it. Not answered yet: an ephemeral response. Deferred privately: the private "thinking…"
message becomes the error. Deferred publicly (a slow /ask): Discord fills a public "thinking…"
message with the first follow-up whatever its flags, so that message is deleted first and the
error follows privately. Answered already: a private follow-up. A question asked by message has
no private channel: the error is a reply to it (or a plain message where the bot may not reply).
"""

from __future__ import annotations

import logging
import math
import secrets

import discord
from discord import app_commands

from index import BylineError

from .replies import NO_PINGS, deferred_privately

log = logging.getLogger("byline.errors")


class Refusal(BylineError, app_commands.CheckFailure):
    """A check said no; ``message`` says why, for the person."""


class WarmingUp(Refusal):
    """The index is being built for the first time; questions cannot be answered yet."""

    def __init__(self) -> None:
        super().__init__("I'm warming up: the articles are still being indexed. Try again in a moment.")


class NotAllowed(Refusal):
    """The person may not run this command here."""


class MissingEmbedLinks(BylineError):
    """The bot may post in a channel but not show embeds there, and answers are embeds."""

    def __init__(self) -> None:
        super().__init__("I need the Embed Links permission in this channel to show answers.")


class QuestionExpired(BylineError):
    """A "more results" button whose question is no longer remembered (too long for its custom_id).
    The message names no command: the button may be in a DM, where slash commands may not exist."""

    def __init__(self) -> None:
        super().__init__(
            "I no longer have that question (long questions are only kept for a while). Please ask it again."
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
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command has just changed; it will work again in a moment."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not read that option: {error}."
    if isinstance(error, app_commands.CheckFailure):  # BotMissingPermissions too: discord.py words it
        return str(error)
    return None


def _describe(target: discord.Interaction | discord.Message) -> str:
    if isinstance(target, discord.Message):
        return f"message {target.id} from user {target.author.id}"
    name = target.command.qualified_name if target.command else dict(target.data or {}).get("custom_id")
    return f"interaction {target.id} ({name}) from user {target.user.id}"


async def report_error(
    target: discord.Interaction | discord.Message, error: BaseException, *, as_reply: bool = True
) -> None:
    """Tell the person what went wrong (privately for interactions); log bugs with an id.

    ``as_reply``: for a message, answer it as a reply (False where the bot may not read the
    channel's history, which Discord requires for a reply).
    """
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
        await _send(target, text, as_reply=as_reply)
    except discord.HTTPException as failure:
        log.warning("could not tell %s about an error: %s", _describe(target), failure)


async def _send(target: discord.Interaction | discord.Message, text: str, *, as_reply: bool) -> None:
    if isinstance(target, discord.Message):
        reference = target if as_reply else None  # None: no reply (discord.py's stubs omit it)
        await target.channel.send(text, reference=reference, allowed_mentions=NO_PINGS)  # type: ignore[arg-type]
        return
    response = target.response
    if not response.is_done():
        await response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        return
    if response.type is discord.InteractionResponseType.deferred_channel_message:
        if deferred_privately(target):
            await target.edit_original_response(
                content=text, embed=None, view=None, allowed_mentions=NO_PINGS
            )
            return
        await target.delete_original_response()  # the public "thinking…"
    await target.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)

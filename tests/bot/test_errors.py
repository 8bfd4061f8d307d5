"""bot.errors.user_message: what a person is told about each error; None means a bug (logged with an id)."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.app_commands.transformers import RangeTransformer
from discord.ext import commands

from bot.errors import MissingEmbedLinks, NotAllowed, QuestionExpired, WarmingUp, user_message
from bot.startup import TokenRefused
from index import IndexBusyError, QuestionError


@app_commands.command()
async def ask(interaction: discord.Interaction, question: str) -> None:
    """A command for the errors that name one."""


def cooldown(retry_after: float) -> app_commands.CommandOnCooldown:
    return app_commands.CommandOnCooldown(commands.Cooldown(4, 20.0), retry_after)


@pytest.mark.parametrize(
    ("error", "told"),
    [
        (cooldown(0.2), "You're asking faster than I can keep up. Try again in 1 s."),
        (cooldown(7.01), "You're asking faster than I can keep up. Try again in 8 s."),
        (QuestionError("Ask a question, for example: x?"), "Ask a question, for example: x?"),
        (IndexBusyError("A re-index is already running."), "A re-index is already running."),
        (MissingEmbedLinks(), "I need the Embed Links permission in this channel to show answers."),
        (WarmingUp(), "I'm warming up: the articles are still being indexed. Try again in a moment."),
        (NotAllowed("Only server administrators can."), "Only server administrators can."),
        (QuestionExpired(), QuestionExpired().message),
        (
            app_commands.BotMissingPermissions(["embed_links", "read_message_history"]),
            "Bot requires Embed Links and Read Message History permission(s) to run this command.",
        ),
        (
            app_commands.CommandNotFound("ask", []),
            "That command has just changed; it will work again in a moment.",
        ),
        (
            app_commands.CommandSignatureMismatch(ask),
            "That command has just changed; it will work again in a moment.",
        ),
        (
            app_commands.TransformerError(
                "eleven",
                discord.AppCommandOptionType.integer,
                RangeTransformer(discord.AppCommandOptionType.integer, min=1, max=10),
            ),
            "I could not read that option: Failed to convert eleven to Range.",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_expected_errors_are_told_in_words_for_a_person(error: BaseException, told: str) -> None:
    assert user_message(error) == told


def test_our_errors_inside_a_command_are_told_like_the_error_itself() -> None:
    wrapped = app_commands.CommandInvokeError(ask, QuestionError("Keep it under 1,000 characters."))
    assert user_message(wrapped) == "Keep it under 1,000 characters."


@pytest.mark.parametrize("bug", [RuntimeError("disk on fire"), KeyError("x"), AssertionError()])
def test_anything_else_is_a_bug_and_not_explained(bug: BaseException) -> None:
    assert user_message(bug) is None
    assert user_message(app_commands.CommandInvokeError(ask, bug)) is None


def test_a_refused_token_names_the_setting_and_where_to_reset_it() -> None:
    text = user_message(TokenRefused())
    assert text is not None and text.startswith("BYLINE_DISCORD_TOKEN: Discord refused this token")
    assert "Developer Portal" in text

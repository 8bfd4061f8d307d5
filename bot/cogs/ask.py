"""Asking: /ask, and questions by direct message or by mention; in a DM, "help" and "sources"
typed as words do what the commands do (slash commands may not exist in DMs: with a home server
set, they are that server's only)."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from index import MAX_QUESTION_CHARS

from ..answer_page import PassagesButton, ResultsPage, answer_page, help_reply
from ..channels import posting_in
from ..errors import MissingEmbedLinks, report_error
from ..gate import home_guild_only
from ..protocols import BylineBot, bot_of, byline_of
from ..replies import NO_PINGS, Reply, deliver, within_deadline
from ..settings import MAX_RESULTS
from ..votes import ReasonButton, VoteButton
from .sources import sources_page

log = logging.getLogger("byline.ask")

BUTTONS = (ResultsPage, PassagesButton, VoteButton, ReasonButton)  # under an answer; see setup
DM_WORDS = ("help", "sources")  # typed alone in a DM, they do what /help and /sources do


def _question_check(interaction: discord.Interaction) -> bool:
    """Before /ask: the index must be ready, and the asker within the shared cooldown."""
    bot_of(interaction).check_question(interaction.user)
    return True


def dm_word(text: str) -> str | None:
    """``help`` or ``sources`` when a DM is only that word (any case, a slash or punctuation
    around it), else None."""
    word = text.strip().strip("/!?.").strip().casefold()
    return word if word in DM_WORDS else None


class Ask(commands.Cog):
    """/ask, and any direct message or mention of the bot, answered the same way."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(
        question="What you want to know, e.g. what is Poland's defence spending?",
        results=f"How many passages to show (1-{MAX_RESULTS}); more are a button away",
        private="Only you see the answer",
    )
    @app_commands.check(_question_check)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        results: app_commands.Range[int, 1, MAX_RESULTS] | None = None,
        private: bool = False,
    ) -> None:
        """Answer a question from the articles: the answer first, then where it comes from."""
        size = results or self.bot.settings.top_k
        reply = await within_deadline(
            interaction,
            answer_page(
                self.bot, question, asker_id=interaction.user.id, size=size, page=0,
                guild_id=interaction.guild_id, in_dm=interaction.guild_id is None,
            ),
            defer_after=self.bot.defer_after,
            ephemeral=private,
        )  # fmt: skip
        # A one-line reply (small talk) goes to the asker alone: the channel need not see "hi".
        await deliver(interaction, reply, ephemeral=private or reply.embed is None)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if it is not addressed to the bot.

        In a DM every message is a question. In a guild channel only a message that mentions the
        bot is (without the message-content intent, Discord only gives us the text of those); the
        mention itself is not part of the question.
        """
        me = self.bot.user
        if me is None:
            return None
        if message.guild is None:
            return message.content
        if not any(user.id == me.id for user in message.mentions):
            return None
        return re.sub(rf"<@!?{me.id}>", " ", message.content)

    async def reply_to(self, message: discord.Message, question: str) -> Reply:
        """The reply to a DM or a mention: in a DM "help" and "sources" are the commands."""
        in_dm = message.guild is None
        word = dm_word(question) if in_dm else None
        if word == "help":
            return await help_reply(self.bot, in_dm=True)
        if word == "sources":
            return await sources_page(self.bot, message.author.id, 0)
        return await answer_page(
            self.bot, question, asker_id=message.author.id, size=self.bot.settings.top_k, page=0,
            guild_id=message.guild.id if message.guild else None, in_dm=in_dm,
        )  # fmt: skip

    @commands.Cog.listener()
    @home_guild_only
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:  # other bots, and our own replies
            return
        question = self.question_in(message)
        if question is None:
            return
        where = posting_in(message)
        if not where.send:
            log.info("asked in channel %s where I may not post", message.channel.id)
            return
        try:
            self.bot.ensure_ready()
            if not where.embeds:  # refused before counting: a question that cannot be shown is not one
                if self.bot.cooldown.first_notice(message.author, "embed links", self.bot.cooldown.per):
                    raise MissingEmbedLinks()
                return
            self.bot.cooldown.check(message.author)
            async with message.channel.typing():
                reply = await self.reply_to(message, question)
            await message.channel.send(
                content=reply.content,
                embed=reply.discord_embed,  # type: ignore[arg-type]  # None: no embed
                view=reply.view or discord.utils.MISSING,
                reference=message if where.reply else None,  # type: ignore[arg-type]  # None: no reply
                allowed_mentions=NO_PINGS,
            )
        except app_commands.CommandOnCooldown as error:
            if self.bot.cooldown.first_notice(message.author, "cooldown", error.retry_after):
                await report_error(message, error, as_reply=where.reply)
        except discord.Forbidden as error:  # where we could not tell our permissions beforehand
            log.info("may not answer in channel %s: %s", message.channel.id, error.text)
        except Exception as error:
            await report_error(message, error, as_reply=where.reply)


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extension by bot/app.py: the cog, and the buttons under its answers (pages,
    whole passages, votes and their reasons: they outlive any message, so the bot must know them
    before the first press)."""
    await bot.add_cog(Ask(byline_of(bot)))
    bot.add_dynamic_items(*BUTTONS)


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(*BUTTONS)

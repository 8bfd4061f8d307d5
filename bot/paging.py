"""Page buttons (the answers of /ask, the list of /sources): which way they turn, who may press
them, and where a question too long for its button waits (``QuestionCache``).

The buttons themselves are ``DynamicItem``s in their cogs: their state is in their custom_id, so
they keep working after a restart, and nothing is kept in memory per message.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

import discord

from .errors import report_error
from .replies import NO_PINGS


@dataclass(frozen=True)
class Turn:
    """Which way a page button turns: its label and how it looks."""

    label: str
    style: discord.ButtonStyle

    @classmethod
    def shown_by(cls, item: discord.ui.Item[Any]) -> Turn:
        """The turn a pressed page button shows: discord.py hands ``from_custom_id`` the button
        rebuilt from the message, typed as a plain ``Item``."""
        if not isinstance(item, discord.ui.Button):
            raise TypeError(f"a page button is a Button, not a {type(item).__name__}")
        return cls(item.label or "", item.style)


BACK = Turn("Previous", discord.ButtonStyle.secondary)


class OwnedPage:
    """What every page button does, mixed into its ``DynamicItem``: only ``owner_id`` may press it
    (anyone else is told ``notice``, privately), and an error while turning the page is answered
    (discord.py would only log it). Subclasses say how the page turns, in ``turn``."""

    owner_id: int
    notice: ClassVar[str]

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(self.notice, ephemeral=True, allowed_mentions=NO_PINGS)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.turn(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def turn(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


def view_of(*buttons: discord.ui.Item | None) -> discord.ui.View | None:
    """The buttons that apply (``None`` are left out) in one view; ``None`` when none applies.

    No timeout: the buttons are dynamic items, answered by the bot whenever they are pressed.
    """
    present = [button for button in buttons if button is not None]
    if not present:
        return None
    view = discord.ui.View(timeout=None)
    for button in present:
        view.add_item(button)
    return view


class QuestionCache:
    """Questions too long to ride in a button's custom_id, under a short key; the newest ``size`` kept.

    Bounded, so memory stays flat however many long questions are asked; a key that fell out (or
    one from before a restart) makes the button say "ask it again" instead of failing.
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._questions: OrderedDict[str, str] = OrderedDict()

    @staticmethod
    def key(question: str) -> str:
        digest = hashlib.blake2b(question.encode(), digest_size=9).digest()
        return base64.urlsafe_b64encode(digest).decode()

    def remember(self, question: str) -> str:
        key = self.key(question)
        self._questions[key] = question
        self._questions.move_to_end(key)
        while len(self._questions) > self.size:
            self._questions.popitem(last=False)
        return key

    def recall(self, key: str) -> str | None:
        question = self._questions.get(key)
        if question is not None:
            self._questions.move_to_end(key)
        return question

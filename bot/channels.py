"""Whether, and how, the bot may answer a message where it was asked.

Discord's rules, which discord.py's ``permissions_for`` leaves to us:

- posting in a thread takes Send Messages in Threads; the thread's ``permissions_for`` reports
  the parent channel's Send Messages, which says nothing about threads;
- a reply (a message that points at the question) also takes Read Message History, else Discord
  refuses it; without it the answer goes to the channel as a plain message;
- embeds are only shown with Embed Links (Discord drops them silently otherwise);
- a thread's permissions come from its parent channel: when the parent is not in discord.py's
  cache, ``permissions_for`` raises ``ClientException`` (and a channel missing from the cache
  altogether reports no permissions at all). We cannot tell then, so we try, and a refusal from
  Discord is logged, not answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

log = logging.getLogger("byline.channels")


@dataclass(frozen=True)
class Posting:
    """What the bot may do in a channel: post at all, post as a reply, show embeds."""

    send: bool
    reply: bool
    embeds: bool


ANYTHING = Posting(send=True, reply=True, embeds=True)


def posting(permissions: discord.Permissions, *, in_thread: bool) -> Posting:
    """What ``permissions`` (the bot's, in one channel or thread) let it post there."""
    send = permissions.send_messages_in_threads if in_thread else permissions.send_messages
    return Posting(
        send=send, reply=send and permissions.read_message_history, embeds=send and permissions.embed_links
    )


def posting_in(message: discord.Message) -> Posting:
    """What the bot may post in answer to ``message``: everything in a DM."""
    guild = message.guild
    if guild is None:
        return ANYTHING
    channel = message.channel
    if isinstance(channel, discord.PartialMessageable):
        log.info("channel %s is not cached; answering anyway", channel.id)
        return ANYTHING
    try:
        permissions = channel.permissions_for(guild.me)
    except discord.ClientException:  # a thread whose parent channel is not cached
        log.info("cannot tell my permissions in channel %s; answering anyway", channel.id)
        return ANYTHING
    return posting(permissions, in_thread=isinstance(channel, discord.Thread))

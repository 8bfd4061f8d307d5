"""Who may re-index: pure rules, so they are tested without Discord.

A re-index runs on the host of whoever runs Byline, so by default only they decide: the
application's owner (or the members of its team, as discord.py's ``Bot.is_owner`` says) and the
users listed in ``BYLINE_ADMIN_IDS``, anywhere. Every server's administrators may too only when
``BYLINE_GUILD_ADMINS_MAY_REINDEX`` is on, and then only in their server. Discord hides the
command from non-administrators (its default member permissions), but a server can change that
and direct messages have no permissions, so the bot decides again when the command runs.
"""

from collections.abc import Collection


def may_reindex(
    user_id: int,
    *,
    owner: bool,
    in_guild: bool,
    administrator: bool,
    admin_ids: Collection[int],
    guild_admins: bool = False,
) -> bool:
    """True if this user may re-index here.

    ``owner``: the user owns the application or is on its team. ``administrator`` is the user's
    Administrator permission in the guild where they asked; it counts only with ``guild_admins``
    and only in a guild (in a DM there is no guild to administer).
    """
    if owner or user_id in admin_ids:
        return True
    return guild_admins and in_guild and administrator


def refusal(*, in_guild: bool, guild_admins: bool = False, action: str = "re-index") -> str:
    """Why the user may not re-index (or do another operator's ``action``), for the user."""
    if in_guild and guild_admins:
        return f"Only server administrators and Byline's operators can {action}."
    return f"Only this bot's operators can {action}; ask one of them."

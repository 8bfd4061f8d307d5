"""Who may re-index: pure rules, so they are tested without Discord.

Discord hides ``/reindex`` from members without the Administrator permission (the command's
default member permissions), but a server's own settings can grant it to anyone, and direct
messages have no permissions at all. So the bot decides again when the command runs: a guild
administrator may, anyone listed in ``BYLINE_ADMIN_IDS`` may (anywhere), and no one else.
"""

from collections.abc import Collection


def may_reindex(user_id: int, *, in_guild: bool, administrator: bool, admin_ids: Collection[int]) -> bool:
    """True if this user may re-index here.

    ``administrator`` is the user's Administrator permission in the guild where they asked; it
    counts only in a guild (in a DM there is no guild to administer).
    """
    if user_id in admin_ids:
        return True
    return in_guild and administrator


def refusal(*, in_guild: bool, action: str = "re-index") -> str:
    """Why the user may not re-index (or do another administrator's ``action``), for the user."""
    if in_guild:
        return f"Only server administrators and Byline's operators (BYLINE_ADMIN_IDS) can {action}."
    return f"In direct messages only Byline's operators (BYLINE_ADMIN_IDS) can {action}."

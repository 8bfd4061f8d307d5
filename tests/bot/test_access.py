"""bot.access: who may re-index, decided again when /reindex runs."""

import pytest

from bot.access import may_reindex, refusal

LISTED = frozenset({42})


@pytest.mark.parametrize(
    ("user", "owner", "in_guild", "administrator", "allowed"),
    [
        (7, True, True, False, True),  # the application's owner (or its team), in a guild
        (7, True, False, False, True),  # ... and in a DM
        (42, False, True, False, True),  # a listed operator, in a guild
        (42, False, False, False, True),  # a listed operator, in a DM
        (1, False, True, True, False),  # a server's administrator: not by default
        (1, False, True, False, False),  # an ordinary member (even if the server let them see the command)
        (1, False, False, False, False),  # a stranger in a DM
    ],
)
def test_who_may_reindex_by_default(
    user: int, owner: bool, in_guild: bool, administrator: bool, allowed: bool
) -> None:
    decided = may_reindex(user, owner=owner, in_guild=in_guild, administrator=administrator, admin_ids=LISTED)
    assert decided is allowed


@pytest.mark.parametrize(
    ("in_guild", "administrator", "allowed"),
    [
        (True, True, True),  # a server's administrator, in their server
        (True, False, False),  # an ordinary member
        (False, True, False),  # "administrator" means nothing outside a guild
    ],
)
def test_guild_administrators_may_when_the_setting_says_so(
    in_guild: bool, administrator: bool, allowed: bool
) -> None:
    decided = may_reindex(
        1, owner=False, in_guild=in_guild, administrator=administrator, admin_ids=LISTED, guild_admins=True
    )
    assert decided is allowed


def test_nobody_is_listed_by_default() -> None:
    assert not may_reindex(42, owner=False, in_guild=False, administrator=False, admin_ids=frozenset())


def test_the_refusal_says_who_may_in_words_for_members() -> None:
    for in_guild in (True, False):
        assert refusal(in_guild=in_guild) == "Only this bot's operators can re-index; ask one of them."
    assert "server administrators" in refusal(in_guild=True, guild_admins=True)
    for text in (refusal(in_guild=True), refusal(in_guild=True, guild_admins=True)):
        assert "BYLINE_" not in text

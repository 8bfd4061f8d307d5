"""bot.access: who may re-index, decided again when /reindex runs."""

import pytest

from bot.access import may_reindex, refusal

LISTED = frozenset({42})


@pytest.mark.parametrize(
    ("user", "in_guild", "administrator", "allowed"),
    [
        (1, True, True, True),  # a guild administrator
        (1, True, False, False),  # an ordinary member (even if the server let them see the command)
        (42, True, False, True),  # a listed operator, in a guild
        (42, False, False, True),  # a listed operator, in a DM
        (1, False, True, False),  # "administrator" means nothing outside a guild
        (1, False, False, False),  # a stranger in a DM
    ],
)
def test_who_may_reindex(user: int, in_guild: bool, administrator: bool, allowed: bool) -> None:
    assert may_reindex(user, in_guild=in_guild, administrator=administrator, admin_ids=LISTED) is allowed


def test_nobody_is_listed_by_default() -> None:
    assert not may_reindex(42, in_guild=False, administrator=False, admin_ids=frozenset())


def test_the_refusal_says_who_may() -> None:
    assert "server administrators" in refusal(in_guild=True)
    assert "BYLINE_ADMIN_IDS" in refusal(in_guild=False) and "direct messages" in refusal(in_guild=False)

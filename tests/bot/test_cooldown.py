"""bot.cooldown: one bucket per user, shared by every way of asking."""

import discord
import pytest
from discord import app_commands

from bot.cooldown import QuestionCooldown

ALICE, BOB = discord.Object(1), discord.Object(2)


def test_a_user_gets_rate_questions_then_waits() -> None:
    cooldown = QuestionCooldown(2, 60.0)
    cooldown.check(ALICE)
    cooldown.check(ALICE)
    with pytest.raises(app_commands.CommandOnCooldown) as refused:
        cooldown.check(ALICE)
    assert 0 < refused.value.retry_after <= 60


def test_other_users_do_not_feel_it() -> None:
    cooldown = QuestionCooldown(1, 60.0)
    cooldown.check(ALICE)
    cooldown.check(BOB)
    with pytest.raises(app_commands.CommandOnCooldown):
        cooldown.check(ALICE)


def test_a_flood_is_told_once_per_wait() -> None:
    cooldown = QuestionCooldown(1, 60.0)
    assert cooldown.first_notice(ALICE, "cooldown", 30.0)
    assert not cooldown.first_notice(ALICE, "cooldown", 29.0)
    assert cooldown.first_notice(BOB, "cooldown", 30.0)
    assert cooldown.first_notice(ALICE, "cooldown", 0.0) is False  # still within the first wait


def test_each_notice_is_counted_apart() -> None:
    cooldown = QuestionCooldown(1, 60.0)
    assert cooldown.first_notice(ALICE, "cooldown", 30.0)
    assert cooldown.first_notice(ALICE, "embed links", 30.0)
    assert not cooldown.first_notice(ALICE, "embed links", 30.0)


def test_a_notice_is_given_again_once_its_time_is_up() -> None:
    cooldown = QuestionCooldown(1, 60.0)
    assert cooldown.first_notice(ALICE, "cooldown", 0.0)
    assert cooldown.first_notice(ALICE, "cooldown", 0.0)

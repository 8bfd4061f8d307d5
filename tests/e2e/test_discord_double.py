"""The Discord double, proven against the real discord.py (no mocks on the client side).

Each test starts a real discord.Client / commands.Bot that logs in over REST, connects to the
double's gateway and reacts to interactions and messages the double dispatches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from .double import (
    FAST_CLIENT_OPTIONS,
    MESSAGE_FLAG_EPHEMERAL,
    DefaultWorld,
    DiscordDouble,
    Upload,
    iter_error_leaves,
    load_spec,
    running_client,
)
from .double.common import ATTACHMENT_SIZE_LIMIT

pytestmark = pytest.mark.asyncio


def make_bot(intents: discord.Intents | None = None) -> commands.Bot:
    """A commands.Bot as Byline builds one, with a fast on_ready."""
    return commands.Bot(
        command_prefix="!", intents=intents or discord.Intents.default(), **FAST_CLIENT_OPTIONS
    )


def last_error_body(double: DiscordDouble) -> dict[str, Any]:
    """Body of the most recent 4xx the double answered."""
    failed = [r for r in double.requests if r.status >= 400]
    assert failed, "no failed request recorded"
    return failed[-1].response


# ---------------------------------------------------------------------------------------------
async def test_login_ready_and_guild_create_fill_the_cache(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        assert client.user is not None and client.user.id == world.bot_id
        assert client.application_id == world.application_id
        guild = client.get_guild(world.guild_id)
        assert guild is not None and guild.name == "Byline Test Guild"
        general = guild.get_channel(world.text_channel_id)
        readonly = guild.get_channel(world.readonly_channel_id)
        assert isinstance(general, discord.TextChannel) and general.name == "general"
        assert isinstance(readonly, discord.TextChannel)
        me = guild.me
        assert me is not None
        assert general.permissions_for(me).send_messages
        assert not readonly.permissions_for(me).send_messages  # the member overwrite is honoured
        assert guild.get_role(world.admin_role_id) is not None

    identify = discord_double.gateway_frames(op=2)
    assert len(identify) == 1 and identify[0].d["token"] == "<redacted>"
    assert identify[0].d["intents"] == discord.Intents.default().value
    assert discord_double.gateway.connections[0].compress  # zlib-stream was negotiated and used
    login = discord_double.requests_to("GET", "/users/@me")[0]
    assert login.headers["Authorization"] == "<redacted>"
    assert discord_double.token not in repr(discord_double.requests)
    assert discord_double.token not in repr(discord_double.gateway.frames)
    assert not discord_double.unknown_requests


async def test_bad_token_is_refused_with_401(discord_double: DiscordDouble) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    async with (
        aiohttp.ClientSession() as session,
        session.get(discord_double.rest_base + "/users/@me") as resp,
    ):
        assert resp.status == 401
        assert await resp.json() == {"message": "401: Unauthorized", "code": 0}


async def test_command_sync_and_invalid_command_rejected(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    bot = make_bot()

    @bot.tree.command(description="Say hello")
    @app_commands.describe(name="who to greet")
    async def hello(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"hi {name}")

    async with running_client(discord_double, bot):
        synced = await bot.tree.sync()
        assert [c.name for c in synced] == ["hello"] and synced[0].id
        assert [c["name"] for c in discord_double.commands_for()] == ["hello"]
        fetched = await bot.tree.fetch_commands()
        assert fetched[0].id == synced[0].id
        guild_synced = await bot.tree.sync(guild=discord.Object(world.guild_id))
        assert guild_synced == []

        # app_commands.Command refuses bad names itself, so send the raw payload a buggy
        # builder (or a hand-written sync) would send, through discord.py's HTTP client.
        too_long = {"name": "x" * 33, "description": "too long a name", "type": 1}
        with pytest.raises(discord.HTTPException) as caught:
            await bot.http.bulk_upsert_global_commands(world.application_id, [too_long])
        assert caught.value.status == 400 and caught.value.code == 50035
        codes = {
            e["code"]
            for p, e in iter_error_leaves(last_error_body(discord_double)["errors"])
            if p == "0.name"
        }
        assert codes == {"BASE_TYPE_MAX_LENGTH", "APPLICATION_COMMAND_INVALID_NAME"}

        upper = {"name": "Hello", "description": "uppercase is invalid for slash commands", "type": 1}
        with pytest.raises(discord.HTTPException):
            await bot.http.bulk_upsert_global_commands(world.application_id, [upper])
        # A rejected overwrite leaves the registered commands untouched.
        assert [c["name"] for c in discord_double.commands_for()] == ["hello"]


async def test_slash_command_reaches_callback_and_response_is_recorded(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    bot = make_bot()
    seen: dict[str, Any] = {}

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Confirm", custom_id="confirm:1", style=discord.ButtonStyle.success)
        async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            seen["clicker"] = interaction.user.id
            await interaction.response.edit_message(content="confirmed", view=None)

    @bot.tree.command(description="Echo back")
    async def echo(
        interaction: discord.Interaction, text: str, times: int = 1, who: discord.Member | None = None
    ) -> None:
        seen.update(text=text, times=times, who=who, user=interaction.user, guild=interaction.guild)
        embed = discord.Embed(title="Echo", description=text * times)
        await interaction.response.send_message(f"{text}!", embed=embed, view=Confirm())

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command(
            "echo", {"text": "ab", "times": 2, "who": world.admin_id}, user=world.member_id
        )
        message = await discord_double.wait_for_response(inter)
        assert seen["text"] == "ab" and seen["times"] == 2
        assert isinstance(seen["who"], discord.Member) and seen["who"].id == world.admin_id
        assert seen["user"].id == world.member_id and seen["guild"].id == world.guild_id
        assert message.content == "ab!" and message.channel_id == world.text_channel_id
        assert message.embeds[0]["description"] == "abab"
        assert message.components[0]["components"][0]["custom_id"] == "confirm:1"
        assert inter.callback_type == 4
        assert inter.time_to_first_response is not None and inter.time_to_first_response < 1.0
        assert await discord_double.wait_for_message(world.text_channel_id) is message

        click = await discord_double.button_click("confirm:1", message, user=world.member_id)
        await discord_double.wait_for_ack(click)
        assert seen["clicker"] == world.member_id
        assert click.callback_type == 7
        assert message.content == "confirmed" and message.components == []
        assert message.history[0]["content"] == "ab!"


async def test_deferred_response_filled_by_followup_then_edited(discord_double: DiscordDouble) -> None:
    bot = make_bot()

    @bot.tree.command(description="Slow work")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("done")
        await interaction.edit_original_response(content="done (edited)")
        extra = await interaction.followup.send("second", wait=True)
        await extra.edit(content="second (edited)")

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command("slow", dm=True)
        message = await discord_double.wait_for_response(inter, predicate=lambda m: "edited" in m.content)
        assert inter.callback_type == 5
        assert message.content == "done (edited)" and message.flags & MESSAGE_FLAG_EPHEMERAL
        await discord_double.wait_until(
            lambda: (
                len(inter.followup_ids) == 1
                and discord_double.messages[inter.followup_ids[0]].content == "second (edited)"
            )
        )


async def test_a_followup_after_the_deferral_was_deleted_is_a_message_of_its_own(
    discord_double: DiscordDouble,
) -> None:
    bot = make_bot()

    @bot.tree.command(description="Public thinking, private answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.delete_original_response()
        await interaction.followup.send("only you see this", ephemeral=True)

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command("slow")
        await discord_double.wait_until(lambda: inter.followup_ids or None)
    assert discord_double.messages[inter.original_message_id].deleted  # type: ignore[index]
    [followup] = [discord_double.messages[i] for i in inter.followup_ids]
    assert followup.ephemeral and followup.content == "only you see this"


async def test_overlong_content_and_embeds_get_400(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        channel = client.get_channel(world.text_channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("x" * 2001)
        assert caught.value.status == 400 and caught.value.code == 50035
        body = last_error_body(discord_double)
        assert [p for p, _ in iter_error_leaves(body["errors"])] == ["content"]

        big = [discord.Embed(description="y" * 4000), discord.Embed(description="z" * 2001)]
        with pytest.raises(discord.HTTPException):
            await channel.send(embeds=big)
        codes = [e["code"] for _, e in iter_error_leaves(last_error_body(discord_double)["errors"])]
        assert "MAX_EMBED_SIZE_EXCEEDED" in codes

        ok = await channel.send("x" * 2000)
        assert len(ok.content) == 2000
        assert [m.content for m in discord_double.channel_messages(world.text_channel_id)] == ["x" * 2000]


async def test_late_response_gets_unknown_interaction(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(description="Too slow")
    async def sluggish(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("finally")
        except discord.HTTPException as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        discord_double.interaction_deadline = 0.2
        inter = await discord_double.slash_command("sluggish")
        exc = await asyncio.wait_for(outcome, 5)
        assert isinstance(exc, discord.NotFound) and exc.code == 10062
        assert not inter.acknowledged and inter.rejected[0].code == 10062
        assert inter.rejected[0].after >= 0.3
        assert discord_double.channel_messages(inter.channel_id) == []


async def test_second_response_gets_already_acknowledged(discord_double: DiscordDouble) -> None:
    """Two handlers answering one interaction (a classic bug) → Discord's 40060 for the second."""
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    @bot.tree.command(description="Double answer")
    async def twice(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("from the command")
        except discord.HTTPException as exc:
            errors.append(exc)

    @bot.listen("on_interaction")
    async def also_answer(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer()
        except discord.HTTPException as exc:
            errors.append(exc)

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command("twice")
        await discord_double.wait_until(lambda: errors or None, what="the losing responder's error")
        assert [e.code for e in errors] == [40060] and errors[0].status == 400
        assert inter.acknowledged and [r.code for r in inter.rejected] == [40060]


async def test_followup_before_ack_is_unknown_webhook(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(description="Wrong order")
    async def early(interaction: discord.Interaction) -> None:
        try:
            await interaction.followup.send("too early")
        except discord.HTTPException as exc:
            outcome.set_result(exc)
        await interaction.response.send_message("ok")

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command("early")
        exc = await asyncio.wait_for(outcome, 5)
        assert isinstance(exc, discord.NotFound) and exc.code == 10015
        assert (await discord_double.wait_for_response(inter)).content == "ok"


async def test_drop_gateway_resumes_and_replays_missed_events(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    resumed = asyncio.Event()

    @bot.tree.command(description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @bot.event
    async def on_resumed() -> None:
        resumed.set()

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        await discord_double.drop_gateway()
        # Dispatched while the bot is disconnected: queued and replayed on RESUME.
        missed = await discord_double.slash_command("ping")
        await discord_double.wait_until_resumed()
        await asyncio.wait_for(resumed.wait(), 5)
        assert (await discord_double.wait_for_response(missed)).content == "pong"
        resume = discord_double.gateway_frames(op=6)
        assert len(resume) == 1 and resume[0].d["token"] == "<redacted>"
        assert discord_double.gateway.connections[-1].path == "/gateway/resume"
        assert discord_double.gateway.identify_count == 1

        fresh = await discord_double.slash_command("ping")
        assert (await discord_double.wait_for_response(fresh)).content == "pong"


async def test_invalid_session_makes_client_identify_again(discord_double: DiscordDouble) -> None:
    bot = make_bot()

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py's default hook sleeps 5 s before every non-initial IDENTIFY."""

    bot.before_identify_hook = identify_now  # type: ignore[method-assign]

    @bot.tree.command(description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        await discord_double.invalidate_session()
        await discord_double.wait_until_identified(count=2)
        assert len(discord_double.gateway_frames(op=2)) == 2
        assert discord_double.gateway_frames(op=6) == []
        inter = await discord_double.slash_command("ping")
        assert (await discord_double.wait_for_response(inter)).content == "pong"


async def test_dm_message_reaches_on_message_and_reply_is_recorded(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    received: list[discord.Message] = []

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        received.append(message)
        async with message.channel.typing():
            await message.reply(f"echo: {message.content}", allowed_mentions=discord.AllowedMentions.none())

    async with running_client(discord_double, client):
        sent = await discord_double.user_message("hello bot", user=world.member_id, dm=True)
        dm_channel = discord_double.dm_channel_id(world.member_id)
        reply = await discord_double.wait_for_message(dm_channel)
        assert received[0].content == "hello bot" and isinstance(received[0].channel, discord.DMChannel)
        assert reply.content == "echo: hello bot"
        assert reply.message_reference is not None and int(reply.message_reference["message_id"]) == sent.id
        assert reply.allowed_mentions == {"parse": []}
        assert reply.mentions == []  # allowed_mentions none: nobody pinged
        assert discord_double.requests_to("POST", "/channels/{id}/typing")


async def test_guild_message_content_needs_intent_or_mention(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    contents: list[str] = []
    mentioned: list[bool] = []

    @client.event
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            contents.append(message.content)
            mentioned.append(client.user in message.mentions)

    async with running_client(discord_double, client):
        await discord_double.user_message("no mention here", user=world.member_id)
        await discord_double.user_message(f"<@{world.bot_id}> summarize please", user=world.member_id)
        await discord_double.wait_until(lambda: len(contents) == 2 or None)
        assert contents == ["", f"<@{world.bot_id}> summarize please"]
        assert mentioned == [False, True]


async def test_rate_limit_is_retried_and_message_lands_once(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        channel = client.get_channel(world.text_channel_id)
        assert isinstance(channel, discord.TextChannel)
        fault = discord_double.inject_fault(
            "POST", "/channels/{channel_id}/messages", status=429, retry_after=0.1
        )
        sent = await channel.send("after the rate limit")
        attempts = discord_double.requests_to("POST", "/channels/{channel_id}/messages")
        assert [r.status for r in attempts] == [429, 200] and fault.hits == 1
        assert attempts[0].response == {
            "message": "You are being rate limited.",
            "retry_after": 0.1,
            "global": False,
        }
        assert [m.id for m in discord_double.channel_messages(world.text_channel_id)] == [sent.id]


async def test_missing_permissions_and_unknown_routes(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        readonly = client.get_channel(world.readonly_channel_id)
        assert isinstance(readonly, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as caught:
            await readonly.send("not allowed")
        assert caught.value.code == 50013
        with pytest.raises(discord.NotFound):
            await client.http.request(Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=world.guild_id))
        assert [r.path for r in discord_double.unknown_requests] == [f"/guilds/{world.guild_id}/audit-logs"]
        discord_double.unknown_requests.clear()


async def test_threads_take_their_parents_permissions_and_send_messages_in_threads(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        thread = client.get_channel(world.thread_id)
        closed = client.get_channel(world.closed_thread_id)
        orphan = client.get_channel(world.orphan_thread_id)
        assert isinstance(thread, discord.Thread) and thread.parent_id == world.text_channel_id
        assert isinstance(closed, discord.Thread) and isinstance(orphan, discord.Thread)
        in_closed = closed.permissions_for(closed.guild.me)
        assert in_closed.send_messages and not in_closed.send_messages_in_threads  # discord.py's trap
        with pytest.raises(discord.ClientException):
            orphan.permissions_for(orphan.guild.me)  # its parent is not in the cache

        sent = await thread.send("in the thread")
        assert [m.id for m in discord_double.channel_messages(world.thread_id)] == [sent.id]
        with pytest.raises(discord.Forbidden) as refused:
            await closed.send("not in this one")
        assert refused.value.code == 50013
        await orphan.send("here the guild's permissions apply")


async def test_a_reply_needs_read_message_history(discord_double: DiscordDouble, world: DefaultWorld) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        channel = client.get_channel(world.no_history_channel_id)
        assert isinstance(channel, discord.TextChannel)
        asked = await discord_double.user_message(
            f"<@{world.bot_id}> hi", user=world.member_id, channel_id=world.no_history_channel_id
        )
        question = channel.get_partial_message(asked.id)
        with pytest.raises(discord.Forbidden) as refused:
            await question.reply("a reply")
        assert refused.value.code == 50013
        await channel.send("a plain message")  # allowed
    [sent] = discord_double.channel_messages(world.no_history_channel_id)
    assert sent.content == "a plain message" and sent.message_reference is None


async def test_unavailable_command_is_not_dispatched(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    bot = make_bot()

    @bot.tree.command(description="Admins only")
    @app_commands.default_permissions(manage_guild=True)
    async def config(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("configured")

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        with pytest.raises(ValueError, match="default_member_permissions"):
            await discord_double.slash_command("config", user=world.member_id)
        inter = await discord_double.slash_command("config", user=world.admin_id)
        assert (await discord_double.wait_for_response(inter)).content == "configured"
        with pytest.raises(ValueError, match="not synced"):
            await discord_double.slash_command("nope")


async def test_spec_index_and_validation() -> None:
    spec = load_spec()
    assert load_spec() is spec  # parsed once per process
    op = spec.find("PATCH", "/webhooks/1/tok/messages/@original")
    assert op is not None and op.template.endswith("/messages/@original")
    create = spec.find("POST", "/channels/1/messages")
    assert create is not None
    assert spec.validate(create, {"content": "hi", "message_reference": {"message_id": 123}}) is None
    errors = spec.validate(create, {"embeds": [{"title": "t" * 257}]})
    assert errors == {
        "embeds": {
            "0": {
                "title": {
                    "_errors": [
                        {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}
                    ]
                }
            }
        }
    }


async def test_modal_select_and_autocomplete_round_trips(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    bot = make_bot()

    class Feedback(discord.ui.Modal, title="Feedback"):
        comment: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Comment", custom_id="comment")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"thanks: {self.comment.value}", ephemeral=True)

    class Picker(discord.ui.View):
        @discord.ui.select(
            custom_id="pick:sel",
            options=[discord.SelectOption(label="A", value="a"), discord.SelectOption(label="B", value="b")],
        )
        async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
            await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)

    @bot.tree.command(description="Leave feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @bot.tree.command(description="Pick one")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("choose", view=Picker())

    @bot.tree.command(description="Ask about a topic")
    async def ask(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(topic)

    @ask.autocomplete("topic")
    async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=t, value=t) for t in ("economy", "elections") if t.startswith(current)
        ]

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        opened = await discord_double.slash_command("feedback", user=world.member_id)
        await discord_double.wait_for_ack(opened)
        assert opened.callback_type == 9 and opened.callback_data is not None
        submitted = await discord_double.modal_submit(opened, {"comment": "great work"})
        thanks = await discord_double.wait_for_response(submitted)
        assert thanks.content == "thanks: great work" and thanks.ephemeral
        with pytest.raises(ValueError, match="required"):
            await discord_double.modal_submit(opened, {})

        menu = await discord_double.wait_for_response(await discord_double.slash_command("pick"))
        with pytest.raises(ValueError, match="not options"):
            await discord_double.select_menu("pick:sel", menu, ["z"])
        chosen = await discord_double.select_menu("pick:sel", menu, ["b"])
        await discord_double.wait_for_ack(chosen)
        assert menu.content == "picked b" and menu.components == []

        typing = await discord_double.autocomplete("ask", {"topic": "ec"}, focused="topic")
        await discord_double.wait_for_ack(typing)
        assert typing.callback_type == 8
        assert typing.callback_data == {"choices": [{"name": "economy", "value": "economy"}]}


async def test_rejected_callback_does_not_acknowledge(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    failures: list[discord.HTTPException] = []

    @bot.tree.command(description="Retry with a shorter answer")
    async def verbose(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as exc:
            failures.append(exc)
        await interaction.response.send_message("short")

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        inter = await discord_double.slash_command("verbose")
        assert (await discord_double.wait_for_response(inter)).content == "short"
        assert [(f.status, f.code) for f in failures] == [(400, 50035)]
        callbacks = discord_double.requests_to("POST", "/interactions/{id}/{token}/callback")
        assert [r.status for r in callbacks] == [400, 200]
        assert (
            callbacks[0].response["errors"]["data"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
        )


async def test_server_error_is_retried(discord_double: DiscordDouble, world: DefaultWorld) -> None:
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(discord_double, client):
        channel = client.get_channel(world.text_channel_id)
        assert isinstance(channel, discord.TextChannel)
        discord_double.inject_fault("POST", "/channels/{channel_id}/messages", status=500)
        await channel.send("survives a 500")  # discord.py sleeps 1 s, then retries
        attempts = discord_double.requests_to("POST", "/channels/{channel_id}/messages")
        assert [r.status for r in attempts] == [500, 200]


async def test_heartbeats_are_acknowledged(
    discord_double_factory: Callable[..., Awaitable[DiscordDouble]],
) -> None:
    double = await discord_double_factory(heartbeat_interval_ms=50)
    client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
    async with running_client(double, client):
        await double.wait_until(lambda: len(double.gateway_frames(op=1)) >= 3, what="three heartbeats")
        assert len(double.gateway_frames(op=11, direction="send")) >= 2
        assert client.latency < 1.0


async def test_patch_is_restored_and_user_messages_are_queryable(world: DefaultWorld) -> None:
    original_base = Route.BASE
    double = world.build()
    async with double:
        assert double.rest_base == Route.BASE
        client = discord.Client(intents=discord.Intents.default(), **FAST_CLIENT_OPTIONS)
        async with running_client(double, client):
            sent = await double.user_message("hi", user=world.admin_id, channel_id=world.text_channel_id)
            assert await double.wait_for_message(world.text_channel_id, from_bot=False) is sent
    assert original_base == Route.BASE


async def test_an_attachment_option_is_resolved_and_its_file_served_as_the_cdn_does(
    discord_double: DiscordDouble, world: DefaultWorld
) -> None:
    bot = make_bot()
    seen: dict[str, Any] = {}

    @bot.tree.command(description="Read a file")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        seen.update(name=file.filename, size=file.size, data=await file.read())
        await interaction.response.send_message("read", ephemeral=True)

    async with running_client(discord_double, bot):
        await bot.tree.sync()
        data = "héllo\n".encode()
        inter = await discord_double.slash_command(
            "upload", {"file": Upload("my dir/My file.md", data)}, user=world.member_id
        )
        await discord_double.wait_for_response(inter)
        assert seen == {"name": "My_file.md", "size": len(data), "data": data}  # Discord keeps the base name
        [attachment_id] = discord_double.uploads
        base = f"http://127.0.0.1:{discord_double.port}/ephemeral-attachments/{world.application_id}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/{attachment_id}/My_file.md") as found:
                assert found.status == 200 and await found.read() == data
            async with session.get(f"{base}/{attachment_id + 1}/My_file.md") as missing:
                assert missing.status == 404
        with pytest.raises(ValueError, match="upload limit"):
            await discord_double.slash_command(
                "upload", {"file": Upload("big.md", b"x" * (ATTACHMENT_SIZE_LIMIT + 1))}, user=world.member_id
            )
        with pytest.raises(ValueError, match="takes an Upload"):
            await discord_double.slash_command("upload", {"file": "a.md"}, user=world.member_id)

"""bot/run.py: which failures `byline run` waits out (its retries: tests/e2e/test_bot_outage.py)."""

import socket

import aiohttp
import discord
import pytest

from bot.run import unreachable

_KEY = aiohttp.client_reqrep.ConnectionKey("discord.com", 443, True, True, None, None, None)


@pytest.mark.parametrize(
    "outage",
    [
        aiohttp.ClientConnectorDNSError(_KEY, OSError(-3, "Temporary failure in name resolution")),
        aiohttp.ServerDisconnectedError(),
        ConnectionRefusedError(111, "Connection refused"),
        socket.gaierror(-2, "Name or service not known"),
        TimeoutError(),
    ],
)
def test_an_outage_is_waited_out(outage: BaseException) -> None:
    assert unreachable(outage)


@pytest.mark.parametrize(
    "fault",
    [
        discord.LoginFailure("Improper token has been passed."),
        OSError(98, "Address already in use"),  # BYLINE_METRICS_PORT taken: no outage
        PermissionError(13, "Permission denied"),
        ValueError("a bug"),
    ],
)
def test_a_bad_token_or_a_local_fault_is_not_hidden_by_waiting(fault: BaseException) -> None:
    assert not unreachable(fault)

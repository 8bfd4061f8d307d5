"""Shared pieces of the double: Discord's error shape, constants, small helpers."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from .models import RecordedRequest

log = logging.getLogger("byline.discord_double")

API_PREFIX = "/api/v10"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
T = TypeVar("T")
Handler = Callable[["Call"], Awaitable[web.Response]]

# Interaction types and callback types (https://discord.com/developers/docs/interactions/receiving-and-responding).
IT_APPLICATION_COMMAND = 2
IT_MESSAGE_COMPONENT = 3
CB_MESSAGE = 4
CB_DEFERRED_MESSAGE = 5
CB_DEFERRED_UPDATE = 6
CB_UPDATE_MESSAGE = 7
CB_AUTOCOMPLETE = 8
CB_MODAL = 9
ALLOWED_CALLBACKS = {
    IT_APPLICATION_COMMAND: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_MODAL},
    IT_MESSAGE_COMPONENT: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE, CB_MODAL},
    4: {CB_AUTOCOMPLETE},
    5: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE},
}
OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_ATTACHMENT = 11
CDN_PREFIX = "/ephemeral-attachments"  # where the double serves attached files, as Discord's CDN
MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class DiscordError(Exception):
    """Raised inside handlers: becomes Discord's JSON error response."""

    def __init__(self, status: int, message: str, code: int, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def unknown(what: str, code: int) -> DiscordError:
    """404 "Unknown X" in Discord's wording."""
    return DiscordError(404, f"Unknown {what}", code)


def invalid_form(errors: dict[str, Any]) -> DiscordError:
    """400 Invalid Form Body (50035) with an `errors` tree."""
    return DiscordError(400, "Invalid Form Body", 50035, errors)


@dataclass
class Call:
    """A parsed REST request handed to a route handler."""

    request: web.Request
    record: RecordedRequest
    params: dict[str, str]
    body: Any
    files: list[dict[str, Any]]

    def int_param(self, name: str) -> int:
        """A snowflake path parameter (404-style failure if not numeric)."""
        try:
            return int(self.params[name])
        except (KeyError, ValueError):
            raise DiscordError(404, "404: Not Found", 0) from None

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean query parameter as Discord reads them ("1"/"true")."""
        value = self.request.query.get(name)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes")


@dataclass
class Route:
    """A registered REST handler and how to match it."""

    method: str
    template: str
    regex: re.Pattern[str]
    literal: int
    handler: Handler
    auth: bool
    body_check: str | None


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """JSON exactly as Discord labels it: `application/json` with no charset (discord.py compares
    the header verbatim and would otherwise hand the raw text to its parsers)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers=headers, content_type="application/json"
    )


def merge_errors(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Merge two Discord `errors` trees, dropping an error the schema already reported."""
    for key, value in other.items():
        if key == "_errors":
            have = into.setdefault("_errors", [])
            have.extend(e for e in value if e not in have)
        elif isinstance(value, dict):
            merge_errors(into.setdefault(key, {}), value)


def strip_nones(value: Any) -> Any:
    """Drop null fields recursively (Discord omits them in the objects it returns)."""
    if isinstance(value, dict):
        return {k: strip_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nones(v) for v in value]
    return value


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    """The component with `custom_id` anywhere in a message's component tree."""
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        for key in ("components",):
            found = find_component(comp.get(key) or [], custom_id)
            if found is not None:
                return found
        accessory = comp.get("accessory")
        if isinstance(accessory, dict) and accessory.get("custom_id") == custom_id:
            return accessory
    return None

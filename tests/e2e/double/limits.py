"""Limits Discord enforces on messages and commands, checked explicitly.

The OpenAPI schema catches some of these, but not all (it allows 4000-char content for
user accounts, says nothing of the 6000-char embed total, command name charset, empty
messages...), so they are spelled out here and return Discord-style `errors` trees.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .models import MESSAGE_FLAG_COMPONENTS_V2
from .spec import add_error

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
COMPONENTS_V2_MAX = 40
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
OPTIONS_MAX = 25
CHOICES_MAX = 25
COMMAND_TOTAL_MAX = 4000
LINK_BUTTON_STYLE = 5
BUTTON_TYPE = 2
ACTION_ROW_TYPE = 1
SELECT_TYPES = {3, 5, 6, 7, 8}


def _too_long(errors: dict[str, Any], path: list[Any], value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        add_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required_text(errors: dict[str, Any], path: list[Any], value: Any, limit: int) -> None:
    if not isinstance(value, str) or not value:
        add_error(errors, path, "BASE_TYPE_REQUIRED", "This field is required")
    else:
        _too_long(errors, path, value, limit)


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6000 total (title, description, fields, footer, author)."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_embeds(errors: dict[str, Any], embeds: Any) -> None:
    """Per-embed field limits plus the per-message 6000-character total."""
    if not isinstance(embeds, list):
        return
    if len(embeds) > EMBEDS_MAX:
        add_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue
        _too_long(errors, ["embeds", i, "title"], embed.get("title"), 256)
        _too_long(errors, ["embeds", i, "description"], embed.get("description"), 4096)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            add_error(
                errors, ["embeds", i, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, item in enumerate(fields):
            _required_text(errors, ["embeds", i, "fields", j, "name"], item.get("name"), 256)
            _required_text(errors, ["embeds", i, "fields", j, "value"], item.get("value"), 1024)
        footer = embed.get("footer")
        if isinstance(footer, dict):
            _required_text(errors, ["embeds", i, "footer", "text"], footer.get("text"), 2048)
        author = embed.get("author")
        if isinstance(author, dict):
            _required_text(errors, ["embeds", i, "author", "name"], author.get("name"), 256)
    total = sum(embed_length(e) for e in embeds if isinstance(e, dict))
    if total > EMBED_TOTAL_MAX:
        add_error(
            errors,
            ["embeds"],
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def _check_interactive(errors: dict[str, Any], path: list[Any], comp: dict[str, Any], seen: set[str]) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if ctype == BUTTON_TYPE:
        _too_long(errors, [*path, "label"], comp.get("label"), BUTTON_LABEL_MAX)
        if comp.get("style") == LINK_BUTTON_STYLE:
            if not comp.get("url"):
                add_error(errors, [*path, "url"], "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
            if custom_id is not None:
                add_error(
                    errors,
                    [*path, "custom_id"],
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "A custom id is not allowed",
                )
            return
        if comp.get("style") == 6:  # premium button: sku_id, no custom_id
            return
    if ctype in SELECT_TYPES:
        _too_long(errors, [*path, "placeholder"], comp.get("placeholder"), 150)
        options = comp.get("options") or []
        if len(options) > 25:
            add_error(errors, [*path, "options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for k, opt in enumerate(options):
            _required_text(errors, [*path, "options", k, "label"], opt.get("label"), 100)
            _required_text(errors, [*path, "options", k, "value"], opt.get("value"), 100)
            _too_long(errors, [*path, "options", k, "description"], opt.get("description"), 100)
    if ctype == BUTTON_TYPE or ctype in SELECT_TYPES:
        if not isinstance(custom_id, str) or not custom_id:
            add_error(
                errors, [*path, "custom_id"], "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required"
            )
            return
        _too_long(errors, [*path, "custom_id"], custom_id, CUSTOM_ID_MAX)
        if custom_id in seen:
            add_error(
                errors,
                [*path, "custom_id"],
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def _walk_v2(errors: dict[str, Any], path: list[Any], comp: dict[str, Any], seen: set[str]) -> int:
    """Count components (and check interactive ones) in a components-v2 tree."""
    count = 1
    _check_interactive(errors, path, comp, seen)
    for key in ("components",):
        for i, child in enumerate(comp.get(key) or []):
            if isinstance(child, dict):
                count += _walk_v2(errors, [*path, key, i], child, seen)
    accessory = comp.get("accessory")
    if isinstance(accessory, dict):
        count += _walk_v2(errors, [*path, "accessory"], accessory, seen)
    return count


def check_components(errors: dict[str, Any], components: Any, flags: int) -> None:
    """≤5 action rows of ≤5 buttons or one select; custom_id ≤100 and unique; label ≤80."""
    if not isinstance(components, list):
        return
    seen: set[str] = set()
    if flags & MESSAGE_FLAG_COMPONENTS_V2:
        total = sum(
            _walk_v2(errors, ["components", i], c, seen)
            for i, c in enumerate(components)
            if isinstance(c, dict)
        )
        if total > COMPONENTS_V2_MAX:
            add_error(
                errors,
                ["components"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {COMPONENTS_V2_MAX} or fewer in length.",
            )
        return
    if len(components) > ACTION_ROWS_MAX:
        add_error(
            errors, ["components"], "BASE_TYPE_MAX_LENGTH", f"Must be {ACTION_ROWS_MAX} or fewer in length."
        )
    for i, row in enumerate(components):
        if not isinstance(row, dict):
            continue
        if row.get("type") != ACTION_ROW_TYPE:
            add_error(
                errors,
                ["components", i, "type"],
                "UNION_TYPE_CHOICES",
                "Value must be one of {1} without the IS_COMPONENTS_V2 flag.",
            )
            continue
        children = row.get("components") or []
        if len(children) > 5:
            add_error(
                errors,
                ["components", i, "components"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 5 or fewer in length.",
            )
        if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
            add_error(
                errors,
                ["components", i, "components"],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, comp in enumerate(children):
            if isinstance(comp, dict):
                _check_interactive(errors, ["components", i, "components", j], comp, seen)


def check_allowed_mentions(errors: dict[str, Any], allowed: Any) -> None:
    """`parse: ["users"]` and an explicit `users` list are mutually exclusive (same for roles)."""
    if not isinstance(allowed, dict):
        return
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            add_error(
                errors,
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )


def check_message(body: Any, *, creating: bool, has_files: bool = False) -> tuple[dict[str, Any], bool]:
    """Errors tree for a message body, and whether it is an empty message (Discord code 50006)."""
    errors: dict[str, Any] = {}
    if not isinstance(body, dict):
        return errors, False
    content = body.get("content")
    _too_long(errors, ["content"], content, CONTENT_MAX)
    check_embeds(errors, body.get("embeds"))
    check_components(errors, body.get("components"), int(body.get("flags") or 0))
    check_allowed_mentions(errors, body.get("allowed_mentions"))
    empty = creating and not (
        content
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or has_files
    )
    return errors, empty


def valid_command_name(name: str, *, chat_input: bool) -> bool:
    """Discord's `^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, lowercase for slash commands."""
    if not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    if not chat_input:
        return True
    for ch in name:
        if ch in "-_'":
            continue
        if not (ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc")):
            return False
        if ch.lower() != ch:
            return False
    return True


def _command_text_size(command: dict[str, Any]) -> int:
    total = len(command.get("name") or "") + len(command.get("description") or "")
    stack = list(command.get("options") or [])
    while stack:
        opt = stack.pop()
        total += len(opt.get("name") or "") + len(opt.get("description") or "")
        for choice in opt.get("choices") or []:
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
        stack.extend(opt.get("options") or [])
    return total


def _check_options(errors: dict[str, Any], path: list[Any], options: Any, depth: int) -> None:
    if not isinstance(options, list):
        return
    if len(options) > OPTIONS_MAX:
        add_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {OPTIONS_MAX} or fewer in length.")
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        here = [*path, i]
        name = opt.get("name")
        if not isinstance(name, str) or not valid_command_name(name, chat_input=True):
            add_error(errors, [*here, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        elif name in names:
            add_error(
                errors,
                [*here, "name"],
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        else:
            names.add(name)
        desc = opt.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= COMMAND_DESCRIPTION_MAX:
            add_error(
                errors,
                [*here, "description"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {COMMAND_DESCRIPTION_MAX} in length.",
            )
        otype = opt.get("type")
        if otype in (1, 2):
            if depth >= 2 or (otype == 2 and depth >= 1):
                add_error(
                    errors,
                    [*here, "type"],
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Subcommands cannot be nested here",
                )
            _check_options(errors, [*here, "options"], opt.get("options"), depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                add_error(
                    errors,
                    [*here, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices")
        if isinstance(choices, list):
            if len(choices) > CHOICES_MAX:
                add_error(
                    errors,
                    [*here, "choices"],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {CHOICES_MAX} or fewer in length.",
                )
            for k, choice in enumerate(choices):
                _required_text(errors, [*here, "choices", k, "name"], choice.get("name"), 100)
                if isinstance(choice.get("value"), str):
                    _too_long(errors, [*here, "choices", k, "value"], choice.get("value"), 100)


def check_command(errors: dict[str, Any], path: list[Any], command: Any) -> None:
    """One application command: name charset/length, description, options, total size."""
    if not isinstance(command, dict):
        return
    ctype = command.get("type") or 1
    chat_input = ctype == 1
    name = command.get("name")
    if not isinstance(name, str) or not valid_command_name(name, chat_input=chat_input):
        add_error(errors, [*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    desc = command.get("description")
    if chat_input:
        if not isinstance(desc, str) or not 1 <= len(desc) <= COMMAND_DESCRIPTION_MAX:
            add_error(
                errors,
                [*path, "description"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {COMMAND_DESCRIPTION_MAX} in length.",
            )
        _check_options(errors, [*path, "options"], command.get("options"), 0)
    elif desc:
        add_error(
            errors,
            [*path, "description"],
            "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
            "Context menu commands cannot have description",
        )
    if _command_text_size(command) > COMMAND_TOTAL_MAX:
        add_error(
            errors,
            path,
            "APPLICATION_COMMAND_TOO_LARGE",
            f"Command exceeds maximum size ({COMMAND_TOTAL_MAX})",
        )


def check_command_list(commands: Any) -> dict[str, Any]:
    """A bulk overwrite: every command, unique names per type, and per-type counts."""
    errors: dict[str, Any] = {}
    if not isinstance(commands, list):
        return errors
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, command in enumerate(commands):
        check_command(errors, [i], command)
        if not isinstance(command, dict):
            continue
        key = (command.get("type") or 1, str(command.get("name")))
        if key in seen:
            add_error(
                errors,
                [i, "name"],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]}",
            )
        seen.add(key)
        per_type[key[0]] = per_type.get(key[0], 0) + 1
    for ctype, count in per_type.items():
        limit = 100 if ctype == 1 else 15
        if count > limit:
            add_error(
                errors,
                [],
                "APPLICATION_COMMANDS_TOO_MANY",
                f"Maximum number of application commands of type {ctype} reached ({limit})",
            )
    return errors


def check_modal(data: Any) -> dict[str, Any]:
    """A modal callback: title 1-45, custom_id 1-100, 1-5 rows; text inputs' label/value/lengths."""
    errors: dict[str, Any] = {}
    if not isinstance(data, dict):
        return errors
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 45:
        add_error(errors, ["title"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        add_error(errors, ["custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        add_error(errors, ["components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    for i, comp in enumerate(components):
        if not isinstance(comp, dict):
            continue
        inner = comp.get("components") or (
            [comp["component"]] if isinstance(comp.get("component"), dict) else []
        )
        if comp.get("type") == 18:
            _too_long(errors, ["components", i, "label"], comp.get("label"), 45)
        for j, item in enumerate(inner):
            if not isinstance(item, dict) or item.get("type") != 4:
                continue
            here = ["components", i, "components", j]
            _too_long(errors, [*here, "custom_id"], item.get("custom_id"), CUSTOM_ID_MAX)
            _too_long(errors, [*here, "label"], item.get("label"), 45)
            _too_long(errors, [*here, "placeholder"], item.get("placeholder"), 100)
            _too_long(errors, [*here, "value"], item.get("value"), 4000)
    return errors


def check_autocomplete(data: Any) -> dict[str, Any]:
    """Autocomplete results: at most 25 choices, names 1-100 characters."""
    errors: dict[str, Any] = {}
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        return errors
    if len(choices) > CHOICES_MAX:
        add_error(errors, ["choices"], "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_MAX} or fewer in length.")
    for k, choice in enumerate(choices):
        if isinstance(choice, dict):
            _required_text(errors, ["choices", k, "name"], choice.get("name"), 100)
            if isinstance(choice.get("value"), str):
                _too_long(errors, ["choices", k, "value"], choice.get("value"), 100)
    return errors

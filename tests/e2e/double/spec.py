"""Discord's OpenAPI spec, loaded once per process, used to judge request bodies.

The double must refuse what Discord refuses, so every JSON body the bot sends is checked
against the requestBody schema of the matching operation in Discord's own OpenAPI 3.1
document. A few places where the preview spec is stricter than the live API (and than
discord.py, which works against the live API) are widened, each with the reason noted.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_ENV_VAR = "BYLINE_DISCORD_OPENAPI"
SPEC_URI = "urn:discord:openapi"


def default_spec_path() -> Path:
    """Where the spec sits: the env override, else the copy kept beside this module."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "discord-api" / "openapi.json"


def _widen(doc: dict[str, Any]) -> dict[str, Any]:
    """Loosen the spots where the preview spec disagrees with the live API.

    * Snowflakes: the spec says "string of digits", but Discord parses integers too and
      discord.py sends ints (message_reference.message_id, recipient_id, allowed_mentions).
    * Permission bitfields in requests: the spec says integer, Discord's docs say string,
      and discord.py sends `default_member_permissions` as a string of digits.
    """
    doc = copy.deepcopy(doc)
    schemas = doc["components"]["schemas"]
    snowflake = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0, "maximum": 2**64 - 1}]}
    digits = {"type": "string", "pattern": "^[0-9]{1,20}$"}
    for schema in schemas.values():
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not props:
            continue
        for name in ("permissions", "default_member_permissions", "allow", "deny"):
            prop = props.get(name)
            if not isinstance(prop, dict):
                continue
            types = prop.get("type")
            if types == "integer" or (isinstance(types, list) and "integer" in types):
                props[name] = {"anyOf": [prop, digits]}
    return doc


@dataclass(frozen=True)
class Operation:
    """One method + path template of the spec, with where its JSON body schema lives."""

    method: str
    template: str
    regex: re.Pattern[str]
    literal_segments: int
    body_pointer: str | None

    def params(self, path: str) -> dict[str, str]:
        """Path parameters of a concrete path matched by this operation."""
        match = self.regex.fullmatch(path)
        return match.groupdict() if match else {}


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def compile_template(template: str) -> tuple[re.Pattern[str], int]:
    """Regex for a path template like /channels/{channel_id}, and its literal segment count."""
    parts = []
    literal = 0
    for segment in template.strip("/").split("/"):
        found = re.fullmatch(r"\{(\w+)\}", segment)
        if found:
            parts.append(f"(?P<{found.group(1)}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("/" + "/".join(parts)), literal


class DiscordSpec:
    """The indexed spec: operation lookup by (method, path) and body validation."""

    def __init__(self, document: dict[str, Any], source: Path | None = None) -> None:
        self.source = source
        self.document = _widen(document)
        resource = DRAFT202012.create_resource(self.document)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._operations: dict[str, list[Operation]] = {}
        self._validators: dict[str, Draft202012Validator] = {}
        for template, item in self.document["paths"].items():
            regex, literal = compile_template(template)
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                pointer = None
                content = (op.get("requestBody") or {}).get("content") or {}
                for media in ("application/json", "multipart/form-data"):
                    if media in content and "schema" in content[media]:
                        pointer = "/".join(
                            [
                                "#",
                                "paths",
                                _escape_pointer(template),
                                method,
                                "requestBody",
                                "content",
                                _escape_pointer(media),
                                "schema",
                            ]
                        )
                        break
                self._operations.setdefault(method.upper(), []).append(
                    Operation(method.upper(), template, regex, literal, pointer)
                )

    def find(self, method: str, path: str) -> Operation | None:
        """The most specific operation whose template matches (literal `@me` beats `{id}`)."""
        best: Operation | None = None
        for op in self._operations.get(method.upper(), []):
            if op.regex.fullmatch(path) and (best is None or op.literal_segments > best.literal_segments):
                best = op
        return best

    def validator(self, op: Operation) -> Draft202012Validator | None:
        """A cached validator for the operation's JSON body, or None if it takes no body."""
        if op.body_pointer is None:
            return None
        found = self._validators.get(op.body_pointer)
        if found is None:
            schema = {"$ref": SPEC_URI + op.body_pointer}
            found = Draft202012Validator(schema, registry=self._registry)
            self._validators[op.body_pointer] = found
        return found

    def validate(self, op: Operation, body: Any) -> dict[str, Any] | None:
        """Discord-style `errors` tree for a body that breaks the schema, else None."""
        validator = self.validator(op)
        if validator is None:
            return None
        errors = list(validator.iter_errors(body))
        if not errors:
            return None
        tree: dict[str, Any] = {}
        for error in errors:
            for leaf in _leaves(error):
                add_error(tree, list(leaf.absolute_path), _code_for(leaf), _message_for(leaf))
        return tree


def _is_discriminator_miss(error: ValidationError) -> bool:
    path = error.absolute_path
    return error.validator in ("enum", "const") and bool(path) and path[-1] == "type"


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors worth reporting under an anyOf/oneOf: those of the branch the body meant.

    Discord's unions are told apart by a `type` field, so a branch whose `type` did not
    match is the wrong one; among the rest, the branch that got deepest into the body wins.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best: tuple[tuple[bool, int, int], list[ValidationError]] | None = None
    for subs in branches.values():
        leaves = [leaf for sub in subs for leaf in _leaves(sub)]
        score = (
            not any(_is_discriminator_miss(leaf) for leaf in leaves),
            max(len(leaf.absolute_path) for leaf in leaves),
            -len(leaves),
        )
        if best is None or score > best[0]:
            best = (score, leaves)
    assert best is not None
    return best[1]


def _code_for(error: ValidationError) -> str:
    return {
        "maxLength": "BASE_TYPE_MAX_LENGTH",
        "minLength": "BASE_TYPE_MIN_LENGTH",
        "maxItems": "BASE_TYPE_MAX_LENGTH",
        "minItems": "BASE_TYPE_MIN_LENGTH",
        "required": "BASE_TYPE_REQUIRED",
        "type": "BASE_TYPE_BAD_TYPE",
        "enum": "BASE_TYPE_CHOICES",
        "const": "BASE_TYPE_CHOICES",
        "pattern": "BASE_TYPE_BAD_FORMAT",
        "maximum": "NUMBER_TYPE_MAX",
        "minimum": "NUMBER_TYPE_MIN",
    }.get(str(error.validator), "BASE_TYPE_INVALID")


def _message_for(error: ValidationError) -> str:
    if error.validator == "maxLength":
        return f"Must be {error.validator_value} or fewer in length."
    if error.validator == "maxItems":
        return f"Must be {error.validator_value} or fewer in length."
    if error.validator == "minItems":
        return f"Must be {error.validator_value} or more in length."
    if error.validator == "minLength":
        return f"Must be {error.validator_value} or more in length."
    if error.validator == "required":
        return "This field is required"
    return error.message[:300]


def add_error(tree: dict[str, Any], path: list[Any], code: str, message: str) -> None:
    """Insert one error into a Discord `errors` tree: {"a": {"0": {"b": {"_errors": [...]}}}}."""
    node = tree
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def iter_error_leaves(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """Flatten an errors tree to ("embeds.0.title", {code, message}) pairs, for assertions."""
    for key, value in tree.items():
        if key == "_errors":
            for item in value:
                yield prefix, item
        elif isinstance(value, dict):
            yield from iter_error_leaves(value, f"{prefix}.{key}" if prefix else key)


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> DiscordSpec:
    with open(path, encoding="utf-8") as handle:
        return DiscordSpec(json.load(handle), Path(path))


def load_spec(path: Path | str | None = None) -> DiscordSpec:
    """Load and index the spec once per process (1.2 MB: parse it once, not per test)."""
    resolved = Path(path) if path is not None else default_spec_path()
    if not resolved.is_file():
        raise FileNotFoundError(
            f"Discord OpenAPI spec not found at {resolved}; it is expected at "
            f"tests/e2e/double/discord-api/openapi.json or via ${SPEC_ENV_VAR}"
        )
    resolved = resolved.resolve()
    return _load_cached(str(resolved), resolved.stat().st_mtime)

"""bot.settings: BYLINE_* variables and .env, each malformed value reported by its name.

The autouse fixture in conftest.py clears BYLINE_* / DISCORD_TOKEN and moves to an empty folder,
so a developer's environment or .env never leaks in.
"""

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

SECRET = "MTIzNDU2Nzg5.secret-token-value.XYZ"


def test_defaults_apply_without_any_setting() -> None:
    settings = load_settings()
    assert (settings.database, settings.seeds_dir, settings.top_k, settings.log_level) == (
        Path.cwd() / "byline.db",
        Path.cwd() / "seeds",
        3,
        "INFO",
    )
    assert settings.discord_token is None
    assert settings.admin_ids == frozenset()
    assert settings.guild_id is None


@pytest.mark.parametrize("value", ["111,222,333", " 111 , 222,333 ", "111,222,333,"])
def test_admin_ids_accept_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BYLINE_ADMIN_IDS", value)
    assert load_settings().admin_ids == {111, 222, 333}


@pytest.mark.parametrize("value", ["[111, 222, 333]", ' ["111", "222", 333] '])
def test_admin_ids_accept_a_json_list(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BYLINE_ADMIN_IDS", value)
    assert load_settings().admin_ids == {111, 222, 333}


def test_admin_ids_accept_a_single_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_ADMIN_IDS", "123456789012345678")
    assert load_settings().admin_ids == {123456789012345678}


def test_empty_admin_ids_means_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_ADMIN_IDS", "")
    assert load_settings().admin_ids == frozenset()


def test_discord_token_is_read_from_byline_discord_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_DISCORD_TOKEN", SECRET)
    token = load_settings().discord_token
    assert token is not None and token.get_secret_value() == SECRET


def test_discord_token_is_also_read_from_discord_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    token = load_settings().discord_token
    assert token is not None and token.get_secret_value() == SECRET


@pytest.mark.parametrize("show", [repr, str], ids=["repr", "str"])
def test_token_is_never_shown_by_repr_or_str(
    monkeypatch: pytest.MonkeyPatch, show: Callable[[object], str]
) -> None:
    monkeypatch.setenv("BYLINE_DISCORD_TOKEN", SECRET)
    settings = load_settings()
    assert SECRET not in show(settings)
    assert SECRET not in show(settings.discord_token)


def test_token_is_not_in_the_settings_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_DISCORD_TOKEN", SECRET)
    assert SECRET not in load_settings().model_dump_json()


def test_settings_are_read_from_a_dot_env_file_in_the_working_folder() -> None:
    Path(".env").write_text("BYLINE_TOP_K=3\nBYLINE_SEEDS_DIR=articles\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.top_k, settings.seeds_dir) == (3, Path.cwd() / "articles")


def test_environment_overrides_the_dot_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("BYLINE_TOP_K=3\n", encoding="utf-8")
    monkeypatch.setenv("BYLINE_TOP_K", "7")
    assert load_settings().top_k == 7


def test_command_line_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_DATABASE", "from-env.db")
    assert load_settings(database="from-cli.db").database == Path.cwd() / "from-cli.db"


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


def test_log_format_is_text_or_json_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().log_format == "text"
    monkeypatch.setenv("BYLINE_LOG_FORMAT", "JSON")
    assert load_settings().log_format == "json"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BYLINE_TOP_K", "abc"),
        ("BYLINE_TOP_K", "0"),
        ("BYLINE_TOP_K", "11"),
        ("BYLINE_GUILD_ID", "my-guild"),
        ("BYLINE_LOG_LEVEL", "LOUD"),
        ("BYLINE_LOG_FORMAT", "xml"),
        ("BYLINE_ADMIN_IDS", "alice,bob"),
        ("BYLINE_ADMIN_IDS", "[1, 2"),
        ("BYLINE_ADMIN_IDS", '["alice"]'),
    ],
)
def test_malformed_setting_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_settings_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_ADMIN_IDS", "[1, 2")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "\n" not in raised.value.message


def test_malformed_setting_in_dot_env_is_an_error_naming_it() -> None:
    Path(".env").write_text("BYLINE_GUILD_ID=not-a-number\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="BYLINE_GUILD_ID"):
        load_settings()


def test_settings_class_reads_the_byline_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_GUILD_ID", "42")
    monkeypatch.setenv("GUILD_ID", "7")
    assert Settings().guild_id == 42


# ---- one data directory ------------------------------------------------------------------------


def test_the_data_directory_holds_the_database_and_the_seeds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BYLINE_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.data_dir == tmp_path / "data"
    assert settings.database == tmp_path / "data" / "byline.db"
    assert settings.seeds_dir == tmp_path / "data" / "seeds"


def test_a_relative_data_directory_is_relative_to_the_current_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_DATA_DIR", "data")
    assert load_settings().database == Path.cwd() / "data" / "byline.db"


def test_relative_paths_in_the_data_directory_dot_env_are_relative_to_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / ".env").write_text("BYLINE_DATABASE=db/index.db\nBYLINE_SEEDS_DIR=articles\n", encoding="utf-8")
    Path(".env").write_text("BYLINE_TOP_K=7\n", encoding="utf-8")  # not the data directory's: unread
    monkeypatch.setenv("BYLINE_DATA_DIR", str(data))
    settings = load_settings()
    assert (settings.database, settings.seeds_dir) == (data / "db" / "index.db", data / "articles")
    assert settings.top_k == 3


def test_absolute_paths_stay_where_they_are(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BYLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BYLINE_SEEDS_DIR", str(tmp_path / "shared-seeds"))
    assert load_settings().seeds_dir == tmp_path / "shared-seeds"


def test_a_database_reached_through_a_link_is_the_file_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The bot (settings) and `byline --database` (the library) resolve links the same way, so
    both find the same index folder and status file beside the same file."""
    real = tmp_path / "disk" / "byline.db"
    real.parent.mkdir()
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    (tmp_path / "linked-dir").symlink_to(real.parent, target_is_directory=True)
    monkeypatch.setenv("BYLINE_DATA_DIR", str(tmp_path))
    assert load_settings(database="link.db").database == real
    assert load_settings(database="linked-dir/byline.db").database == real
    assert load_settings(database=str(tmp_path / "link.db")).database == real


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400)]
)
def test_reindex_every_reads_durations(monkeypatch: pytest.MonkeyPatch, text: str, seconds: float) -> None:
    monkeypatch.setenv("BYLINE_REINDEX_EVERY", text)
    assert load_settings().reindex_every == seconds


@pytest.mark.parametrize("text", ["soon", "0", "-5m", "5 weeks", "0.0001", "9s"])
def test_a_malformed_reindex_every_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("BYLINE_REINDEX_EVERY", text)
    with pytest.raises(SettingsError, match="BYLINE_REINDEX_EVERY") as raised:
        load_settings()
    assert "\n" not in raised.value.message


def test_reindex_every_has_a_floor_of_ten_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_REINDEX_EVERY", "10s")
    assert load_settings().reindex_every == 10
    monkeypatch.setenv("BYLINE_REINDEX_EVERY", "0.0001")
    with pytest.raises(SettingsError, match=r"BYLINE_REINDEX_EVERY.*10"):
        load_settings()


def test_only_the_owner_and_listed_operators_may_reindex_by_default() -> None:
    settings = load_settings()
    assert not settings.guild_admins_may_reindex and not settings.watch and settings.reindex_every is None


def test_every_setting_is_in_dot_env_example_and_it_loads() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?(BYLINE_[A-Z_]+)=", text, flags=re.MULTILINE))
    wanted = {f"BYLINE_{name.upper()}" for name in Settings.model_fields}
    assert wanted <= named, f"not in .env.example: {sorted(wanted - named)}"
    shutil.copy(example, ".env")
    assert load_settings().top_k == 3


def test_byline_top_k_is_bounded_as_the_ask_commands_results_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cogs.ask import Ask
    from bot.settings import MAX_RESULTS

    results = next(p for p in Ask.ask.parameters if p.name == "results")
    assert results.max_value == MAX_RESULTS
    monkeypatch.setenv("BYLINE_TOP_K", str(MAX_RESULTS))
    assert load_settings().top_k == MAX_RESULTS
    monkeypatch.setenv("BYLINE_TOP_K", str(MAX_RESULTS + 1))
    with pytest.raises(SettingsError, match="BYLINE_TOP_K"):
        load_settings()


@pytest.mark.parametrize(("ids", "parsed"), [("0", (0,)), ("1, 3", (1, 3)), ("[2, 0]", (2, 0))])
def test_shard_ids_split_the_shard_count(monkeypatch: pytest.MonkeyPatch, ids: str, parsed: tuple) -> None:
    monkeypatch.setenv("BYLINE_SHARD_COUNT", "4")
    monkeypatch.setenv("BYLINE_SHARD_IDS", ids)
    settings = load_settings()
    assert settings.shard_count == 4 and settings.shard_ids == parsed
    assert settings.writes_index == (0 in parsed)  # one writer: the process holding shard 0


def test_without_shard_settings_one_process_runs_every_shard_and_writes() -> None:
    settings = load_settings()
    assert settings.shard_count is None and settings.shard_ids is None and settings.writes_index


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BYLINE_SHARD_IDS": "0"}, "BYLINE_SHARD_COUNT"),
        ({"BYLINE_SHARD_COUNT": "2", "BYLINE_SHARD_IDS": "0,2"}, "BYLINE_SHARD_IDS"),
        ({"BYLINE_SHARD_COUNT": "2", "BYLINE_SHARD_IDS": "1, 1"}, "BYLINE_SHARD_IDS"),
        ({"BYLINE_SHARD_COUNT": "2", "BYLINE_SHARD_IDS": "-1"}, "BYLINE_SHARD_IDS"),
        ({"BYLINE_SHARD_COUNT": "0"}, "BYLINE_SHARD_COUNT"),
    ],
)
def test_bad_shard_settings_are_one_line_naming_them(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=named) as raised:
        load_settings()
    assert "\n" not in raised.value.message

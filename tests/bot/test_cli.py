"""bot.cli: the `byline` command line, run in-process (and once as the installed console script)."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.terminal import SMALLTALK_HINT, render_answer, render_report
from index import Answer, ReindexReport
from index.models import SMALLTALK

from ..support import COLLECTION, NO_ANSWER_QUESTION, SEED_PAGE, assert_answer_shape, no_hits
from .conftest import Run

Byline = Callable[..., Run]

TELESCOPE_QUESTION = "what will astronomers search for with the telescope?"


def one_line_error(run: Run) -> bool:
    """A single non-empty line on stderr, no traceback."""
    return bool(run.err.strip()) and "\n" not in run.err.strip() and "Traceback" not in run.err


@pytest.fixture
def indexed_seeds(byline: Byline, collection_seeds: Path) -> Path:
    """The collection, already indexed into the test's database (so errors come alone on stderr)."""
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    return collection_seeds


# --- ask -----------------------------------------------------------------------------------------


def test_ask_json_is_the_documented_object(byline: Byline, collection_seeds: Path) -> None:
    run = byline("ask", TELESCOPE_QUESTION, "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    answer = json.loads(run.out)
    assert answer["question"] == TELESCOPE_QUESTION
    assert answer["hits"]
    assert_answer_shape(answer)


def test_ask_json_of_the_seed_question_names_outlets_and_sources(
    byline: Byline, seed_page_seeds: Path
) -> None:
    run = byline("ask", "what is Poland's spending?", "--json", "--seeds-dir", str(seed_page_seeds))
    answer = json.loads(run.out)
    assert_answer_shape(answer)
    assert {hit["article"]["source"] for hit in answer["hits"]} == {SEED_PAGE.name}
    assert {hit["article"]["outlet"] for hit in answer["hits"]} & {"Daily Mirror", "Sky News"}


def test_ask_json_has_empty_hits_when_nothing_matches(byline: Byline, collection_seeds: Path) -> None:
    run = byline("ask", NO_ANSWER_QUESTION, "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert json.loads(run.out) == no_hits(NO_ANSWER_QUESTION)


def test_ask_shows_outlet_title_published_and_paragraph(byline: Byline, collection_seeds: Path) -> None:
    hit = json.loads(byline("ask", TELESCOPE_QUESTION, "--json", "--seeds-dir", str(collection_seeds)).out)[
        "hits"
    ][0]
    run = byline("ask", TELESCOPE_QUESTION, "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    article = hit["article"]
    date = (
        f"{article['published']} (as the page said)"
        if article["published_estimated"]
        else article["published"]
    )
    for shown in (article["outlet"], article["title"], date, f"paragraph {hit['paragraph']}"):
        assert shown in run.out


def test_ask_shows_an_estimated_date_as_the_page_gave_it_not_as_the_files_date(
    byline: Byline, seed_page_seeds: Path
) -> None:
    """An aggregator page's "a day ago" was resolved from the file's modification time, which may
    be the day the repository was cloned: it is shown as the page said it, and said to be so."""
    question = "what is Poland's spending?"
    hit = json.loads(byline("ask", question, "--json", "--seeds-dir", str(seed_page_seeds)).out)["hits"][0]
    article = hit["article"]
    assert article["published_estimated"] and article["published"] == "a day ago"
    run = byline("ask", question, "--seeds-dir", str(seed_page_seeds))
    [first] = [line for line in run.out.splitlines() if line.startswith("1. ")]
    assert "a day ago (as the page said)" in first
    assert article["published_at"][:10] not in run.out


def test_ask_says_it_is_confident_and_opens_with_the_answer_line(
    byline: Byline, seed_page_seeds: Path
) -> None:
    question = "what is Poland's spending?"
    answer = json.loads(byline("ask", question, "--json", "--seeds-dir", str(seed_page_seeds)).out)
    assert answer["confident"] and answer["answer"]
    run = byline("ask", question, "--seeds-dir", str(seed_page_seeds))
    lines = run.out.splitlines()
    assert lines[0] == "Confident: the articles answer this."
    cited = answer["hits"][answer["answer"]["hit"] - 1]
    opening = " ".join(line.strip() for line in lines[2 : lines.index("", 2)])
    assert opening.startswith("Answer: " + answer["answer"]["text"])
    assert f"paragraph {cited['paragraph']} (passage {cited['rank']} below)" in opening
    assert opening.index("Answer:") < run.out.index("1. ")


def test_passages_are_numbered_in_the_order_shown_without_scores(
    byline: Byline, seed_page_seeds: Path
) -> None:
    """Scores out of order beside the numbers looked like a bug; the rank is shown, the exact BM25
    score stays in --json."""
    question = "what is Poland's spending?"
    run = byline("ask", question, "--top-k", "5", "--seeds-dir", str(seed_page_seeds))
    numbers = [int(line.split(".")[0]) for line in run.out.splitlines() if line[:1].isdigit()]
    assert numbers == [1, 2, 3, 4, 5]
    assert "score" not in run.out
    hits = json.loads(byline("ask", question, "--json", "--seeds-dir", str(seed_page_seeds)).out)["hits"]
    assert all(isinstance(hit["score"], float) for hit in hits)


def test_ask_without_an_answer_says_so(byline: Byline, collection_seeds: Path) -> None:
    run = byline("ask", NO_ANSWER_QUESTION, "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert "Nothing" in run.out


def test_ask_that_is_not_confident_says_so_before_the_closest_passages(
    byline: Byline, collection_seeds: Path
) -> None:
    question = "how big is the telescope they are building in Paris?"  # no article mentions Paris
    run = byline("ask", question, "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert run.out.startswith("Not confident: these are the closest passages, and they may not answer it.\n")
    assert "Answer:" not in run.out
    assert "1. " in run.out and "telescope" in run.out
    answer = json.loads(byline("ask", question, "--json", "--seeds-dir", str(collection_seeds)).out)
    assert answer["confident"] is False and answer["hits"]


def test_ask_on_a_fresh_database_builds_the_index_first(
    byline: Byline, collection_seeds: Path, database: Path
) -> None:
    assert not database.exists()
    run = byline("ask", TELESCOPE_QUESTION, "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert json.loads(run.out)["hits"]
    assert run.err.strip()  # the build is reported, on stderr


def test_ask_on_a_fresh_database_keeps_stdout_valid_json(byline: Byline, collection_seeds: Path) -> None:
    (collection_seeds / "image.txt").write_bytes(b"\x00\x01binary")
    run = byline("ask", TELESCOPE_QUESTION, "--json", "--seeds-dir", str(collection_seeds))
    assert_answer_shape(json.loads(run.out))
    assert "image.txt" in run.err and "image.txt" not in run.out


def test_ask_does_not_rebuild_an_existing_index(byline: Byline, collection_seeds: Path) -> None:
    byline("reindex", "--seeds-dir", str(collection_seeds))
    run = byline("ask", TELESCOPE_QUESTION, "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0 and run.err == ""


def test_ask_top_k_limits_the_hits(byline: Byline, seed_page_seeds: Path) -> None:
    run = byline(
        "ask", "what is Poland's spending?", "--json", "--top-k", "1", "--seeds-dir", str(seed_page_seeds)
    )
    assert len(json.loads(run.out)["hits"]) == 1


@pytest.mark.parametrize("question", ["", "   ", "\t\n"], ids=["empty", "spaces", "whitespace"])
def test_empty_question_is_one_line_on_stderr_and_exit_2(
    byline: Byline, indexed_seeds: Path, question: str
) -> None:
    run = byline("ask", question, "--seeds-dir", str(indexed_seeds))
    assert run.code == 2
    assert one_line_error(run)
    assert run.out == ""


def test_hundred_thousand_character_question_is_one_line_and_exit_2(
    byline: Byline, indexed_seeds: Path
) -> None:
    run = byline("ask", "why " * 25_000, "--json", "--seeds-dir", str(indexed_seeds))
    assert run.code == 2
    assert one_line_error(run)
    assert run.out == ""


def test_question_of_only_stop_words_exits_0_with_no_hits(byline: Byline, collection_seeds: Path) -> None:
    run = byline("ask", "what is it that they were doing?", "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert json.loads(run.out)["hits"] == []


@pytest.mark.parametrize("top_k", ["0", "51"])
def test_top_k_out_of_range_exits_2(byline: Byline, indexed_seeds: Path, top_k: str) -> None:
    run = byline("ask", TELESCOPE_QUESTION, "--top-k", top_k, "--seeds-dir", str(indexed_seeds))
    assert run.code == 2
    assert one_line_error(run)


def test_missing_seeds_folder_exits_1_with_one_line(byline: Byline, tmp_path: Path) -> None:
    run = byline("ask", TELESCOPE_QUESTION, "--seeds-dir", str(tmp_path / "nowhere"))
    assert run.code == 1
    assert one_line_error(run)
    assert "BYLINE_SEEDS_DIR" in run.err


def test_bad_setting_exits_2_naming_it(
    byline: Byline, indexed_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_TOP_K", "abc")
    run = byline("ask", TELESCOPE_QUESTION, "--seeds-dir", str(indexed_seeds))
    assert run.code == 2
    assert one_line_error(run)
    assert "BYLINE_TOP_K" in run.err


def test_seeds_dir_comes_from_the_environment(
    byline: Byline, collection_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_SEEDS_DIR", str(collection_seeds))
    run = byline("ask", TELESCOPE_QUESTION, "--json")
    assert json.loads(run.out)["hits"]


def test_top_k_comes_from_the_environment(
    byline: Byline, seed_page_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_TOP_K", "2")
    run = byline("ask", "what is Poland's spending?", "--json", "--seeds-dir", str(seed_page_seeds))
    assert len(json.loads(run.out)["hits"]) == 2


# --- reindex and sources -------------------------------------------------------------------------


def test_reindex_json_reports_the_documented_figures(byline: Byline, collection_seeds: Path) -> None:
    (collection_seeds / "notes.pdf").write_bytes(b"%PDF-1.4")
    run = byline("reindex", "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    report = json.loads(run.out)
    assert set(report) >= {
        "added",
        "updated",
        "removed",
        "unchanged",
        "articles",
        "passages",
        "skipped",
        "seconds",
    }
    assert (report["added"], report["updated"], report["removed"], report["unchanged"]) == (
        len(COLLECTION),
        0,
        0,
        0,
    )
    assert report["articles"] == len(COLLECTION)
    assert type(report["passages"]) is int and report["passages"] >= len(COLLECTION)
    assert isinstance(report["seconds"], int | float)
    assert [set(s) for s in report["skipped"]] == [{"source", "reason"}]
    assert report["skipped"][0]["source"] == "notes.pdf"


def test_reindex_prints_what_changed_and_what_was_skipped(byline: Byline, collection_seeds: Path) -> None:
    (collection_seeds / "notes.pdf").write_bytes(b"%PDF-1.4")
    run = byline("reindex", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert f"{len(COLLECTION)} added" in run.out
    assert "notes.pdf" in run.out


def test_the_reindex_report_says_how_many_passages_were_embedded_and_how_many_wait() -> None:
    report = ReindexReport(
        articles=7, passages=3200, embedded=1200, embedding_seconds=10.04, embedding_left=2000
    )
    assert render_report(report).splitlines()[2] == (
        "Found by meaning too: 1,200 passages embedded in 10.0 s; 2,000 more in the background "
        "while the bot runs (`byline status` says how far)."
    )
    assert "meaning" not in render_report(ReindexReport(articles=7, passages=90))


def test_second_reindex_json_counts_unchanged_files(byline: Byline, collection_seeds: Path) -> None:
    byline("reindex", "--seeds-dir", str(collection_seeds))
    report = json.loads(byline("reindex", "--json", "--seeds-dir", str(collection_seeds)).out)
    assert (report["added"], report["unchanged"]) == (0, len(COLLECTION))


def test_reindex_with_a_missing_seeds_folder_exits_1(byline: Byline, tmp_path: Path) -> None:
    run = byline("reindex", "--seeds-dir", str(tmp_path / "nowhere"))
    assert run.code == 1
    assert one_line_error(run)


def test_sources_json_lists_the_articles_with_the_documented_keys(
    byline: Byline, collection_seeds: Path
) -> None:
    run = byline("sources", "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    listing = json.loads(run.out)
    assert set(listing) == {"articles"}
    assert {a["source"] for a in listing["articles"]} == set(COLLECTION)
    for article in listing["articles"]:
        assert set(article) == {
            *("id", "title", "outlet", "published", "published_at", "published_estimated"),
            *("url", "source", "passages"),
        }
        assert article["title"] == COLLECTION[article["source"]]["title"]
        assert article["outlet"] == COLLECTION[article["source"]]["outlet"]
        assert type(article["passages"]) is int and article["passages"] >= 1


def test_sources_lists_titles_for_people(byline: Byline, collection_seeds: Path) -> None:
    run = byline("sources", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    for article in COLLECTION.values():
        assert article["title"] in run.out


@pytest.mark.parametrize("command", [[], ["ask"], ["reindex"], ["sources"], ["eval"]], ids=str)
def test_help_exits_0(byline: Byline, command: list[str]) -> None:
    run = byline(*command, "--help")
    assert run.code == 0
    assert "usage:" in run.out


def test_ask_help_documents_json_and_top_k(byline: Byline) -> None:
    run = byline("ask", "--help")
    assert "--json" in run.out and "--top-k" in run.out and "--database" in run.out


def test_unknown_command_exits_2(byline: Byline) -> None:
    assert byline("frobnicate").code == 2


# --- eval ----------------------------------------------------------------------------------------

EVAL_QUESTIONS = [
    {"q": TELESCOPE_QUESTION, "gold": ["search for comets"]},
    {"q": "when will the lantern room reopen?", "gold": ["reopen to visitors in August"]},
    {"q": "how many jobs will the hydrogen plant create?", "gold": ["a phrase that no article contains"]},
    {"q": NO_ANSWER_QUESTION, "gold": []},
]


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def test_eval_prints_the_measures(byline: Byline, collection_seeds: Path, tmp_path: Path) -> None:
    questions = write_jsonl(tmp_path / "questions.jsonl", EVAL_QUESTIONS)
    run = byline("eval", str(questions), "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    for measure in (
        "hit@1",
        "hit@3",
        "MRR",
        "confident when the right passage is first",
        "not confident when unanswerable",
    ):
        assert measure in run.out


def test_eval_json_has_the_measures_and_the_misses(
    byline: Byline, collection_seeds: Path, tmp_path: Path
) -> None:
    questions = write_jsonl(tmp_path / "questions.jsonl", EVAL_QUESTIONS)
    run = byline("eval", str(questions), "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    report = json.loads(run.out)
    assert set(report) >= {
        "hit@1",
        "hit@3",
        "mrr",
        "confident_when_right",
        "not_confident_when_unanswerable",
        "misses",
    }
    assert report["hit@1"] == report["hit@3"] == report["mrr"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["confident_when_right"] == 1.0
    assert report["not_confident_when_unanswerable"] == 1.0
    assert [miss["q"] for miss in report["misses"]] == [EVAL_QUESTIONS[2]["q"]]


def test_eval_skips_blank_lines(byline: Byline, collection_seeds: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n" + json.dumps(EVAL_QUESTIONS[0]) + "\n\n", encoding="utf-8")
    run = byline("eval", str(questions), "--json", "--seeds-dir", str(collection_seeds))
    assert run.code == 0
    assert json.loads(run.out)["hit@1"] == 1.0


@pytest.mark.parametrize(
    "bad_line",
    ["not json at all", '{"gold": ["no question"]}', '{"q": "fine", "gold": "not a list"}', '["q", "gold"]'],
    ids=["not-json", "no-q", "gold-not-list", "not-an-object"],
)
def test_malformed_eval_file_exits_1_naming_the_line(
    byline: Byline, indexed_seeds: Path, tmp_path: Path, bad_line: str
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps(EVAL_QUESTIONS[0]) + "\n" + bad_line + "\n", encoding="utf-8")
    run = byline("eval", str(questions), "--seeds-dir", str(indexed_seeds))
    assert run.code == 1
    assert one_line_error(run)
    assert f"{questions}:2" in run.err


def test_eval_file_with_an_empty_question_names_its_line(
    byline: Byline, indexed_seeds: Path, tmp_path: Path
) -> None:
    questions = write_jsonl(tmp_path / "questions.jsonl", [EVAL_QUESTIONS[0], {"q": "  ", "gold": []}])
    run = byline("eval", str(questions), "--seeds-dir", str(indexed_seeds))
    assert run.code == 1
    assert one_line_error(run)
    assert f"{questions}:2" in run.err


def test_missing_eval_file_exits_1_with_one_line(byline: Byline, indexed_seeds: Path, tmp_path: Path) -> None:
    run = byline("eval", str(tmp_path / "missing.jsonl"), "--seeds-dir", str(indexed_seeds))
    assert run.code == 1
    assert one_line_error(run)


# --- the installed console script ----------------------------------------------------------------


def console(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    script = shutil.which("byline") or str(Path(sys.executable).with_name("byline"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    return subprocess.run(
        [script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_console_script_stops_quietly_when_its_reader_goes_away(
    collection_seeds: Path, tmp_path: Path
) -> None:
    script = shutil.which("byline") or str(Path(sys.executable).with_name("byline"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    read, write = os.pipe()
    os.close(read)  # `byline ask ... | head`, with head already gone
    with open(write, "wb") as stdout:
        done = subprocess.run(
            [
                script,
                "ask",
                TELESCOPE_QUESTION,
                "--database",
                "index.db",
                "--seeds-dir",
                str(collection_seeds),
            ],
            cwd=tmp_path,
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_console_script_answers_as_json(collection_seeds: Path, tmp_path: Path) -> None:
    done = console(
        "ask",
        TELESCOPE_QUESTION,
        "--json",
        "--database",
        "index.db",
        "--seeds-dir",
        str(collection_seeds),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert_answer_shape(answer)
    assert answer["hits"]
    assert (tmp_path / "index.db").is_file()


def test_console_script_reads_settings_from_a_dot_env_file(collection_seeds: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BYLINE_SEEDS_DIR={collection_seeds}\nBYLINE_DATABASE={tmp_path / 'from-env.db'}\n", encoding="utf-8"
    )
    done = console("sources", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {a["source"] for a in json.loads(done.stdout)["articles"]} == set(COLLECTION)
    assert (tmp_path / "from-env.db").is_file()


def test_console_script_exits_1_when_the_database_is_not_sqlite(
    collection_seeds: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    try:
        done = console(
            "ask",
            "telescope",
            "--database",
            "notes.db",
            "--seeds-dir",
            str(collection_seeds),
            cwd=tmp_path,
            timeout=4,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("byline did not exit within 4 s after failing to open the database")
    assert done.returncode == 1
    assert done.stderr.strip() and "\n" not in done.stderr.strip()


def test_console_script_exits_1_when_the_database_belongs_to_another_program(
    collection_seeds: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "other.db") as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    try:
        done = console(
            "ask",
            "telescope",
            "--database",
            "other.db",
            "--seeds-dir",
            str(collection_seeds),
            cwd=tmp_path,
            timeout=4,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("byline did not exit within 4 s after refusing the database")
    assert done.returncode == 1
    assert "BYLINE_DATABASE" in done.stderr


def test_top_k_bound_is_the_librarys_max_top_k(byline: Byline, indexed_seeds: Path) -> None:
    from index import MAX_TOP_K

    seeds = ("--seeds-dir", str(indexed_seeds))
    run = byline("ask", TELESCOPE_QUESTION, "--top-k", str(MAX_TOP_K + 1), *seeds)
    assert run.code == 2 and f"between 1 and {MAX_TOP_K}" in run.err
    assert byline("ask", TELESCOPE_QUESTION, "--top-k", str(MAX_TOP_K), *seeds).code == 0


def test_small_talk_gets_a_hint_not_passages() -> None:
    assert render_answer(Answer("thanks", [], kind=SMALLTALK)) == SMALLTALK_HINT

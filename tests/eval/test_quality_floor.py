"""Answer quality never drops silently: every question set keeps its measured figures.

Each set is measured with every page indexed (python eval/compare.py prints the same figures with
the peers beside them): hit@1, hit@3 and MRR over the hits shown; of answerable questions whose
right passage is first, the share marked confident; of unanswerable ones, the share marked not
confident; of answerable questions, the share whose answer line holds a gold phrase. Tune sets:
main and 002-011; measure-only: 012-022 (eval/README.md, docs/evaluation.md).

The floors sit just under the figures measured when they were last set; the means of each kind
must stay within TOLERANCE of theirs. Raise them when a change improves the figures; lower one
only with the reason in the commit body (adding pages, more distractors for every set, is one).
The peers' figures are kept out: they do not change with Byline's code.
"""

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from index import Library
from index.evaluation import EvalReport, evaluate, load_questions

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("hit_at_1", "hit_at_3", "mrr", "confident_right", "unsure_unanswerable", "answer_line")
PAGE_SUFFIXES = (".txt", ".md")
TUNE = ["questions.jsonl"] + [f"questions-{n:03}.jsonl" for n in range(2, 12)]
MEASURE = [f"questions-{n:03}.jsonl" for n in range(12, 23)]
FLOORS = {
    "questions.jsonl": (0.76, 0.91, 0.84, 0.93, 0.58, 0.66),
    "questions-002.jsonl": (0.87, 0.95, 0.91, 0.99, 0.59, 0.79),
    "questions-003.jsonl": (0.63, 0.83, 0.74, 0.69, 0.39, 0.63),
    "questions-004.jsonl": (0.79, 0.91, 0.85, 0.99, 0.39, 0.75),
    "questions-005.jsonl": (0.59, 0.79, 0.69, 0.74, 0.59, 0.47),
    "questions-006.jsonl": (0.47, 0.83, 0.64, 0.65, 0.19, 0.43),
    "questions-007.jsonl": (0.59, 0.83, 0.71, 0.93, 0.0, 0.51),
    "questions-008.jsonl": (0.51, 0.83, 0.69, 0.83, 0.19, 0.47),
    "questions-009.jsonl": (0.45, 0.66, 0.57, 0.64, 0.79, 0.4),
    "questions-010.jsonl": (0.39, 0.63, 0.51, 0.66, 0.39, 0.29),
    "questions-011.jsonl": (0.52, 0.73, 0.63, 0.42, 0.79, 0.42),
    "questions-012.jsonl": (0.89, 0.89, 0.9, 0.62, 0.2, 0.79),
    "questions-013.jsonl": (0.62, 0.85, 0.73, 0.77, 0.39, 0.56),
    "questions-014.jsonl": (0.74, 0.85, 0.8, 0.93, 0.19, 0.67),
    "questions-015.jsonl": (0.73, 0.87, 0.82, 0.88, 0.19, 0.65),
    "questions-016.jsonl": (0.66, 0.84, 0.76, 0.73, 0.49, 0.52),
    "questions-017.jsonl": (0.57, 0.84, 0.7, 0.88, 0.33, 0.52),
    "questions-018.jsonl": (0.44, 0.66, 0.57, 0.77, 0.53, 0.35),
    "questions-019.jsonl": (0.61, 0.85, 0.72, 0.81, 0.53, 0.48),
    "questions-020.jsonl": (0.63, 0.91, 0.77, 0.9, 0.46, 0.52),
    "questions-021.jsonl": (0.54, 0.84, 0.7, 0.91, 0.66, 0.46),
    "questions-022.jsonl": (0.5, 0.8, 0.65, 0.65, 0.46, 0.48),
}
# The mean over each kind's sets (main left out: it is one page's), and how far below it a change
# may take a mean without a word: one question in a set of 25 moves a set's figure by 0.04, a
# mean of ten sets by 0.004.
MEANS = {
    "tune": (0.592, 0.807, 0.702, 0.787, 0.44, 0.529),
    "measure": (0.64, 0.847, 0.747, 0.831, 0.409, 0.558),
}
TOLERANCE = 0.01


def _copy_pages(seeds: Path, *folders: Path) -> None:
    seeds.mkdir()
    for folder in folders:
        for page in folder.iterdir():
            if page.suffix in PAGE_SUFFIXES:
                shutil.copy(page, seeds / page.name)


async def _library(tmp_path: Path, *folders: Path) -> AsyncIterator[Library]:
    seeds = tmp_path / "seeds"
    _copy_pages(seeds, *folders)
    library = await Library.open(tmp_path / "eval.db", seeds)
    await library.reindex()
    yield library
    await library.close()


@pytest.fixture
async def eval_library(tmp_path: Path) -> AsyncIterator[Library]:
    """The seed page and eval/pages, as the main set was written for."""
    async for library in _library(tmp_path, ROOT / "seeds", ROOT / "eval" / "pages"):
        yield library


def _path(name: str) -> Path:
    return ROOT / "eval" / name if name == "questions.jsonl" else ROOT / "eval" / "heldout" / name


async def _measure_all(folder: Path) -> dict[str, EvalReport]:
    async for library in _library(
        folder, ROOT / "seeds", ROOT / "eval" / "pages", ROOT / "eval" / "heldout" / "pages"
    ):
        return {name: await evaluate(library, load_questions(_path(name)), top_k=5) for name in FLOORS}
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def reports() -> dict[str, EvalReport]:
    """Every set's figures, every page indexed together, as they are measured (once a module)."""
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_measure_all(Path(tmp)))


def test_every_held_out_set_has_a_floor() -> None:
    held_out = {p.name for p in (ROOT / "eval" / "heldout").glob("questions-*.jsonl")}
    assert held_out | {"questions.jsonl"} == set(FLOORS) == set(TUNE) | set(MEASURE)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_set_keeps_its_quality_floor(reports: dict[str, EvalReport], name: str) -> None:
    assert sum(1 for q in load_questions(_path(name)) if not q.gold) >= 5
    floors = dict(zip(FIGURES, FLOORS[name], strict=True))
    figures = {figure: getattr(reports[name], figure) for figure in FIGURES}
    below = {figure: round(value, 3) for figure, value in figures.items() if value < floors[figure]}
    assert not below, f"{name}: quality dropped below the floor: {below} (floors {floors})"


@pytest.mark.parametrize("kind", ["tune", "measure"])
def test_each_kind_keeps_its_mean(reports: dict[str, EvalReport], kind: str) -> None:
    names = [n for n in (TUNE if kind == "tune" else MEASURE) if n != "questions.jsonl"]
    for i, figure in enumerate(FIGURES):
        mean = sum(getattr(reports[n], figure) for n in names) / len(names)
        assert mean >= MEANS[kind][i] - TOLERANCE, f"{kind} mean {figure} {mean:.3f} < {MEANS[kind][i]}"


async def test_the_poland_question_is_answered_by_the_forecast_passage(eval_library: Library) -> None:
    answer = await eval_library.ask("what is Poland's spending?", top_k=3)

    assert "4.1 per cent" in answer.hits[0].text
    assert answer.hits[0].article.outlet == "Daily Mirror"
    assert answer.answer is not None and answer.answer.text in answer.hits[answer.answer.hit - 1].text


async def test_a_question_the_articles_do_not_answer_is_not_confident(eval_library: Library) -> None:
    answer = await eval_library.ask("What is the weather forecast for Paris?")

    assert not answer.confident
    assert answer.hits  # the closest passages are still shown


@pytest.mark.parametrize("question", ["what is the price of oil today?", "how old is pete hegseth?"])
async def test_a_question_about_what_no_article_mentions_is_not_confident(
    eval_library: Library, question: str
) -> None:
    answer = await eval_library.ask(question)

    assert not answer.confident


async def test_a_question_about_a_height_is_answered_by_the_passage_with_the_height(
    eval_library: Library,
) -> None:
    answer = await eval_library.ask("how tall is the resilience lander")

    assert "7.5-feet Resilience" in answer.hits[0].text

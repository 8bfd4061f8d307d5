"""Closeness in meaning from the shipped word vectors: what re-ordering reads beside BM25."""

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from index.answer import reranking
from index.answer.meaning import question_meaning, word_vectors
from index.answer.reranking import Candidate

from .test_reranking import describer

ROOT = Path(__file__).resolve().parents[2]


def closeness(question: str, *passages: str) -> list[float]:
    vectors = word_vectors()
    meaning = question_meaning(question, dict.fromkeys(vectors.row, 1.0), lambda word: word)
    return meaning.closeness([vectors.rows(p) for p in passages])


def test_every_vector_has_unit_length_so_a_dot_product_is_a_cosine() -> None:
    vectors = word_vectors()
    assert len(vectors.row) > 20_000
    assert np.allclose(np.linalg.norm(vectors.vectors, axis=1), 1.0, atol=1e-2)


def test_a_paraphrase_is_closer_than_a_passage_on_something_else() -> None:
    near, far = closeness(
        "what did the repairs cost",
        "The council said fixing the bridge would be expensive: the bill came to £4m.",
        "The football club signed a new striker from Portugal on a three-year contract.",
    )
    assert near > far


def test_a_word_the_passage_holds_matches_itself_fully() -> None:
    assert closeness("bridge repairs", "Repairs to the bridge begin today.") == [pytest.approx(1.0, abs=1e-3)]


def test_names_stop_words_and_empty_text_are_left_to_bm25() -> None:
    assert closeness("who is zxqvbn", "Zxqvbn spoke.") == [0.0]  # no vector: nothing to compare
    assert closeness("the of and", "The cat sat.") == [0.0]
    assert closeness("bridge", "") == [0.0]


def test_a_passage_worded_otherwise_gets_the_higher_meaning_feature() -> None:
    """ "cost went up" for "price rise": no shared term, near words; the other shares "medicine"."""
    question = "how much did the medicine price rise"
    worded_otherwise = Candidate(5.0, "The drug's cost went up to £40 a dose.", "NHS", True, "a")
    off_topic = Candidate(6.0, "Medicine students sat their exams in June.", "Exams", True, "b")
    rows = describer(question).describe([off_topic, worded_otherwise])
    meaning = reranking.FEATURES.index("meaning")
    assert rows[1][meaning] > rows[0][meaning]


def test_the_vectors_ship_in_the_wheel(tmp_path: Path) -> None:
    """The container installs Byline as a wheel, not from the checkout. Built from a copy, so
    setuptools' build/ folder never lands in the checkout."""
    import shutil
    import subprocess
    import sys

    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("index", "bot"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("byline-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "index/data/word_vectors.npz" in names
    # The sentence model of the semantic layer, its tokenizer, checksum, licence and notice.
    for name in ("all-MiniLM-L6-v2.int8.onnx", "tokenizer.json", "embedding_model.json",
                 "embedding_model.LICENSE", "embedding_model.NOTICE"):  # fmt: skip
        assert f"index/data/{name}" in names, name
    with zipfile.ZipFile(wheel) as archive:
        described = json.loads(archive.read("index/data/embedding_model.json"))
        model = archive.read(f"index/data/{described['model']}")
    assert hashlib.sha256(model).hexdigest() == described["sha256"]


def test_damaged_word_vectors_give_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import InstallError
    from index.answer import meaning

    damaged = tmp_path / "word_vectors.npz"
    damaged.write_bytes(b"PK\x03\x04 not a zip at all")
    monkeypatch.setattr(meaning, "VECTORS", damaged)
    meaning.word_vectors.cache_clear()
    try:
        with pytest.raises(InstallError, match="missing or damaged: reinstall Byline"):
            meaning.word_vectors()
        damaged.unlink()
        with pytest.raises(InstallError, match="missing or damaged"):
            meaning.word_vectors()
    finally:
        meaning.word_vectors.cache_clear()

"""A seeded synthetic news archive, written as article files (so re-index is measured from text).

    python bench/generate.py OUT_DIR PASSAGES [--seed 6]

Words follow a Zipf law over a vocabulary of pseudo-words (made of syllables, so the stemmer
treats them as words); a third of the running text is English function words, and each article
writes a few names with capitals inside its sentences. Articles are Markdown files with front
matter, a thousand to a folder, about ten paragraphs (passages) each. ``questions.jsonl`` beside
them holds realistic questions of 2 to 6 words built from passages of the archive, including
common words and sometimes a name.
"""

import argparse
import json
import math
from pathlib import Path

import numpy as np

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ee")]
FUNCTION_WORDS = (
    "the of and to in a is that for on with as was by at from it said has be have are were which "
    "this an its their after also but than who will would been more over into about up new"
).split()
OUTLETS = ["The Daily Ledger", "Northern Courier", "Metro Wire", "Evening Post", "Harbour Times"]
QUESTION_OPENERS = "what is|what did|how did|why is|when did|where is|who said|how many".split("|")
PASSAGES_PER_ARTICLE = 10  # about: 6 to 14 paragraphs of 2 to 3 sentences


def pseudo_words(rng: np.random.Generator, count: int, syllables: tuple[int, int]) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < count:
        n = int(rng.integers(*syllables, endpoint=True))
        word = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n))
        words.setdefault(word, None)
    return list(words)


class Archive:
    def __init__(self, seed: int, vocabulary: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = pseudo_words(self.rng, vocabulary, (1, 4))
        ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
        weights = 1 / (ranks + 2.7) ** 1.07  # Zipf-Mandelbrot, as word counts in news go
        self.cdf = np.cumsum(weights / weights.sum())
        self.names = [w.capitalize() for w in pseudo_words(self.rng, max(2000, vocabulary // 10), (2, 3))]

    def content(self, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.words) - 1)

    def sentence(self, names: list[str]) -> tuple[str, list[str]]:
        rng = self.rng
        n = int(rng.integers(9, 18))
        kinds = rng.random(n)
        content = self.content(n)
        tokens, used = [], []
        for i in range(n):
            if kinds[i] < 0.33:
                tokens.append(FUNCTION_WORDS[int(rng.integers(0, len(FUNCTION_WORDS)))])
            elif kinds[i] < 0.37 and i > 0:
                name = names[int(rng.integers(0, len(names)))]
                tokens.append(name)
                used.append(name)
            else:
                word = self.words[int(content[i])]
                tokens.append(word)
                used.append(word)
        tokens[0] = tokens[0].capitalize()
        return " ".join(tokens) + ".", used

    def article(self, number: int) -> tuple[str, list[list[str]]]:
        rng = self.rng
        names = [self.names[int(i)] for i in rng.integers(0, len(self.names), int(rng.integers(2, 6)))]
        title, _ = self.sentence(names)
        paragraphs, words = [], []
        for _ in range(int(rng.integers(6, 15))):
            sentences = [self.sentence(names) for _ in range(int(rng.integers(2, 4)))]
            paragraphs.append(" ".join(s for s, _ in sentences))
            words.append([w for _, used in sentences for w in used])
        outlet = OUTLETS[number % len(OUTLETS)]
        day = 1 + number % 28
        text = (
            f"---\ntitle: {title.rstrip('.')}\noutlet: {outlet}\npublished: 2025-03-{day:02d}\n---\n\n"
            + "\n\n".join(paragraphs)
            + "\n"
        )
        return text, words

    def question(self, words: list[str]) -> str:
        rng = self.rng
        distinct = list(dict.fromkeys(words))
        k = int(rng.integers(1, min(4, len(distinct)) + 1))
        chosen = [distinct[int(i)] for i in rng.choice(len(distinct), k, replace=False)]
        common = [self.words[int(i)] for i in rng.integers(0, 60, int(rng.integers(1, 3)))]
        question = chosen + common
        rng.shuffle(question)
        opener = QUESTION_OPENERS[int(rng.integers(0, len(QUESTION_OPENERS)))]
        return f"{opener} the {' '.join(question[:6])}?"


def generate(out: Path, passages: int, seed: int = 6, questions: int = 300) -> Path:
    """Write the archive (if it is not there yet) and return its folder."""
    marker = out / "archive.json"
    params = {"passages": passages, "seed": seed, "questions": questions, "format": 1}
    if marker.is_file() and json.loads(marker.read_text()) == params:
        return out
    out.mkdir(parents=True, exist_ok=True)
    seeds = out / "seeds"
    archive = Archive(seed, vocabulary=int(30_000 * math.sqrt(passages / 10_000)))
    articles = max(1, passages // PASSAGES_PER_ARTICLE)
    sample_every = max(1, articles // questions)
    asked = []
    for number in range(articles):
        folder = seeds / f"{number // 1000:04d}"
        if number % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        text, words = archive.article(number)
        (folder / f"article-{number:07d}.md").write_text(text, encoding="utf-8")
        if number % sample_every == 0 and len(asked) < questions:
            paragraph = words[int(archive.rng.integers(0, len(words)))]
            asked.append(archive.question(paragraph))
    with open(out / "questions.jsonl", "w", encoding="utf-8") as file:
        for q in asked:
            file.write(json.dumps({"q": q}) + "\n")
    marker.write_text(json.dumps(params))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("passages", type=int)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    generate(args.out, args.passages, args.seed)


if __name__ == "__main__":
    main()

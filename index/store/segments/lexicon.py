"""The lexicon: term -> global term id, over a few immutable parts.

A part (``lex-<generation>-<random>/``) holds ``keys`` (the UTF-8 terms of up to KEY_BYTES bytes,
sorted, searched with ``np.searchsorted``), ``ids``, and ``long.json`` for longer terms. Parts
only ever add terms; ids never change, so segments written at different times agree on them.
"""

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from .files import DamagedIndexError, Staging, load, new_name, save

KEY_BYTES = 24  # terms up to this many UTF-8 bytes are searched in a sorted numpy array


class LexiconPart:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.keys = load(path, "keys")  # sorted, dtype S<=KEY_BYTES
        self.ids = load(path, "ids")
        try:
            self.long: dict[str, int] = json.loads((path / "long.json").read_text(encoding="utf-8"))
        except ValueError as error:
            raise DamagedIndexError(f"the index file {path / 'long.json'} is damaged ({error})") from None

    def lookup(self, term: str, encoded: bytes) -> int:
        if len(encoded) > KEY_BYTES:
            return self.long.get(term, -1)
        if self.keys.size == 0:
            return -1
        at = int(np.searchsorted(self.keys, encoded))
        if at < self.keys.size and self.keys[at] == encoded:
            return int(self.ids[at])
        return -1

    def lookup_many(self, keys: np.ndarray) -> np.ndarray:
        """Ids of short encoded terms (an S array), -1 where absent."""
        out = np.full(keys.size, -1, dtype=np.int64)
        if self.keys.size == 0 or keys.size == 0:
            return out
        at = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        found = self.keys[at] == keys
        out[found] = self.ids[at[found]]
        return out

    @staticmethod
    def write(root: Path, generation: int, terms: Sequence[str], ids: Sequence[int]) -> str:
        stage = Staging(root, new_name("lex", generation))
        short, short_ids, long = [], [], {}
        for term, tid in zip(terms, ids, strict=True):
            encoded = term.encode("utf-8")
            if len(encoded) > KEY_BYTES or not encoded or encoded.endswith(b"\0"):
                long[term] = int(tid)
            else:
                short.append(encoded)
                short_ids.append(tid)
        keys = np.array(short, dtype=f"S{KEY_BYTES}")
        order = np.argsort(keys, kind="stable")
        save(stage.path, "keys", keys[order])
        save(stage.path, "ids", np.asarray(short_ids, dtype=np.int32)[order])
        with open(stage.path / "long.json", "w", encoding="utf-8") as file:
            json.dump(long, file, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        return stage.publish()

    def items(self) -> Iterator[tuple[str, int]]:
        for key, tid in zip(self.keys.tolist(), self.ids.tolist(), strict=True):
            yield key.decode("utf-8"), tid
        yield from self.long.items()


class Lexicon:
    """Term -> global term id, over a few immutable parts (the first one holds nearly all terms)."""

    CACHE = 100_000

    def __init__(self, parts: list[LexiconPart], size: int) -> None:
        self.parts = parts
        self.size = size  # ids are 0 .. size-1
        # A question looks its terms up several times (scoring, the no-answer rule, marking), and
        # questions repeat words: each lookup is a binary search per part.
        self._known: dict[str, int] = {}

    @classmethod
    def open(cls, root: Path, names: Sequence[str], size: int) -> "Lexicon":
        return cls([LexiconPart(root / name) for name in names], size)

    def lookup(self, term: str) -> int:
        tid = self._known.get(term)
        if tid is None:
            tid = self._search(term)
            if len(self._known) < self.CACHE:
                self._known[term] = tid
        return tid

    def _search(self, term: str) -> int:
        encoded = term.encode("utf-8")
        for part in self.parts:
            tid = part.lookup(term, encoded)
            if tid >= 0:
                return tid
        return -1


class LexiconWriter:
    """Assigns global ids to the terms of new passages: known terms keep theirs."""

    COMPACT_PARTS = 12  # more small parts than this are merged into one

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.new: dict[str, int] = {}

    @property
    def size(self) -> int:
        return self.lexicon.size + len(self.new)

    def ids_for(self, terms: Sequence[str]) -> np.ndarray:
        out = np.full(len(terms), -1, dtype=np.int64)
        encoded = [t.encode("utf-8") for t in terms]
        short = np.array([len(e) <= KEY_BYTES and not e.endswith(b"\0") and bool(e) for e in encoded], bool)
        if short.any() and self.lexicon.parts:
            keys = np.array([e for e, s in zip(encoded, short, strict=True) if s], dtype=f"S{KEY_BYTES}")
            found = np.full(keys.size, -1, dtype=np.int64)
            for part in self.lexicon.parts:
                missing = found < 0
                if not missing.any():
                    break
                found[missing] = part.lookup_many(keys[missing])
            out[short] = found
        for i in np.flatnonzero(out < 0).tolist():
            term = terms[i]
            tid = -1
            if not short[i]:
                tid = next((p.long[term] for p in self.lexicon.parts if term in p.long), -1)
            if tid < 0:
                tid = self.new.setdefault(term, self.lexicon.size + len(self.new))
            out[i] = tid
        return out

    def finish(self, root: Path, generation: int) -> list[str]:
        """The lexicon part names after this re-index (a new part for the new terms)."""
        names = [p.name for p in self.lexicon.parts]
        if self.new:
            names.append(LexiconPart.write(root, generation, list(self.new), list(self.new.values())))
        if len(names) > self.COMPACT_PARTS:
            parts = [LexiconPart(root / name) for name in names[1:]]
            terms, ids = [], []
            for part in parts:
                for term, tid in part.items():
                    terms.append(term)
                    ids.append(tid)
            names = [names[0], LexiconPart.write(root, generation, terms, ids)]
        return names


def letters(keys: np.ndarray) -> np.ndarray:
    """The number of letters of each UTF-8 key (bytes that start a character; none is 0)."""
    raw = keys.view(np.uint8).reshape(len(keys), keys.itemsize)
    counts: np.ndarray = ((raw != 0) & ((raw & 0xC0) != 0x80)).sum(axis=1)
    return counts

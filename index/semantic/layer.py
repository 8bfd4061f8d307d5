"""The semantic layer of one library: the model, the passage vectors, and the work of making them.

A re-index that leaves few passages without a vector (``INLINE_MAX``) embeds them itself, in its
own transaction (``embed_within``): its passages and their vectors are committed together, in
its worker thread or process. A larger one commits its passages (BM25 answers from them at once)
and their vectors come after, while questions are answered: a background thread starts a process
of its own at a lower priority (index/semantic/background.py: no GIL shared with the bot's event
loop, both cores when the bot is idle), which commits a batch of ``BATCH`` passages per SQLite
transaction and sends each batch back to join this process's table. A passage without a vector
yet only lacks the semantic candidate. bench/semantic_layer.py measures the speed and the event
loop's lag meanwhile.

A missing or damaged model is one warning line; the layer is then off and BM25 answers alone.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from index.errors import InstallError
from index.semantic import background, vectors
from index.semantic.model import SentenceModel, describe, packaged
from index.semantic.upkeep import NearestUpkeep
from index.semantic.vectors import VectorTable
from index.store.bm25 import ScoredPassage
from index.store.schema import UPSERT_META, read_meta
from index.store.segments import SegmentedIndex

log = logging.getLogger(__name__)

NEAREST = 30  # passages nearest the question added to BM25's candidates
# At least this close, or not a candidate: on the tune sets, 0.2 keeps the right passage among the
# candidates as often as no minimum does (0.985 / 0.987; BM25's 30 alone 0.926) and leaves out
# passages unrelated to the question (bench/semantic_layer.py recall).
MIN_COSINE = 0.2
BATCH = 64  # passages embedded, then committed, at a time
INLINE_MAX = 2_000  # at most this many missing: embedded by the re-index itself (a few seconds)
BUSY_SECONDS = 5.0  # a write waits this long for a re-index holding the lock, then tries later


class SemanticLayer:
    """Vectors for one database's passages, and the passages nearest a question."""

    def __init__(
        self,
        database: str,
        loader: Callable[[], SentenceModel] | None = None,
        nearest: dict[str, int] | None = None,
    ) -> None:
        """``nearest``: ``exact_max`` and ``tail_max`` of index/semantic/upkeep.py, when not its own."""
        self.database = database
        self._loader = loader or (lambda: packaged())
        self._model: SentenceModel | None = None
        self._broken = False
        self._checked = False  # the stored vectors are known to be this model's
        self._table: VectorTable | None = None
        self._loading = threading.Lock()
        self._working = threading.Lock()  # one embedding pass at a time
        self._stop = threading.Event()  # the library closes: the work stops after its batch
        self._background = background.BackgroundEmbedding(self, self._working, self._stop)
        self.upkeep = NearestUpkeep(database, self._connect, **(nearest or {}))

    @property
    def available(self) -> bool:
        return self._model is not None

    @property
    def table(self) -> VectorTable | None:
        return self._table

    def prepare(self) -> None:
        """Load the model and the stored vectors (blocking: call it from a worker thread).

        Vectors made by another model file are deleted, to be made again; damaged ones too."""
        with self._loading:
            if self._model is not None or self._broken:
                return
            try:
                model = self._loader()
            except InstallError as error:
                self._broken = True
                log.warning("%s; answering with BM25 alone", error.message)
                return
            table = VectorTable(model.dimensions)
            db = self._connect()
            try:
                # Vectors of another model are never read; when they cannot be deleted now (a
                # re-index holds the lock, a read-only file), the first embedding pass does it.
                self._checked = self._forget_other_model(db, model.checksum)
                if self._checked:
                    damaged = self.upkeep.load(db, table, model.checksum)
                    if damaged:
                        log.warning("%d stored passage vectors are damaged; making them again", len(damaged))
                        self._write(db, lambda: db.executemany(vectors.DELETE, [(d,) for d in damaged]))
            finally:
                db.close()
            self._table, self._model = table, model

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.database, timeout=BUSY_SECONDS, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def _write(self, db: sqlite3.Connection, change: Callable[[], object]) -> bool:
        """Run ``change`` in one write transaction; False, nothing written, when a re-index holds
        the lock too long or the database cannot be written (read-only)."""
        try:
            db.execute("BEGIN IMMEDIATE")
            change()
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if not any(word in str(error) for word in ("locked", "busy", "readonly")):
                raise
            return False
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return True

    def _forget_other_model(self, db: sqlite3.Connection, checksum: str) -> bool:
        """Delete the vectors of another model; whether every stored vector is now this one's."""
        if read_meta(db, vectors.MODEL_KEY) == checksum:
            return True

        def forget() -> None:
            db.execute("DELETE FROM passage_vectors")
            db.execute(UPSERT_META, (vectors.MODEL_KEY, checksum))

        return self._write(db, forget)

    def embed_missing(
        self, limit: int | None = None, made: Callable[[np.ndarray, np.ndarray], None] | None = None
    ) -> tuple[int, float]:
        """Make the vectors of passages that lack one (all, or about ``limit``), a batch per
        transaction; (how many were stored, seconds). Each committed batch (ids, vectors) joins
        this process's table, or, given ``made``, goes to it instead: the background process
        (index/semantic/background.py) sends it to the bot's, and never loads a table of its own.
        Stops early when the library closes."""
        if made is None:
            self.prepare()
            model, table = self._model, self._table
            if model is None or table is None:
                return 0, 0.0
            made = table.add
        else:
            model = self._loader()
        started, done, after = time.perf_counter(), 0, 0
        with self._working:
            db = self._connect()
            try:
                if not self._checked:
                    self._checked = self._forget_other_model(db, model.checksum)
                    if not self._checked:
                        return 0, 0.0
                if not db.execute(vectors.HAS_COUNT_INDEX).fetchone():
                    self._write(db, lambda: db.execute(vectors.COUNT_INDEX))  # a database made before it
                while not self._stop.is_set() and (limit is None or done < limit):
                    batch = vectors.missing(db, after, BATCH)
                    if not batch:
                        break
                    ids = [pid for pid, _ in batch]
                    vectors_made = model.embed([text for _, text in batch])

                    def write(ids: list[int] = ids, vectors_made: np.ndarray = vectors_made) -> None:
                        vectors.store(db, ids, vectors_made)

                    if not self._write(db, write):
                        break  # a re-index holds the lock: the next pass goes on from here
                    made(np.asarray(ids, dtype=np.int64), vectors_made)
                    done += len(ids)
                    after = ids[-1]
            finally:
                db.close()
        return done, time.perf_counter() - started

    def refresh(self) -> None:
        """Read the vectors another connection committed for passages newer than any held here
        (a re-index's, in its process or another program's). Blocking: from a worker thread."""
        if self._model is None or self._table is None or not self._checked:
            return
        if self.upkeep.behind:  # the file being made reads them from the database
            return
        db = self._connect()
        try:
            ids, matrix, _ = vectors.read(db, self._model.dimensions, after=self._table.last_id)
        finally:
            db.close()
        self._table.add(ids, matrix)

    def start_background(self) -> None:
        """Embed whatever lacks a vector in the background (index/semantic/background.py)."""
        self._background.start()

    def missing(self) -> int:
        """How many passages lack a vector (a count, quick even at a million; blocking)."""
        db = self._connect()
        try:
            embedded, passages = vectors.progress(db)
        finally:
            db.close()
        return passages - embedded

    def stop(self, wait: float = 10.0) -> None:
        """Stop the background work: its processes at once (what they committed stays), its
        thread after its current batch (blocking: from a worker thread)."""
        self.upkeep.stop()
        self._background.stop(wait)

    def question_vector(self, question: str) -> np.ndarray | None:
        """The question's vector, None when the layer is off."""
        if self._model is None or self._table is None or not len(self._table):
            return None
        vector: np.ndarray = self._model.embed([question])[0]
        return vector

    def widen(
        self, index: SegmentedIndex, scored: list[ScoredPassage], terms: Sequence[str], question: np.ndarray
    ) -> list[ScoredPassage]:
        """BM25's candidates followed by the NEAREST passages by meaning that BM25 did not find,
        nearest first, each with its exact BM25 score for ``terms`` (often 0). None when BM25
        found nothing: a question no passage shares a term with gets no hits (DESIGN.md)."""
        if self._table is None or not scored:
            return scored
        have = {s.position for s in scored}
        nearest = self._table.nearest(question, index, NEAREST)
        near = [p for p, c in nearest if p not in have and c >= MIN_COSINE]
        if not near:
            return scored
        positions = np.sort(np.asarray(near, dtype=np.int64))
        scores = dict(zip(positions.tolist(), index.score_passages(terms, positions).tolist(), strict=True))
        return [*scored, *(ScoredPassage(p, float(scores[p])) for p in near)]

    def cosines(self, ids: Sequence[int], question: np.ndarray | None) -> list[float]:
        """Each passage's cosine to the question (0.0 without a vector, or with the layer off)."""
        if question is None or self._table is None:
            return [0.0] * len(ids)
        return self._table.cosines(ids, question)


def embed_within(db: sqlite3.Connection) -> tuple[int, float]:
    """In a re-index's transaction, before it commits: forget vectors of another model, then
    embed the passages without a vector if at most INLINE_MAX are; (how many, seconds). More
    are left to the background. The model is loaded only when there is work for it."""
    started = time.perf_counter()
    try:
        checksum = str(describe()["sha256"])
    except InstallError:
        return 0, 0.0  # said once by the library's own layer
    if read_meta(db, vectors.MODEL_KEY) != checksum:
        db.execute("DELETE FROM passage_vectors")
        db.execute(UPSERT_META, (vectors.MODEL_KEY, checksum))
    embedded, passages = vectors.progress(db)
    if not 0 < passages - embedded <= INLINE_MAX:
        return 0, 0.0
    try:
        model = packaged()
    except InstallError:
        return 0, 0.0
    if model.checksum != checksum:
        return 0, 0.0
    done, after = 0, 0
    while batch := vectors.missing(db, after, BATCH):
        ids = [pid for pid, _ in batch]
        vectors.store(db, ids, model.embed([text for _, text in batch]))
        done, after = done + len(ids), ids[-1]
    return done, time.perf_counter() - started

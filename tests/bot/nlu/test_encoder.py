"""The offline all-MiniLM-L6-v2 encoder gives the model's published vectors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bot.nlu.encoder import DIMENSIONS, MAX_TOKENS, model_zip, sentence_encoder
from bot.settings import PROJECT_ROOT

REFERENCE = json.loads((PROJECT_ROOT / "tests/data/encoder_reference.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("first", "second", "published"),
    [
        # Cosine similarities printed in the sentence-transformers documentation for
        # all-MiniLM-L6-v2 (its quickstart and semantic-similarity examples).
        ("A man is eating food.", "A man is eating a piece of bread.", 0.7553),
        ("The new movie is awesome", "The new movie is so great", 0.8939),
        ("The cat sits outside", "The dog plays in the garden", 0.2838),
        ("I love pasta", "Do you like pizza?", 0.5096),
        ("A man is playing guitar", "A woman watches TV", -0.0327),
    ],
)
def test_similarities_match_the_published_figures(
    first: str, second: str, published: float
) -> None:
    a, b = sentence_encoder().encode([first, second])
    assert float(a @ b) == pytest.approx(published, abs=5e-4)


def test_vectors_match_the_stored_reference() -> None:
    texts = list(REFERENCE["vectors"])
    got = sentence_encoder().encode(texts)
    want = np.array([REFERENCE["vectors"][t] for t in texts])
    assert got.shape == (len(texts), DIMENSIONS)
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_vectors_are_unit_length_and_batching_does_not_change_them() -> None:
    texts = ["short", "a much longer message about side effects of keytruda " * 3, "fièvre"]
    together = sentence_encoder().encode(texts)
    alone = np.stack([sentence_encoder().encode([t])[0] for t in texts])
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_any_text_is_encoded_and_long_ones_are_cut() -> None:
    texts = ["", "🤒", "<script>alert(1)</script>", "word " * 5_000]
    [*pieces] = sentence_encoder().encode_pieces(texts)
    assert all(np.isfinite(p.sentence).all() for p in pieces)
    assert len(pieces[-1].offsets) == MAX_TOKENS - 2  # [CLS] and [SEP] take two
    assert sentence_encoder().encode([]).shape == (0, DIMENSIONS)


def test_word_vectors_follow_character_spans() -> None:
    [encoded] = sentence_encoder().encode_pieces(["immunotherapy works"])
    first = encoded.span_vector(0, len("immunotherapy"))
    assert first.shape == (DIMENSIONS,) and np.abs(first).sum() > 0
    assert not encoded.span_vector(500, 510).any()  # past the text: zeros


def test_the_model_package_is_read_without_being_imported() -> None:
    code = (
        "import sys; from bot.nlu.encoder import sentence_encoder; sentence_encoder()\n"
        "sys.exit(1 if 'all_minilm_l6_v2' in sys.modules or 'torch' in sys.modules else 0)"
    )
    assert model_zip().name == "model.zip"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr

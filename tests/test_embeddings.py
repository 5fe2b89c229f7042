"""The ONNX backends give the torch model's vectors; without ONNX Runtime, torch is used and the user told."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from conftest import SAMPLES

from assistant.indexing.embeddings import Embedder, bundled_model_path, onnx_model_file, token_batches


@pytest.fixture(scope="module")
def passages() -> list[str]:
    lines = [line.strip() for path in sorted(SAMPLES.glob("*.txt")) for line in path.read_text().splitlines()]
    return [line for line in lines if len(line) > 40][:60]


@pytest.fixture(scope="module")
def torch_vectors(passages) -> np.ndarray:
    return Embedder(backend="torch").encode(passages)


@pytest.mark.parametrize(("backend", "mean", "worst"), [("onnx", 0.9999, 0.999), ("onnx-int8", 0.99, 0.98)])
def test_onnx_vectors_match_torch(passages, torch_vectors, tmp_path_factory, backend, mean, worst):
    embedder = Embedder(backend=backend, cache_dir=tmp_path_factory.getbasetemp() / "onnx-cache")
    vectors = embedder.encode(passages)
    assert embedder.backend == backend
    cosine = (vectors * torch_vectors).sum(axis=1)
    assert cosine.mean() >= mean and cosine.min() >= worst, (cosine.mean(), cosine.min())
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_without_onnx_runtime_torch_is_used_and_said(passages, torch_vectors, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    embedder = Embedder(backend="auto", cache_dir=tmp_path)
    vectors = embedder.encode(passages[:5])
    assert embedder.backend == "torch"
    assert "ONNX Runtime could not be used" in embedder.fallback_reason
    assert np.allclose(vectors, torch_vectors[:5], atol=1e-5)


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown encoder backend"):
        Embedder(backend="tensorflow")


def test_batches_hold_similar_lengths_within_the_token_budget():
    lengths = [240, 12, 30, 25, 200, 18, 256, 22] * 20
    batches = token_batches(lengths, budget=512, most=16)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))  # each text once
    for batch in batches:
        assert len(batch) <= 16 and len(batch) * max(lengths[i] for i in batch) <= 512
    widths = [max(lengths[i] for i in batch) for batch in batches]
    assert widths == sorted(widths)  # short with short: a sentence is not padded to a passage's length
    assert len(batches) < len(lengths) / 4  # short texts share batches


def test_repeated_texts_get_the_same_vector_in_their_place(embedder):
    texts = ["Caseloads are too high.", "Leaders know their services well.", "Caseloads are too high."]
    vectors = embedder.encode(texts)
    assert np.array_equal(vectors[0], vectors[2])
    assert float(vectors[0] @ vectors[1]) < 0.9
    alone = embedder.encode(["Leaders know their services well."])[0]
    assert float(alone @ vectors[1]) > 0.97  # int8 scales are per batch: a batch shifts its vectors a little


def test_two_quantizations_of_one_model_at_once_both_succeed(tmp_path):
    model = bundled_model_path()
    plain = onnx_model_file(model, tmp_path, quantized=False)
    start, made, failed = threading.Barrier(2), [], []

    def quantize() -> None:
        start.wait()  # both begin together, as two app processes starting on a fresh machine do
        try:
            made.append(onnx_model_file(model, tmp_path, quantized=True))
        except Exception as exc:  # the failure this guards against: one deleting the other's scratch file
            failed.append(exc)

    workers = [threading.Thread(target=quantize) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failed
    assert made == [plain.with_name("model-int8.onnx")] * 2 and made[0].stat().st_size > 0
    assert sorted(p.name for p in plain.parent.iterdir()) == ["model-int8.onnx", "model.onnx"]  # no scratch left

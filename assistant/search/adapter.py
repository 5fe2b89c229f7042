"""A linear map fitted on question-and-answer pairs, applied to a question's vectors before search: the encoder
places "were the teams swamped?" far from "staff have manageable caseloads", and the map moves questions in
people's words towards the reports' sentences that answer them. Passages' vectors are left as indexed, so the
map changes nothing in the index and can be switched off."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Fitted by benchmarks/fit_query_adapter.py on the tuning halves of the blind bank and the dev sets.
FITTED = Path(__file__).with_name("query_adapter.npy")


class AdapterError(ValueError):
    """The matrix named for the query adapter cannot be used."""

    def __str__(self) -> str:
        return f"{super().__str__()} (ASSISTANT_QUERY_ADAPTER)"  # the setting to mend, named for whoever reads it


@dataclass(frozen=True)
class QueryAdapter:
    """Maps question vectors (rows); with no matrix, leaves them as they are."""

    matrix: np.ndarray | None = None

    @classmethod
    def load(cls, choice: str) -> QueryAdapter:
        """`choice`: "fitted" (the one shipped), "none", or the path of a matrix saved with numpy."""
        if choice == "none":
            return cls()
        path = FITTED if choice == "fitted" else Path(choice)
        try:
            matrix = np.load(path).astype(np.float32)
        except (OSError, ValueError) as exc:
            raise AdapterError(f"cannot read the query adapter {path}: {exc}") from exc
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise AdapterError(f"the query adapter {path} is not a square matrix: {matrix.shape}")
        return cls(matrix)

    @property
    def off(self) -> bool:
        return self.matrix is None

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        if self.off:
            return vectors
        if vectors.shape[-1] != self.matrix.shape[1]:
            raise ValueError(f"the query adapter maps {self.matrix.shape[1]} dimensions, not {vectors.shape[-1]}")
        mapped = vectors @ self.matrix.T
        return mapped / np.linalg.norm(mapped, axis=-1, keepdims=True)

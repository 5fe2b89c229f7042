"""The query encoder: the sentence encoder with low-rank changes to its weights, fitted on question-and-answer
pairs and used for questions only. The encoder places "were the teams swamped?" far from "staff have manageable
caseloads"; the changed one moves questions in people's words towards the reports' sentences that answer them.
Passages keep the vectors they were indexed with, so the changes rebuild nothing and can be switched off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.indexing.embeddings import Embedder, WeightChanges

# Fitted by benchmarks/fit_query_adapter.py on the tuning halves of the blind bank and the dev sets.
FITTED = Path(__file__).with_name("query_adapter.npz")
# The weight matrices a change may touch: each layer's attention and feed-forward projections.
CHANGEABLE = re.compile(
    r"encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense"
    r"|output\.dense)\.weight"
)


class AdapterError(ValueError):
    """The file named for the query adapter cannot be used."""

    def __str__(self) -> str:
        return f"{super().__str__()} (ASSISTANT_QUERY_ADAPTER)"  # the setting to mend, named for whoever reads it


@dataclass(frozen=True)
class QueryAdapter:
    """Encodes the texts searched for a question; with no changed encoder, keeps them as first encoded."""

    encoder: Embedder | None = None

    @classmethod
    def load(cls, choice: str, embedder: Embedder) -> QueryAdapter:
        """`choice`: "fitted" (the one shipped), "none", or the path of changes saved by `save_changes`."""
        if choice == "none":
            return cls()
        return cls(embedder.changed(read_changes(FITTED if choice == "fitted" else Path(choice))))

    @property
    def off(self) -> bool:
        return self.encoder is None

    def __call__(self, texts: list[str], encoded: np.ndarray) -> np.ndarray:
        """The texts' vectors for ranking; `encoded` are the same texts as the plain encoder gives them."""
        return encoded if self.encoder is None else self.encoder.encode(texts)


def read_changes(path: Path) -> WeightChanges:
    """Low-rank changes saved as `<parameter>.up` and `<parameter>.down` arrays."""
    try:
        with np.load(path) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except (OSError, ValueError) as exc:
        raise AdapterError(f"cannot read the query adapter {path}: {exc}") from exc
    factors = {}
    for key in sorted(arrays):
        name, _, part = key.rpartition(".")
        if part not in ("up", "down") or not CHANGEABLE.fullmatch(name):
            raise AdapterError(f"the query adapter {path} holds {key!r}, which changes no weight of the encoder")
        up, down = arrays.get(f"{name}.up"), arrays.get(f"{name}.down")
        if up is None or down is None or up.ndim != 2 or down.ndim != 2 or up.shape[1] != down.shape[0]:
            raise AdapterError(f"the query adapter {path} holds no low-rank pair for {name}")
        factors[name] = (up, down)
    if not factors:
        raise AdapterError(f"the query adapter {path} holds no changes")
    return WeightChanges(factors)


def save_changes(changes: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    """Writes low-rank changes in half precision, for `read_changes`."""
    arrays = {}
    for name, (up, down) in changes.items():
        arrays[f"{name}.up"], arrays[f"{name}.down"] = up.astype(np.float16), down.astype(np.float16)
    with path.open("wb") as handle:
        np.savez(handle, **arrays)

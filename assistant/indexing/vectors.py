"""Passage and sentence vectors from one encoding of each passage's sentences.

Ranking reads a passage's sentences, so each of them is encoded anyway; the passage's own vector is their
mean, weighted by length, with the line of context (document title, heading) it is read under. Encoding the
passage a second time cost as much as all its sentences together: on 43 real reports, 2,210 passages took
40 s of the encoder and their 10,571 sentences 23 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import Store
from assistant.ingest.chunking import context_line, encoded_sentences, keeps_vector, sentence_spans
from assistant.schema import Chunk

RECIPE = "passages from sentences"
# How much the title line weighs, per word, against a sentence's words: fitted on the tuning half of the blind
# question bank over the 223 real reports (MRR 0.501 without it, 0.525 at 1, 0.533 at 1.5, 0.510 at 3, 0.485 at
# 6; the passages' own vectors gave 0.528).
CONTEXT_WEIGHT = 1.5


def vectors_made_by(backend: str) -> str:
    """What an index records as the maker of its vectors: the encoder and this recipe."""
    return f"{backend}; {RECIPE}"


@dataclass
class _Pieces:
    texts: list[str]  # what the encoder reads: the context line, then every sentence of the passage
    weights: np.ndarray  # one per text: its words (the context line's times CONTEXT_WEIGHT)
    kept: list[int]  # which texts are the passage's encoded sentences, in their order


def _pieces(chunk: Chunk, title: str) -> _Pieces:
    text = chunk.text
    sentences = [text[s:e] for s, e in sentence_spans(text)] or [text]
    context = context_line(chunk, title)
    texts = ([context] if context else []) + sentences
    weights = np.array([max(1, len(t.split())) for t in texts], dtype=np.float32)
    if context:
        weights[0] *= CONTEXT_WEIGHT
    first = 1 if context else 0
    kept = [first + i for i, sentence in enumerate(sentences) if keeps_vector(sentence)]
    return _Pieces(texts, weights, kept)


def encode_passages(embedder: Embedder, items: Sequence[tuple[Chunk, str]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """For (chunk, its document's title) pairs: the passages' vectors, and each one's sentence vectors."""
    groups = [_pieces(chunk, title) for chunk, title in items]
    vectors = embedder.encode([text for group in groups for text in group.texts])
    passages = np.zeros((len(groups), embedder.dimension), dtype=np.float32)
    sentences: list[np.ndarray] = []
    at = 0
    for row, group in enumerate(groups):
        own = vectors[at : at + len(group.texts)]
        at += len(group.texts)
        mean = group.weights @ own
        passages[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        sentences.append(own[group.kept])
    return passages, sentences


def encode_sentences(embedder: Embedder, chunk_texts: Sequence[str]) -> list[np.ndarray]:
    """Each chunk text's encoded sentences' vectors, for an index whose passages already have theirs."""
    groups = [encoded_sentences(text) for text in chunk_texts]
    vectors = embedder.encode([s for group in groups for s in group])
    ends = np.cumsum([0] + [len(group) for group in groups])
    return [vectors[a:b] for a, b in zip(ends[:-1], ends[1:], strict=True)]


def add_word_vectors(store: Store, embedder: Embedder, group: int = 4096) -> int:
    """Encode the index's listed words that have no vector yet (a question's words are compared with them);
    how many were encoded."""
    missing = store.words_without_vectors()
    for start in range(0, len(missing), group):
        part = missing[start : start + group]
        store.put_word_vectors([stem for stem, _ in part], embedder.encode([word for _, word in part]))
    return len(missing)

"""The index's words closest in meaning to a question's words: a question asks about "youngsters" and
"promptly", the reports write "teenagers" and "quickly". Encoded one word at a time, the model places words
used alike close together; close enough, the index's word is searched beside the question's own."""

from __future__ import annotations

import numpy as np

from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import Store
from assistant.indexing.vectors import add_word_vectors
from assistant.text import word_stems

# Fitted on the tuning half of the blind question bank over the real reports, MRR 0.526 without neighbours (hit@5
# 0.623). Any neighbour, three words each: 0.594 at cosine 0.6, 0.571 at 0.65, 0.544 at 0.75, 0.542 at 0.8; at 0.65,
# five words 0.587 (hit@5 0.725), eight the same; but SciFact's nDCG@10 fell from 0.718 to 0.695 and the sample
# documents' dev sets lost ranks. Keeping only neighbours more common in the index than the question's word (the
# reports' usual word for it): 0.583 at 0.65 (hit@5 0.652), SciFact 0.713-0.716, the dev sets as before; 0.607 at 0.6,
# but SciFact 0.708 and the held-out dev set lost a rank. Opposites can come in ("legal" for "unlawful"):
# neighbours only rank passages, they never decide that a quote answers.
MIN_COSINE = 0.65
PER_WORD = 5
MIN_PASSAGES = 2  # a word of the index counts once it stands in this many passages
_MEMO = 4096  # question words whose vectors are kept


class Neighbours:
    """Looks up, for a question's words, the index's words closest to them; vectors read once per generation."""

    def __init__(self, store: Store, embedder: Embedder, min_cosine: float = MIN_COSINE, per_word: int = PER_WORD):
        self.store = store
        self.embedder = embedder
        self.min_cosine = min_cosine
        self.per_word = per_word
        self._generation = -1
        self._words: list[str] = []
        self._stems: list[str] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._memo: dict[str, np.ndarray] = {}

    def of(self, text: str) -> dict[str, set[str]]:
        """Each content word of a text -> up to `per_word` of the index's words of other stems, at least
        `min_cosine` close and in more passages than the word itself: the reports' usual word for what the
        question says in its own (words without any are left out)."""
        pairs = dict(word_stems(text))
        self._load()
        if not pairs or not self._words:
            return {}
        self._remember([w for w in pairs if w not in self._memo])
        candidates = {}
        for word, stem in pairs.items():
            cosines = self._matrix @ self._memo[word]
            room = min(len(cosines), self.per_word + 4)  # room for forms of the word itself
            best = sorted(np.argpartition(-cosines, room - 1)[:room], key=lambda i: -cosines[i])
            candidates[word] = [i for i in best if cosines[i] >= self.min_cosine and self._stems[i] != stem]
        counts = self.store.document_frequency(
            [*pairs.values(), *(self._stems[i] for c in candidates.values() for i in c)]
        )
        found = {}
        for word, near in candidates.items():
            kept = [self._words[i] for i in near if counts[self._stems[i]] > counts[pairs[word]]]
            if kept:
                found[word] = set(kept[: self.per_word])
        return found

    def _remember(self, new: list[str]) -> None:
        if not new:
            return
        if len(self._memo) > _MEMO:
            self._memo.clear()
        self._memo.update(zip(new, self.embedder.encode(new), strict=True))

    def _load(self) -> None:
        generation = self.store.generation()
        if generation == self._generation:
            return
        add_word_vectors(self.store, self.embedder)  # the indexer encodes them; a cache pulled from a server not
        self._words, self._stems, self._matrix = self.store.word_vectors(MIN_PASSAGES)
        self._generation = generation

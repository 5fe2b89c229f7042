"""What search hands the answerer: ranked passages (Hit), the search as a whole (Search), word weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.schema import Chunk
from assistant.search.question import Question
from assistant.text import stem_set


@dataclass
class TermWeights:
    """How much each word of a question (and each synonym of one) counts when found in a sentence."""

    own: dict[str, float]
    extra: dict[str, float]
    alternatives: dict[str, set[str]] = field(default_factory=dict)  # own word -> the synonyms standing for it

    def without(self, unwanted: set[str]) -> TermWeights:
        return TermWeights({s: w for s, w in self.own.items() if s not in unwanted}, self.extra, self.alternatives)

    def score(self, sentence: str) -> float:
        """Each of the question's words counts once: itself, or failing that its best synonym in the sentence."""
        present = stem_set(sentence)
        return sum(
            w
            if _stem_in(s, present)
            else max((self.extra[x] for x in self.alternatives.get(s, ()) if x in present), default=0)
            for s, w in self.own.items()
        )

    def share(self, sentence: str) -> float:
        """The score as a share of all the question's own words (synonyms can stand in, up to 1)."""
        return min(1.0, self.score(sentence) / (sum(self.own.values()) or 1.0))


def _stem_in(stem: str, present: set[str]) -> bool:
    """Whether a sentence holds the word: the same stem, or one starting with the other where the shorter has
    four letters or more (the Porter stemmer leaves judged/judgement, rely/reliance, worker/work apart)."""
    if stem in present:
        return True
    return len(stem) >= 4 and any(p.startswith(stem) or (len(p) >= 4 and stem.startswith(p)) for p in present)


@dataclass
class Hit:
    """A passage found for a question, with the scores that ranked it."""

    chunk: Chunk
    meta: dict
    dense: float = 0.0  # cosine similarity to the question
    lexical: float = 0.0  # BM25
    fused: float = 0.0
    rank: int = 0
    meaning: float | None = None  # cosine of its closest stored sentence to the question's topic (when reranked)
    closeness: float | None = None  # the same with the topic as the query adapter encodes it: what ranks
    # each stored sentence's cosine to the topic, in the order of chunking.encoded_sentences (when reranked)
    sentence_meanings: np.ndarray | None = None
    sentence_closeness: np.ndarray | None = None  # the same as encoded by the adapter: chooses a lead's quote


@dataclass(frozen=True)
class Listed:
    """One of an authority's documents, as named in the list of what the index holds on that authority."""

    title: str
    dates: list[str]  # its date, inspection start, inspection end ("" when unknown)
    ofsted: bool  # an Ofsted report (else a news article or other document about the authority)


@dataclass
class Search:
    """What search hands the answerer: the question as read, its ranked passages, and what the index holds
    about the authorities it names."""

    question: Question
    hits: list[Hit]
    weights: TermWeights  # of the question's words, rarer heavier
    query_vector: np.ndarray | None = None
    unknown_named: list[str] = field(default_factory=list)  # named authorities no indexed document is about
    reports: dict[str, list[str]] = field(default_factory=dict)  # authority -> dates of its reports, newest first
    sources: list[str] | None = None  # the files searched within; None: every file
    # named authority -> its Ofsted documents, newest first; for one with none, the other documents about it
    reports_by_authority: dict[str, list[Listed]] = field(default_factory=dict)

    @property
    def named(self) -> tuple[str, ...]:
        return self.question.named

    @property
    def topic(self) -> str:
        return self.question.topic

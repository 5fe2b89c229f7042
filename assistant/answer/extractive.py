"""The extractive answerer: quote the sentences that answer, cite them, or say the reports do not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.dates import doc_date, format_date
from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import Store
from assistant.ingest.chunking import sentence_spans
from assistant.schema import SOURCE_TYPES, Answer, Citation
from assistant.search.results import Hit, Search, TermWeights
from assistant.text import stem_set, stems

TYPE_ORDER = {kind: i for i, kind in enumerate(SOURCE_TYPES)}
# Words every question here shares: they say nothing about whether a passage answers it.
_GENERIC = set(
    stems(
        "ofsted inspector inspectors inspection report reports council councils children child children's "
        "services service local authority authorities find found"
    )
)


@dataclass(frozen=True)
class Thresholds:
    """When the evidence is too weak to answer (calibrated on the dev set, see README)."""

    min_dense: float = 0.35  # below this best cosine similarity, only an exact match of every word answers
    min_sentence_support: float = 0.25  # the best sentence must come this close to the question's topic
    max_citations: int = 5
    min_quote_share: float = 0.6  # a passage is cited if a sentence holds this share of the question's weight
    min_dense_cite: float = 0.6  # ... or if it is this close in meaning


def reports_note(reports: dict[str, list[str]]) -> str:
    """Which report is the latest, and that earlier ones exist, for each authority asked about."""
    notes = []
    for authority, dates in reports.items():
        earlier = ", ".join(format_date(d) for d in dates[1:] if d)
        notes.append(
            f"The latest Ofsted report on {authority} in the index is of {format_date(dates[0])}; "
            f"{len(dates) - 1} earlier one{'s' if len(dates) > 2 else ''} ({earlier}) also indexed."
        )
    return " ".join(notes)


def document_label(meta: dict) -> str:
    """How an answer introduces a source, so Ofsted's words are told apart from others'."""
    when = format_date(doc_date(meta))
    kind = meta.get("source_type", "other")
    about = ", ".join(meta.get("authorities", [])[: 1 if kind == "ofsted" else 2])  # a report is about one
    about = f" about {about}" if about else ""
    title = meta.get("title") or meta.get("file_name", "")
    if kind == "ofsted":
        return f"Ofsted's {meta.get('doc_kind') or 'report'}{' of ' + when if when else ''}{about}"
    if kind == "news":
        return f"News article “{title}”{' of ' + when if when else ''}{about} (a newspaper's account)"
    if kind == "council":
        return f"Council statement “{title}”{' of ' + when if when else ''}{about} (the council's words)"
    return f"“{title}”{' of ' + when if when else ''}{about}"


class Answerer:
    """Turns a search into an Answer with numbered citations."""

    def __init__(self, store: Store, embedder: Embedder, thresholds: Thresholds | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.thresholds = thresholds or Thresholds()

    def is_answered(self, search: Search) -> bool:
        """Whether the passages found answer the question, or the reports do not cover it."""
        if not search.hits:
            return False
        wanted = set(stems(search.topic)) - _GENERIC
        if not self._holds_exact_answer(search, wanted):
            return False
        if wanted and any(wanted <= stem_set(h.chunk.text) for h in search.hits[:3]):
            return True  # every word of the question's topic stands in one passage
        if max(h.dense for h in search.hits) < self.thresholds.min_dense:
            return False
        if wanted and not any(self.store.document_frequency(sorted(wanted)).values()):
            return False  # not one word of the topic appears anywhere in the index
        return self.sentence_support(search) >= self.thresholds.min_sentence_support

    @staticmethod
    def _holds_exact_answer(search: Search, wanted: set[str]) -> bool:
        """Asked how long, what share, how much money or who led: a sentence on the topic must say it."""
        kind = search.question.exact_kind
        if kind is None:
            return True
        for hit in search.hits[:3]:
            for start, end in sentence_spans(hit.chunk.text):
                sentence = hit.chunk.text[start:end]
                if kind.search(sentence) and (not wanted or wanted & stem_set(sentence)):
                    return True
        return False

    def sentence_support(self, search: Search) -> float:
        """How close the best sentence of the top passages comes to the question's topic (authorities aside)."""
        stored = [h.meaning for h in search.hits[:3] if h.meaning is not None]
        if stored:
            return max(stored)  # the rerank compared the topic with the index's sentence vectors already
        sentences = [h.chunk.text[s:e] for h in search.hits[:3] for s, e in sentence_spans(h.chunk.text)]
        if not sentences:
            return 0.0
        vectors = self.embedder.encode([search.topic, *sentences])
        return float((vectors[1:] @ vectors[0]).max())

    def answer(self, search: Search) -> Answer:
        question = search.question.text
        if not self.is_answered(search):
            return Answer(question=question, text=self.not_found_text(search), no_answer=True)
        citations = self._citations(search, limit=self.thresholds.max_citations)
        text = self.compose(citations)
        if search.reports:
            text = f"{reports_note(search.reports)}\n\n{text}"
        return Answer(question=question, text=text, no_answer=False, citations=citations)

    def not_found_text(self, search: Search) -> str:
        if search.unknown_named and not search.hits:
            names = ", ".join(search.unknown_named)
            return f"The indexed reports do not cover {names}: no indexed document is about it."
        text = "The indexed reports do not cover this."
        closest = []
        for hit in search.hits:
            label = document_label(hit.meta)
            if label not in closest:
                closest.append(label)
        if closest:
            text += " The closest documents are: " + "; ".join(closest[:3]) + "."
        return text

    def _citations(self, search: Search, limit: int) -> list[Citation]:
        """The passages worth citing, each with the span of its best sentence(s), Ofsted's first."""
        weights = search.weights.without(_GENERIC)
        chosen: list[tuple[Hit, tuple[int, int]]] = []
        for i, hit in enumerate(search.hits):
            (start, end), share = self._quote(hit, weights, search, allow_semantic=i < 2)
            relevant = share >= self.thresholds.min_quote_share or hit.dense >= self.thresholds.min_dense_cite
            if i == 0 or relevant:
                chosen.append((hit, (start, end)))
            if len(chosen) == limit:
                break
        hits = [h for h, _ in chosen]
        order = sorted(range(len(chosen)), key=lambda i: self._order_key(hits, i))
        return [self._citation(n, *chosen[i]) for n, i in enumerate(order, start=1)]

    @staticmethod
    def _order_key(hits: list[Hit], i: int) -> tuple:
        """Ofsted first, then council, then news; among Ofsted documents the newest first; then by rank."""
        kind = TYPE_ORDER.get(hits[i].meta.get("source_type"), 3)
        when = doc_date(hits[i].meta) if kind == 0 else None
        newest_first = -date.fromisoformat(when).toordinal() if when else 0
        return kind, newest_first, Answerer._group_rank(hits, i)

    @staticmethod
    def _citation(n: int, hit: Hit, span: tuple[int, int]) -> Citation:
        return Citation.quoting(
            n, hit.meta, hit.chunk, span, score=round(float(hit.fused), 5), label=document_label(hit.meta)
        )

    @staticmethod
    def _group_rank(hits: list[Hit], i: int) -> tuple[int, int]:
        """Keep a document's passages together, documents in the order of their best passage."""
        first = next(j for j, h in enumerate(hits) if h.chunk.source == hits[i].chunk.source)
        return first, i

    def _quote(
        self, hit: Hit, weights: TermWeights, search: Search, allow_semantic: bool
    ) -> tuple[tuple[int, int], float]:
        """The span (in the document) of the sentence, or two adjacent ones, that best answer; and its score."""
        spans = sentence_spans(hit.chunk.text, hit.chunk.start)
        spans = [s for s in spans if s[1] - s[0] > 1] or [(hit.chunk.start, hit.chunk.end)]
        texts = [hit.chunk.text[s - hit.chunk.start : e - hit.chunk.start] for s, e in spans]
        scores = np.array([weights.score(t) for t in texts])
        lexical_best = max(weights.share(t) for t in texts)
        if lexical_best <= 0 and allow_semantic and search.query_vector is not None and len(texts) > 1:
            scores = self.embedder.encode(texts) @ search.query_vector  # no shared word: choose by meaning
        best = int(scores.argmax())
        start, end = spans[best]
        same_line = (
            best + 1 < len(spans)
            and "\n" not in hit.chunk.text[end - hit.chunk.start : spans[best + 1][0] - hit.chunk.start]
        )
        if same_line and scores[best + 1] >= 0.6 * scores[best] > 0:
            end = spans[best + 1][1]
        return (start, end), lexical_best

    @staticmethod
    def compose(citations: list[Citation]) -> str:
        """The answer text: quotes grouped under the document they come from, Ofsted's first."""
        parts: list[str] = []
        current = None
        for c in citations:
            if c.source != current:
                current = c.source
                parts.append(("\n" if parts else "") + c.label + ":")
            page = f" (p. {c.page})" if c.page > 1 else ""
            parts.append(f"“{c.quote.strip()}” [{c.n}]{page}")
        return "\n".join(parts)

"""Find the passages for a question: dense and lexical search fused, within the authorities it names."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from assistant.dates import doc_date, format_date, month_year
from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import Store
from assistant.ingest.chunking import content_sentences
from assistant.search.adapter import QueryAdapter
from assistant.search.neighbours import Neighbours
from assistant.search.question import SPAN_WORDS, Question, read_question
from assistant.search.results import Hit, Listed, Search, TermWeights
from assistant.search.vocabulary import synonyms_of
from assistant.text import fts_query, stems
from assistant.titles import readable_title

# FTS5 scores every passage holding any word of the query. Words are kept rarest first until their
# passages add up to this many; the commoner ones (low weight in BM25 anyway) are left to the dense side,
# so lexical search costs about the same at 10k passages as at 300k.
LEXICAL_BUDGET = 20_000
# Within one or two reports (an authority's report of the year asked) every passage is about the authority, and
# the sentence that answers decides; across more documents a lone close sentence misled more than it found.
SENTENCE_SEARCH_FILES = 2
# A name the question gives that this many documents or fewer hold points at them ('Mumford', a councillor quoted
# in one article); a name in more is too common to say which.
NAME_DOCUMENTS = 2
RRF_K = 60  # reciprocal rank fusion's damping: a rank-1 hit in one list is not worth many rank-5 hits
# The question is encoded with, for each word or phrase of it the thesaurus knows, this many of the reports'
# commonest words for it ("temps" with "agency" and "interim"): the encoder alone places "temps" far from "agency".
# Tuning halves, MRR (sample, real reports): 0.738 and 0.605 without; 0.748 and 0.622 with the thesaurus words
# searched only; encoded too, one word 0.767 and 0.640, two 0.777 and 0.654, three 0.767 and 0.648.
ENCODED_ALTERNATIVES = 2


@dataclass
class Filters:
    """Restrictions a user sets; empty fields restrict nothing."""

    authorities: list[str] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    since: str | None = None  # ISO dates, compared with the document's date
    until: str | None = None

    @classmethod
    def from_dict(cls, data: dict | None) -> Filters:
        data = data or {}
        as_list = lambda v: [v] if isinstance(v, str) else list(v or [])  # noqa: E731
        return cls(
            authorities=as_list(data.get("authority") or data.get("authorities")),
            source_types=as_list(data.get("type") or data.get("source_type") or data.get("source_types")),
            since=data.get("since") or None,
            until=data.get("until") or None,
        )


def allowed_sources(metas: dict[str, dict], filters: Filters, authorities: list[str]) -> list[str] | None:
    """Files that pass the filters and are about the named authorities; None when nothing restricts."""
    wanted = set(filters.authorities) | set(authorities)
    if not (wanted or filters.source_types or filters.since or filters.until):
        return None
    keep = []
    for source, meta in metas.items():
        if wanted and not wanted & set(meta.get("authorities", [])):
            continue
        if filters.source_types and meta.get("source_type") not in filters.source_types:
            continue
        date = doc_date(meta)
        if (filters.since or filters.until) and not date:
            continue
        if filters.since and date < filters.since:
            continue
        if filters.until and date > filters.until:
            continue
        keep.append(source)
    return keep


class Retriever:
    """Hybrid search over one store with one encoder."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        depth: int = 30,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        adapter: QueryAdapter | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.adapter = adapter or QueryAdapter()
        self.depth = depth
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.type_boost = 0.3
        self.rerank_depth = 12
        self.sentence_weight = 0.3  # 0.6 ranked the dev sets about as well but SciFact 0.708 against 0.718
        # The query adapter's closeness: tuning halves out of fold, MRR sample / real reports 0.853 / 0.732 at 0.35
        # (which suited the linear map before it), 0.863 / 0.744 at 0.7, 0.863 / 0.742 at 1.2.
        self.meaning_weight = 0.7
        self.meaning_floor = 0.3  # the best passage's cosine as encoded under which meaning does not rank
        self.answer_type_weight = 0.3
        self.year_boost = 0.3
        self.name_boost = 0.6  # sample documents' tuning half: MRR 0.662 without, 0.686 at 0.3, 0.688 at 0.6 and 1
        self.sentence_list_weight = 1.0  # the passages ranked by their closest sentence, within named authorities
        self.neighbours = Neighbours(store, embedder)
        self._metas: dict[str, dict] = {}
        self._contexts: dict[str, set[str]] = {}  # source -> stems of its document's context
        self._generation = -1

    def metas(self) -> dict[str, dict]:
        """Document metadata, re-read only when the index changed."""
        generation = self.store.generation()
        if generation != self._generation:
            self._metas = self.store.metas()
            self._contexts = {}
            self._generation = generation
        return self._metas

    def reports_about(self, authority: str, ofsted_only: bool = True) -> list[tuple[str, str]]:
        """(date, source) of every Ofsted document (or every document) about an authority, newest first."""
        found = [
            (doc_date(meta) or "", source)
            for source, meta in self.metas().items()
            if (_is_ofsted(meta) or not ofsted_only) and authority in (meta.get("authorities") or [])
        ]
        return sorted(found, reverse=True)

    def report_dates(self, authority: str) -> list[Listed]:
        """Each Ofsted document about an authority, newest first; for an authority with none, each document that
        is about it (a news article on a council Ofsted's indexed reports do not cover)."""
        metas = self.metas()
        rows = self.reports_about(authority) or self.reports_about(authority, ofsted_only=False)
        return [Listed(_listed_title(metas[s]), [d, *_inspection(metas[s])], _is_ofsted(metas[s])) for d, s in rows]

    def latest_reports(self, authorities: list[str]) -> set[str]:
        return {reports[0][1] for a in authorities if len(reports := self.reports_about(a)) > 1}

    def indexed_authorities(self) -> set[str]:
        return {a for meta in self.metas().values() for a in meta.get("authorities", [])}

    def lexical_match(self, words: str, related: dict[str, set[str]] | None = None) -> str:
        """The FTS5 expression for a question's words (authority names left out), their synonyms and the
        `related` words of the index (from `Neighbours`)."""
        own = list(dict.fromkeys(stems(words)))
        synonyms = list(dict.fromkeys(o for others in _alternatives(words, related).values() for o in sorted(others)))
        frequency = self.store.document_frequency(own + [s for term in synonyms for s in stems(term)])
        kept, spent = set(), 0
        for stem in sorted(own, key=lambda s: frequency[s]):
            if kept and spent + frequency[stem] > LEXICAL_BUDGET:
                break
            kept.add(stem)
            spent += frequency[stem]
        affordable = []
        for term in synonyms:
            cost = sum(frequency[s] for s in stems(term))
            if spent + cost <= LEXICAL_BUDGET:
                affordable.append(term)
                spent += cost
        return " OR ".join(part for part in (fts_query(words, set(own) - kept), _phrases(affordable)) if part)

    def search(
        self, question: Question | str, filters: Filters | None = None, k: int = 8, depth: int | None = None
    ) -> Search:
        """Ranked passages for a question, within the filters and the authorities it names."""
        question = question if isinstance(question, Question) else read_question(question)
        filters = filters or Filters()
        depth = depth or self.depth
        metas = self.metas()
        indexed = self.indexed_authorities()
        unknown = [a for a in question.named if a not in indexed]
        restrict = [a for a in question.named if a in indexed]
        sources = allowed_sources(metas, filters, restrict)
        if unknown and not restrict:
            sources = []  # the question is about authorities the index has nothing on
        sources = self._of_years_asked(sources, question, restrict)
        sources = self._of_latest_asked(sources, question, restrict)
        texts = self.question_texts(question)
        encoded = self.embedder.encode(texts)
        vector, topic = self.adapter(texts, encoded)
        # The adapter's vectors rank; the question as encoded gives the cosines the answer's thresholds know.
        dense, *as_encoded = self.store.dense_searches(
            [vector] if self.adapter.off else [vector, encoded[0]], depth, sources
        )
        related = self.neighbours.of(question.words)
        lexical = self.store.lexical_search(self.lexical_match(question.words, related), depth, sources)
        narrow = sources and len(sources) <= SENTENCE_SEARCH_FILES
        by_sentence = self._sentence_search(topic, sources, depth) if narrow else []
        hits = self._fuse([dense, lexical, by_sentence], metas)
        if as_encoded:
            cosines = dict(as_encoded[0])
            for hit in hits:
                hit.dense = cosines.get(hit.chunk.chunk_id, 0.0)
        self._boost(hits, question, restrict)
        weights = self.term_weights(question.words, related)
        # Nothing found as close in meaning as the answer asks (coverage's min_dense): words alone rank, as they
        # alone answer. A name asked alone ("Sheena Doyle") is close to no passage; the one holding it must win on
        # its words, not on the closeness of a letter's address lines.
        thin = max((h.dense for h in hits), default=0.0) < self.meaning_floor
        self._rerank(hits[: self.rerank_depth], weights, question, (encoded[1], topic), thin)
        hits.sort(key=lambda h: -h.fused)
        for rank, hit in enumerate(hits, start=1):
            hit.rank = rank
        by_authority = {a: self.report_dates(a) for a in restrict}
        reports = (
            {a: [row.dates[0] for row in rows if row.ofsted] for a, rows in by_authority.items()}
            if not question.years
            else {}
        )
        return Search(
            question=question,
            hits=hits[:k],
            # Whether a sentence answers is judged on the question's words and known synonyms: a neighbour in
            # meaning ranks passages well but says too little to call a quote the answer.
            weights=self.term_weights(question.words),
            query_vector=vector,
            unknown_named=unknown,
            reports={a: dates for a, dates in reports.items() if len(dates) > 1},
            sources=sources,
            reports_by_authority=by_authority,
        )

    def question_texts(self, question: Question) -> list[str]:
        """The whole question and its topic, each with the reports' usual words for its own: the texts encoded."""
        usual = self.usual_words(question.words)
        return [question.searched + usual, (question.topic or question.focus) + usual]

    def usual_words(self, words: str) -> str:
        """The reports' commonest words for what the question says in its own, as " (agency, interim)"."""
        said = set(stems(words))
        groups = [
            {o: stems(o) for o in sorted(others) if not set(stems(o)) <= said} for others in synonyms_of(words).values()
        ]
        frequency = self.store.document_frequency([s for group in groups for each in group.values() for s in each])
        found: list[str] = []
        for group in groups:
            held = {o: min(frequency[s] for s in each) for o, each in group.items() if each and o not in found}
            found += sorted((o for o, n in held.items() if n), key=lambda o: -held[o])[:ENCODED_ALTERNATIVES]
        return f" ({', '.join(found)})" if found else ""

    def term_weights(self, question: str, related: dict[str, set[str]] | None = None) -> TermWeights:
        """Weights (rarer is heavier) of the question's words and, lighter, of their synonyms and `related`
        words."""
        own = list(dict.fromkeys(stems(question)))
        alternatives: dict[str, set[str]] = {}
        for term, others in _alternatives(question, related).items():
            for s in stems(term):
                alternatives.setdefault(s, set()).update(x for o in others for x in stems(o) if x not in own)
        extra = sorted({x for group in alternatives.values() for x in group})
        frequency = self.store.document_frequency(own + extra)
        total = max(1, self.store.passage_count())
        idf = {s: math.log(1 + total / (1 + frequency.get(s, 0))) for s in own + extra}
        in_question = {s: a for s, a in alternatives.items() if s in own}
        return TermWeights({s: idf[s] for s in own}, {s: 0.6 * idf[s] for s in extra}, in_question)

    def _rerank(
        self,
        hits: list[Hit],
        weights: TermWeights,
        question: Question,
        topics: tuple[np.ndarray, np.ndarray],
        thin: bool,
    ) -> None:
        """Favour passages with one sentence that answers: it holds the question's words that its document does
        not already hold (a letter's date and addressee name the letter, not a finding), the kind of answer the
        question wants, and (unless meaning is `thin`) comes close to the question's topic in meaning. `topics`:
        the topic as encoded and as the query adapter encodes it."""
        if not hits:
            return
        wanted = question.answer_kind
        top = max(h.fused for h in hits)
        self._set_meaning(hits, *topics)
        meaning_weight = 0.0 if thin else self.meaning_weight
        names = {a: self.term_weights(a).own for a in question.named}
        for hit in hits:
            own = self._within_document(weights, hit, names)
            best = 0.0
            for sentence in content_sentences(hit.chunk.text) if own.own else ():
                score = own.share(sentence)
                if wanted and wanted.search(sentence):
                    score += self.answer_type_weight
                best = max(best, score)
            hit.fused += top * (self.sentence_weight * best + meaning_weight * (hit.closeness or 0.0))

    def _within_document(self, weights: TermWeights, hit: Hit, names: dict[str, dict[str, float]]) -> TermWeights:
        """The question's words less those its document's context holds; an authority the document is not mainly
        about (`names`: each named authority's word weights) must be named in the passage itself (Wiltshire, in
        an article on Darlington)."""
        own = dict(weights.own)
        for authority in (hit.meta.get("authorities") or [])[1:]:
            own |= names.get(authority, {})
        context = self._contexts.get(hit.chunk.source)
        if context is None:
            context = self._contexts[hit.chunk.source] = document_context(hit.meta)
        within = {s: w for s, w in own.items() if s not in context}
        return TermWeights(within or own, weights.extra, weights.alternatives)

    def _of_years_asked(self, sources: list[str] | None, question: Question, named: list[str]) -> list[str] | None:
        """An authority's reports of the years a question names, when it has any: "the 2021 visit" to Bradford is
        one of its five reports, and the others' findings would answer for it. A year that bounds a period
        ("since 2015") restricts nothing."""
        if not (sources and named and question.years) or SPAN_WORDS.search(question.text):
            return sources
        metas = self.metas()
        dated = [s for s in sources if question.years & {d[:4] for d in _dates(metas.get(s, {}))}]
        return dated or sources

    def _of_latest_asked(self, sources: list[str] | None, question: Question, named: list[str]) -> list[str] | None:
        """The latest report of each authority named, when the question asks about the latest report."""
        if not (sources and named and question.latest) or question.years:
            return sources
        latest = self.latest_reports(named)
        return [s for s in sources if s in latest] or sources

    def _sentence_search(self, topic: np.ndarray, sources: list[str], depth: int) -> list[tuple[str, float]]:
        """Passages of the files searched, ranked by their sentence closest in meaning to the question's topic:
        a finding worded unlike the question ("swamped" for "caseloads too high") is one sentence among many in a
        passage, and the passage's own vector blurs it."""
        ids = self.store.chunk_ids(sources)
        if not ids:
            return []
        best = {
            cid: float((flat.reshape(-1, len(topic)) @ topic).max())
            for cid, flat in self.store.sentence_vectors(ids).items()
            if flat.size
        }
        return sorted(best.items(), key=lambda item: -item[1])[:depth]

    def _set_meaning(self, hits: list[Hit], topic: np.ndarray, tuned: np.ndarray) -> None:
        """Each passage's `meaning`: the cosine of its closest sentence to the question's topic as encoded, on
        which the answer's thresholds were calibrated; and its `closeness`, the same with the topic as the query
        adapter encodes it, which ranks (vectors stored)."""
        stored = self.store.sentence_vectors(h.chunk.chunk_id for h in hits)
        for hit in hits:
            flat = stored.get(hit.chunk.chunk_id)
            if flat is not None and flat.size:
                vectors = flat.reshape(-1, len(topic))
                hit.sentence_meanings = vectors @ topic
                hit.meaning = float(hit.sentence_meanings.max())
                # With the adapter off the two are one vector: the product is not worked out twice.
                hit.sentence_closeness = hit.sentence_meanings if self.adapter.off else vectors @ tuned
                hit.closeness = float(hit.sentence_closeness.max())

    def _boost(self, hits: list[Hit], question: Question, named: list[str]) -> None:
        types, years = question.source_types, question.years
        latest = self.latest_reports(named) if named and not years else set()
        holding = self._holding_names(question.names)
        for hit in hits:
            if hit.chunk.source in holding:
                hit.fused *= 1.0 + self.name_boost
            if hit.chunk.source in latest:
                hit.fused *= 1.0 + self.year_boost  # no date asked: the latest report speaks for the authority now
            if types and hit.meta.get("source_type") in types:
                hit.fused *= 1.0 + self.type_boost
            dates = {(hit.meta.get(k) or "")[:4] for k in ("publication_date", "inspection_start", "inspection_end")}
            if years & dates:
                hit.fused *= 1.0 + self.year_boost

    def _holding_names(self, names: tuple[str, ...]) -> set[str]:
        """The documents holding a name of the question that few documents hold."""
        holding: set[str] = set()
        for name in names:
            found = self.store.sources_matching(f'"{name}"', NAME_DOCUMENTS + 1)
            if len(found) <= NAME_DOCUMENTS:
                holding.update(found)
        return holding

    def _fuse(self, lists: list[list[tuple[str, float]]], metas: dict) -> list[Hit]:
        """Reciprocal rank fusion of the dense, lexical and sentence lists (each [(chunk id, score)], best first);
        a passage missing from a list counts as ranked just after its last."""
        scores: dict[str, Hit] = {}
        rows = self.store.chunk_rows({cid for ranked in lists for cid, _ in ranked})
        weights = (self.dense_weight, self.lexical_weight, self.sentence_list_weight)
        for ranked, weight, field_name in zip(lists, weights, ("dense", "lexical", None), strict=True):
            for rank, (cid, score) in enumerate(ranked):
                if cid not in rows:
                    continue
                hit = scores.setdefault(cid, Hit(rows[cid], metas.get(rows[cid].source, {})))
                if field_name:
                    setattr(hit, field_name, score)
                hit.fused += weight / (RRF_K + rank + 1)
        for ranked, weight in zip(lists, weights, strict=True):
            # A passage a list leaves out ranks after its last: within one report, a lexical list of one passage
            # matching "case" alone would otherwise outweigh the passage first by meaning and by sentence.
            listed = {cid for cid, _ in ranked}
            for cid in scores.keys() - listed if ranked else ():
                scores[cid].fused += weight / (RRF_K + len(ranked) + 1)
        ranked_hits = sorted(scores.values(), key=lambda h: -h.fused)
        return _dedupe(ranked_hits)


def document_context(meta: dict) -> set[str]:
    """Stems of the words that name a document rather than say anything in it: its main authority, its date,
    and for Ofsted's reports, articles and council statements their kind and title (a scientific abstract's
    title is content: keeping it out cost SciFact 0.007)."""
    kind = meta.get("source_type")
    parts = list((meta.get("authorities") or [])[:1])
    if kind in ("ofsted", "news", "council"):
        parts += [meta.get("title") or "", meta.get("doc_kind") or ""]
    if kind == "ofsted":
        parts.append("Ofsted inspection inspectors")
    when = meta.get("publication_date") or ""
    if re.match(r"\d{4}-\d\d", when):
        parts.append(month_year(when))
    return set(stems(" ".join(parts)))


def _is_ofsted(meta: dict) -> bool:
    return meta.get("source_type") == "ofsted"


def _listed_title(meta: dict) -> str:
    """How a list of an authority's documents names one: an Ofsted report by its facts, any other by its kind,
    title and date."""
    when = format_date(doc_date(meta))
    if _is_ofsted(meta):
        title = readable_title(meta)
        return f"{title} ({when})" if when and when not in title else title
    kind = {"news": "the news article", "council": "the council statement"}.get(meta.get("source_type"), "the document")
    return f"{kind} “{readable_title(meta)}”" + (f" of {when}" if when else "")


def _dates(meta: dict) -> list[str]:
    return [d for d in (meta.get("publication_date"), meta.get("inspection_start"), meta.get("inspection_end")) if d]


def _inspection(meta: dict) -> list[str]:
    return [meta.get("inspection_start") or "", meta.get("inspection_end") or ""]


def _alternatives(text: str, related: dict[str, set[str]] | None) -> dict[str, set[str]]:
    """Each word (or phrase) of a text -> what the reports may write instead: known synonyms and related words."""
    found = {term: set(others) for term, others in synonyms_of(text).items()}
    for word, others in (related or {}).items():
        found.setdefault(word, set()).update(others)
    return found


def _phrases(terms: list[str]) -> str:
    return " OR ".join(f'"{t}"' for t in terms)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """Drop a passage whose text was already found (the same report saved twice, a repeated paragraph)."""
    seen: set[str] = set()
    kept = []
    for hit in hits:
        key = " ".join(hit.chunk.text.split()).lower()
        if key in seen:
            continue
        seen.add(key)
        hit.rank = len(kept) + 1
        kept.append(hit)
    return kept

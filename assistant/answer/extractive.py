"""The extractive answerer: quote the sentences that answer, cite them, or say the reports do not."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.answer.coverage import ANSWERED, GENERIC, NOT_COVERED, UNCERTAIN, Coverage, Verdict, gives
from assistant.dates import doc_date, format_date
from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import Store
from assistant.ingest.chunking import encoded_sentence_spans, is_address_line, sentence_spans
from assistant.ingest.cleaning import FOOTNOTE
from assistant.schema import SOURCE_TYPES, Answer, Citation
from assistant.search.results import Hit, Search, TermWeights

TYPE_ORDER = {kind: i for i, kind in enumerate(SOURCE_TYPES)}
_WORD = re.compile(r"[A-Za-z]{2}")
# A web page's furniture kept in a saved article: it says nothing about the story.
_FURNITURE = re.compile(r"\bclick here\b|^\s*(?:have your say|sign up|share this|read more|advertisement)\W*$", re.I)
# A letter's courtesies and standard close: what any letter says, not what was found.
_COURTESY = re.compile(
    r"^\W*(?:I|we) would like to thank\b|^\W*yours (?:sincerely|faithfully)\b"
    r"|\bconsidered (?:in|at) (?:any|the|your) (?:future|next) inspection"
    r"|\btake the findings from this [\w -]{0,40}into account when planning",
    re.IGNORECASE,
)
# Who a letter is copied to: "Copy: Jo Miller, Chief Executive, ..." and the lines under it, to a blank line
_COPIED = re.compile(r"^\W*(?:copy|cc)(?: to)?\s*:.*?(?=\n\s*\n|\Z)", re.IGNORECASE | re.MULTILINE | re.DOTALL)
# A pronoun as a sentence's subject ("This contributes to ...", "It is ...", "These are ..."), not a determiner
# ("This inspection took place ...")
_ANAPHORIC = re.compile(
    r"\W*(?:(?:it|they|he|she)\b|(?:this|that)\s+(?:[a-z]+s|is|was|has|had|will|can|could|may|might|led|meant)\b"
    r"|(?:these|those)\s+(?:are|were|have|had|will|can|could|may|include|show)\b)",
    re.IGNORECASE,
)
# A heading that asks or introduces, its footnote mark aside ("What needs to improve?1")
_HEADING_END = re.compile(r"[?:]\d{0,2}\s*$")
LIST_CHARS = 700  # of list items quoted after a heading
UNGIVEN = "The passages quoted do not give the figure, date or name asked for; they follow as the closest."
SECOND_CHOICE = 0.5  # a headline, or a sentence without the kind of answer asked, needs twice the words
OTHERWISE = 0.1  # ... and ten times the words when the question must be answered with a figure, date or name
# A lead is quoted by its sentence with most of the question's words (as a share) plus this times its closeness in
# meaning: a lead is there because its words differ from the question's. An answer's quote is chosen on words
# alone, as its figure or date must be on them. Tuning halves, the answering sentence quoted (sample, real
# reports): 0.598 and 0.275 on words alone (0.634 and 0.304 with the first two passages' sentences encoded again
# where none shares a word), 0.707 and 0.377 at 1, 0.720 and 0.406 at 2, 0.707 and 0.420 at 3.
LEAD_MEANING = 2.0


@dataclass(frozen=True)
class Thresholds:
    """When the evidence is too weak to answer (calibrated on the dev set, see README)."""

    max_citations: int = 5
    leads: int = 5  # passages offered when no sentence clearly answers: the closest, whatever their words
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


def _giving(search: Search, quotes: list[str]) -> list[bool]:
    """Which quotes hold the kind of answer asked for (a date for 'when', a number for 'how many'); all of them
    when none does or nothing in particular is asked. The quotes that answer are read first."""
    wanted = search.question.answer_kind
    giving = [bool(wanted) and gives(wanted, quote, search.question) for quote in quotes]
    return giving if any(giving) else [True] * len(quotes)


def _give_what_is_asked(search: Search, citations: list[Citation]) -> bool:
    """Whether a quote gives the figure, date or name a question must be answered with ('how many', 'when did')."""
    kind = search.question.exact_kind
    return kind is None or any(gives(kind, c.quote, search.question) for c in citations)


def _heads_list(line: str, after: str) -> bool:
    """Whether a short line without a full stop heads the list that follows it ("Strengths", "Areas for
    development")."""
    return len(line.split()) <= 8 and not line.rstrip().endswith((".", "!")) and after.lstrip(" \n").startswith("- ")


def _points_back(sentence: str) -> bool:
    """A short sentence whose subject is the one before it ("This contributes to improving practice.")."""
    return len(sentence.split()) < 12 and bool(_ANAPHORIC.match(sentence))


def is_title(sentence: str, meta: dict) -> bool:
    """Whether a sentence is its document's title (a headline), white space aside."""
    title = meta.get("title")
    return bool(title) and " ".join(sentence.split()) == " ".join(title.split())


def _names_only(quote: str, meta: dict) -> bool:
    """A quote that is its document's title, or says nothing else (a passage of a letter's close)."""
    return is_title(quote, meta) or says_nothing(quote)


def says_nothing(sentence: str) -> bool:
    """A line of an address, a web page's furniture, a page's footnote or a letter's courtesy: no quote while a
    sentence is there."""
    return is_address_line(sentence) or any(p.search(sentence) for p in (_FURNITURE, FOOTNOTE, _COURTESY))


def _is_marker(piece: str) -> bool:
    """A bracketed note on a sentence: "(Recommendation)", "(outcome 3, national framework)"."""
    words = len(piece.split())
    closed = piece.rstrip(" .").endswith((")", "]"))
    return piece.startswith(("(", "[")) and (words < 3 or (closed and words <= 8))


def _with_markers(text: str, offset: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with a marker that follows a sentence on its line ("... is unknown. (Recommendation)") made
    part of it: the marker says what the sentence is."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start - offset : end - offset]
        follows = joined and "\n" not in text[joined[-1][1] - offset : start - offset]
        if follows and _is_marker(piece):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _list_end(spans: list[tuple[int, int]], at: int, between: list[str]) -> int:
    """The end of the list items that follow a heading ("What needs to improve?"), an item's later sentences
    included, up to `LIST_CHARS`; else the heading's own end."""
    end = spans[at][1]
    for i in range(at + 1, len(spans)):
        same_item = i > at + 1 and "\n" not in between[i - 1]
        if not (between[i - 1].endswith("- ") or same_item) or spans[i][1] - spans[at][0] > LIST_CHARS:
            break
        end = spans[i][1]
    return end


def _closeness(hit: Hit, spans: list[tuple[int, int]]) -> np.ndarray:
    """Each span's cosine to the question's topic as the query adapter encodes it, from the sentence vectors the
    index keeps (0 for a span without one: an address line, a sentence under three words)."""
    if hit.sentence_closeness is None:
        return np.zeros(len(spans))
    starts = (start for start, _ in encoded_sentence_spans(hit.chunk.text, hit.chunk.start))
    at = dict(zip(starts, hit.sentence_closeness.tolist(), strict=False))
    return np.array([max(0.0, at.get(start, 0.0)) for start, _ in spans])


class Answerer:
    """Turns a search into an Answer with numbered citations."""

    def __init__(self, store: Store, embedder: Embedder, thresholds: Thresholds | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.thresholds = thresholds or Thresholds()
        self.coverage = Coverage(store, embedder)

    def answer(self, search: Search) -> Answer:
        question = search.question.text
        verdict = self.coverage.judge(search)
        if verdict.outcome == NOT_COVERED:
            text = self.not_found_text(search, verdict.reason)
            return Answer(question, text, no_answer=True, outcome=NOT_COVERED, reason=verdict.reason)
        # Not sure: the closest passages, each a lead. An answer whose quotes then lack the figure asked for keeps
        # them: a passage further down giving some other figure would read as the answer.
        leads = verdict.outcome == UNCERTAIN
        citations = self._citations(search, self.thresholds.leads if leads else self.thresholds.max_citations, leads)
        if verdict.outcome == ANSWERED and not _give_what_is_asked(search, citations):
            verdict = Verdict(UNCERTAIN, UNGIVEN)
        text = self.compose(citations)
        if verdict.outcome == UNCERTAIN:
            text = f"{verdict.reason}\n\n{text}"
        elif search.reports:
            text = f"{reports_note(search.reports)}\n\n{text}"
        no_answer = verdict.outcome != ANSWERED
        return Answer(question, text, no_answer, citations, outcome=verdict.outcome, reason=verdict.reason)

    @staticmethod
    def not_found_text(search: Search, reason: str) -> str:
        """The reason, and the documents that came closest (so a user knows what was looked at)."""
        closest = list(dict.fromkeys(document_label(hit.meta) for hit in search.hits))
        return reason + (" The closest documents are: " + "; ".join(closest[:3]) + "." if closest else "")

    def _citations(self, search: Search, limit: int, leads: bool = False) -> list[Citation]:
        """The passages worth citing, each with the span of its best sentence(s), Ofsted's first; as `leads`, the
        closest passages, closest first, whether or not a sentence of them holds the question's words."""
        # The years a question names choose the reports; a sentence that holds only the year (a report's
        # "Report published: 19 January 2018") says nothing about what was asked.
        weights = search.weights.without(GENERIC | set(search.question.years))
        chosen: list[tuple[Hit, tuple[int, int]]] = []
        first = None  # cited if nothing else is: the best passage, whatever its quote
        for i, hit in enumerate(search.hits):
            (start, end), share = self._quote(hit, weights, search, allow_semantic=i < 2, leads=leads)
            relevant = share >= self.thresholds.min_quote_share or hit.dense >= self.thresholds.min_dense_cite
            quote = hit.chunk.text[start - hit.chunk.start : end - hit.chunk.start]
            first = first or (hit, (start, end))
            if (i == 0 or relevant or leads) and not _names_only(quote, hit.meta):
                chosen.append((hit, (start, end)))
            if len(chosen) == limit:
                break
        chosen = chosen or ([first] if first else [])
        # Leads come closest first: none is the answer, so the one likeliest to hold it leads, whoever wrote it.
        order = range(len(chosen)) if leads else self._answer_order(search, chosen)
        return [self._citation(n, *chosen[i]) for n, i in enumerate(order, start=1)]

    def _answer_order(self, search: Search, chosen: list[tuple[Hit, tuple[int, int]]]) -> list[int]:
        """The order an answer's quotes are read in: those that give what is asked first, then Ofsted's."""
        hits = [h for h, _ in chosen]
        giving = _giving(search, [hit.chunk.text[s - hit.chunk.start : e - hit.chunk.start] for hit, (s, e) in chosen])
        return sorted(range(len(chosen)), key=lambda i: (not giving[i], *self._order_key(hits, i)))

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
        self, hit: Hit, weights: TermWeights, search: Search, allow_semantic: bool, leads: bool = False
    ) -> tuple[tuple[int, int], float]:
        """The span (in the document) of the sentence, or two adjacent ones, that best answer; and its score."""
        text, offset = hit.chunk.text, hit.chunk.start

        def text_of(span: tuple[int, int]) -> str:
            return text[span[0] - offset : span[1] - offset]

        spans = _with_markers(text, offset, sentence_spans(text, offset))
        # A letter's copy list names people: quoted only for a question on them ("who is its chief executive?").
        copied = [(m.start() + offset, m.end() + offset) for m in _COPIED.finditer(text)]
        spans = [s for s in spans if not any(a <= s[0] < b for a, b in copied) or weights.score(text_of(s)) > 0]
        # A quote says something: a number or a mark on its own line is not one, nor a line of an address
        # ("Doncaster Council") or a web page's "click here" while the passage has a sentence.
        worded = [span for span in spans if _WORD.search(text_of(span))]
        heads = {s for s in worded if _heads_list(text_of(s), text[s[1] - offset :])}
        content = [s for s in worded if s in heads or not says_nothing(text_of(s))]
        spans = content or worded or [(hit.chunk.start, hit.chunk.end)]
        texts = [text_of(span) for span in spans]
        scores = np.array([weights.share(t) for t in texts])
        lexical_best = float(scores.max())
        if leads:
            scores = scores + LEAD_MEANING * _closeness(hit, spans)
        elif lexical_best <= 0 and allow_semantic and search.query_vector is not None and len(texts) > 1:
            scores = self.embedder.encode(texts) @ search.query_vector  # no shared word: choose by meaning
        headline = np.array([is_title(t, hit.meta) for t in texts])
        scores = self._weighed(scores, texts, headline, search)
        # A headline loses a tie: a passage with no sentence on the question's words is quoted by its first that
        # says something, not by the title a citation names anyway.
        best = int(np.lexsort((headline, -scores))[0])
        start, end = spans[best]
        between = [text[e - offset : s - offset] for (_, e), (s, _) in itertools.pairwise(spans)]
        if best > 0 and "\n\n" not in between[best - 1] and _points_back(texts[best]):
            start = spans[best - 1][0]  # "This contributes to improving practice." says what only with the one before
        if best + 1 < len(spans) and "\n" not in between[best] and scores[best + 1] >= 0.6 * scores[best] > 0:
            end = spans[best + 1][1]
        elif _HEADING_END.search(texts[best]) or spans[best] in heads:
            end = _list_end(spans, best, between)  # a heading: the list it introduces
        return (start, end), lexical_best

    @staticmethod
    def _weighed(scores: np.ndarray, texts: list[str], headline: np.ndarray, search: Search) -> np.ndarray:
        """Scores lowered for a headline, which names the story where a sentence of it says what happened, and
        for a sentence without the kind of answer asked for (a number for 'how many') when another has it."""
        if len(texts) < 2:
            return scores
        scores = np.where(headline, scores * SECOND_CHOICE, scores)
        wanted = search.question.exact_kind or search.question.answer_kind
        if wanted:
            giving = np.array([gives(wanted, t, search.question) for t in texts])
            if (giving & (scores > 0)).any():
                # asked 'how many' or 'when did', a sentence on the question's words that says it is the answer
                lower = OTHERWISE if search.question.exact_kind else SECOND_CHOICE
                scores = np.where(giving, scores, scores * lower)
        return scores

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

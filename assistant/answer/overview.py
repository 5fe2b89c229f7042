"""An authority asked about and nothing more ("Tell me about Doncaster"), when no graded report of it is indexed:
each of its documents in its own opening words.

A letter or an article says what it is about in its first sentences; the passages a search finds for a question
without a topic are any (a letter's copy list came first), so the openings are quoted instead.
"""

from __future__ import annotations

import re

from assistant.answer.coverage import ANSWERED
from assistant.answer.extractive import TYPE_ORDER, Answerer, document_label, is_title, says_nothing
from assistant.dates import doc_date
from assistant.indexing.store import Store
from assistant.ingest.chunking import sentence_spans
from assistant.schema import Answer, Citation
from assistant.search.question import Question

OPENING_SENTENCES = 2  # of each document
MIN_WORDS = 8  # a by-line, a heading or a date line is shorter
PASSAGES_READ = 3  # a document's opening stands in its first passages
# Not what a document says of the authority: a line addressed or signed, a photograph's caption, the law an
# inspection was carried out under ("under section 138 of the Education and Inspections Act 2006").
_FORMALITY = re.compile(
    r"^(?:copy|cc|tel|email|picture|photo)\b|^by (?-i:[A-Z][a-z]+ [A-Z])|\bunder section \d+", re.IGNORECASE
)
# What a document found, beside what it is: its verdict in the words of judgements.
_VERDICT = re.compile(
    r"\b(?:strengths?|areas? (?:for|of) (?:development|improvement)|inadequate|requires? improvement|outstanding"
    r"|adequate|rated|judged|judgement|criticised|praised|failings?)\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^[ \t]*(?:picture|photo|photograph|image)\s*:", re.IGNORECASE)


def answer_overview(question: Question, metas: dict[str, dict], store: Store) -> Answer | None:
    """Each document about the authority named, quoted from its opening: Ofsted's first, then councils', then
    news, the newest first within each."""
    if not question.overview:
        return None
    about = [s for s, meta in metas.items() if set(question.named) & set(meta.get("authorities") or [])]
    citations: list[Citation] = []
    newest_first = sorted(about, key=lambda s: doc_date(metas[s]) or "", reverse=True)
    for source in sorted(newest_first, key=lambda s: TYPE_ORDER.get(metas[s].get("source_type"), 3)):
        # a document mainly about another authority speaks of this one where it names it (Wiltshire, in an
        # article on Darlington)
        authorities = metas[source].get("authorities") or []
        mainly = set(authorities[:1]) & set(question.named)
        aside = "" if mainly else next(a for a in question.named if a in authorities)
        for chunk, span in _opening(store, source, metas[source], naming=aside):
            label = document_label(metas[source])
            citations.append(Citation.quoting(len(citations) + 1, metas[source], chunk, span, score=1.0, label=label))
    if not citations:
        return None
    named = " and ".join(filter(None, (", ".join(question.named[:-1]), question.named[-1])))
    lead = f"What the indexed documents about {named} say first"
    if not any(metas[s].get("source_type") == "ofsted" for s in about):
        lead = f"No Ofsted report on {named} is indexed; what the documents about it say first"
    text = f"{lead}:\n\n{Answerer.compose(citations)}"
    return Answer(question.text, text, False, citations, outcome=ANSWERED)


def _opening(store: Store, source: str, meta: dict, naming: str = "") -> list[tuple]:
    """The first sentence of a document that says something (not its title, a by-line, an address, a date or a
    caption), then the first after it that gives a verdict, or else the next; with `naming`, only sentences
    that name it, from anywhere in the document."""
    found, seen = [], set()
    later: list[tuple] = []
    chunks = store.chunks_of(source)
    for chunk in chunks if naming else chunks[:PASSAGES_READ]:
        for start, end in sentence_spans(chunk.text, chunk.start):
            sentence = chunk.text[start - chunk.start : end - chunk.start]
            flat = " ".join(sentence.split())
            after = chunk.text[end - chunk.start :]
            if (
                len(flat.split()) < MIN_WORDS
                or flat.lower() in seen
                or is_title(sentence, meta)
                or says_nothing(sentence)
                or _FORMALITY.search(flat)
                or _CAPTION.match(after)
                or naming.lower() not in flat.lower()
            ):
                continue
            seen.add(flat.lower())
            if not found:
                found.append((chunk, (start, end)))
            elif _VERDICT.search(flat):
                return [*found, (chunk, (start, end))]
            else:
                later.append((chunk, (start, end)))
    return found + later[: OPENING_SENTENCES - len(found)]

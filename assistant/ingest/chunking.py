"""Cut a document into passages that follow its structure: headings, paragraphs, list items, sentences."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.schema import Chunk, Document

_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+(?=[“\"‘'(\[A-Z0-9£-])")
_NOT_AN_END = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|No|e\.g|i\.e|etc|para|paras|cf)\.$", re.IGNORECASE)
# A report's numbered paragraph ("33. Disabled children in care ..."): its number is not a sentence of its own.
_PARAGRAPH_NUMBER = re.compile(r"\d{1,3}\.")
_TERMINAL = (".", ",", ";", ":", "!", "?", "”", '"', "’", "'", ")")


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a text, shifted by offset; a line break always ends one."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        spans += _line_sentences(line.group(0), offset + line.start())
    return spans


def content_sentences(text: str) -> list[str]:
    """The passage's sentences less address lines (mostly capitalised words, short or in a block of lines):
    they hold the names a question mentions without answering it (a letter's opening outranked its findings;
    a title, one longer line, still counts)."""
    return [text[s:e] for s, e in sentence_spans(text) if not is_address_line(text[s:e])]


def encoded_sentences(text: str) -> list[str]:
    """The sentences of a passage whose vectors the index keeps: content sentences of three words or more."""
    return [text[s:e] for s, e in encoded_sentence_spans(text)]


def encoded_sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans of `encoded_sentences`, in the same order as the index keeps their vectors, shifted by offset."""
    return [(s + offset, e + offset) for s, e in sentence_spans(text) if keeps_vector(text[s:e])]


def keeps_vector(sentence: str) -> bool:
    """Whether the index keeps a sentence's vector: a content sentence of three words or more."""
    return not is_address_line(sentence) and len(sentence.split()) >= 3


def is_address_line(sentence: str) -> bool:
    """A line of an address or a letter's heading: short, or several lines, and mostly capitalised words."""
    words = _WORDS.findall(sentence)
    short = sentence.strip().count("\n") >= 2 or len(words) <= 4
    return short and sum(1 for w in words if w[0].isupper()) > 0.6 * max(1, len(words))


_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _line_sentences(text: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()]
        if _NOT_AN_END.search(before.rstrip("”\"’')]")) or _PARAGRAPH_NUMBER.fullmatch(before.strip()):
            continue
        end = match.start() + len(match.group(0).rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(offset + s + _lead(text[s:e]), offset + e) for s, e in spans]


def _lead(sentence: str) -> int:
    """Skip a list marker, a paragraph number or leading space so a quote starts at its first word."""
    return len(sentence) - len(re.sub(r"^\s*(?:-\s+|\d{1,3}\.\s+)?", "", sentence))


@dataclass
class _Unit:
    start: int
    end: int
    heading: bool


def _units(text: str) -> list[_Unit]:
    """Each non-empty line is a unit (paragraph or list item); short unpunctuated lines are headings."""
    units = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group(0)
        if line.strip():
            units.append(_Unit(match.start(), match.end(), _looks_like_heading(line)))
    # An address or signature block is a run of short lines, not a run of headings.
    for i, unit in enumerate(units):
        if unit.heading and i + 1 < len(units) and units[i + 1].heading:
            unit.heading = units[i + 1].heading = False
    if units and units[-1].heading:  # a heading heads something; a last short line is a signature
        units[-1].heading = False
    return units


def _looks_like_heading(line: str) -> bool:
    line = line.strip()
    return (
        3 <= len(line) <= 100
        and not line.startswith("- ")
        and not line.endswith(_TERMINAL)
        and line[0].isupper()
        and not re.fullmatch(r"[\d\s.,/-]+", line)
    )


def _pieces(text: str, unit: _Unit, limit: int) -> list[tuple[int, int]]:
    """A unit as is, or split at sentence ends into pieces of at most `limit` characters."""
    if unit.end - unit.start <= limit:
        return [(unit.start, unit.end)]
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text[unit.start : unit.end], unit.start):
        while e - s > limit:  # one enormous sentence: cut at a space
            cut = text.rfind(" ", s, s + limit)
            cut = cut if cut > s else s + limit
            pieces.append((s, cut))
            s = cut + 1
        if pieces and e - pieces[-1][0] <= limit and pieces[-1][1] >= s - 2:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return pieces


def chunk_id(source: str, doc_id: str, index: int) -> str:
    """Unique per file path and content, so two copies of one report in two folders do not collide."""
    key = hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]
    return f"{key}-{doc_id[:12]}-{index:05d}"


def chunk_document(doc: Document, limit: int = 900) -> list[Chunk]:
    """Pack consecutive units under one heading into passages of at most `limit` characters."""
    spans: list[tuple[int, int, str]] = []  # start, end, heading
    heading = ""
    current: tuple[int, int] | None = None
    for unit in _units(doc.text):
        if unit.heading:
            if current:
                spans.append((*current, heading))
            heading = doc.text[unit.start : unit.end].strip()
            current = (unit.start, unit.end)
            continue
        for s, e in _pieces(doc.text, unit, limit):
            if current and e - current[0] <= limit and doc.page_at(s) == doc.page_at(current[0]):
                current = (current[0], e)
            else:
                if current:
                    spans.append((*current, heading))
                current = (s, e)
    if current:
        spans.append((*current, heading))
    spans = _merge_small(doc, spans, limit)
    return [
        Chunk(
            chunk_id=chunk_id(doc.source, doc.doc_id, i),
            doc_id=doc.doc_id,
            source=doc.source,
            index=i,
            start=s,
            end=e,
            page=doc.page_at(s),
            heading=h,
            text=doc.text[s:e],
        )
        for i, (s, e, h) in enumerate(spans)
    ]


def _merge_small(doc: Document, spans: list[tuple[int, int, str]], limit: int) -> list[tuple[int, int, str]]:
    """Fold a passage too short to stand alone (a lone heading, a caption) into its neighbour."""
    minimum = min(200, limit // 3)
    merged: list[tuple[int, int, str]] = []
    for start, end, heading in spans:
        if merged:
            p_start, p_end, p_heading = merged[-1]
            fits = end - p_start <= limit and doc.page_at(start) == doc.page_at(p_start)
            if fits and (p_end - p_start < minimum or end - start < minimum):
                merged[-1] = (p_start, end, p_heading or heading)
                continue
        merged.append((start, end, heading))
    return merged


def context_line(chunk: Chunk, title: str) -> str:
    """The document title and heading a passage is read under, less what its own opening repeats."""
    return " — ".join(part for part in (title, chunk.heading) if part and part not in chunk.text[:200])

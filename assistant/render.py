"""Answers as a person reads them: Markdown for the chat, with the sources listed under the quotes."""

from __future__ import annotations

import html
import re

from .schema import Answer, Citation, Document

BADGES = {"ofsted": "Ofsted", "council": "Council", "news": "News", "other": "Other"}


def source_line(citation: Citation) -> str:
    """One line naming where a quote comes from: title, kind, authority, date, page, file."""
    parts = [BADGES.get(citation.source_type, "Other")]
    if citation.authority:
        parts.append(citation.authority)
    if citation.date:
        parts.append(citation.date)
    parts.append(f"page {citation.page}")
    return f"[{citation.n}] {citation.title} ({', '.join(parts)}) — {citation.source}"


def answer_markdown(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations:
        lines += ["", "**Sources**", ""]
        lines += [f"- {source_line(c)}" for c in answer.citations]
    return "\n".join(lines)


# ---- HTML for the web chat; every piece of document text is escaped (documents are untrusted) ----

_MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")


def _escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer that also accepts HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def cite_link(n: int) -> str:
    """An inline [n] that brings citation card n into view."""
    return f'<a class="cite-link" href="#cite-card-{n}" data-n="{n}">[{n}]</a>'


def answer_chat_markdown(answer: Answer, upto_line: int | None = None) -> str:
    """The answer for the chat: document words shown literally, each [n] a link to its card.

    With upto_line, only the first lines (for streaming the answer in pieces).
    """
    known = {c.n for c in answer.citations}
    lines = answer.text.split("\n")[:upto_line]
    out = []
    for line in lines:
        pieces, last = [], 0
        for match in _MARKER.finditer(line):
            n = int(match.group(1))
            if n not in known:
                continue
            pieces += [_escape_markdown(line[last : match.start()]), cite_link(n)]
            last = match.end()
        pieces.append(_escape_markdown(line[last:]))
        out.append("".join(pieces))
    return "\n\n".join(out)


def answer_line_count(answer: Answer) -> int:
    return len(answer.text.split("\n"))


def _local_span(citation: Citation) -> tuple[int, int] | None:
    """The quote's span inside the passage, if it lies there."""
    start = citation.quote_start - citation.passage_start
    end = citation.quote_end - citation.passage_start
    if 0 <= start < end <= len(citation.passage) and citation.passage[start:end].strip():
        return start, end
    found = citation.passage.find(citation.quote) if citation.quote else -1
    return (found, found + len(citation.quote)) if found >= 0 else None


def highlighted(text: str, span: tuple[int, int] | None, mark_id: str = "") -> str:
    """Escaped text with one span wrapped in <mark>."""
    if not span:
        return html.escape(text)
    start, end = span
    ident = f' id="{mark_id}"' if mark_id else ""
    return f"{html.escape(text[:start])}<mark{ident}>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def badge(source_type: str) -> str:
    kind = source_type if source_type in BADGES else "other"
    return f'<span class="badge badge-{kind}">{BADGES[kind]}</span>'


def citation_card(citation: Citation) -> str:
    """One card: title, source-type badge, authority, date, page, the passage with the quote marked."""
    facts = [html.escape(citation.authority)] if citation.authority else []
    facts += [html.escape(citation.date)] if citation.date else []
    facts.append(f"page {citation.page}")
    return (
        f'<div class="cite-card" id="cite-card-{citation.n}" data-n="{citation.n}" '
        f'data-source="{html.escape(citation.source)}" title="Open the whole document">'
        f'<div class="cite-head"><span class="cite-n">[{citation.n}]</span> {badge(citation.source_type)} '
        f'<span class="cite-title">{html.escape(citation.title)}</span></div>'
        f'<div class="cite-facts">{" · ".join(facts)} · <span class="cite-file">{html.escape(citation.source)}</span>'
        f"</div>"
        f'<div class="cite-passage">{highlighted(citation.passage, _local_span(citation))}</div>'
        f'<button class="cite-open" type="button" data-n="{citation.n}">Open document</button></div>'
    )


def citation_cards(answer: Answer | None) -> str:
    """The sources panel for an answer."""
    if answer is None:
        return '<div class="cite-empty">Sources of the answer appear here.</div>'
    if not answer.citations:
        return '<div class="cite-empty">No sources: the indexed reports do not cover this.</div>'
    return '<div class="cite-cards">' + "".join(citation_card(c) for c in answer.citations) + "</div>"


def _clip(span: tuple[int, int] | None, start: int, end: int) -> tuple[int, int] | None:
    """The part of a span inside [start, end), relative to start."""
    if not span or span[0] >= end or span[1] <= start:
        return None
    return max(span[0], start) - start, min(span[1], end) - start


def document_view(document: Document | None, span: tuple[int, int] | None = None, heading: str = "") -> str:
    """A whole document, pages marked, with one span highlighted and scrolled to."""
    if document is None:
        return '<div class="doc-empty">The document is no longer in the index.</div>'
    text = document.text
    if span and not (0 <= span[0] < span[1] <= len(text)):
        span = None
    pages = []
    for number, start in enumerate(document.page_starts, start=1):
        end = document.page_starts[number] if number < len(document.page_starts) else len(text)
        local = _clip(span, start, end)
        body = highlighted(text[start:end], local, "doc-highlight" if local and span[0] >= start else "")
        pages.append(f'<div class="doc-page"><div class="doc-page-n">page {number}</div><pre>{body}</pre></div>')
    title = html.escape(heading or document.title)
    meta = " · ".join(html.escape(x) for x in [document.source, document.publication_date or ""] if x)
    return f'<div class="doc-view"><h3>{title}</h3><div class="doc-meta">{meta}</div>{"".join(pages)}</div>'


DOCUMENT_COLUMNS = ["Title", "Type", "Authority", "Published", "Inspected", "Pages", "Chunks", "Indexed", "File"]


def documents_rows(metas: dict[str, dict]) -> list[list]:
    """One row per indexed report for the documents table, newest publication first."""
    import time

    rows = []
    for source, meta in metas.items():
        inspected = " – ".join(d for d in (meta.get("inspection_start"), meta.get("inspection_end")) if d)
        indexed = meta.get("indexed_at")
        rows.append(
            [
                meta.get("title") or source,
                BADGES.get(meta.get("source_type", "other"), "Other"),
                ", ".join(meta.get("authorities") or []),
                meta.get("publication_date") or "",
                inspected,
                meta.get("page_count") or 0,
                meta.get("chunks") or 0,
                time.strftime("%Y-%m-%d %H:%M", time.localtime(indexed)) if indexed else "",
                source,
            ]
        )
    return sorted(rows, key=lambda row: (row[3], row[8]), reverse=True)

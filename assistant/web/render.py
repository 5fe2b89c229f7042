"""Answers as a person reads them: Markdown for the chat, with the sources listed under the quotes."""

from __future__ import annotations

import html
import math
import re
from datetime import date

from assistant.dates import format_date
from assistant.schema import (
    SOURCE_TYPES,
    Answer,
    Citation,
    Comparison,
    Document,
    FactTable,
    Quote,
    ReportRef,
    TimelinePoint,
)
from assistant.titles import readable_title

BADGES = {kind: kind.title() for kind in SOURCE_TYPES}


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
    lines = answer.text.split("\n")
    table_lines = len(answer.table.rows) + 2 if answer.table else 0  # a facts table ends the text
    prose = lines[: len(lines) - table_lines]
    blocks = [_literal(line, known) for line in prose[:upto_line]]
    shown_rows = (len(lines) if upto_line is None else upto_line) - len(prose) - 2
    if answer.table and shown_rows >= 0:
        blocks.append(_table(answer.table, shown_rows, known))
    return "\n\n".join(blocks)


def _table(table: FactTable, rows: int, known: set[int]) -> str:
    """A facts table from its cells (each shown literally), with its first rows."""
    lines = [
        "| " + " | ".join([*table.columns, "Source"]) + " |",
        "| " + " | ".join(["---"] * (len(table.columns) + 1)) + " |",
    ]
    for cells, n in list(zip(table.rows, table.citations, strict=True))[:rows]:
        lines.append("| " + " | ".join([*(_literal(c, known) for c in cells), _literal(f"[{n}]", known)]) + " |")
    return "\n".join(lines)


def _literal(text: str, known: set[int]) -> str:
    """Document words escaped, each known [n] a link."""
    pieces, last = [], 0
    for match in _MARKER.finditer(text):
        if int(match.group(1)) in known:
            pieces += [_escape_markdown(text[last : match.start()]), cite_link(int(match.group(1)))]
            last = match.end()
    pieces.append(_escape_markdown(text[last:]))
    return "".join(pieces)


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


def sources_panel(answer: Answer | None) -> str:
    """The sources panel: the grades-over-time chart when the answer has one, above the citation cards."""
    chart = timeline_chart(answer.timeline) if answer else ""
    return chart + outcome_notice(answer) + citation_cards(answer)


def outcome_notice(answer: Answer | None) -> str:
    """Above the cards of an answer the reports do not clearly give: they are leads, not the answer."""
    if answer is None or answer.outcome != "uncertain":
        return ""
    reason = html.escape(answer.reason or "The reports found do not clearly answer this.")
    return f'<div class="outcome-uncertain" id="outcome"><b>Not sure.</b> {reason} These passages are leads.</div>'


# ---- grades over time: an inline SVG, every word escaped, each point a link to its citation card ----

_WIDTH, _HEIGHT = 460, 176
_LEFT, _RIGHT, _TOP, _BOTTOM = 146, 448, 22, 148  # the plot area; the left margin holds the grade names
_LEVELS = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}
_COLOURS = ("#0969da", "#bc4c00", "#1a7f37", "#8250df", "#cf222e", "#57606a")
MAX_LINES = len(_COLOURS)  # past six authorities the lines tangle; the table still lists every report
_MAX_TICKS = 8


def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def _y(level: int) -> float:
    return _BOTTOM - (level - 1) * (_BOTTOM - _TOP) / 3


def _x_range(days: list[int]) -> tuple[float, float]:
    """The days the x axis spans, with a margin so the first and last dots and their labels stay inside."""
    pad = max((max(days) - min(days)) * 0.06, 120)
    return min(days) - pad, max(days) + pad


def _x(day: float, span: tuple[float, float]) -> float:
    low, high = span
    return _LEFT + (day - low) * (_RIGHT - _LEFT) / (high - low)


def _year_ticks(span: tuple[float, float]) -> list[tuple[int, int]]:
    """(year, day of its 1 January) inside the span, thinned to a readable number."""
    low, high = span
    years = range(date.fromordinal(math.ceil(low)).year, date.fromordinal(math.floor(high)).year + 1)
    ticks = [(y, _day(f"{y}-01-01")) for y in years if low <= _day(f"{y}-01-01") <= high]
    return ticks[:: math.ceil(len(ticks) / _MAX_TICKS)] if ticks else []


def _grid(span: tuple[float, float]) -> list[str]:
    """The four grades as labelled rows and the years as ticks."""
    parts = []
    for level, name in _LEVELS.items():
        y = _y(level)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_RIGHT}" y2="{y:.1f}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="timeline-grade">{name}</text>')
    ticks = _year_ticks(span)
    for year, day in ticks:
        x = _x(day, span)
        parts.append(f'<line x1="{x:.1f}" y1="{_BOTTOM}" x2="{x:.1f}" y2="{_BOTTOM + 5}" stroke="#8c959f"/>')
        parts.append(f'<text x="{x:.1f}" y="{_BOTTOM + 18}" text-anchor="middle" class="timeline-year">{year}</text>')
    if not ticks:  # every report in one year: name it, with no tick that would claim a 1 January
        year = date.fromordinal(round(sum(span) / 2)).year
        middle = (_LEFT + _RIGHT) / 2
        parts.append(f'<text x="{middle}" y="{_BOTTOM + 18}" text-anchor="middle" class="timeline-year">{year}</text>')
    return parts


def _point_mark(point: TimelinePoint, x: float, colour: str) -> str:
    """One report: a dot titled with its authority, date and grade, linked to its citation card."""
    y = _y(point.level)
    title = html.escape(f"{point.authority}: {point.grade}, {format_date(point.date)} [{point.n}]")
    return (
        f'<a class="cite-link timeline-point" href="#cite-card-{point.n}" data-n="{point.n}">'
        f"<title>{title}</title>"
        # A target larger than the 5-pixel dot, over the dot and its [n], so either can be clicked.
        f'<rect x="{x - 12:.1f}" y="{y - 21:.1f}" width="24" height="29" fill="transparent"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
        f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" class="timeline-n" fill="{colour}">'
        f"[{point.n}]</text></a>"
    )


def _line(points: list[TimelinePoint], span: tuple[float, float], colour: str) -> list[str]:
    """One authority's reports: dots joined oldest to newest."""
    xs = [_x(_day(p.date), span) for p in points]
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{_y(p.level):.1f}" for p, x in zip(points, xs, strict=True))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    return parts + [_point_mark(p, x, colour) for p, x in zip(points, xs, strict=True)]


def _by_authority(points: list[TimelinePoint]) -> dict[str, list[TimelinePoint]]:
    lines: dict[str, list[TimelinePoint]] = {}
    for point in points:
        lines.setdefault(point.authority, []).append(point)
    return lines


def _caption(names: list[str], left_out: list[TimelinePoint], hidden: int) -> str:
    """The key when there are several lines, and what the chart does not show, with the citations that do."""
    parts = []
    if len(names) > 1:
        parts += [
            f'<span class="timeline-key"><span style="color:{colour}">●</span> {html.escape(name)}</span>'
            for name, colour in zip(names, _COLOURS, strict=False)
        ]
    if left_out:
        named = ", ".join(f"{cite_link(p.n)} {html.escape(p.grade)}" for p in left_out)
        parts.append(f'<span class="timeline-off">Not on the four-point scale, so not charted: {named}</span>')
    if hidden:
        parts.append(f'<span class="timeline-off">{hidden} more authorities are in the table only.</span>')
    return f'<div class="timeline-caption">{" ".join(parts)}</div>' if parts else ""


def timeline_chart(points: list[TimelinePoint]) -> str:
    """Grades over time as a small SVG: one line per authority, one linked dot per graded report; '' if none."""
    lines = _by_authority([p for p in points if p.level is not None])
    if not lines:
        return ""
    names = list(lines)[:MAX_LINES]
    span = _x_range([_day(p.date) for name in names for p in lines[name]])
    body = _grid(span)
    for name, colour in zip(names, _COLOURS, strict=False):
        body += _line(lines[name], span, colour)
    label = html.escape(f"Grades over time: {', '.join(names)}")
    svg = (
        f'<svg class="timeline-svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{label}" '
        f'font-family="sans-serif" font-size="11">{"".join(body)}</svg>'
    )
    whose = f": {html.escape(names[0])}" if len(names) == 1 else ""
    title = f'<div class="timeline-title">Grades over time{whose}</div>'
    caption = _caption(names, [p for p in points if p.level is None], len(lines) - len(names))
    return f'<div class="timeline" id="timeline">{title}{svg}{caption}</div>'


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
                readable_title(meta) or source,
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


# ---- two reports side by side (the Compare view and the Reports tab's offer) ----

_STATUS_TITLES = {
    "persisting": "Named in both",
    "improved": "Better in the newer report",
    "new": "New in the newer report",
    "recommendation": "The earlier report's recommendation, and the newer report on it",
}


def _quote_cell(quotes: list[Quote]) -> str:
    """Quotes as clickable blocks; each opens its document at the quote (data-* read by the page's script)."""
    if not quotes:
        return '<div class="cmp-none">—</div>'
    return "".join(
        f'<blockquote class="cmp-quote" data-source="{html.escape(q.source)}" data-start="{q.start}" '
        f'data-end="{q.end}" title="Open the document at this quote">{html.escape(" ".join(q.quote.split()))}'
        f'<div class="cmp-where">page {q.page}</div></blockquote>'
        for q in quotes
    )


def _side_head(ref: ReportRef | None, side: str) -> str:
    if ref is None:
        return f"<th>{side}: none</th>"
    when = format_date(ref.date) if ref.date else ""
    file = f'<div class="cmp-file">{html.escape(ref.source)}</div>'
    return f"<th>{side}: {html.escape(ref.doc_type)} {html.escape(when)}{file}</th>"


def comparison_view(comparison: Comparison | None) -> str:
    """The comparison as two columns (earlier report, newer report): judgements, then each finding's quotes."""
    if comparison is None:
        return '<div class="cmp-empty">Choose an authority and two of its reports.</div>'
    notes = "".join(f'<p class="cmp-note">{html.escape(n)}</p>' for n in comparison.notes)
    head = f"<h3>{html.escape(comparison.authority)}</h3>{notes}"
    if comparison.before is None or comparison.after is None:
        return f'<div class="cmp">{head}</div>'
    rows = [f"<tr>{_side_head(comparison.before, 'Earlier')}{_side_head(comparison.after, 'Newer')}</tr>"]
    for change in comparison.judgements:
        left = [q for q in change.citations if q.source == comparison.before.source]
        right = [q for q in change.citations if q.source == comparison.after.source]
        rows.append(
            f'<tr class="cmp-title"><td colspan="2">{html.escape(change.name)}: '
            f"{html.escape(change.before)} → {html.escape(change.after)}</td></tr>"
        )
        rows.append(f"<tr><td>{_quote_cell(left)}</td><td>{_quote_cell(right)}</td></tr>")
    for finding in comparison.findings:
        left = [q for q in finding.quotes if q.source == comparison.before.source]
        right = [q for q in finding.quotes if q.source == comparison.after.source]
        title = f"{_STATUS_TITLES.get(finding.status, finding.status)}: {finding.text}"
        rows.append(
            f'<tr class="cmp-title cmp-{html.escape(finding.status)}"><td colspan="2">{html.escape(title)}</td></tr>'
        )
        rows.append(f"<tr><td>{_quote_cell(left)}</td><td>{_quote_cell(right)}</td></tr>")
    return f'<div class="cmp">{head}<table class="cmp-table">{"".join(rows)}</table></div>'


def comparison_offers(comparisons: list[Comparison]) -> str:
    """The Reports tab's offer after an indexing run: each new report beside the one before it."""
    if not comparisons:
        return ""
    items = []
    for c in comparisons:
        moved = sum(1 for j in c.judgements if j.before != j.after)
        counts = ", ".join(f"{sum(1 for f in c.findings if f.status == s)} {s}" for s in _STATUS_TITLES)
        items.append(
            f"<li><b>{html.escape(c.authority)}</b>: {html.escape(c.after.doc_type)} of "
            f"{html.escape(format_date(c.after.date))} beside {html.escape(c.before.doc_type)} of "
            f"{html.escape(format_date(c.before.date))}: {moved} judgement(s) moved; {html.escape(counts)}. "
            f"Open it in the Compare tab.</li>"
        )
    return f'<div class="cmp-offers"><b>New reports, compared with the one before:</b><ul>{"".join(items)}</ul></div>'

"""Answers as a person reads them: Markdown for the chat, with the sources listed under the quotes."""

from __future__ import annotations

from .schema import Answer, Citation

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

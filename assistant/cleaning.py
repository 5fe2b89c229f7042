"""Text clean-up shared by every format: stray HTML, bullet glyphs, page-break joins, white space."""

from __future__ import annotations

import html
import re

# Only real HTML tag names are stripped, so "<3" or "a < b > c" in prose survives.
_TAG = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|caption|div|em|font|footer|h[1-6]|head|header|hr|"
    r"html|i|img|li|nav|ol|p|section|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|u|ul)"
    r"\b[^<>]*>",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[ \t]*(?:[•▪◦●■□➢►‣∙·\uf0b7\uf0a7]|[*\-–](?=\s))[ \t]*", re.MULTILINE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
_BLANKS = re.compile(r"\n{3,}")
_ENDS_OPEN = re.compile(r"[A-Za-z,;(’'\-–]$")


def strip_tags(text: str) -> str:
    """Remove HTML tags and decode entities, keeping the words."""
    return html.unescape(_TAG.sub("", text))


def normalise_bullets(text: str) -> str:
    """Every bullet glyph at the start of a line becomes '- ' so items read alike in all formats."""
    return _BULLET.sub("- ", text)


def join_broken_paragraphs(text: str) -> str:
    """Join a paragraph cut by a page break: it ends mid-sentence and the next block starts in lower case."""
    blocks = re.split(r"\n\s*\n", text)
    joined: list[str] = []
    for block in blocks:
        block = block.strip("\n")
        if not block.strip():
            continue
        if joined and _ENDS_OPEN.search(joined[-1].rstrip()) and block.lstrip()[:1].islower():
            joined[-1] = joined[-1].rstrip() + " " + block.lstrip()
        else:
            joined.append(block)
    return "\n\n".join(joined)


def clean_text(text: str) -> str:
    """The clean-up every loader's output goes through."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_tags(text)
    text = normalise_bullets(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = join_broken_paragraphs(text)
    return _BLANKS.sub("\n\n", text).strip()


def unwrap_lines(text: str) -> str:
    """Join the hard-wrapped lines of a PDF page into paragraphs, keeping list items apart."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            out.append("")
            continue
        starts_item = bool(_BULLET.match(line)) or bool(re.match(r"^\d{1,3}[.)]\s", line))
        if out and out[-1] and not starts_item and not out[-1].endswith((".", ":", "?", "!")):
            if out[-1].endswith("-") and line[:1].islower():
                out[-1] = out[-1][:-1] + line  # a word hyphenated across lines
            else:
                out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)

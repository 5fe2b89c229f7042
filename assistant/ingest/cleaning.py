"""Text clean-up shared by every format: stray HTML, bullet glyphs, page-break joins, white space."""

from __future__ import annotations

import html
import re

from assistant.dates import MONTH
from assistant.ingest.chunking import sentence_spans

# Only real HTML tag names are stripped, so "<3" or "a < b > c" in prose survives.
_TAG = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|caption|div|em|font|footer|h[1-6]|head|header|hr|"
    r"html|i|img|li|nav|ol|p|section|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|u|ul)"
    r"\b[^<>]*>",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[ \t]*(?:[•▪◦●■□◼➢►‣∙·\ue000-\uf8ff]|[*\-–](?=\s))[ \t]*", re.MULTILINE)
# A symbol font's glyph (Wingdings' square, read as a private-use character) between words: an item of a list
# the PDF ran on into one line ("What needs to improve \uf06e The quality ... \uf06e Trust and ...").
_INLINE_BULLET = re.compile(r"[ \t]+[\ue000-\uf8ff][ \t]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
_BLANKS = re.compile(r"\n{3,}")
# Ofsted's publisher matter: its remit, licence, complaints procedure, contact lines and address (which
# named Manchester in every report). Never an answer, and it drew questions about "Ofsted inspections".
_PUBLISHER = re.compile(
    r"^[ \t]*(?:The Office for Standards in Education, Children.s Services and Skills \(Ofsted\) regulates"
    r"|If you would like a copy of this document in a different format|Any complaints about the inspection"
    r"|Ofsted produces this report|This report is available at|Interested in our work\?"
    r"|(?:Ofsted,? )?Piccadilly Gate,? Store Street|T: 0300 123 1231|© Crown copyright).*$",
    re.MULTILINE | re.IGNORECASE,
)
_ENDS_OPEN = re.compile(r"[A-Za-z,;(’'\-–]$")
# A page's footnote: its number, then a sentence ("1 The areas for improvement have been cross-referenced with
# ..."); a letter's date line ("27 February 2025 Tom McCabe, ...") is none.
FOOTNOTE = re.compile(rf"^\s*(\d{{1,2}}) (?!{MONTH}\b)[A-Z][a-z]")


def strip_tags(text: str) -> str:
    """Remove HTML tags and decode entities, keeping the words."""
    return html.unescape(_TAG.sub("", text))


def normalise_bullets(text: str) -> str:
    """Every bullet glyph at the start of a line becomes '- ' so items read alike in all formats; a symbol
    font's glyph between words starts an item on a line of its own."""
    return _BULLET.sub("- ", _INLINE_BULLET.sub("\n- ", text))


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


def join_across_pages(pages: list[str]) -> list[str]:
    """A sentence a page break cuts (its page ends mid-sentence, the next starts in lower case) is finished on the
    page where it starts: the words up to its end move back, the rest of their paragraph stays. Two in five page
    breaks of the real reports cut one, and a quote of half a sentence misleads."""
    pages = list(pages)
    for i in range(len(pages) - 1):
        (head, notes), tail = _footnotes_apart(pages[i]), pages[i + 1].lstrip()
        if head and _ENDS_OPEN.search(head) and tail[:1].islower():
            line, _, rest = tail.partition("\n")
            first = sentence_spans(line)
            cut = first[0][1] if first else len(line)
            pages[i] = "\n\n".join(part for part in (f"{head} {line[:cut].rstrip()}", notes) if part)
            pages[i + 1] = "\n".join(part for part in (line[cut:].strip(), rest.lstrip("\n")) if part)
    return pages


def _footnotes_apart(page: str) -> tuple[str, str]:
    """A page's text and the footnotes at its foot, whose numbers mark words above them ("What needs to
    improve?1"): a sentence the page break cuts ends before them."""
    blocks = page.rstrip().split("\n\n")
    kept = len(blocks)
    while kept > 1 and (note := FOOTNOTE.match(blocks[kept - 1])):
        if not re.search(rf"[A-Za-z?.,;:)’]{note.group(1)}(?!\d)", "\n\n".join(blocks[: kept - 1])):
            break
        kept -= 1
    return "\n\n".join(blocks[:kept]).rstrip(), "\n\n".join(blocks[kept:])


def clean_text(text: str) -> str:
    """The clean-up every loader's output goes through."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_tags(text)
    text = normalise_bullets(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = join_broken_paragraphs(text)
    return _BLANKS.sub("\n\n", text).strip()


_ITEM = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})?[.)]\s|[•▪◦●■□◼➢►‣∙·\ue000-\uf8ff]|[*\-–]\s)")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.IGNORECASE)
_EDGE = 4  # lines at the top and at the bottom of a page where running headers and footers stand


def drop_publisher_matter(text: str) -> str:
    """A report page without Ofsted's standard remit, licence, complaints and address paragraphs."""
    return _PUBLISHER.sub("", text)


def _furniture_key(line: str) -> str:
    """A line with its digits normalised, so '... 2022 2' on page 2 and '... 2022 3' on page 3 match."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _edges(lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE] + filled[-_EDGE:]))


def strip_furniture(pages: list[str]) -> list[str]:
    """Drop running headers and footers (lines at a page's edge repeated on other pages) and bare page numbers."""
    split = [page.split("\n") for page in pages]
    seen: dict[str, int] = {}
    for lines in split:
        for key in {_furniture_key(lines[i]) for i in _edges(lines)}:
            seen[key] = seen.get(key, 0) + 1
    needed = max(2, min(3, len(pages) // 2))
    out = []
    for lines in split:
        drop = set()
        for i in _edges(lines):
            line = lines[i].strip()
            if _PAGE_NUMBER.match(line) or (len(line) > 3 and seen[_furniture_key(line)] >= needed):
                drop.add(i)
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return out


def _full_width(lines: list[str]) -> int:
    """The length of a line that runs the width of the page: wrapped lines are at least about this long."""
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(len(lengths) * 0.8)] if len(lengths) >= 5 else 10**6


def _join_hyphen(head: str, tail: str, words: set[str] | None) -> str:
    """Join a word hyphenated at a line end: 'safe-' + 'guarding' is one word if the text uses it so,
    'decision-' + 'making' keeps its hyphen."""
    stem = re.search(r"(\w+)-$", head)
    rest = re.match(r"\w+", tail)
    if stem and rest and words is not None and (stem.group(1) + rest.group(0)).lower() in words:
        return head[:-1] + tail
    return head + tail


def _heading_like(line: str, wide: int) -> bool:
    """A short line without closing punctuation: a heading, not the rest of a paragraph."""
    return len(line) < wide * 0.85 and not line.endswith((".", ",", ";", ":", "?", "!", ")", "’", "”"))


def _short_tail(line: str) -> bool:
    """A few lower-case words ending a heading cut after its colon ('... help and protection:' + 'good')."""
    return line[:1].islower() and len(line.split()) <= 5 and not line.endswith((".", ",", ";", ":"))


def unwrap_lines(text: str, words: set[str] | None = None) -> str:
    """Join the hard-wrapped lines of a PDF page into paragraphs, keeping list items and numbered paragraphs
    apart; a line ending a sentence is still a wrap when it runs the full width of the page."""
    lines = [line.strip() for line in text.split("\n")]
    wide = _full_width(lines)
    out: list[str] = []
    previous = ""
    for line in lines:
        if not line:
            out.append("")
            previous = ""
            continue
        starts_item = bool(_ITEM.match(line))
        ends = previous.endswith((".", ":", "?", "!"))
        wrapped = not ends or (len(previous) >= wide * 0.85 and not _heading_like(line, wide))
        wrapped = wrapped or (previous.endswith(":") and _short_tail(line))
        if out and out[-1] and not starts_item and wrapped:
            if out[-1].endswith("-") and line[:1].islower():
                out[-1] = _join_hyphen(out[-1], line, words)
            else:
                out[-1] += " " + line
        else:
            out.append(line)
        previous = line
    return "\n".join(out)

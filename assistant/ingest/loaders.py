"""Read a file of any supported format into pages of clean text, or say clearly why not."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.cleaning import (
    clean_text,
    drop_publisher_matter,
    join_across_pages,
    strip_furniture,
    unwrap_lines,
)

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
# How files are read into text; an index whose text was read another way reads every file again.
READING = "3: a sentence cut by a page break is joined, past the page's footnotes"


class LoadError(Exception):
    """A file that cannot be indexed; the message is the reason shown to the user."""


@dataclass
class Parsed:
    pages: list[str]
    title: str = ""
    notes: list[str] = field(default_factory=list)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def load_bytes(data: bytes, suffix: str, max_bytes: int) -> Parsed:
    """Parse a file's bytes by its extension."""
    if not data.strip():
        raise LoadError("empty file")
    if len(data) > max_bytes:
        raise LoadError(f"too large: {len(data) / 1e6:.1f} MB, the limit is {max_bytes / 1e6:.0f} MB")
    suffix = suffix.lower()
    readers = {".pdf": _pdf, ".docx": _docx, ".html": _html, ".htm": _html}
    parsed = readers.get(suffix, _plain)(data)
    parsed.pages = join_across_pages([clean_text(page) for page in parsed.pages])
    if not any(page.strip() for page in parsed.pages):
        raise LoadError("no text could be extracted (a scanned or image-only document?)")
    return parsed


def looks_binary(data: bytes) -> bool:
    """Whether a file's first bytes are binary data rather than text in some encoding."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    text = head.decode("utf-8", errors="ignore") if _is_utf8(head) else head.decode("cp1252", errors="replace")
    return sum(not (ch.isprintable() or ch.isspace()) for ch in text) > 40


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(data) - 4  # a character cut at the end of the sample
    return True


def is_pdf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"%PDF-"


def is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode(data: bytes) -> tuple[str, list[str]]:
    if looks_binary(data):
        raise LoadError("binary data, not text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252/Latin-1"]


def _plain(data: bytes) -> Parsed:
    text, notes = _decode(data)
    pages = text.split("\f")  # form feeds are page breaks in text exports
    return Parsed(pages=[_strip_markdown(p) for p in pages], notes=notes)


def _strip_markdown(text: str) -> str:
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.MULTILINE)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def _html(data: bytes) -> Parsed:
    from bs4 import BeautifulSoup

    text, notes = _decode(data)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    h1 = soup.find("h1")
    if h1:
        title = h1.get_text(" ", strip=True) or title
    for li in soup.find_all("li"):
        li.insert(0, "\n- ")
    for block in soup.find_all(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section"]):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    body = soup.body or soup
    return Parsed(pages=[body.get_text("", strip=False)], title=title, notes=notes)


def _pdf(data: bytes) -> Parsed:
    if not is_pdf(data):
        raise LoadError("not a PDF: the file does not start with %PDF-")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted PDF: it needs a password")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "")
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise LoadError(f"damaged or truncated PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise LoadError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    return Parsed(pages=pdf_pages(pages), title=title)


def pdf_pages(pages: list[str]) -> list[str]:
    """A PDF's extracted page texts without page furniture or publisher matter, lines joined into paragraphs."""
    pages = strip_furniture(pages)
    words = {w.lower() for page in pages for w in re.findall(r"\w+", page)}
    return [drop_publisher_matter(unwrap_lines(page, words)) for page in pages]


def _docx(data: bytes) -> Parsed:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, or a zip without a Word document inside
        raise LoadError(f"not a readable Word document ({type(exc).__name__})") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "").lower() if paragraph.style else ""
        text = paragraph.text.strip()
        if text:
            lines.append(("- " if "list" in style else "") + text)
            lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    title = document.core_properties.title or ""
    return Parsed(pages=["\n".join(lines)], title=title)

"""Files sent through the browser: checked, given a safe unique name, saved into the corpus folder."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path

from assistant.ingest.loaders import SUPPORTED, is_docx, is_pdf, looks_binary

ALLOWED = SUPPORTED
MAX_NAME_CHARS = 100


class UploadError(Exception):
    """A file that was refused; the message says why, for the person who sent it."""


def safe_name(name: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no odd characters, a kept extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:MAX_NAME_CHARS] or "report"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def check_content(data: bytes, suffix: str, max_bytes: int) -> None:
    """Raise UploadError unless the bytes are a plausible file of the kind the extension says."""
    if suffix not in ALLOWED:
        raise UploadError(f"{suffix or 'no extension'} files are not accepted; use one of {', '.join(ALLOWED)}")
    if not data.strip():
        raise UploadError("the file is empty")
    if len(data) > max_bytes:
        raise UploadError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    if suffix == ".pdf" and not is_pdf(data):
        raise UploadError("the file is named .pdf but is not a PDF")
    if suffix == ".docx" and not is_docx(data):
        raise UploadError("the file is named .docx but is not a Word document")
    if suffix in (".txt", ".md", ".html", ".htm") and looks_binary(data):
        raise UploadError(f"the file is named {suffix} but holds binary data, not text")


def save_upload(data: bytes, name: str, corpus_dir: Path, max_bytes: int) -> Path:
    """Check the file, then write it into corpus_dir under a new name that no other file has."""
    wanted = safe_name(name)
    suffix = Path(wanted).suffix.lower()
    check_content(data, suffix, max_bytes)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(wanted).stem
    temp = corpus_dir / f".upload-{uuid.uuid4().hex}{suffix}"  # dot files are not scanned
    temp.write_bytes(data)
    try:
        for attempt in range(1, 10_000):
            candidate = corpus_dir / (wanted if attempt == 1 else f"{stem}-{attempt}{suffix}")
            try:
                os.link(temp, candidate)  # appears whole, and never over an existing file
            except FileExistsError:
                continue
            return candidate
    finally:
        temp.unlink(missing_ok=True)
    raise UploadError("could not find a free file name")

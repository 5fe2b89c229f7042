"""Compare PDF text extraction libraries on the real Ofsted reports: speed, failures and text quality.

    python benchmarks/bench_pdf_libraries.py [CORPUS]    # CORPUS defaults to ../shared/corpora/ofsted

Every PDF is read into memory first; then each library extracts the text of every page in one process,
timed (wall and CPU seconds), with the project's pypdf call (assistant/loaders.py) as the baseline.
A library that is not installed is skipped. PyMuPDF is AGPL-3.0: measured, never shipped. Quality figures:

- evidence found: answerable rows of devsets/ofsted.jsonl whose evidence phrase occurs verbatim in the
  text of its source file, white space collapsed; "raw" is the library's page texts joined, "pipeline" is
  what the project indexes (pdf_pages then clean_text, as in loaders.load_bytes).
- odd glyphs: ligatures (U+FB00-FB06), private-use code points, U+FFFD, control characters, per 10k chars.
- numbered paragraphs: pipeline lines starting "12. "; glued '12.The': a paragraph number run into its
  first word, which the pipeline's unwrap_lines cannot tell from running text; lone '12.' lines: the
  number on a line of its own, its paragraph on the next.
- files = pypdf text: files whose pipeline text, white space collapsed, is identical to the baseline's.
- words: lower-case letter runs of the pipeline text. "shared vocabulary" = words that every library
  produced somewhere in the corpus; "unshared" = a library's word tokens outside it (split or
  glued words, but also words only one library finds at all); "split" = two adjacent tokens that are not
  both shared words but join into one ("chil dren"); "glued" = an unshared token that is two shared words
  of 2+ letters run together ("childrenand").
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from pathlib import Path

from assistant.ingest.cleaning import clean_text
from assistant.ingest.loaders import pdf_pages

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ofsted"
DEVSET = ROOT / "devsets" / "ofsted.jsonl"
LICENCE_NOTES = {
    "pymupdf": "PyMuPDF is AGPL-3.0 (or a paid Artifex licence): shipping it would put the whole project "
    "under AGPL-3.0. Measured here only; it is not in requirements.txt."
}
_ODD = re.compile(r"[\ufb00-\ufb06\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBERED = re.compile(r"^\d{1,3}\. \S", re.MULTILINE)  # a numbered paragraph the pipeline keeps apart
_GLUED_NUMBER = re.compile(r"\b\d{1,3}\.[A-Z][a-z]")  # "11.The": number and first word run together
_LONE_NUMBER = re.compile(r"^\d{1,3}\.$", re.MULTILINE)  # "11." on a line of its own, the words below


def extract_pypdf(data: bytes) -> list[str]:
    """The project's own call, as in assistant/loaders.py."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")
    return [page.extract_text() or "" for page in reader.pages]


def extract_pypdfium2(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            # PDFium marks a hyphen that ends a line as U+FFFE and drops the line break: put both back,
            # as the other libraries give them, so the project's hyphen joining applies alike.
            pages.append(textpage.get_text_range().replace("\ufffe", "-\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()


def extract_pymupdf(data: bytes) -> list[str]:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return [page.get_text() for page in doc]


LIBRARIES: dict[str, tuple[str, Callable[[bytes], list[str]]]] = {
    "pypdf": ("pypdf", extract_pypdf),
    "pypdfium2": ("pypdfium2", extract_pypdfium2),
    "pymupdf": ("pymupdf", extract_pymupdf),
}


@dataclass
class Run:
    name: str
    version: str
    wall: float = 0.0
    cpu: float = 0.0
    raw: dict[str, list[str]] = field(default_factory=dict)  # relative path -> page texts
    clean: dict[str, str] = field(default_factory=dict)  # relative path -> pipeline text, pages joined
    failures: list[str] = field(default_factory=list)


def squash(text: str) -> str:
    return " ".join(text.split())


def run_library(name: str, module: str, extract: Callable[[bytes], list[str]], files: dict[str, bytes]) -> Run:
    run = Run(name, metadata.version(module))
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for rel, data in files.items():
        try:
            run.raw[rel] = extract(data)
        except Exception as exc:  # any library error on a file counts as a failure
            run.failures.append(f"{rel}: {type(exc).__name__}: {exc}")
    run.wall, run.cpu = time.perf_counter() - wall, time.process_time() - cpu
    for rel, pages in run.raw.items():  # untimed: the project's cleaning, the same for every library
        pages = [page.replace("\r\n", "\n").replace("\r", "\n") for page in pages]
        run.raw[rel] = pages
        run.clean[rel] = "\n\n".join(clean_text(page) for page in pdf_pages(pages))
    return run


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def quality(run: Run, rows: list[dict], shared: set[str] | None, baseline: Run) -> dict[str, str]:
    pages = [page for pages in run.raw.values() for page in pages]
    chars = sum(len(page) for page in pages)
    nonspace = sum(len(page) - sum(ch.isspace() for ch in page) for page in pages)
    odd = sum(len(_ODD.findall(page)) for page in pages)
    raw_hits = sum(squash(r["evidence"]) in squash(" ".join(run.raw.get(r["source"], []))) for r in rows)
    clean_hits = sum(squash(r["evidence"]) in squash(run.clean.get(r["source"], "")) for r in rows)
    out = {
        "version": run.version,
        "parse wall s": f"{run.wall:.1f}",
        "parse CPU s": f"{run.cpu:.1f}",
        "pages": str(len(pages)),
        "pages/s (wall)": f"{len(pages) / run.wall:.0f}",
        "failed files": str(len(run.failures)),
        "empty pages": str(sum(not page.strip() for page in pages)),
        "evidence raw": f"{raw_hits}/{len(rows)}",
        "evidence pipeline": f"{clean_hits}/{len(rows)}",
        "non-space chars/page": f"{nonspace / max(len(pages), 1):.0f}",
        "odd glyphs /10k chars": f"{odd * 1e4 / max(chars, 1):.2f}",
        "numbered paragraphs": str(sum(len(_NUMBERED.findall(text)) for text in run.clean.values())),
        "glued '12.The'": str(sum(len(_GLUED_NUMBER.findall(text)) for text in run.clean.values())),
        "lone '12.' lines": str(sum(len(_LONE_NUMBER.findall(text)) for text in run.clean.values())),
        f"files = {baseline.name} text": str(
            sum(squash(text) == squash(baseline.clean.get(rel, "")) for rel, text in run.clean.items())
        ),
    }
    if shared is None:
        return out
    per_file = [words(text) for text in run.clean.values()]
    tokens = [w for file_words in per_file for w in file_words]
    counts = Counter(tokens)
    unshared = sum(n for w, n in counts.items() if w not in shared)
    split = sum(
        a + b in shared and not (a in shared and b in shared)
        for file_words in per_file
        for a, b in pairwise(file_words)
    )
    glued = sum(
        n
        for w, n in counts.items()
        if w not in shared and any(w[:i] in shared and w[i:] in shared for i in range(2, len(w) - 1))
    )
    out.update(
        {
            "word tokens": str(len(tokens)),
            "unshared tokens": str(unshared),
            "split words": str(split),
            "glued words": str(glued),
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder not found: {args.corpus} (pass the folder of Ofsted PDFs as the argument)")
    files = {str(p.relative_to(args.corpus)): p.read_bytes() for p in sorted(args.corpus.rglob("*.pdf"))}
    if not files:
        sys.exit(f"no PDFs under {args.corpus}")
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answerable") and r.get("evidence") and r.get("source")]
    print(f"{len(files)} PDFs, {sum(map(len, files.values())) / 1e6:.1f} MB, from {args.corpus}")
    print(f"{len(rows)} answerable dev-set rows with evidence, from {DEVSET.relative_to(ROOT)}\n")

    runs = []
    for name, (module, extract) in LIBRARIES.items():
        try:
            __import__(module)
        except ImportError:
            print(f"skipped {name}: not installed (pip install {module})")
            continue
        print(f"extracting with {name} ...", flush=True)
        runs.append(run_library(name, module, extract, files))

    vocabularies = [{w for text in run.clean.values() for w in words(text)} for run in runs]
    shared = set.intersection(*vocabularies) if len(runs) > 1 else None
    table = {run.name: quality(run, rows, shared, runs[0]) for run in runs}
    print(f"\nshared vocabulary: {len(shared)} words" if shared else "\none library only: no word figures")
    metrics = list(next(iter(table.values())))
    width = max(map(len, metrics))
    print(f"{'':{width}}" + "".join(f"{name:>12}" for name in table))
    for metric in metrics:
        print(f"{metric:{width}}" + "".join(f"{table[name][metric]:>12}" for name in table))
    for run in runs:
        missed = [r for r in rows if squash(r["evidence"]) not in squash(run.clean.get(r["source"], ""))]
        for r in missed:
            print(f"{run.name} misses (pipeline): {r['source']}: {r['evidence']!r}")
        for failure in run.failures:
            print(f"{run.name} failed: {failure}")
        if run.name in LICENCE_NOTES:
            print(f"\nLICENCE: {LICENCE_NOTES[run.name]}")


if __name__ == "__main__":
    main()

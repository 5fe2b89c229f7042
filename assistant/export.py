"""An answer to take away: its text with the [n] markers, then each numbered source, as Markdown or Word."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.schema import Answer, Citation

FORMATS = (".md", ".docx")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # a PDF's stray control bytes


def _xml(text: str) -> str:
    """Text Word can hold: python-docx refuses control characters that some PDFs' text carries."""
    return _NOT_XML.sub("", text)


def source_fields(citation: Citation, corpus_dir: Path) -> list[tuple[str, str]]:
    """(label, value) of what a reader needs to find a source again: title, type, authority, date, page, file."""
    return [
        ("Type", citation.source_type),
        ("Authority", citation.authority or "not named"),
        ("Date", citation.date or "not dated"),
        ("Page", str(citation.page)),
        ("File", str((corpus_dir / citation.source).resolve())),
    ]


def prose(answer: Answer) -> list[str]:
    """The answer's paragraphs without the Markdown of a facts table, which is written as a table."""
    lines = answer.text.split("\n")
    if answer.table:
        lines = lines[: len(lines) - len(answer.table.rows) - 2]
    return [line for line in lines if line.strip()]


def to_markdown(answer: Answer, corpus_dir: Path) -> str:
    """The answer as Markdown: question, text (a facts table as a table), then the numbered sources."""
    parts = [f"# {answer.question or answer.resolved_question}", "", *_paragraphs(prose(answer))]
    if answer.table:
        parts += [answer.table.markdown(), ""]
    parts += ["## Sources", ""]
    for c in answer.citations:
        parts.append(f"[{c.n}] **{c.title or c.file_name}**  ")
        parts += [f"{label}: {value}  " for label, value in source_fields(c, corpus_dir)]
        parts += [f"> {' '.join(c.quote.split())}", ""]
    if not answer.citations:
        parts += ["No source is cited.", ""]
    return "\n".join(parts)


def _paragraphs(lines: list[str]) -> list[str]:
    return [piece for line in lines for piece in (line, "")]


def write_docx(answer: Answer, path: Path, corpus_dir: Path) -> None:
    """The answer as a Word document through python-docx: the same content as the Markdown."""
    import docx

    document = docx.Document()
    document.core_properties.title = _xml(answer.question[:200])
    document.add_heading(_xml(answer.question or answer.resolved_question), level=1)
    for line in prose(answer):
        document.add_paragraph(_xml(line))
    if answer.table:
        _docx_table(document, answer)
    document.add_heading("Sources", level=2)
    for c in answer.citations:
        heading = document.add_paragraph()
        heading.add_run(f"[{c.n}] ").bold = True
        heading.add_run(_xml(c.title or c.file_name)).bold = True
        for label, value in source_fields(c, corpus_dir):
            document.add_paragraph(_xml(f"{label}: {value}"))
        document.add_paragraph(_xml(f"“{' '.join(c.quote.split())}”"), style="Quote")
    if not answer.citations:
        document.add_paragraph("No source is cited.")
    document.save(str(path))


def _docx_table(document, answer: Answer) -> None:
    table = answer.table
    grid = document.add_table(rows=1, cols=len(table.columns) + 1)
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, [*table.columns, "Source"], strict=True):
        cell.text = _xml(name)
    for cells, n in zip(table.rows, table.citations, strict=True):
        for cell, value in zip(grid.add_row().cells, [*cells, f"[{n}]"], strict=True):
            cell.text = _xml(value)


def export_answer(answer: Answer, path: Path, corpus_dir: Path) -> Path:
    """Write the answer to path, as Word for .docx and Markdown for .md; raises ValueError for another name."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"export to {' or '.join(FORMATS)}, not {suffix or 'a file without an extension'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
        write_docx(answer, path, corpus_dir)
    else:
        path.write_text(to_markdown(answer, corpus_dir), encoding="utf-8")
    return path

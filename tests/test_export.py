"""Answers taken away: Word (opened again with python-docx) and Markdown, every source with what finds it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest
from conftest import PYTHON, cli_env, copy_samples
from test_factual import reports  # noqa: F401 - the facts fixture: three reports as real PDFs

from assistant.export import export_answer, to_markdown


def _source_lines(citation, corpus: Path) -> list[str]:
    return [
        f"Type: {citation.source_type}",
        f"Authority: {citation.authority or 'not named'}",
        f"Date: {citation.date or 'not dated'}",
        f"Page: {citation.page}",
        f"File: {(corpus / citation.source).resolve()}",
    ]


def test_word_export_holds_the_answer_and_every_source(sample_assistant, tmp_path):
    answer = sample_assistant.ask("What did Ofsted say about agency staff in Doncaster?")
    assert len(answer.citations) >= 2
    corpus = sample_assistant.settings.corpus_dir
    path = export_answer(answer, tmp_path / "briefing.docx", corpus)
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == answer.question
    assert "[1]" in text and "Sources" in paragraphs
    for c in answer.citations:
        start = paragraphs.index(f"[{c.n}] {c.title}")
        assert paragraphs[start + 1 : start + 6] == _source_lines(c, corpus)
        assert paragraphs[start + 6] == f"“{' '.join(c.quote.split())}”"
        assert (corpus / c.source).is_file()


def test_markdown_export_and_a_facts_table(reports, tmp_path):  # noqa: F811
    answer = reports.ask("Which authorities were judged inadequate?")
    assert answer.table and answer.citations
    corpus = reports.settings.corpus_dir
    markdown = export_answer(answer, tmp_path / "briefing.md", corpus).read_text(encoding="utf-8")
    assert markdown == to_markdown(answer, corpus)
    assert answer.table.markdown() in markdown
    for c in answer.citations:
        assert f"[{c.n}] **{c.title}**" in markdown
        assert all(line in markdown for line in _source_lines(c, corpus))
    word = docx.Document(str(export_answer(answer, tmp_path / "table.docx", corpus)))
    (table,) = word.tables
    assert [cell.text for cell in table.rows[0].cells] == [*answer.table.columns, "Source"]
    assert len(table.rows) == len(answer.table.rows) + 1


def test_export_refuses_other_formats(sample_assistant, tmp_path):
    with pytest.raises(ValueError, match="docx"):
        export_answer(sample_assistant.ask("agency staff"), tmp_path / "briefing.pdf", Path("."))


def test_ask_export_from_the_command_line(settings, tmp_path):
    copy_samples(settings.corpus_dir)
    env = cli_env(settings)
    subprocess.run([PYTHON, "-m", "assistant", "-q", "index"], env=env, check=True, capture_output=True, timeout=300)
    target = tmp_path / "out" / "answer.docx"
    result = subprocess.run(
        [PYTHON, "-m", "assistant", "-q", "ask", "agency staff in Doncaster", "--export", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert paragraphs[0] == "agency staff in Doncaster" and any(p.startswith("File: ") for p in paragraphs)

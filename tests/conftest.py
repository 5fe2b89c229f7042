"""Shared fixtures: the real encoder (loaded once), corpora made in temporary folders, real files of each format."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import Settings
from assistant.indexing.embeddings import Embedder

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus"
LETTER = "002_1afa487b62b78d22.txt"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


@pytest.fixture
def make_assistant(embedder):
    made: list[Assistant] = []

    def make(settings: Settings) -> Assistant:
        assistant = Assistant(settings, embedder=embedder)
        made.append(assistant)
        return assistant

    yield make
    for assistant in made:
        assistant.close()


@pytest.fixture
def indexed_texts(settings, make_assistant):
    """An assistant over the text files given (path in the corpus -> text), written and indexed."""

    def index(files: dict[str, str]) -> Assistant:
        for name, text in files.items():
            path = settings.corpus_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assistant = make_assistant(settings)
        assert assistant.index().ok
        return assistant

    return index


@pytest.fixture(scope="session")
def sample_assistant(tmp_path_factory, embedder) -> Assistant:
    """The five sample documents, indexed once for the answering tests."""
    base = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLES, base / "corpus")
    assistant = Assistant(Settings(corpus_dir=base / "corpus", index_dir=base / "index"), embedder=embedder)
    report = assistant.index()
    assert report.ok and len(report.added) == 5
    yield assistant
    assistant.close()


def copy_samples(corpus: Path, names: list[str] | None = None) -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        if names is None or path.name in names:
            shutil.copy(path, corpus / path.name)


def make_pdf(pages: list[str], title: str = "") -> bytes:
    """A real PDF with one page per string, text laid out by fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(heading: str, paragraphs: list[str], bullets: list[str] = ()) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = heading
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    for text in bullets:
        document.add_paragraph(text, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running `python -m assistant` in a subprocess on these folders."""
    env = dict(os.environ)
    env.update(
        ASSISTANT_CORPUS=str(settings.corpus_dir),
        ASSISTANT_INDEX=str(settings.index_dir),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        PYTHONUNBUFFERED="1",
        HF_HUB_OFFLINE="1",
    )
    env.pop("CHROMA_URL", None)
    return env


PYTHON = sys.executable

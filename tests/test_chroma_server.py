"""Several processes over one real `chroma run` server: the local folder is a cache rebuilt from the server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import copy_samples

from assistant.config import Settings
from assistant.evaluation.local_server import chroma_server
from assistant.indexing.shared import WriterBusy

QUESTIONS = [
    "What did Ofsted say about agency staff in Doncaster?",
    "How did Devon County Council respond to the report?",
    "What did inspectors find about caseloads?",
    "Were children's records accurate in Doncaster?",
]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    """A real Chroma server on a free loopback port, up until its heartbeat answers, stopped after."""
    with chroma_server(tmp_path_factory.mktemp("chroma_server")) as url:
        yield url


def _settings(base: Path, url: str, collection: str, corpus: Path | None = None) -> Settings:
    corpus = corpus or base / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    return Settings(corpus_dir=corpus, index_dir=base / "index", chroma_url=url, collection=collection)


def _seen(answer) -> tuple:
    return answer.text, [(c.source, c.quote, c.page) for c in answer.citations], answer.no_answer


def test_an_empty_folder_answers_as_the_indexing_process_does(chroma_url, tmp_path, make_assistant):
    writer = make_assistant(_settings(tmp_path / "a", chroma_url, "same"))
    copy_samples(writer.settings.corpus_dir)
    assert len(writer.index().added) == 5
    reader = make_assistant(_settings(tmp_path / "b", chroma_url, "same"))
    assert set(reader.documents()) == set(writer.documents())
    for question in QUESTIONS:
        assert _seen(reader.ask(question)) == _seen(writer.ask(question))
    assert reader.store.sentence_vectors([c.chunk_id for c in writer.store.chunks_of(LETTER)]).keys()


LETTER = "002_1afa487b62b78d22.txt"


def test_a_running_reader_sees_a_new_report_and_a_removal(chroma_url, tmp_path, make_assistant):
    writer = make_assistant(_settings(tmp_path / "a", chroma_url, "news"))
    copy_samples(writer.settings.corpus_dir, [LETTER])
    writer.index()
    reader = make_assistant(_settings(tmp_path / "b", chroma_url, "news"))
    assert set(reader.documents()) == {LETTER}
    copy_samples(writer.settings.corpus_dir)
    writer.index()
    started = time.monotonic()
    while len(reader.documents()) < 5:  # documents() checks the server at most every few seconds
        assert time.monotonic() - started < 10, "the new reports were not seen within 10 s"
        time.sleep(0.2)
    question = QUESTIONS[0]
    assert _seen(reader.ask(question)) == _seen(writer.ask(question))
    writer.remove(LETTER)
    while LETTER in reader.documents():
        assert time.monotonic() - started < 20, "the removal was not seen"
        time.sleep(0.2)


def test_a_second_writer_is_refused_with_who_holds_the_lock(chroma_url, tmp_path, make_assistant):
    first = make_assistant(_settings(tmp_path / "a", chroma_url, "lock"))
    second = make_assistant(_settings(tmp_path / "b", chroma_url, "lock", corpus=first.settings.corpus_dir))
    copy_samples(first.settings.corpus_dir, [LETTER])
    with first.store.writing():
        with pytest.raises(WriterBusy, match=r"another process is indexing \(.+, pid \d+, since .+\); try again"):
            second.index()
    report = second.index()  # released: the second may write now, and finds the shared corpus' file to add
    assert report.added == [LETTER]
    first.store.refresh(force=True)
    assert LETTER in first.documents()


def test_an_answering_process_with_an_empty_corpus_removes_nothing(chroma_url, tmp_path, make_assistant):
    writer = make_assistant(_settings(tmp_path / "a", chroma_url, "keep"))
    copy_samples(writer.settings.corpus_dir, [LETTER])
    writer.index()
    reader = make_assistant(_settings(tmp_path / "b", chroma_url, "keep"))
    assert reader.index().removed == []
    assert set(reader.documents()) == {LETTER}

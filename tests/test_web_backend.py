"""What the web chat relies on without a browser: removing reports, indexing in the background."""

from __future__ import annotations

import threading

import pytest
from conftest import LETTER, copy_samples

from assistant.web.background import BackgroundIndexer


def test_remove_takes_chunks_out_and_moves_the_file_out_of_the_corpus(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER, "000_af3683a860673f57.txt"])
    assistant = make_assistant(settings)
    assistant.index()
    before = assistant.store.counts()
    moved = assistant.remove(LETTER)
    assert moved == settings.corpus_dir.resolve().parent / "removed" / LETTER
    assert moved.is_file() and not (settings.corpus_dir / LETTER).exists()
    assert LETTER not in assistant.documents()
    docs, chunks, vectors = assistant.store.counts()
    assert docs == before[0] - 1 and chunks == vectors < before[1]
    answer = assistant.ask("What did Ofsted say about agency staff in Doncaster?")
    assert all(c.source != LETTER for c in answer.citations)
    report = assistant.index()
    assert report.added == [] and report.removed == []  # the file is gone from the corpus, not just hidden


def test_removing_twice_keeps_both_files(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    first = assistant.remove(LETTER)
    copy_samples(settings.corpus_dir, [LETTER])
    assistant.index()
    second = assistant.remove(LETTER)
    assert first != second and first.is_file() and second.is_file()


@pytest.mark.parametrize("source", ["missing.txt", "../outside.txt", ""])
def test_remove_refuses_unknown_or_outside_sources(settings, make_assistant, source):
    (settings.corpus_dir.parent / "outside.txt").write_text("not part of the corpus")
    assistant = make_assistant(settings)
    with pytest.raises(KeyError):
        assistant.remove(source)
    assert (settings.corpus_dir.parent / "outside.txt").exists()


def test_background_indexing_reports_and_lets_questions_through(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    indexing = BackgroundIndexer(assistant)
    ticks = []
    ticket = indexing.request()
    answers = []
    asker = threading.Thread(target=lambda: answers.append(assistant.ask("agency staff in Doncaster")))
    asker.start()
    report = indexing.wait(ticket, timeout=300, tick=lambda status: ticks.append(status.text()))
    asker.join(timeout=300)
    assert report is not None and len(report.added) == 5
    assert answers, "a question asked during indexing was answered"
    assert not indexing.status.running and "Index ready" in indexing.status.text()
    again = indexing.wait(indexing.request(), timeout=300)
    assert again.unchanged and not again.added


def test_questions_during_repeated_indexing_never_fail(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    assistant.index()
    errors: list[str] = []
    answered = [0]
    done = threading.Event()

    def asker() -> None:
        while not done.is_set():
            try:
                assistant.ask("What did Ofsted say about agency staff in Doncaster?")
                answered[0] += 1  # a report being rewritten is briefly left out, so citations may be fewer
            except Exception as exc:  # any failure of a question is the bug this test looks for
                errors.append(repr(exc))

    threads = [threading.Thread(target=asker) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        for run in range(4):
            for path in settings.corpus_dir.glob("*.txt"):
                path.write_text(path.read_text() + f"\nAgency staff were discussed again ({run}).")
            assert len(assistant.index().updated) == 5
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert not errors and answered[0] > 0

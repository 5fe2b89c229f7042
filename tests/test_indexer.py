"""Indexing a corpus folder: add, update, remove, skip the unchanged; bad files fail alone."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import numpy as np
import pytest
from conftest import LETTER, PYTHON, cli_env, copy_samples, make_docx, make_pdf

import assistant.indexing.indexer as indexer


def _sources_in_chroma(assistant) -> list[str]:
    got = assistant.store.collection.get(include=["metadatas"])
    return [m["source"] for m in got["metadatas"]]


def _assert_consistent(assistant) -> None:
    """Every passage in SQLite has exactly one vector in Chroma and nothing else is there."""
    rows = {r[0] for r in assistant.store.db.execute("SELECT chunk_id FROM chunks")}
    vectors = assistant.store.collection.get(include=[])["ids"]
    assert len(vectors) == len(set(vectors)) == len(rows)
    assert set(vectors) == rows
    assert not assistant.store.unfinished()


def test_first_run_adds_every_format_with_its_metadata(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    (settings.corpus_dir / "letters").mkdir()
    (settings.corpus_dir / "letters" / "visit.pdf").write_bytes(
        make_pdf(
            [
                "Dear Ms Smith\n\nFocused visit to Slough children's services on 3 and 4 May 2023.",
                "Social workers in Slough have manageable caseloads.\n\nYours sincerely\n\n"
                "Jane Doe\nHis Majesty's Inspector",
            ]
        )
    )
    (settings.corpus_dir / "statement.docx").write_bytes(
        make_docx("Statement from Slough Borough Council", ["Press release: we accept the findings."])
    )
    (settings.corpus_dir / "page.html").write_text("<h1>Kent news</h1><p>Ofsted praised Kent County Council.</p>")
    (settings.corpus_dir / "notes.md").write_text("# Notes\n\nOfsted visited Leeds.\n")
    assistant = make_assistant(settings)
    report = assistant.index()
    assert report.ok, report.failed
    assert len(report.added) == 9
    docs = assistant.documents()
    letter = docs["letters/visit.pdf"]
    assert letter["source_type"] == "ofsted" and letter["authorities"] == ["Slough"]
    assert letter["page_count"] == 2 and letter["inspection_start"] == "2023-05-03"
    assert docs["statement.docx"]["source_type"] == "council"
    assert docs[LETTER]["publication_date"] == "2012-02-16"
    pages = {
        c.page
        for c in assistant.store.chunk_rows(
            r[0] for r in assistant.store.db.execute("SELECT chunk_id FROM chunks WHERE source='letters/visit.pdf'")
        ).values()
    }
    assert pages == {1, 2}
    _assert_consistent(assistant)


def test_second_run_parses_nothing_and_changes_only_what_changed(settings, make_assistant, monkeypatch):
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    assistant.index()
    parsed: list[str] = []
    real_parse = indexer.parse_file
    monkeypatch.setattr(indexer, "parse_file", lambda source, *a: parsed.append(source) or real_parse(source, *a))

    report = assistant.index()
    assert len(report.unchanged) == 5 and not parsed and report.chunks_written == 0

    (settings.corpus_dir / LETTER).write_text("16 February 2013\n\nDear Mr Pratt\n\nA new short letter.\n")
    (settings.corpus_dir / "000_af3683a860673f57.txt").unlink()
    (settings.corpus_dir / "new.txt").write_text("Ofsted found Leeds good at helping care leavers.")
    report = assistant.index()
    assert report.updated == [LETTER] and report.removed == ["000_af3683a860673f57.txt"]
    assert report.added == ["new.txt"] and len(report.unchanged) == 3
    assert sorted(parsed) == [LETTER, "new.txt"]
    assert "000_af3683a860673f57.txt" not in _sources_in_chroma(assistant)
    texts = [r[0] for r in assistant.store.db.execute("SELECT text FROM chunks WHERE source=?", (LETTER,))]
    assert texts and all("high reliance on agency" not in t for t in texts)
    _assert_consistent(assistant)


def test_touching_a_file_without_changing_it_does_not_reindex(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    path = settings.corpus_dir / LETTER
    path.write_bytes(path.read_bytes())  # new modification time, same bytes
    report = assistant.index()
    assert report.unchanged == [LETTER] and report.chunks_written == 0


def test_same_file_name_in_two_folders_are_two_documents(settings, make_assistant):
    for folder, text in (("doncaster", "Doncaster relies on agency staff."), ("leeds", "Leeds has stable staff.")):
        (settings.corpus_dir / folder).mkdir()
        (settings.corpus_dir / folder / "report.txt").write_text(f"Ofsted inspection report\n\n{text}\n")
    assistant = make_assistant(settings)
    report = assistant.index()
    assert sorted(report.added) == ["doncaster/report.txt", "leeds/report.txt"]
    assert sorted(set(_sources_in_chroma(assistant))) == ["doncaster/report.txt", "leeds/report.txt"]
    (settings.corpus_dir / "leeds" / "report.txt").unlink()
    assistant.index()
    assert set(_sources_in_chroma(assistant)) == {"doncaster/report.txt"}


def test_rebuild_starts_from_nothing(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    first = assistant.index()
    report = assistant.index(rebuild=True)
    assert len(report.added) == 5 and report.chunks_written == first.chunks_written
    _assert_consistent(assistant)


def test_catalogue_corrects_metadata_without_reembedding(settings, make_assistant):
    copy_samples(settings.corpus_dir, ["004_16692f82aae21db8.txt"])
    assistant = make_assistant(settings)
    assistant.index()
    assert assistant.documents()["004_16692f82aae21db8.txt"]["publication_date"] is None
    (settings.corpus_dir / "catalogue.csv").write_text(
        "source,publication_date,source_type\n004_16692f82aae21db8.txt,2013-05-10,council\n"
    )
    report = assistant.index()
    assert report.chunks_written == 0
    meta = assistant.documents()["004_16692f82aae21db8.txt"]
    assert meta["publication_date"] == "2013-05-10" and meta["source_type"] == "council"


@pytest.mark.slow
def test_bad_files_fail_alone_with_reasons_and_keep_the_index(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    assistant.close()
    corpus = settings.corpus_dir
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "random.pdf").write_bytes(bytes(range(256)) * 40)
    (corpus / "truncated.pdf").write_bytes(make_pdf(["Some findings."])[:500])
    (corpus / "huge.txt").write_bytes(b"word " * 10_500_000)
    (corpus / "latin1.txt").write_bytes("Ofsted visited Croydon caf\xe9 services.".encode("cp1252"))
    (corpus / 'it\'s a "quoted" name .. with spaces.txt').write_text("Ofsted praised Sutton's early help.")
    (corpus / "draft..final...txt").write_text("Ofsted praised Merton's fostering.")
    result = subprocess.run(
        [PYTHON, "-m", "assistant", "index", "-v"], env=cli_env(settings), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "failed 4" in out
    assert "failed: empty.txt: empty file" in out
    assert "failed: random.pdf: not a PDF" in out
    assert "failed: truncated.pdf: damaged or truncated PDF" in out
    assert "failed: huge.txt: too large: 52.5 MB" in out
    assert "added 3" in out and "unchanged 1" in out, out
    again = make_assistant(settings)
    docs = again.documents()
    assert {LETTER, "latin1.txt", 'it\'s a "quoted" name .. with spaces.txt', "draft..final...txt"} == set(docs)
    assert docs["latin1.txt"]["notes"]


def test_many_pdfs_are_parsed_in_worker_processes_with_the_same_result(settings, make_assistant):
    for i in range(6):
        pages = [f"Report {i} page one: Ofsted found caseloads high in Kent.", f"Report {i} page two: agency staff."]
        (settings.corpus_dir / f"report {i}.pdf").write_bytes(make_pdf(pages))
    parallel = make_assistant(replace(settings, parse_workers=2))
    report = parallel.index()
    assert report.ok and len(report.added) == 6
    sequential_settings = replace(settings, index_dir=settings.index_dir.parent / "seq", parse_workers=0)
    sequential = make_assistant(sequential_settings)
    sequential.index()
    assert parallel.documents().keys() == sequential.documents().keys()
    for source in parallel.documents():
        assert parallel.store.document(source).text == sequential.store.document(source).text
        assert parallel.store.document(source).page_starts == sequential.store.document(source).page_starts


def test_catalogue_corrections_are_what_answers_show(settings, make_assistant):
    copy_samples(settings.corpus_dir, ["004_16692f82aae21db8.txt"])
    (settings.corpus_dir / "catalogue.csv").write_text("source,publication_date\n004_16692f82aae21db8.txt,2013-05-10\n")
    assistant = make_assistant(settings)
    assistant.index()
    answer = assistant.ask("How did Devon County Council respond to the Ofsted report?")
    assert answer.citations[0].date == "2013-05-10"
    assert answer.citations[0].file_name == "004_16692f82aae21db8.txt"
    extracted = assistant.store.documents()["004_16692f82aae21db8.txt"].extracted
    assert extracted["publication_date"] is None  # what the text says is kept apart from the correction


def test_a_new_encoder_reencodes_the_stored_passages_without_parsing(settings, monkeypatch):
    from assistant.api import Assistant
    from assistant.indexing.embeddings import Embedder
    from assistant.indexing.vectors import vectors_made_by

    copy_samples(settings.corpus_dir, [LETTER])
    first = Assistant(settings, embedder=Embedder(backend="onnx"))
    first.index()
    assert first.store.get_setting("encoder") == vectors_made_by("onnx")
    first.close()
    parsed: list[str] = []
    monkeypatch.setattr(indexer, "parse_file", lambda source, *a: parsed.append(source))

    second = Assistant(settings, embedder=Embedder(backend="onnx-int8"))
    report = second.index()
    again = second.index()

    chunks = second.store.chunks_of(LETTER)
    assert report.reencoded.startswith(f"re-encoded {len(chunks)} stored passages") and "onnx-int8" in report.reencoded
    assert not parsed and report.unchanged == [LETTER] and not again.reencoded
    assert second.store.get_setting("encoder") == vectors_made_by("onnx-int8")
    stored = second.store.collection.get(ids=[chunks[0].chunk_id], include=["embeddings"])["embeddings"][0]
    title = second.store.document(LETTER).title
    same_batch = indexer.Indexer(settings, second.store, second.embedder)._encode([(c, title) for c in chunks])
    expected = same_batch[0][0]  # int8 varies with the batch
    assert float(np.dot(stored, expected)) > 0.9999
    second.close()


def test_each_passage_keeps_its_sentences_vectors_and_an_older_index_gains_them(settings, make_assistant, monkeypatch):
    import sqlite3

    from assistant.ingest.chunking import encoded_sentences

    copy_samples(settings.corpus_dir, [LETTER])
    first = make_assistant(settings)
    first.index()
    chunks = first.store.chunks_of(LETTER)
    before = first.store.sentence_vectors(c.chunk_id for c in chunks)
    for chunk in chunks:
        sentences = encoded_sentences(chunk.text)
        vectors = before[chunk.chunk_id].reshape(-1, 384)
        assert len(vectors) == len(sentences)
        if sentences:
            assert float(vectors[0] @ first.embedder.encode(sentences[:1])[0]) > 0.95  # int8 varies with the batch
    db = sqlite3.connect(settings.db_path)
    with db:  # as an index made before sentence vectors were kept
        db.execute("UPDATE chunks SET sentences = NULL")
        db.execute("DELETE FROM settings WHERE key = 'sentence_vectors'")
    db.close()
    parsed: list[str] = []
    monkeypatch.setattr(indexer, "parse_file", lambda source, *a: parsed.append(source))

    second = make_assistant(settings)
    assert not second.store.sentence_vectors(c.chunk_id for c in chunks)
    report = second.index()

    assert report.reencoded == f"encoded the sentences of {len(chunks)} stored passages"
    assert not parsed and report.unchanged == [LETTER] and not second.index().reencoded
    after = second.store.sentence_vectors(c.chunk_id for c in chunks)
    for chunk in chunks:
        old, new = before[chunk.chunk_id].reshape(-1, 384), after[chunk.chunk_id].reshape(-1, 384)
        assert old.shape == new.shape and (len(old) == 0 or float((old * new).sum(1).min()) > 0.95)


def test_an_index_whose_text_was_read_another_way_reads_every_file_again(settings, make_assistant):
    """Reading changed (pages joined where a sentence runs over): unchanged files are read again, once."""
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    assert len(assistant.index().added) == 5
    assert assistant.store.get_setting("reading") == indexer.READING
    assistant.store.put_setting("reading", "1")  # as an index made before
    again = assistant.index()
    assert sorted(again.updated) == sorted(p.name for p in settings.corpus_dir.glob("*.txt")) and not again.unchanged
    assert len(assistant.index().unchanged) == 5  # read once
    _assert_consistent(assistant)

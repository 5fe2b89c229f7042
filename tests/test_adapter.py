"""The query adapter: the fitted map shipped, switching it off, a bad file, and fitting one on real sentences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.cli import main
from assistant.evaluation.adapter_fit import collect_examples, fit, ranking
from assistant.evaluation.devsets import Case
from assistant.search.adapter import QueryAdapter
from assistant.search.question import read_question
from assistant.web import server

QUESTION = "Were the frontline teams swamped?"
REPORT = (
    "Frontline teams are led by experienced managers who know the families well. "
    "Staff have manageable caseloads and sufficient time for direct work with children. "
    "The council's offices moved to a new building in the town centre last spring. "
    "Teams meet weekly to review the progress of each plan."
)


def test_the_fitted_map_moves_a_question_a_little_and_keeps_it_of_unit_length(embedder):
    vectors = embedder.encode([QUESTION, "How many children are looked after?"])
    mapped = QueryAdapter.load("fitted")(vectors)
    assert np.allclose(np.linalg.norm(mapped, axis=1), 1.0, atol=1e-3)
    closeness = np.sum(mapped * vectors, axis=1)
    assert (closeness > 0.5).all() and (closeness < 0.999).all()


def test_switched_off_the_question_is_searched_as_encoded(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT})
    off = make_assistant(replace(settings, query_adapter="none"))
    _, plain = off.ask_with_search(QUESTION)
    _, fitted = make_assistant(settings).ask_with_search(QUESTION)
    encoded = off.retriever.question_vectors(read_question(QUESTION))[0]
    assert np.dot(plain.query_vector, encoded) > 0.99
    assert np.dot(fitted.query_vector, encoded) < 0.99


@pytest.mark.parametrize("content", [b"not a matrix", None])
def test_a_file_that_is_no_square_matrix_is_named_in_the_error(tmp_path, content):
    path = tmp_path / "adapter.npy"
    if content is None:
        np.save(path, np.ones((3, 4), dtype=np.float32))
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="adapter.npy"):
        QueryAdapter.load(str(path))


def test_fitting_puts_the_answering_sentence_first_when_the_words_differ(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT})
    assistant = make_assistant(replace(settings, query_adapter="none"))
    case = Case(QUESTION, "report.txt", "Staff have manageable caseloads", True, "own_words", [])
    examples = collect_examples(assistant, [case])
    assert len(examples) == 2 and all(e.right.sum() == 1 for e in examples)
    assert ranking(examples, QueryAdapter()).sentence_mrr < 1.0  # the encoder alone prefers "Frontline teams"
    fitted = QueryAdapter(fit(examples, strength=0.1, steps=60))
    assert ranking(examples, fitted).sentence_mrr == 1.0


def test_the_answer_reads_cosines_as_encoded_while_the_map_ranks(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT, "other.txt": "The town's library opens late on Thursdays for families."})
    _, plain = make_assistant(replace(settings, query_adapter="none")).ask_with_search(QUESTION)
    _, mapped = make_assistant(settings).ask_with_search(QUESTION)
    as_encoded = {h.chunk.chunk_id: (h.dense, h.meaning) for h in plain.hits}
    for hit in mapped.hits:
        assert hit.dense == pytest.approx(as_encoded[hit.chunk.chunk_id][0], abs=1e-4)
        assert hit.meaning == pytest.approx(as_encoded[hit.chunk.chunk_id][1], abs=1e-4)
    assert any(h.closeness != pytest.approx(h.meaning, abs=1e-3) for h in mapped.hits)


def test_the_command_line_names_a_missing_matrix_in_one_line(settings, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_QUERY_ADAPTER", str(settings.index_dir / "missing.npy"))
    code = main(
        ["ask", "Are caseloads manageable?", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "missing.npy" in err and "ASSISTANT_QUERY_ADAPTER" in err


def test_the_web_app_names_a_missing_matrix_in_one_line(settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_QUERY_ADAPTER", str(settings.index_dir / "missing.npy"))
    with pytest.raises(SystemExit) as stopped:
        server.main(["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)])
    assert str(stopped.value).startswith("error: cannot read the query adapter")
    assert "missing.npy" in str(stopped.value) and "ASSISTANT_QUERY_ADAPTER" in str(stopped.value)

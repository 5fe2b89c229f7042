"""The query adapter: the fitted encoder changes shipped, switching them off, a bad file, and fitting changes on
real sentences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.cli import main
from assistant.evaluation.adapter_fit import FitConfig, collect_examples, fit, ranking
from assistant.evaluation.devsets import Case
from assistant.indexing.embeddings import Embedder, WeightChanges
from assistant.search.adapter import FITTED, QueryAdapter, read_changes, save_changes
from assistant.search.question import read_question
from assistant.web import server

QUESTION = "Were the frontline teams swamped?"
REPORT = (
    "Frontline teams are led by experienced managers who know the families well. "
    "Staff have manageable caseloads and sufficient time for direct work with children. "
    "The council's offices moved to a new building in the town centre last spring. "
    "Teams meet weekly to review the progress of each plan."
)


def test_the_fitted_changes_move_a_question_a_little_and_keep_it_of_unit_length(embedder):
    texts = [QUESTION, "How many children are looked after?"]
    encoded = embedder.encode(texts)
    tuned = QueryAdapter.load("fitted", embedder)(texts, encoded)
    assert np.allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-3)
    closeness = np.sum(tuned * encoded, axis=1)
    assert (closeness > 0.5).all() and (closeness < 0.99).all()


def test_the_shipped_encoder_runs_the_changes_as_torch_runs_them(embedder):
    texts = [QUESTION, "Staff have manageable caseloads"]
    as_fitted = Embedder(backend="torch").changed(read_changes(FITTED)).encode(texts)
    exported = QueryAdapter.load("fitted", embedder).encoder.encode(texts)  # ONNX int8, from its own cache folder
    plain = embedder.encode(texts)
    assert np.sum(exported * as_fitted, axis=1).min() > 0.98
    assert np.sum(plain * as_fitted, axis=1).max() < 0.98  # the export carries the changes, not the plain model


def test_switched_off_the_question_is_searched_as_encoded(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT})
    off = make_assistant(replace(settings, query_adapter="none"))
    _, plain = off.ask_with_search(QUESTION)
    _, fitted = make_assistant(settings).ask_with_search(QUESTION)
    encoded = off.embedder.encode(off.retriever.question_texts(read_question(QUESTION)))[0]
    assert np.dot(plain.query_vector, encoded) > 0.99
    assert np.dot(fitted.query_vector, encoded) < 0.99


@pytest.mark.parametrize("content", [b"not an archive", "weights", "unpaired", None])
def test_a_file_that_holds_no_encoder_changes_is_named_in_the_error(tmp_path, content):
    path = tmp_path / "adapter.npz"
    pair = (np.zeros((384, 2)), np.zeros((2, 384)))
    if content is None:
        save_changes({"encoder.layer.0.attention.self.query.weight": (np.zeros((384, 2)), np.zeros((3, 384)))}, path)
    elif content == "weights":
        save_changes({"pooler.dense.weight": pair}, path)
    elif content == "unpaired":
        np.savez(path, **{"encoder.layer.0.attention.self.query.weight.up": pair[0]})
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="adapter.npz"):
        read_changes(path)


def test_saved_changes_read_back_as_they_were_fitted(tmp_path):
    path = tmp_path / "adapter.npz"
    up, down = np.full((384, 2), 0.5), np.full((2, 1536), 0.25)
    save_changes({"encoder.layer.3.output.dense.weight": (up, down)}, path)
    changes = read_changes(path)
    assert list(changes.factors) == ["encoder.layer.3.output.dense.weight"]
    assert np.array_equal(changes.factors["encoder.layer.3.output.dense.weight"][1], down)
    assert len(changes.tag) == 12


def test_fitting_puts_the_answering_sentence_first_when_the_words_differ(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT})
    assistant = make_assistant(replace(settings, query_adapter="none"))
    case = Case(QUESTION, "report.txt", "Staff have manageable caseloads", True, "own_words", [])
    examples = collect_examples(assistant, [case])
    assert len(examples) == 2 and all(e.right.sum() == 1 for e in examples)
    assert ranking(examples).sentence_mrr < 1.0  # the encoder alone prefers "Frontline teams"
    changes = fit(examples, anchors=["The library opens late on Thursdays."], config=FitConfig(epochs=20))
    fitted = QueryAdapter(Embedder(backend="torch").changed(WeightChanges(changes)))
    assert ranking(examples, fitted).sentence_mrr == 1.0


def test_the_answer_reads_cosines_as_encoded_while_the_adapter_ranks(indexed_texts, settings, make_assistant):
    indexed_texts({"report.txt": REPORT, "other.txt": "The town's library opens late on Thursdays for families."})
    _, plain = make_assistant(replace(settings, query_adapter="none")).ask_with_search(QUESTION)
    _, tuned = make_assistant(settings).ask_with_search(QUESTION)
    as_encoded = {h.chunk.chunk_id: (h.dense, h.meaning) for h in plain.hits}
    for hit in tuned.hits:
        assert hit.dense == pytest.approx(as_encoded[hit.chunk.chunk_id][0], abs=1e-4)
        assert hit.meaning == pytest.approx(as_encoded[hit.chunk.chunk_id][1], abs=1e-4)
    assert any(h.closeness != pytest.approx(h.meaning, abs=1e-3) for h in tuned.hits)


def test_the_command_line_names_a_missing_adapter_file_in_one_line(settings, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_QUERY_ADAPTER", str(settings.index_dir / "missing.npz"))
    code = main(
        ["ask", "Are caseloads manageable?", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "missing.npz" in err and "ASSISTANT_QUERY_ADAPTER" in err


def test_the_web_app_names_a_missing_adapter_file_in_one_line(settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_QUERY_ADAPTER", str(settings.index_dir / "missing.npz"))
    with pytest.raises(SystemExit) as stopped:
        server.main(["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)])
    assert str(stopped.value).startswith("error: cannot read the query adapter")
    assert "missing.npz" in str(stopped.value) and "ASSISTANT_QUERY_ADAPTER" in str(stopped.value)

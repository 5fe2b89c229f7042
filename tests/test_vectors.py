"""Passage vectors made from their sentences' vectors: one encoding per sentence, nothing encoded twice."""

import numpy as np

from assistant.indexing import vectors
from assistant.indexing.vectors import encode_passages, encode_sentences, vectors_made_by
from assistant.ingest.chunking import encoded_sentences
from assistant.schema import Chunk
from tests.conftest import LETTER, copy_samples

PASSAGE = (
    "Doncaster Council\nChildren's Services\n"
    "Agency staff are too many. Managers rely on agency social workers to cover vacancies in the teams. "
    "Supervision is regular. Caseloads are high."
)


def _chunk(text: str, heading: str = "Staffing") -> Chunk:
    return Chunk("c1", "d1", "letter.txt", 0, 0, len(text), 1, heading, text)


def test_sentence_vectors_are_the_encoded_sentences_in_their_order(embedder):
    passages, sentences = encode_passages(embedder, [(_chunk(PASSAGE), "Inspection of Doncaster")])
    kept = encoded_sentences(PASSAGE)
    assert len(sentences[0]) == len(kept) and "Agency staff are too many." in kept
    alone = embedder.encode(kept)
    assert np.min(np.sum(alone * sentences[0], axis=1)) > 0.99


def test_the_passage_vector_is_the_weighted_mean_and_stays_near_the_passage_read_whole(embedder):
    chunk = _chunk(PASSAGE)
    passages, _ = encode_passages(embedder, [(chunk, "Inspection of Doncaster")])
    assert abs(float(np.linalg.norm(passages[0])) - 1.0) < 1e-5
    whole = embedder.encode(["Inspection of Doncaster — Staffing\n" + PASSAGE])[0]
    unrelated = embedder.encode(["The recipe needs two eggs and a cup of flour."])[0]
    assert float(passages[0] @ whole) > 0.8 > float(passages[0] @ unrelated)


def test_the_context_line_moves_the_passage_vector_by_its_weight(embedder, monkeypatch):
    items = [(_chunk(PASSAGE), "Inspection of Doncaster")]
    title = embedder.encode(["Inspection of Doncaster — Staffing"])[0]
    light = encode_passages(embedder, items)[0][0]
    monkeypatch.setattr(vectors, "CONTEXT_WEIGHT", 6.0)
    heavy = encode_passages(embedder, items)[0][0]
    assert float(heavy @ title) > float(light @ title)


def test_sentences_alone_match_those_encoded_with_their_passage(embedder):
    _, with_passage = encode_passages(embedder, [(_chunk(PASSAGE, heading=""), "")])
    alone = encode_sentences(embedder, [PASSAGE])
    assert alone[0].shape == with_passage[0].shape
    assert np.min(np.sum(alone[0] * with_passage[0], axis=1)) > 0.99


def test_an_index_of_passages_encoded_whole_is_encoded_again_from_sentences(make_assistant, settings):
    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    assistant.store.put_setting("encoder", assistant.embedder.backend)  # as an index made before recorded it

    report = assistant.index()

    assert "passages from sentences" in report.reencoded and report.unchanged == [LETTER]
    assert assistant.store.get_setting("encoder") == vectors_made_by(assistant.embedder.backend)
    assert not assistant.index().reencoded

"""Passages follow the document's structure and point exactly into its text."""

from __future__ import annotations

from conftest import SAMPLES

from assistant.ingest.chunking import chunk_document, sentence_spans
from assistant.ingest.cleaning import clean_text
from assistant.schema import Document


def _doc(text: str, page_starts: list[int] | None = None) -> Document:
    return Document(
        doc_id="d" * 32, source="x.txt", file_name="x.txt", title="", text=text, page_starts=page_starts or [0]
    )


def test_spans_point_into_the_text_and_cover_it_in_order():
    text = clean_text((SAMPLES / "002_1afa487b62b78d22.txt").read_text(encoding="utf-8"))
    chunks = chunk_document(_doc(text), limit=900)
    assert len(chunks) > 5
    for before, chunk in zip(chunks, chunks[1:], strict=False):
        assert before.end <= chunk.start
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert len(chunk.text) <= 900


def test_bullet_items_stay_whole_under_their_heading():
    text = clean_text((SAMPLES / "002_1afa487b62b78d22.txt").read_text(encoding="utf-8"))
    chunks = chunk_document(_doc(text), limit=900)
    item = "- Although social work capacity has been improved, there continues to be a high reliance on agency"
    holder = [c for c in chunks if "high reliance on agency" in c.text]
    assert len(holder) == 1
    assert item in holder[0].text and "This was an area for development at the previous inspection." in holder[0].text
    assert holder[0].heading == "Areas for development"


def test_pages_are_kept():
    text = "Page one text about caseloads.\n\nPage two text about agency staff."
    chunks = chunk_document(_doc(text, page_starts=[0, 32]), limit=900)
    assert [c.page for c in chunks] == [1, 2]


def test_a_paragraph_longer_than_the_limit_is_cut_at_sentence_ends():
    sentence = "Inspectors found that children waited too long for an assessment of their needs. "
    text = (sentence * 30).strip()
    chunks = chunk_document(_doc(text), limit=400)
    assert len(chunks) > 5
    assert all(c.text.endswith("needs.") for c in chunks)


def test_sentences_split_at_ends_and_lines_not_at_titles():
    text = "Mr. Pratt said it was decent. Ofsted disagreed!\n- An item without a full stop\nA last one."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Mr. Pratt said it was decent.",
        "Ofsted disagreed!",
        "An item without a full stop",
        "A last one.",
    ]


def test_a_numbered_paragraph_is_one_sentence_that_starts_at_its_first_word():
    text = "32. Children are seen.\n33. Carers meet their needs. 34. Foster carers are supported. See section 1. Done."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Children are seen.",
        "Carers meet their needs.",
        "Foster carers are supported.",
        "See section 1.",
        "Done.",
    ]

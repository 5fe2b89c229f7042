"""Dense and lexical search within some files, the lexical budget, and indexes made before the file tokens."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import LETTER, copy_samples

from assistant.authorities import without_authorities
from assistant.indexing import store
from assistant.search import retrieval
from assistant.search.question import focus, read_question
from assistant.search.retrieval import Filters

QUESTIONS = ["agency social work staff", "children's services improvement", "Ofsted inspection of safeguarding"]


def _within(hits: list[tuple[str, float]], assistant, sources: list[str]) -> list[str]:
    rows = assistant.store.chunk_rows(cid for cid, _ in hits)
    return [cid for cid, _ in hits if rows[cid].source in sources]


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_within_files_ranks_as_the_whole_index_filtered(sample_assistant, question):
    s = sample_assistant.store
    everything = sorted(s.documents())
    sources = [LETTER, everything[0]]
    vector = sample_assistant.embedder.encode([question])[0]
    match = sample_assistant.retriever.lexical_match(question)

    dense = s.dense_search(vector, 10, sources)
    lexical = s.lexical_search(match, 10, sources)

    assert dense and lexical
    assert [cid for cid, _ in dense] == _within(s.dense_search(vector, 500), sample_assistant, sources)[:10]
    assert [cid for cid, _ in lexical] == _within(s.lexical_search(match, 500), sample_assistant, sources)[:10]


def test_both_ways_of_restricting_agree(sample_assistant, monkeypatch):
    """By id and file token for a few files; by Chroma's filter and filtered rows for many: same results."""
    s = sample_assistant.store
    sources = [LETTER, sorted(s.documents())[0]]
    vector = sample_assistant.embedder.encode(["agency staff"])[0]
    match = sample_assistant.retriever.lexical_match("agency staff caseloads")
    few = s.dense_search(vector, 8, sources), s.lexical_search(match, 8, sources)
    monkeypatch.setattr(store, "ID_SEARCH_MAX", 0)
    monkeypatch.setattr(store, "TOKEN_SEARCH_MAX", 0)
    many = s.dense_search(vector, 8, sources), s.lexical_search(match, 8, sources)
    assert [c for c, _ in few[0]] == [c for c, _ in many[0]]
    assert few[1] == pytest.approx(many[1])


def test_nothing_allowed_finds_nothing(sample_assistant):
    vector = sample_assistant.embedder.encode(["agency staff"])[0]
    assert sample_assistant.store.dense_search(vector, 5, []) == []
    assert sample_assistant.store.lexical_search('"agency"', 5, []) == []
    assert sample_assistant.store.lexical_search('"agency"', 5, ["no such file.txt"]) == []


def test_lexical_budget_keeps_the_rarest_words(sample_assistant, monkeypatch):
    retriever = sample_assistant.retriever
    question = "children caseloads"
    frequency = sample_assistant.store.document_frequency(["children", "caseload"])
    assert frequency["children"] > frequency["caseload"] > 0
    assert '"children"' in retriever.lexical_match(question)
    monkeypatch.setattr(retrieval, "LEXICAL_BUDGET", frequency["caseload"])
    pruned = retriever.lexical_match(question)
    assert '"caseloads"' in pruned and '"children"' not in pruned
    monkeypatch.setattr(retrieval, "LEXICAL_BUDGET", 0)
    assert retriever.lexical_match(question) == '"caseloads"'  # the rarest word is always kept


def test_an_index_made_before_file_tokens_gains_them_without_reembedding(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    first = make_assistant(settings)
    first.index()
    vectors = first.store.counts()[2]
    db = sqlite3.connect(settings.db_path)
    with db:
        db.execute("DROP TABLE chunks_fts")
        db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(body, tokenize='porter unicode61')")
        db.execute("INSERT INTO chunks_fts (rowid, body) SELECT rid, heading || char(10) || text FROM chunks")
    db.close()

    reopened = make_assistant(settings)
    answer = reopened.ask("What did Ofsted say about agency staff in Doncaster?")

    report = reopened.index()
    assert len(report.unchanged) == 5 and not report.added and report.chunks_written == 0
    assert reopened.store.counts()[2] == vectors
    assert not answer.no_answer and answer.citations[0].source == LETTER
    hits = reopened.store.lexical_search('"agency"', 5, [LETTER])
    assert hits and all(reopened.store.chunk_rows([c])[c].source == LETTER for c, _ in hits)


def test_a_question_naming_an_authority_searches_only_its_documents(sample_assistant):
    search = sample_assistant.retriever.search("agency staff in Darlington", Filters())
    assert search.hits
    assert all("Darlington" in hit.meta.get("authorities", []) for hit in search.hits)


def test_a_letters_address_block_does_not_count_as_an_answering_sentence(sample_assistant):
    from assistant.ingest.chunking import content_sentences

    opening = "16 February 2012\n\nMr Chris Pratt\nDirector of Children's Services\nDoncaster Council\n\nDear Mr Pratt"
    assert content_sentences(f"{opening}\n\nThe inspection found that Doncaster relies on agency staff.") == [
        "The inspection found that Doncaster relies on agency staff."
    ]
    search = sample_assistant.retriever.search("What rating did Chris Pratt say Doncaster got in the March inspection?")
    assert "we were judged to be adequate" in search.hits[0].chunk.text.replace("’", "'")


def test_words_that_name_the_letter_do_not_make_its_opening_the_answer(sample_assistant):
    """The date, addressee and publisher name the letter; the passage that answers holds the other words."""
    meta = sample_assistant.retriever.metas()[LETTER]
    assert {"februari", "2012", "doncast", "ofst", "letter"} <= retrieval.document_context(meta)
    search = sample_assistant.retriever.search("Who was copied in on Ofsted's February 2012 letter to Chris Pratt?")
    assert "Copy: Jo Miller" in search.hits[0].chunk.text


def test_an_authority_an_article_mentions_in_passing_is_found_in_its_own_passage(sample_assistant):
    """The article is mainly about Darlington; a Wiltshire question wants the passage that names Wiltshire."""
    search = sample_assistant.retriever.search("What rating did Wiltshire get from Ofsted?")
    assert search.hits[0].meta["authorities"] == ["Darlington", "Wiltshire"]
    assert "Wiltshire rated them" in search.hits[0].chunk.text


def test_an_authority_is_left_out_of_the_words_sought_in_any_of_its_forms():
    question = "Is Devon County Council's plan, and DMBC's, working according to the 2023 report?"
    topic = without_authorities(focus(question), ["Devon", "Doncaster"])
    assert "Devon" not in topic and "County" not in topic and "DMBC" not in topic and "Council" not in topic
    assert "plan" in topic and "working" in topic and "according" not in topic and "2023" not in topic


def test_a_word_counts_in_a_sentence_that_holds_another_form_of_it():
    weights = retrieval.TermWeights({"judg": 1.0, "reli": 1.0}, {}, {})
    assert weights.share("We are disappointed by the judgement and the high reliance on agency staff.") == 1.0
    assert weights.share("The judge relied on the report.") == 1.0
    assert retrieval.TermWeights({"age": 1.0}, {}, {}).share("Agency staff were used.") == 0.0  # too short to stretch


def test_a_name_few_documents_hold_points_at_them(sample_assistant):
    """Mumford is quoted in the Devon article only; the passage that answers does not repeat his name."""
    question = read_question("Who did Mumford cite when grumbling about how Ofsted goes about its work?")
    assert question.names == ("Mumford",)
    assert read_question("What did Ofsted say in March about Devon County Council?").names == ()
    hits = sample_assistant.retriever.search(question).hits
    assert any("Eileen Munro criticised" in hit.chunk.text for hit in hits[:5])
    assert hits[0].chunk.source == "004_16692f82aae21db8.txt"


def test_a_passage_a_ranked_list_leaves_out_counts_as_ranked_after_its_last(sample_assistant):
    """Within one document, a passage first by meaning and by sentence beats one that a short lexical list holds
    alone (matching a common word) but that comes second on the others."""
    retriever = sample_assistant.retriever
    first, second = sorted(retriever.store.chunk_ids(["003_d0d0323c70696d8b.txt"]))[:2]
    hits = retriever._fuse([[(first, 0.4), (second, 0.3)], [(second, 1.0)], [(first, 0.5), (second, 0.4)]], {})
    assert [h.chunk.chunk_id for h in hits] == [first, second]

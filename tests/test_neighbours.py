"""The index's words closest in meaning to a question's words, with the real encoder over a real index."""

from __future__ import annotations

from assistant.search.neighbours import Neighbours

TEENAGERS = {
    "a.txt": "Teenagers leaving care were seen quickly by their personal advisers.\n\nThe council's budget rose.",
    "b.txt": "Most teenagers have a pathway plan. Visits to them happened quickly after referral.",
}


def test_a_question_word_finds_the_index_words_close_to_it_and_not_its_own_forms(indexed_texts):
    assistant = indexed_texts(TEENAGERS)
    near = assistant.retriever.neighbours.of("Were youngsters visited promptly?")
    assert "teenagers" in near["youngsters"] and "quickly" in near["promptly"]
    assert not any(word.startswith("visit") for word in near.get("visited", set()))
    assert assistant.retriever.neighbours.of("the budget of the") == {}  # no word of the index is that close


def test_the_words_come_in_the_lexical_search_but_not_in_the_words_that_decide(indexed_texts):
    assistant = indexed_texts(TEENAGERS)
    retriever = assistant.retriever
    related = retriever.neighbours.of("youngsters")
    assert '"teenagers"' in retriever.lexical_match("youngsters", related)
    search = retriever.search("How many youngsters have a pathway plan?")
    assert "teenag" not in {x for group in search.weights.alternatives.values() for x in group}


def test_a_word_of_a_removed_report_is_no_longer_a_neighbour(indexed_texts, settings):
    assistant = indexed_texts(TEENAGERS)
    assert "teenagers" in assistant.retriever.neighbours.of("youngsters")["youngsters"]
    (settings.corpus_dir / "b.txt").unlink()
    assistant.index()
    assert "teenagers" not in assistant.retriever.neighbours.of("youngsters").get("youngsters", set())


def test_an_index_made_before_the_word_list_lists_its_words_and_encodes_them_on_first_use(
    indexed_texts, settings, make_assistant
):
    assistant = indexed_texts(TEENAGERS)
    store = assistant.store
    with store.transaction() as db:
        db.execute("DELETE FROM words")
        db.execute("DELETE FROM settings WHERE key='words_listed'")
    assistant.close()
    reopened = make_assistant(settings)
    assert reopened.store.words_without_vectors()  # listed from the stored passages, not yet encoded
    near = Neighbours(reopened.store, reopened.embedder).of("youngsters")
    assert "teenagers" in near["youngsters"] and not reopened.store.words_without_vectors()


def test_only_a_word_the_index_uses_more_often_stands_in_for_a_question_word(indexed_texts):
    texts = {f"{n}.txt": "The kids were seen by a social worker." for n in "abc"}
    texts |= {"d.txt": "Children were seen.", "e.txt": "Most children have a plan."}
    neighbours = indexed_texts(texts).retriever.neighbours
    assert "kids" in neighbours.of("children").get("children", set())  # in three passages, "children" in two
    assert "children" not in neighbours.of("kids").get("kids", set())

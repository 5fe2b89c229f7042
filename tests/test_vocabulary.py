"""The field's words: what people ask with, found in a question, and the reports' usual words encoded with it."""

from __future__ import annotations

from assistant.search.vocabulary import synonyms_of

FINDINGS = (
    "Ofsted letter to Northshire Council, 3 March 2014.\n\n"
    "- Partner agencies understand the thresholds for children's social care services.\n"
    "- Frontline teams in the council work well together and with partners.\n"
    "- Staff have manageable caseloads and confirmed to inspectors that they have sufficient time.\n"
    "- The emergency duty team provides an adequate service at night and at weekends.\n"
    "- Children and their parents are routinely consulted during assessments.\n"
    "- Agency staff are suitably qualified and experienced in safeguarding.\n"
)


def test_phrases_said_with_small_words_or_hyphens_are_known():
    assert "out of hours" in synonyms_of("How good was the out-of-hours cover?")
    assert "out of hours" in synonyms_of("Was there cover out of hours?")
    assert {"mums", "dads"} <= set(synonyms_of("Do mums and dads get told on paper?"))
    assert "custody" in synonyms_of("What help do care leavers behind bars get?")["behind bars"]
    assert "agency" in synonyms_of("Does Leeds rely on temps?")["temps"]
    assert synonyms_of("Did the budget fall?") == {}


def test_what_people_call_ofsted_and_its_visit_frames_a_question_and_everyday_words_find_the_reports(
    indexed_texts,
):
    """ "The watchdog" is Ofsted, and "when the watchdog dropped by in 2012" dates a question without saying what
    it asks; "snowed under" and "rubbish" are said of caseloads and services the reports call high and poor."""
    from assistant.search.question import focus, read_question

    assert focus("What did the watchdog say about agency staff?") == "agency staff?"
    question = read_question("Were Northshire's frontline people snowed under when the watchdog dropped by in 2014?")
    assert "watchdog" not in question.topic and question.years == {"2014"}
    assert "caseloads" in indexed_texts({"northshire.txt": FINDINGS}).retriever.usual_words(question.words)
    assert "poor" in synonyms_of("Was the service rubbish?")["rubbish"]
    assert "challenge" in synonyms_of("Will the council fight the verdict?")["fight"]
    assert {"conferences", "postponed"} <= set().union(*synonyms_of("How many case meetings got put off?").values())
    assert "unallocated" in synonyms_of("Were there kids with nobody assigned to them?")["assigned"]
    assert "criticism" in synonyms_of("What was Ofsted's chief gripe?")["gripe"]
    assert "informed" in synonyms_of("Do people who flag worries hear back?")["hear back"]
    assert "ai" in synonyms_of("Is the council trying out artificial intelligence?")["artificial intelligence"]
    assert "emergency" in synonyms_of("How good was the out-of-hours cover?")["out of hours"]


def test_a_word_the_reports_use_for_something_else_is_sought_for_no_other():
    """People say "temporary" social workers; the reports' "temporary" is accommodation, not "agency" staff."""
    assert "agency" in synonyms_of("Are temporary social workers used?")["temporary"]
    assert "temporary" not in synonyms_of("What about agency staff?")["agency"]


def test_the_reports_usual_words_for_a_question_in_its_own(indexed_texts):
    retriever = indexed_texts({"northshire.txt": FINDINGS}).retriever
    assert "caseloads" in retriever.usual_words("were the teams swamped")
    assert "agency" in retriever.usual_words("do they rely on temps")
    assert "agency" not in retriever.usual_words("agency temps")  # said already
    assert retriever.usual_words("the budget") == ""


def test_a_question_in_its_own_words_quotes_the_finding(indexed_texts):
    """The encoder alone finds the letter's opening closest to "temps" and "mums and dads"."""
    assistant = indexed_texts({"northshire.txt": FINDINGS})
    first = [
        assistant.ask(q).citations[0].quote
        for q in ("Are Northshire's temps properly trained?", "Are mums and dads in Northshire asked for their views?")
    ]
    assert first[0].startswith("Agency staff are suitably qualified")
    assert first[1].startswith("Children and their parents are routinely consulted")

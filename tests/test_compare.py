"""Two reports of one authority side by side: judgements paired and cited, findings quoted from both reports."""

from __future__ import annotations

import html
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.answer.findings import kind_of, list_spans
from assistant.cli import main

HEAD = (
    "Inspection of Sandwell local authority children's services Inspection dates: {dates} "
    "Lead inspector: Jane Smith, His Majesty's Inspector Judgement Grade The impact of leaders on social work "
    "practice with children and families {leaders} The experiences and progress of children who need help and "
    "protection {protection} The experiences and progress of children in care {care} Overall effectiveness "
    "{overall}\n\n"
)
EARLIER = HEAD.format(
    dates="10 January to 21 January 2022",
    leaders="Inadequate",
    protection="Requires improvement to be good",
    care="Good",
    overall="Requires improvement to be good",
) + (
    "What needs to improve?\n"
    "- The quality and impact of supervision and management oversight.\n"
    "- The timeliness of initial health assessments for children in care.\n\n"
    "1. Social workers' caseloads are too high, and many social workers cannot visit children as often as "
    "they need.\n\n"
    "2. Supervision of social workers is infrequent and does not challenge drift in children's plans.\n\n"
    "3. Foster carers are well supported and children live in stable homes with carers who know them well.\n\n"
    "4. Initial health assessments for children entering care are not completed on time.\n"
)
LATER = HEAD.format(
    dates="13 January to 24 January 2025",
    leaders="Good",
    protection="Good",
    care="Good",
    overall="Good",
) + (
    "What needs to improve?\n"
    "- The response to children who go missing from home and return home interviews.\n\n"
    "1. Caseloads of social workers remain too high, and social workers cannot visit some children as often "
    "as they need.\n\n"
    "2. Supervision of social workers has improved and is now regular, and it now challenges drift in "
    "children's plans.\n\n"
    "3. Foster carers are well supported and children live in stable homes with carers who know them well.\n\n"
    "4. Return home interviews for children who go missing are not offered to every child, and risks are missed.\n"
)
ONLY = HEAD.replace("Sandwell", "Slough").format(
    dates="1 March to 5 March 2024", leaders="Good", protection="Good", care="Good", overall="Good"
) + ("Children are helped well. The timeliness of assessments has improved since the last inspection.\n")


def write(corpus: Path, folder: str, name: str, text: str) -> None:
    (corpus / folder).mkdir(exist_ok=True)
    (corpus / folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def two_reports(settings, make_assistant):
    write(settings.corpus_dir, "sandwell", "children's services inspection - 04 march 2022.txt", EARLIER)
    write(settings.corpus_dir, "sandwell", "children's services inspection - 07 march 2025.txt", LATER)
    write(settings.corpus_dir, "slough", "children's services inspection - 12 april 2024.txt", ONLY)
    assistant = make_assistant(settings)
    assert assistant.index().ok
    return assistant


def _finding(comparison, status: str, word: str):
    return next((f for f in comparison.findings if f.status == status and word in f.quotes[0].quote), None)


def test_the_latest_two_reports_are_compared_judgement_by_judgement(two_reports):
    comparison = two_reports.compare("Sandwell")
    assert comparison.before.date == "2022-03-04" and comparison.after.date == "2025-03-07"
    grades = {j.name: (j.before, j.after) for j in comparison.judgements}
    assert grades["Overall effectiveness"] == ("Requires improvement to be good", "Good")
    assert grades["The impact of leaders on social work practice with children and families"] == ("Inadequate", "Good")
    for change in comparison.judgements:
        assert [q.source for q in change.citations] == [comparison.before.source, comparison.after.source]
        assert change.after.lower() in change.citations[1].quote.lower()


def test_findings_quote_both_reports_in_their_own_words(two_reports):
    comparison = two_reports.compare("Sandwell")
    persisting = _finding(comparison, "persisting", "caseloads are too high")
    improved = _finding(comparison, "improved", "Supervision of social workers is infrequent")
    new = _finding(comparison, "new", "missing")
    recommendation = _finding(comparison, "recommendation", "initial health assessments")
    assert persisting and "remain too high" in persisting.quotes[1].quote
    assert improved and "has improved" in improved.quotes[1].quote
    assert new and len(new.quotes) == 1 and new.quotes[0].source == comparison.after.source
    assert recommendation is not None
    for finding in comparison.findings:
        for quote in finding.quotes:
            text = two_reports.store.document(quote.source).text
            assert text[quote.start : quote.end] == quote.quote  # every quote is the report's words, where it says
        quoted = {w.lower() for q in finding.quotes for w in re.findall(r"[\w'’-]+", q.quote)}
        assert set(finding.text.lower().split(", ")) <= quoted  # the topic line is the quotes' own words


def test_an_authority_with_one_report_is_told_so(two_reports):
    comparison = two_reports.compare("Slough")
    assert comparison.before is None and "Only one" in comparison.notes[0]
    answer = two_reports.ask("Has Slough improved since the last inspection?")
    # Nothing to set beside it, so what the report says itself is searched for.
    assert answer.text.startswith("Only one Ofsted report of Slough is indexed")
    assert "improved since the last inspection" in answer.citations[0].quote


def test_a_year_asked_of_the_newest_report_compares_it_with_the_one_before():
    """ "Improved since the previous inspection (2025)": 2025 names the newer report, never both sides."""
    from assistant.answer.compare import choose

    reports = [("a.txt", {"publication_date": "2022-03-04"}), ("b.txt", {"publication_date": "2025-03-07"})]
    older, newer = choose(reports, "2025", None)
    assert (older[0], newer[0]) == ("a.txt", "b.txt")
    assert choose(reports[1:], "2025", None) == (None, reports[1])


def test_a_question_about_the_latest_report_is_answered_from_it_not_compared(two_reports):
    answer = two_reports.ask("What does the latest report say about supervision of social workers in Sandwell?")
    assert "beside" not in answer.text and answer.citations
    assert {c.source for c in answer.citations} == {"sandwell/children's services inspection - 07 march 2025.txt"}
    assert "Supervision of social workers has improved" in answer.citations[0].quote


def test_a_what_changed_question_is_answered_with_cited_quotes_of_both_reports(two_reports):
    answer = two_reports.ask("What changed between Sandwell's 2022 and 2025 inspections?")
    assert not answer.no_answer and "beside" in answer.text.splitlines()[0]
    sources = {c.source for c in answer.citations}
    assert len(sources) == 2
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    judged = two_reports.ask("How has Sandwell's overall judgement changed since 2015?")
    assert judged.table is not None  # a question about a judgement stays with the facts table


def test_a_visit_without_grades_is_compared_and_said_to_have_none(two_reports, settings):
    visit = (
        "7 May 2025\n\nDear Ms Brown Focused visit to Sandwell children's services This letter summarises the "
        "findings of the focused visit to Sandwell children's services on 1 April 2025.\n\n"
        "Caseloads of social workers are still too high, so some children are not visited as often as they need.\n"
    )
    write(settings.corpus_dir, "sandwell", "children's services focused visit - 07 may 2025.txt", visit)
    report = two_reports.index()
    comparison = two_reports.compare("Sandwell", after="2025-05-07", before="2025-03-07")
    assert comparison.after.doc_type == "focused visit" and comparison.judgements == []
    assert any("carries no grades" in note for note in comparison.notes)
    offered = two_reports.newest_comparisons(report)
    assert [c.after.source for c in offered] == [comparison.after.source]


def test_compare_command_prints_one_json_object(two_reports, settings):
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(
            [
                "-q",
                "compare",
                "Sandwell",
                "--from",
                "2022",
                "--to",
                "2025",
                "--json",
                "--corpus",
                str(settings.corpus_dir),
                "--index",
                str(settings.index_dir),
            ]
        )
    data = json.loads(out.getvalue())
    assert code == 0 and data["authority"] == "Sandwell"
    assert data["before"]["source"].startswith("sandwell/") and data["after"]["date"] == "2025-03-07"
    assert {"name", "before", "after", "citations"} <= set(data["judgements"][0])
    assert {"status", "text", "quotes"} <= set(data["findings"][0])
    assert {"source", "quote", "page"} <= set(data["findings"][0]["quotes"][0])


def test_list_items_and_polarity_are_read_from_the_text():
    text = "What needs to improve?\n- The quality of plans.\n- Supervision.\n1. Children are safe.\n"
    spans = list_spans(text)
    assert [text[s:e] for s, e in spans] == ["- The quality of plans.", "- Supervision."]
    assert kind_of("Plans are not always effective.", False) == "weakness"
    assert kind_of("Robust scrutiny ensures that any gaps are thoroughly explored.", False) == "strength"


def test_compare_view_shows_both_reports_quotes_and_opens_a_document_at_one(two_reports):
    from assistant.web.background import BackgroundIndexer
    from assistant.web.handlers import ChatHandlers
    from assistant.web.page import build_page

    handlers = ChatHandlers(two_reports, BackgroundIndexer(two_reports))
    before, after, view = handlers.report_choices("Sandwell")
    assert before["value"].endswith("04 march 2022.txt") and after["value"].endswith("07 march 2025.txt")
    assert "Social workers&#x27; caseloads are too high" in view and "remain too high" in view  # escaped quotes
    swapped = handlers.compare("Sandwell", after["value"], before["value"])  # chosen the wrong way round
    assert swapped.index("Earlier: ILACS 4 March 2022") < swapped.index("Newer: ILACS 7 March 2025")
    comparison = two_reports.compare("Sandwell")
    quote = comparison.findings[0].quotes[-1]
    event = SimpleNamespace(_data={"source": quote.source, "start": str(quote.start), "end": str(quote.end)})
    document = handlers.open_quote(event)
    assert f'<mark id="doc-highlight">{html.escape(quote.quote)}</mark>' in document
    assert build_page(handlers) is not None


def test_a_new_report_indexed_in_the_background_is_offered_compared(settings, make_assistant):
    from assistant.web.background import BackgroundIndexer
    from assistant.web.handlers import ChatHandlers

    write(settings.corpus_dir, "sandwell", "children's services inspection - 04 march 2022.txt", EARLIER)
    assistant = make_assistant(settings)
    indexing = BackgroundIndexer(assistant)
    handlers = ChatHandlers(assistant, indexing)
    indexing.wait(indexing.request(), timeout=300)
    offer, _, seen = handlers.poll_offers(-1)
    assert offer == ""  # one report: nothing to compare yet
    write(settings.corpus_dir, "sandwell", "children's services inspection - 07 march 2025.txt", LATER)
    indexing.wait(indexing.request(), timeout=300)
    offer, _, _ = handlers.poll_offers(seen)
    assert "Sandwell" in offer and "ILACS of 7 March 2025 beside ILACS of 4 March 2022" in offer

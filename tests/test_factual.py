"""Questions only the reports' facts answer: every matching report is in the table, each row cited."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_pdf
from test_facts import ILACS, ILACS_2026, SIF

DONCASTER_2018 = (
    SIF.replace("14 September – 8 October 2015", "9 - 24 November 2017")
    .replace("27 November 2015", "19 January 2018")
    .replace("Children's services in Doncaster are inadequate", "Children's services in Doncaster are good")
)
DONCASTER_2011 = (
    SIF.replace("14 September – 8 October 2015", "7 - 18 February 2011")
    .replace("27 November 2015", "11 March 2011")
    .replace("Children's services in Doncaster are inadequate", "Children's services in Doncaster are adequate")
)


def write_report(corpus: Path, folder: str, name: str, text: str) -> None:
    """A report as Ofsted's site names it, in its authority's folder, as a real PDF."""
    (corpus / folder).mkdir(exist_ok=True)
    (corpus / folder / name).write_bytes(make_pdf([text.replace("–", "-").replace("’", "'")]))


@pytest.fixture
def reports(settings, make_assistant):
    for folder, name, text in (
        ("dorset", "children's services inspection - 09 may 2025.pdf", ILACS),
        ("trafford", "children's services inspection - 07 july 2026.pdf", ILACS_2026),
        ("doncaster", "children's services inspection - 27 november 2015.pdf", SIF),
    ):
        write_report(settings.corpus_dir, folder, name, text)
    assistant = make_assistant(settings)
    assert assistant.index().ok
    return assistant


def test_a_judgement_is_answered_from_the_report_and_cites_where_it_stands(reports):
    answer = reports.ask("What judgement did Dorset get in March 2025?")
    assert not answer.no_answer and len(answer.citations) == 1
    assert "| Dorset | ILACS |" in answer.text and "Outstanding" in answer.text
    citation = answer.citations[0]
    text = reports.store.document(citation.source).text
    assert text[citation.quote_start : citation.quote_end] == citation.quote and "Outstanding" in citation.quote


def test_the_grade_of_an_area_asked_for_is_its_own_judgement_not_the_overall_one(reports):
    """Doncaster's 2015 report: inadequate overall, care leavers 'requires improvement', adoption good."""
    answer = reports.ask("What grade did Doncaster get for the experiences and progress of care leavers in 2015?")
    assert answer.table is not None and answer.table.columns[-1] == "Judgement: care leavers"
    assert answer.table.rows[0][-1] == "Requires improvement" and "care leavers" in answer.citations[0].quote
    assert reports.ask("How was Doncaster's adoption performance rated in 2015?").table.rows[0][-1] == "Good"
    assert reports.ask("How was Doncaster rated overall in 2015?").table.rows[0][-1] == "Inadequate"


def test_who_led_an_inspection(reports):
    answer = reports.ask("Who led the 2015 Doncaster inspection?")
    assert "Neil Penswick" in answer.text and "Neil Penswick" in answer.citations[0].quote


def test_across_reports_every_match_is_listed_and_none_invented(reports):
    inadequate = reports.ask("Which authorities were judged inadequate?")
    assert "Doncaster" in inadequate.text and "Dorset" not in inadequate.text
    assert "Trafford" not in inadequate.text  # its 2026 report has no overall grade: none is made up
    assert reports.ask("Which councils were inadequate?").table is not None  # a grade asked of all is a fact
    every = reports.ask("Which authorities were rated since 2015?")
    assert every.text.count("[") == 2 and every.text.index("Doncaster") < every.text.index("Dorset")


def test_other_questions_still_go_to_the_passages(reports):
    answer = reports.ask("What did Ofsted say about care leavers in Dorset?")
    assert "| Authority |" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Compare Dorset and Doncaster",
        "Dorset vs Doncaster",
        "How are Dorset and Doncaster doing?",
        "What did Ofsted say about Dorset and Doncaster?",
    ],
)
def test_asked_about_authorities_as_a_whole_their_judgements_answer(reports, question):
    answer = reports.ask(question)
    assert not answer.no_answer and answer.table is not None
    assert "| Dorset | ILACS |" in answer.text and "| Doncaster | SIF |" in answer.text
    about = reports.ask("Tell me about Doncaster")
    assert about.table is not None and "| Doncaster | SIF |" in about.text and "Dorset" not in about.text


def test_a_rating_of_schools_homes_or_hospitals_is_no_question_for_the_authority_s_judgements(reports):
    for question in (
        "How are Doncaster's primary schools rated?",
        "How many children's homes in Dorset are rated good?",
    ):
        assert reports.ask(question).table is None
    assert reports.ask("How was Doncaster rated?").table is not None


def test_a_request_s_verb_is_neither_a_name_nor_what_is_asked_about(reports):
    answer = reports.ask("Compare Dorset and Doncaster on how leaders act on what they learn")
    assert answer.table is None and "do not mention" not in answer.text
    assert not any("compar" in c.quote.lower() for c in answer.citations)


def test_when_an_authority_was_inspected_is_answered_from_every_report_each_quoting_its_dates(reports, settings):
    write_report(
        settings.corpus_dir, "doncaster", "children's services inspection - 19 january 2018.pdf", DONCASTER_2018
    )
    reports.index()
    every = reports.ask("When did Ofsted inspect Doncaster?")
    assert every.table is not None and every.table.columns[-1] == "Published"
    assert [row[2] for row in every.table.rows] == [
        "14 September 2015 to 8 October 2015",
        "9 November 2017 to 24 November 2017",
    ]
    assert [c.quote for c in every.citations] == [
        "Inspection date: 14 September - 8 October 2015",
        "Inspection date: 9 - 24 November 2017",
    ]
    last = reports.ask("When was Doncaster last inspected?")
    assert [row[3] for row in last.table.rows] == ["19 January 2018"]
    published = reports.ask("When was Doncaster's latest report published?")
    assert published.table is not None and [row[3] for row in published.table.rows] == ["19 January 2018"]
    plan = reports.ask("When was Doncaster's improvement plan published?")
    assert plan.table is None  # a plan the report speaks of is a question for the passages
    about = reports.ask("When did inspectors find that Doncaster's caseloads were too high?")
    assert about.table is None  # a question about a finding is one for the passages


def test_the_current_or_latest_fact_is_each_authority_s_newest(reports, settings):
    write_report(
        settings.corpus_dir, "doncaster", "children's services inspection - 19 january 2018.pdf", DONCASTER_2018
    )
    reports.index()
    current = reports.ask("What is Doncaster's current Ofsted rating?")
    assert [row[3] for row in current.table.rows] == ["Good"]
    outcome = reports.ask("What was the outcome of Doncaster's most recent inspection?")
    assert [row[3] for row in outcome.table.rows] == ["Good"]
    every = reports.ask("Which authorities were judged inadequate?")
    assert [row[0] for row in every.table.rows] == ["Doncaster"]  # in 2015: asked of all time, it counts
    now = reports.ask("Which authorities are outstanding now?")
    assert [row[0] for row in now.table.rows] == ["Dorset"]
    asked = reports.ask("Is Doncaster still inadequate?")  # a grade asked of one authority: its judgements
    assert [row[3] for row in asked.table.rows] == ["Good"]


def test_with_no_date_asked_the_latest_report_comes_first_and_earlier_ones_are_named(reports, settings):
    write_report(
        settings.corpus_dir, "doncaster", "children's services inspection - 19 january 2018.pdf", DONCASTER_2018
    )
    reports.index()
    answer = reports.ask("What did Ofsted say about help and protection in Doncaster?")
    assert answer.text.startswith(
        "The latest Ofsted report on Doncaster in the index is of 19 January 2018; "
        "1 earlier one (27 November 2015) also indexed."
    )
    assert answer.citations[0].date == "2018-01-19"


def test_a_judgement_over_time_carries_a_timeline_of_its_rows(reports, settings):
    write_report(
        settings.corpus_dir, "doncaster", "children's services inspection - 19 january 2018.pdf", DONCASTER_2018
    )
    reports.index()
    answer = reports.ask("How has Doncaster's overall judgement changed since 2015?")
    assert [(p.date, p.grade, p.authority, p.n, p.level) for p in answer.timeline] == [
        ("2015-11-27", "Inadequate", "Doncaster", 1, 1),
        ("2018-01-19", "Good", "Doncaster", 2, 3),
    ]
    assert [c.date for c in answer.citations] == [p.date for p in answer.timeline]  # each point is its row's
    assert answer.to_json()["timeline"][1] == {
        "date": "2018-01-19",
        "grade": "Good",
        "authority": "Doncaster",
        "n": 2,
        "level": 3,
    }


def test_one_report_or_lead_inspectors_make_no_timeline(reports, settings):
    single = reports.ask("What judgement did Dorset get in March 2025?")
    assert single.timeline == [] and "timeline" not in single.to_json()
    write_report(
        settings.corpus_dir, "doncaster", "children's services inspection - 19 january 2018.pdf", DONCASTER_2018
    )
    reports.index()
    leads = reports.ask("Who led the Doncaster inspections?")
    assert leads.text.count("Neil Penswick") == 2 and leads.timeline == []


def test_a_grade_off_the_four_point_scale_is_a_point_without_a_level(reports, settings):
    name = "children's services inspection - 11 march 2011.pdf"
    write_report(settings.corpus_dir, "doncaster", name, DONCASTER_2011)
    # The text's 'adequate' is no grade the extractor knows; the catalogue gives it, as Ofsted graded in 2011.
    (settings.corpus_dir / "catalogue.csv").write_text(f"file,overall_effectiveness\ndoncaster/{name},adequate\n")
    reports.index()
    answer = reports.ask("How has Doncaster's overall judgement changed?")
    assert "| Adequate | [1] |" in answer.text and "| Inadequate | [2] |" in answer.text
    assert [(p.grade, p.level) for p in answer.timeline] == [("Adequate", None), ("Inadequate", 1)]


BRADFORD_2023 = (
    "Inspection of Bradford local authority children's services Inspection dates: 28 November to 9 December 2022 "
    "Lead inspector: Nick Stacey, His Majesty's Inspector Judgement Grade Overall effectiveness Inadequate\n\n"
    "There are widespread and serious failures in the services provided to children in Bradford. High staff "
    "turnover means that too many children experience multiple changes of social worker. Managers do not "
    "oversee the work of newly qualified social workers closely enough."
)
BRADFORD_NEWS = (
    "Bradford children's services rated inadequate for second time\n\nBy a BBC reporter\n\n"
    "Published 1 March 2023\n\nChildren in Bradford have been left at risk of harm due to serious failures, "
    "inspectors have said. High staff turnover meant too many children experienced multiple changes of social "
    "worker, Ofsted said. Senior leaders told the BBC they accepted the findings."
)


def test_the_report_is_preferred_to_the_article_about_it_for_what_ofsted_said(settings, make_assistant):
    name = "children's services inspection - 28 february 2023.pdf"
    write_report(settings.corpus_dir, "bradford", name, BRADFORD_2023)
    (settings.corpus_dir / "news_bradford_2023_bbc.txt").write_text(BRADFORD_NEWS, encoding="utf-8")
    assistant = make_assistant(settings)
    assert assistant.index().ok

    answer = assistant.ask("What did Ofsted say about staff turnover in Bradford?")

    assert not answer.no_answer
    first = answer.citations[0]
    assert first.source_type == "ofsted" and first.source.startswith("bradford/")
    assert "High staff turnover means that too many children" in first.quote
    assert answer.text.startswith("Ofsted's")
    news = [c for c in answer.citations if c.source_type == "news"]
    assert all(c.n > first.n for c in news)
    assert not news or "(a newspaper's account)" in answer.text

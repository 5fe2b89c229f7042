"""The facts of a report are read from its own text; a catalogue's differences are reported, not hidden."""

from __future__ import annotations

import json

from conftest import make_pdf

from assistant.config import Settings
from assistant.indexing.indexer import effective_meta, parse_file
from assistant.ingest.facts import check, differences, extract_facts, merge_grades
from assistant.ingest.metadata import read_catalogue

ILACS = (
    "Inspection of Dorset local authority children's services Inspection dates: 17 March to 21 March 2025 "
    "Lead inspector: Sarah Canto, His Majesty's Inspector Judgement Grade The impact of leaders on social work "
    "practice with children and families Outstanding The experiences and progress of children who need help and "
    "protection Outstanding The experiences and progress of children in care Outstanding The experiences and "
    "progress of care leavers Requires Improvement to be good Overall effectiveness Outstanding\n\n"
    "Children in Dorset receive exceptional services. The experiences of children are Good when they are seen."
)
ILACS_2026 = (
    "Inspection of Trafford local authority children's services Inspection dates: 8 June 2026 to 19 June 2026 "
    "Lead inspector: Leanne Cooper, His Majesty's Inspector Judgement Grade The impact of leaders on practice with "
    "children and families Inadequate The experiences and progress of children who need help and protection "
    "Inadequate The experiences and progress of children in care Good The experiences and progress of care "
    "leavers Requires improvement to be good\n\nSince the previous inspection in 2022, services were judged Good."
)
SIF = (
    "Doncaster Metropolitan Borough Council Inspection of services for children in need of help and protection, "
    "children looked after and care leavers and Review of the effectiveness of the local safeguarding children "
    "board1 Inspection date: 14 September – 8 October 2015 Report published: 27 November 2015\n\n"
    "Children's services in Doncaster are inadequate\n"
    "1. Children who need help and protection Inadequate\n"
    "2. Children looked after and achieving permanence Requires Improvement\n\n"
    "2.1 Adoption performance Good 2.2 Experiences and progress of care leavers Requires improvement\n"
    "3. Leadership, management and governance Requires improvement\n\n"
    "The effectiveness of the Local Safeguarding Children Board (LSCB) is good\n\n"
    "Lead inspector: Neil Penswick Deputy lead inspector: Lorna Schlechte"
)
FOCUSED_VISIT = (
    "26 July 2024\n\nRiana Nelson Executive Director of Children, Young People and Families The Civic Office "
    "Waterdale Doncaster DN1 3BU\n\nDear Ms Nelson Focused visit to City of Doncaster Council children's services "
    "This letter summarises the findings of the focused visit to City of Doncaster Council children's services on "
    "26 and 27 June 2024. His Majesty's Inspectors for this visit were Catherine Heron and John Roughton.\n"
    "Ofsted will take the findings from this focused visit into account.\nYours sincerely\n\n"
    "Catherine Heron His Majesty's Inspector"
)
JTAI = (
    "13 March 2025\n\nRichard Baldwin, Director of Children's Services, Bromley Council\n\n"
    "Dear Bromley Local Safeguarding Partnership Joint targeted area inspection of Bromley This letter summarises "
    "the findings of the joint targeted area inspection (JTAI) of the multi-agency response in Bromley. "
    "This inspection took place from 20 to 24 January 2025."
)


def test_ilacs_report_facts_and_judgements_as_worded():
    facts = extract_facts(ILACS, "2532283_dorset/children's services inspection - 09 may 2025.pdf")
    assert facts["doc_type"] == "ILACS" and facts["framework"] == "short"
    assert facts["authority"] == "Dorset"
    assert (facts["inspection_start"], facts["inspection_end"]) == ("2025-03-17", "2025-03-21")
    assert facts["lead_inspector"] == "Sarah Canto"
    assert facts["publication_date"] == "2025-05-09" and facts["publication_date_from"] == "file name"
    assert facts["judgements"] == {
        "The impact of leaders on social work practice with children and families": "Outstanding",
        "The experiences and progress of children who need help and protection": "Outstanding",
        "The experiences and progress of children in care": "Outstanding",
        "The experiences and progress of care leavers": "Requires improvement to be good",
        "Overall effectiveness": "Outstanding",
    }


def test_report_from_2026_has_no_overall_grade_and_none_is_invented():
    facts = extract_facts(ILACS_2026, "80573_trafford/children's services inspection - 03 august 2026.pdf")
    assert facts["doc_type"] == "ILACS" and facts["framework"] == "standard"
    assert len(facts["judgements"]) == 4
    assert not any("overall" in name.lower() for name in facts["judgements"])
    assert facts["judgements"]["The impact of leaders on practice with children and families"] == "Inadequate"


def test_sif_report_judgements_dates_and_lead_inspector():
    facts = extract_facts(SIF, "80462_doncaster/report.pdf")
    assert facts["doc_type"] == "SIF" and facts["framework"] is None
    assert facts["authority"] == "Doncaster"
    assert (facts["inspection_start"], facts["inspection_end"]) == ("2015-09-14", "2015-10-08")
    assert facts["publication_date"] == "2015-11-27" and facts["publication_date_from"] == "text"
    assert facts["lead_inspector"] == "Neil Penswick"
    assert facts["judgements"] == {
        "Overall effectiveness": "Inadequate",
        "Children who need help and protection": "Inadequate",
        "Children looked after and achieving permanence": "Requires improvement",
        "Adoption performance": "Good",
        "Experiences and progress of care leavers": "Requires improvement",
        "Leadership, management and governance": "Requires improvement",
        "Local Safeguarding Children Board": "Good",
    }


def test_focused_visit_letter_dates_signatory_and_no_judgements():
    facts = extract_facts(FOCUSED_VISIT, "80462_doncaster/children's services focused visit - 26 july 2024.pdf")
    assert facts["doc_type"] == "focused visit"
    assert facts["authority"] == "Doncaster"
    assert facts["publication_date"] == "2024-07-26"
    assert (facts["inspection_start"], facts["inspection_end"]) == ("2024-06-26", "2024-06-27")
    assert facts["lead_inspector"] == facts["signed_by"] == "Catherine Heron"
    assert facts["judgements"] == {}


def test_an_older_letter_is_signed_by_an_inspector_not_said_to_have_led():
    letter = (
        "Annual unannounced inspection of contact, referral and assessment arrangements within Northshire "
        "Council children's services\n\nThis letter summarises the findings of the recent unannounced inspection."
        "\n\nYours sincerely\n\nSheena Doyle\nHer Majesty's Inspector\n\nCopy: Jo Miller, Chief Executive"
    )
    facts = extract_facts(letter, "northshire/letter.txt")
    assert facts["signed_by"] == "Sheena Doyle" and facts["lead_inspector"] is None


def test_jtai_letter():
    facts = extract_facts(JTAI, "80490_bromley/joint area child protection inspection - 13 march 2025.pdf")
    assert facts["doc_type"] == "JTAI" and facts["authority"] == "Bromley"
    assert (facts["inspection_start"], facts["inspection_end"]) == ("2025-01-20", "2025-01-24")
    assert facts["publication_date"] == "2025-03-13" and facts["lead_inspector"] is None


def test_split_inspection_runs_from_first_to_last_day():
    text = ILACS.replace("17 March to 21 March 2025", "30 September to 11 October 2024 and 13 to 16 January 2025")
    facts = extract_facts(text)
    assert (facts["inspection_start"], facts["inspection_end"]) == ("2024-09-30", "2025-01-16")


CATALOGUE = (
    "file,doc_type,authority,publication_date,inspection_dates,lead_inspector,ilacs_framework,"
    "overall_effectiveness,impact_of_leaders,help_and_protection,children_in_care,care_leavers\n"
    "a/inspection - 09 may 2025.pdf,ILACS inspection of local authority children’s services (2018+ framework),"
    "dorset,2025-05-09,"
    "17 March to 21 March 2025,Sarah Canto,short,outstanding,outstanding,outstanding,good,requires improvement\n"
    "b/inspection - 03 august 2026.pdf,ILACS inspection of local authority children’s services (2018+ framework),"
    "trafford,2026-08-03,"
    "8 June 2026 to 19 June 2026,Leanne Cooper,standard,not_reported_post_reform,inadequate,inadequate,good,"
    "data_unreadable\n"
)


def test_catalogue_in_the_ofsted_format_is_read(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    row = read_catalogue(path)["a/inspection - 09 may 2025.pdf"]
    assert row["doc_type"] == "ILACS" and row["framework"] == "short"
    assert row["authority"] == "Dorset" and row["authorities"] == ["Dorset"]
    assert (row["inspection_start"], row["inspection_end"]) == ("2025-03-17", "2025-03-21")
    assert row["lead_inspector"] == "Sarah Canto"
    assert row["grades"]["care_leavers"] == "requires improvement"
    assert "care_leavers" not in read_catalogue(path)["b/inspection - 03 august 2026.pdf"]["grades"]


def test_disagreements_with_the_catalogue_are_listed(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    catalogue = read_catalogue(path)
    facts = {
        "a/inspection - 09 may 2025.pdf": extract_facts(ILACS, "a/inspection - 09 may 2025.pdf"),
        "b/inspection - 03 august 2026.pdf": extract_facts(ILACS_2026, "b/inspection - 03 august 2026.pdf"),
    }
    assert differences(facts["a/inspection - 09 may 2025.pdf"], catalogue["a/inspection - 09 may 2025.pdf"]) == [
        {"field": "children_in_care", "text": "outstanding", "catalogue": "good"}
    ]
    assert (
        differences(facts["b/inspection - 03 august 2026.pdf"], catalogue["b/inspection - 03 august 2026.pdf"]) == []
    )  # no overall grade: agreed
    counts, found = check(facts, catalogue)
    assert counts["children_in_care"] == (1, 2) and counts["care_leavers"] == (1, 1)
    assert counts["overall_effectiveness"] == (2, 2) and counts["lead_inspector"] == (2, 2)
    assert [(d["source"], d["field"]) for d in found] == [("a/inspection - 09 may 2025.pdf", "children_in_care")]


def test_catalogue_corrects_grades_and_the_difference_stays_visible(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    extracted = extract_facts(ILACS, "a/inspection - 09 may 2025.pdf")
    meta = effective_meta("a/inspection - 09 may 2025.pdf", extracted, read_catalogue(path))
    assert meta["judgements"]["The experiences and progress of children in care"] == "Good"
    assert meta["catalogue_differences"][0]["field"] == "children_in_care"
    assert merge_grades({"Overall effectiveness": "Good"}, {"overall_effectiveness": "not_reported_post_reform"}) == {
        "Overall effectiveness": "Good"
    }


def test_indexed_pdf_report_carries_its_facts(tmp_path):
    pages = [
        "Inspection of Dorset local authority children's services\nInspection dates: 17 March to 21 March 2025\n"
        "Lead inspector: Sarah Canto, His Majesty's Inspector\nJudgement Grade\n"
        "The impact of leaders on social work practice with children and families\nGood\n"
        "Overall effectiveness Good\n\nChildren in Dorset receive good services.",
        "Inspection of Dorset local authority children's services 17 March to 21 March 2025 2\n"
        "1. Leaders know their services well and act on what they learn.",
        "Inspection of Dorset local authority children's services 17 March to 21 March 2025 3\n"
        "2. Children in care are listened to.",
    ]
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index")
    source = "2532283_dorset/children's services inspection - 09 may 2025.pdf"
    doc, chunks, extracted, meta = parse_file(source, make_pdf(pages), settings, {})
    assert extracted["doc_type"] == "ILACS" and extracted["lead_inspector"] == "Sarah Canto"
    assert extracted["judgements"]["Overall effectiveness"] == "Good"
    assert doc.authorities[0] == "Dorset" and doc.inspection_start == "2025-03-17"
    assert doc.publication_date == "2025-05-09"
    second = [c for c in chunks if c.page == 2]
    assert second and second[0].text.startswith("1. Leaders know")


LOOKED_AFTER_2013 = [
    "Inspection of looked after children services Kent County Council\n"
    "Inspection dates: 15 - 19 July 2013 Reporting inspector Helen Cawston HMI\n"
    "Age group: All Published: 23 August 2013\nWebsite: www.ofsted.gov.uk",
    "Inspection of looked after children services Kent County Council 5\n"
    "32. Children in care are seen regularly by their social workers.\n"
    "33. Disabled children in care live with committed carers who meet their complex health needs. "
    "34. Foster carers are well supported by their supervising social workers.",
]


def test_a_report_saved_under_a_working_title_is_named_by_its_facts_and_quoted_without_paragraph_numbers(
    settings, make_assistant
):
    folder = settings.corpus_dir / "80476_kent"
    folder.mkdir()
    name = "children's services inspection,  pdf - 23 august 2013.pdf"
    (folder / name).write_bytes(make_pdf(LOOKED_AFTER_2013, title="Template  Report template"))
    assistant = make_assistant(settings)
    assert assistant.index().ok
    answer = assistant.ask("Do disabled children in care in Kent live with committed carers?")
    first = answer.citations[0]
    assert first.title == "Ofsted report on Kent children's services, published 23 August 2013"
    assert first.quote.startswith("Disabled children in care live with committed carers")
    assert all(any(ch.isalpha() for ch in c.quote) for c in answer.citations)


def test_facts_command_prints_json_and_checks_a_catalogue(settings, make_assistant, capsys, tmp_path):
    from assistant.cli import main

    folder = settings.corpus_dir / "2532283_dorset"
    folder.mkdir()
    pages = [ILACS.replace("Judgement Grade ", "Judgement Grade\n"), "Leaders act on what they learn."]
    (folder / "children's services inspection - 09 may 2025.pdf").write_bytes(make_pdf(pages))
    assert make_assistant(settings).index().ok
    where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]

    assert main(["facts", "--json", *where]) == 0
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert record["source"] == "2532283_dorset/children's services inspection - 09 may 2025.pdf"
    assert record["doc_type"] == "ILACS" and record["authority"] == "Dorset"
    assert (record["publication_date"], record["inspection_start"]) == ("2025-05-09", "2025-03-17")
    assert record["lead_inspector"] == "Sarah Canto"
    assert record["judgements"]["Overall effectiveness"] == "Outstanding"

    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(CATALOGUE.replace("a/inspection - 09 may 2025.pdf", record["source"]), encoding="utf-8")
    assert main(["facts", "--check", str(catalogue), *where]) == 0
    out = capsys.readouterr().out
    assert "lead_inspector                 1     1  100.0%" in out
    assert "children_in_care               0     1    0.0%" in out
    assert "catalogue rows the report's text contradicts: 1" in out
    assert "children_in_care: 2532283_dorset/children's services inspection - 09 may 2025.pdf" in out

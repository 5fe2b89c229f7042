"""Page furniture of real reports goes; paragraphs, numbered paragraphs and pages stay."""

from __future__ import annotations

from conftest import make_pdf

from assistant.ingest.cleaning import strip_furniture, unwrap_lines
from assistant.ingest.loaders import load_bytes

HEADER = "Inspection of Doncaster local authority children's services 14 to 25 February 2022"
BODY = [
    "1. Leaders know their services well. Social workers visit children often.",
    "2. Managers check the quality of plans and act when they are weak.",
    "3. Children in care see their social worker regularly and are listened to.",
]


def _report_pages() -> list[str]:
    return [f"{HEADER} {n}\n{BODY[n - 1]}\n{n}" for n in range(1, 4)]


def test_running_header_and_page_numbers_are_dropped_from_a_real_pdf():
    parsed = load_bytes(make_pdf(_report_pages()), ".pdf", 20_000_000)
    assert len(parsed.pages) == 3
    for number, page in enumerate(parsed.pages, start=1):
        assert "Inspection of Doncaster" not in page
        assert page.splitlines() == [BODY[number - 1]]


def test_header_digits_may_differ_between_pages():
    pages = ["Title page\nReport of 2022 1\nText one.", "Report of 2022 2\nText two.", "Report of 2022 3\nText three."]
    assert strip_furniture(pages) == ["Title page\nText one.", "Text two.", "Text three."]


def test_a_line_repeated_in_the_middle_of_pages_is_kept():
    middle = "\n".join(f"Line {i} of prose." for i in range(5))
    pages = [f"Top {n}\n{middle}\nRepeated inside.\n{middle}\nEnd {n}" for n in range(3)]
    assert all("Repeated inside." in page for page in strip_furniture(pages))


def test_numbered_paragraph_is_one_line_even_when_a_sentence_ends_at_a_line_end():
    page = (
        "12. Leaders have improved the quality of practice for children who need help and protection.\n"
        "Social workers now see children regularly and record their views and wishes in full\n"
        "detail, and managers check that plans are followed and that children are safer than they\n"
        "were before the last inspection of the service.\n"
        "13. The next paragraph begins here and runs on for a while without stopping at all now.\n"
        "Short end."
    )
    lines = unwrap_lines(page).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("12. Leaders") and lines[0].endswith("last inspection of the service.")
    assert lines[1].startswith("13. The next paragraph")


def test_a_heading_after_a_paragraph_stays_apart():
    page = (
        "Social workers now see children regularly and record their views and wishes in full\n"
        "detail, and managers check that plans are followed and that children are safer now.\n"
        "The experiences and progress of children in care\n"
        "14. Children come into care at the right time."
    )
    lines = unwrap_lines(page).splitlines()
    assert lines[1] == "The experiences and progress of children in care"


def test_words_split_at_a_line_end_are_joined():
    words = {"safeguarding"}
    assert unwrap_lines("the local safe-\nguarding partnership", words) == "the local safeguarding partnership"
    assert unwrap_lines("clear decision-\nmaking by managers", words) == "clear decision-making by managers"


def test_a_grade_cut_from_its_heading_rejoins_it():
    page = "The experiences and progress of children in care:\nrequires improvement to be good\n15. Children are safe."
    assert (
        unwrap_lines(page).splitlines()[0]
        == "The experiences and progress of children in care: requires improvement to be good"
    )


BACK_MATTER = (
    "The Office for Standards in Education, Children's Services and Skills (Ofsted) regulates and inspects to "
    "achieve excellence in the care of children and young people.\n"
    "If you would like a copy of this document in a different format, such as large print or Braille, please "
    "telephone 0300 123 1231.\n"
    "This report is available at https://reports.ofsted.gov.uk/.\n"
    "Piccadilly Gate Store Street Manchester M1 2WD\n"
    "T: 0300 123 1231 Textphone: 0161 618 8524 E: enquiries@ofsted.gov.uk W: www.gov.uk/ofsted (c) Crown copyright"
)


def test_ofsted_publisher_matter_goes_and_its_address_names_no_authority(tmp_path):
    from assistant.config import Settings
    from assistant.indexing.indexer import parse_file

    report = (
        "Ofsted Piccadilly Gate Store Street Manchester M1 2WD T 0300 123 1231 www.gov.uk/ofsted\n\n"
        "Inspection of Leeds local authority children's services\n\n"
        "1. The Leeds model of practice, based on a restorative approach with families, is coherent.\n"
    )
    data = make_pdf([report, BACK_MATTER])
    parsed = load_bytes(data, ".pdf", 20_000_000)
    assert "Leeds model of practice" in parsed.pages[0] and "Piccadilly" not in parsed.pages[0]
    assert not parsed.pages[1].strip()
    doc, chunks, _, meta = parse_file("leeds/report.pdf", data, Settings(corpus_dir=tmp_path), {})
    assert meta["authorities"] == ["Leeds"]
    assert not any("Braille" in c.text or "Piccadilly" in c.text for c in chunks)


def test_a_report_is_about_the_authority_it_inspected_not_the_places_it_names(tmp_path):
    from test_facts import ILACS

    from assistant.config import Settings
    from assistant.indexing.indexer import parse_file

    report = ILACS.replace("Dorset", "Rotherham") + (
        "\n\n1. Children placed in Sheffield and Manchester are visited. Young people join the Duke of Edinburgh award."
    )
    _, _, _, meta = parse_file("rotherham/report.pdf", make_pdf([report]), Settings(corpus_dir=tmp_path), {})
    assert meta["source_type"] == "ofsted" and meta["authorities"] == ["Rotherham"]


def test_a_symbol_font_bullet_starts_a_list_item_even_run_on_into_a_line():
    from assistant.ingest.cleaning import clean_text

    extracted = (
        "What needs to improve \uf06e The pace of partnership working. \uf06e Trust between the courts and the trust.\n"
        "\uf06e Effectiveness of the fostering service."
    )
    assert clean_text(extracted).splitlines() == [
        "What needs to improve",
        "- The pace of partnership working.",
        "- Trust between the courts and the trust.",
        "- Effectiveness of the fostering service.",
    ]


def test_a_sentence_cut_by_a_page_break_is_finished_on_its_first_page():
    from assistant.ingest.cleaning import join_across_pages

    pages = [
        "1. Leaders know their services well. Too many children experience drift and delay in",
        "their plans being progressed. Managers now check them.\n2. Children in care see their social worker.",
        "Care leavers are supported well.",
    ]
    assert join_across_pages(pages) == [
        "1. Leaders know their services well. Too many children experience drift and delay in their plans being "
        "progressed.",
        "Managers now check them.\n2. Children in care see their social worker.",
        "Care leavers are supported well.",
    ]
    whole = ["A page that ends with its sentence.", "and a page that starts in lower case."]
    assert join_across_pages(whole) == whole


def test_a_sentence_cut_by_a_page_break_is_joined_past_the_page_s_footnote():
    from assistant.ingest.cleaning import join_across_pages

    note = "1 The areas for improvement have been cross-referenced with the national framework."
    pages = [f"What needs to improve?1\n\n- Plans.\n\nRisks are identified appropriately, and\n\n{note}", ""]
    pages[1] = "risk assessments are updated. Leaders know their services."
    assert join_across_pages(pages) == [
        "What needs to improve?1\n\n- Plans.\n\nRisks are identified appropriately, and risk assessments are "
        f"updated.\n\n{note}",
        "Leaders know their services.",
    ]
    unmarked = ["Leaders met us in\n\n2 Children were seen alone.", "march. They were open."]
    assert join_across_pages(unmarked) == unmarked  # no '2' marks a word above: a paragraph, not a footnote


def test_a_real_pdf_quotes_a_sentence_run_over_two_pages_whole(tmp_path):
    cut = ["1. Leaders know their services well. Too many children experience drift and delay in", ""]
    cut[1] = "their plans being progressed, inspectors found.\n2. Children in care see their social worker."
    parsed = load_bytes(make_pdf(cut), ".pdf", 20_000_000)
    assert parsed.pages[0].endswith("drift and delay in their plans being progressed, inspectors found.")
    assert parsed.pages[1] == "2. Children in care see their social worker."

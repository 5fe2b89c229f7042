"""The web chat's HTML: citation cards, inline links, the document view; document text always escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from assistant.answer.timeline import point
from assistant.schema import Answer, Citation, Document, FactTable, TimelinePoint
from assistant.titles import readable_title
from assistant.web.render import (
    answer_chat_markdown,
    citation_card,
    citation_cards,
    document_view,
    documents_rows,
    sources_panel,
    timeline_chart,
)

PASSAGE = "Staff are qualified. There is a high reliance on agency staff. Plans exist."
QUOTE = "There is a high reliance on agency staff."


def citation(n: int = 1, **changes) -> Citation:
    start = PASSAGE.index(QUOTE)
    fields = dict(
        n=n,
        doc_id="d",
        source="letter.txt",
        file_name="letter.txt",
        title="Inspection of Doncaster",
        source_type="ofsted",
        authority="Doncaster",
        date="2012-02-16",
        page=2,
        passage=PASSAGE,
        passage_start=100,
        quote=QUOTE,
        quote_start=100 + start,
        quote_end=100 + start + len(QUOTE),
        score=0.9,
    )
    fields.update(changes)
    return Citation(**fields)


def test_card_shows_title_badge_authority_date_page_and_marks_the_quote():
    card = citation_card(citation())
    assert 'id="cite-card-1"' in card and "Inspection of Doncaster" in card
    assert 'class="badge badge-ofsted">Ofsted<' in card
    assert "Doncaster · 2012-02-16 · page 2" in card
    assert f"<mark>{QUOTE}</mark>" in card
    assert card.index("Staff are qualified.") < card.index("<mark>") < card.index("Plans exist.")


def test_badges_for_each_source_type():
    assert 'badge-council">Council<' in citation_card(citation(source_type="council"))
    assert 'badge-news">News<' in citation_card(citation(source_type="news"))
    assert 'badge-other">Other<' in citation_card(citation(source_type="made-up"))


def test_quote_found_by_text_when_its_span_is_off():
    card = citation_card(citation(quote_start=0, quote_end=5))
    assert f"<mark>{QUOTE}</mark>" in card


def test_document_text_cannot_inject_html():
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    card = citation_card(
        citation(title=evil, authority=evil, passage=evil + PASSAGE, source='x" onclick="alert(3)', quote=QUOTE)
    )
    assert "<script>" not in card and "<img" not in card and 'onclick="' not in card
    assert "&lt;script&gt;" in card and "&lt;img" in card


def test_chat_text_links_markers_and_escapes_markdown_and_html():
    answer = Answer(
        question="q",
        text="Ofsted's letter:\n“<b>Bold</b> *claims* [link](http://x) and [9]” [1]\n“Second.” [2]",
        no_answer=False,
        citations=[citation(1), citation(2)],
    )
    shown = answer_chat_markdown(answer)
    assert '<a class="cite-link" href="#cite-card-1" data-n="1">[1]</a>' in shown
    assert 'href="#cite-card-2"' in shown
    assert "<b>" not in shown and "&lt;b&gt;" in shown
    assert "\\*claims\\*" in shown and "\\[link\\]\\(http://x\\)" in shown
    assert "\\[9\\]" in shown  # not a citation of this answer: left as text
    assert answer_chat_markdown(answer, 1) == "Ofsted's letter:"


def test_a_facts_table_stays_a_table_with_its_cells_shown_literally():
    table = FactTable(
        ["Authority", "Report", "Overall judgement"],
        [["*Don*caster", "SIF", "Inadequate"], ["Doncaster", "ILACS", "Good|ish"]],
        [1, 2],
    )
    text = f"From the facts of 2 Ofsted reports (oldest first):\n\n{table.markdown()}"
    answer = Answer("q", text, False, [citation(1), citation(2)], table=table)
    assert answer_chat_markdown(answer, 1) == "From the facts of 2 Ofsted reports \\(oldest first\\):"
    shown = answer_chat_markdown(answer)
    rows = shown.split("\n\n")[-1].split("\n")
    assert rows[0] == "| Authority | Report | Overall judgement | Source |" and rows[1] == "| --- | --- | --- | --- |"
    assert rows[2].startswith('| \\*Don\\*caster | SIF | Inadequate | <a class="cite-link" href="#cite-card-1"')
    assert len(rows) == 4 and "Good\\|ish" in rows[3]  # a pipe in a cell is shown, not a column break


def test_sources_panel_when_empty_or_not_covered():
    assert "appear here" in citation_cards(None)
    assert "do not cover" in citation_cards(Answer(question="q", text="no", no_answer=True))
    both = citation_cards(Answer(question="q", text="t [1] [2]", no_answer=False, citations=[citation(1), citation(2)]))
    assert both.count('class="cite-card"') == 2


def test_document_view_highlights_the_span_on_its_page_and_escapes():
    text = "Page one <i>text</i>.\n\nPage two has the agency quote here."
    doc = Document(doc_id="d", source="r.txt", file_name="r.txt", title="R & D", text=text, page_starts=[0, 22])
    start = text.index("the agency quote")
    view = document_view(doc, (start, start + len("the agency quote")))
    assert '<mark id="doc-highlight">the agency quote</mark>' in view
    assert view.index("page 2") < view.index("<mark")
    assert "&lt;i&gt;" in view and "R &amp; D" in view
    assert "<mark" not in document_view(doc, (500, 600))
    assert "no longer in the index" in document_view(None)


def test_documents_rows_have_every_column():
    metas = {
        "a.txt": {
            "title": "Letter",
            "source_type": "ofsted",
            "authorities": ["Doncaster"],
            "publication_date": "2012-02-16",
            "inspection_start": "2012-01-18",
            "inspection_end": "2012-01-19",
            "page_count": 3,
            "chunks": 7,
            "indexed_at": 1_700_000_000.0,
        }
    }
    [row] = documents_rows(metas)
    assert row[:7] == ["Letter", "Ofsted", "Doncaster", "2012-02-16", "2012-01-18 – 2012-01-19", 3, 7]
    assert row[7].startswith("2023-11-1") and row[8] == "a.txt"


def timeline_points(authority: str = "Doncaster") -> list[TimelinePoint]:
    return [
        point("2011-03-11", "Adequate", authority, 1),
        point("2015-11-27", "Inadequate", authority, 2),
        point("2018-01-19", "Requires improvement to be good", authority, 3),
        point("2022-06-10", "Good", authority, 4),
    ]


def svg_of(chart: str) -> ET.Element:
    """The chart's SVG as XML: it parses only if every word in it was escaped."""
    return ET.fromstring(re.search(r"<svg.*</svg>", chart, re.DOTALL).group(0))


def test_chart_has_a_linked_titled_dot_per_graded_report_and_names_the_one_off_the_scale():
    chart = timeline_chart(timeline_points())
    svg = svg_of(chart)
    dots = [a for a in svg.iter("a") if "timeline-point" in a.get("class", "")]
    assert [a.get("data-n") for a in dots] == ["2", "3", "4"]  # 'Adequate' has no step to stand on
    assert [a.get("href") for a in dots] == ["#cite-card-2", "#cite-card-3", "#cite-card-4"]
    assert dots[1].find("title").text == "Doncaster: Requires improvement to be good, 19 January 2018 [3]"
    assert len(list(svg.iter("polyline"))) == 1
    assert [t.text for t in svg.iter("text") if t.get("class") == "timeline-grade"] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    heights = [float(a.find("circle").get("cy")) for a in dots]
    assert heights[0] > heights[1] > heights[2]  # inadequate lowest, good highest
    xs = [float(a.find("circle").get("cx")) for a in dots]
    assert xs == sorted(xs)
    assert "Not on the four-point scale, so not charted: " + '<a class="cite-link" href="#cite-card-1"' in chart
    assert "Grades over time: Doncaster" in chart


def test_chart_words_from_files_are_escaped():
    evil = '<script>alert(1)</script>" onload="alert(2)'
    points = [*timeline_points(evil), point("2019-01-01", "<b>Great</b>", "Dorset", 5)]
    chart = timeline_chart(points)
    assert "<script>" not in chart and "<b>" not in chart and 'onload="alert' not in chart
    assert "&lt;script&gt;" in chart and "&lt;b&gt;Great&lt;/b&gt;" in chart
    svg_of(chart)


def test_chart_draws_a_line_per_authority_with_a_key():
    points = timeline_points("Doncaster")[1:] + [
        point("2014-05-01", "Good", "Dorset", 5),
        point("2019-05-01", "Outstanding", "Dorset", 6),
        point("2016-05-01", "Inadequate", "Trafford", 7),
    ]
    chart = timeline_chart(points)
    svg = svg_of(chart)
    assert len(list(svg.iter("a"))) == 6 and len(list(svg.iter("polyline"))) == 2  # Trafford: one dot
    colours = {a.find("circle").get("fill") for a in svg.iter("a")}
    assert len(colours) == 3
    assert chart.count('class="timeline-key"') == 3 and "Grades over time<" in chart


def test_no_chart_without_a_graded_point_and_the_panel_puts_it_above_the_cards():
    assert timeline_chart([point("2011-03-11", "Adequate", "Doncaster", 1)]) == ""
    assert timeline_chart([]) == ""
    plain = Answer(question="q", text="t [1]", no_answer=False, citations=[citation(1)])
    assert sources_panel(plain) == citation_cards(plain) and sources_panel(None) == citation_cards(None)
    charted = Answer(question="q", text="t", no_answer=False, citations=[citation(n) for n in range(1, 5)])
    charted.timeline = timeline_points()
    panel = sources_panel(charted)
    assert panel.index('class="timeline"') < panel.index('class="cite-cards"')


def test_an_ofsted_report_is_titled_by_its_facts_not_its_pdf_title():
    meta = {
        "source_type": "ofsted",
        "doc_type": "SIF",
        "authorities": ["Darlington"],
        "publication_date": "2018-05-21",
        "title": "Darlington SIF report LI post FAC amendments final",
    }
    assert readable_title(meta) == "Ofsted inspection of Darlington children's services, published 21 May 2018"
    visit = {
        "source_type": "ofsted",
        "doc_type": "focused visit",
        "authority": "Kent",
        "inspection_start": "2024-02-06",
    }
    assert readable_title(visit) == "Ofsted focused visit to Kent children's services, inspected 6 February 2024"
    article = {"source_type": "news", "title": "Damning report", "authorities": ["Doncaster"]}
    assert readable_title(article) == "Damning report"


def test_a_not_sure_answer_says_its_passages_are_leads():
    answer = Answer("q", "t [1]", True, [citation(1)], outcome="uncertain", reason="No <b>clear</b> answer.")
    panel = sources_panel(answer)
    assert panel.index('class="outcome-uncertain"') < panel.index('class="cite-card"')
    assert "No &lt;b&gt;clear&lt;/b&gt; answer." in panel and "leads" in panel
    assert "outcome-uncertain" not in sources_panel(Answer("q", "t [1]", False, [citation(1)], outcome="answered"))


def test_a_report_of_another_kind_keeps_its_own_printed_title_unless_it_is_only_a_date():
    letter = {"source_type": "ofsted", "doc_type": "other", "authorities": ["Doncaster"], "title": "Annual review"}
    assert readable_title(letter) == "Annual review"
    dated = dict(letter, title="28 November 2023", publication_date="2023-11-28")
    assert readable_title(dated) == "Ofsted report on Doncaster children's services, published 28 November 2023"
    saved_as = dict(dated, title="Template  Report template", title_printed=False)
    assert readable_title(saved_as) == "Ofsted report on Doncaster children's services, published 28 November 2023"

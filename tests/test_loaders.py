"""Each format is read into clean text; each kind of bad file is refused with a reason."""

from __future__ import annotations

import os

import pytest
from conftest import encrypt_pdf, make_docx, make_pdf

from assistant.ingest.loaders import LoadError, load_bytes

LIMIT = 20_000_000


def test_text_file_with_stray_html_loses_tags_and_keeps_words():
    data = b'Strengths\n<ul style="list-style-type: none">\xe2\x96\xaa Effective meetings &amp; good sharing.</ul>\n'
    text = load_bytes(data, ".txt", LIMIT).pages[0]
    assert "<ul" not in text and "style=" not in text
    assert "- Effective meetings & good sharing." in text


def test_paragraph_cut_by_a_page_break_is_joined():
    data = b"attended by the co-location of\n\n\n\npolice, health staff and others.\n"
    assert load_bytes(data, ".txt", LIMIT).pages[0] == "attended by the co-location of police, health staff and others."


def test_html_page_chrome_is_dropped():
    page = (
        "<html><head><title>T</title><style>p{}</style></head><body><nav>Home | News</nav>"
        "<h1>Ofsted judges Slough inadequate</h1><p>Inspectors found delays.</p><ul><li>One</li><li>Two</li></ul>"
        "<footer>Cookie policy</footer><script>var x=1;</script></body></html>"
    )
    parsed = load_bytes(page.encode(), ".html", LIMIT)
    text = parsed.pages[0]
    assert parsed.title == "Ofsted judges Slough inadequate"
    assert "Inspectors found delays." in text and "- One" in text and "- Two" in text
    for chrome in ("Home | News", "Cookie policy", "var x", "p{}"):
        assert chrome not in text


def test_markdown_headings_and_emphasis_are_plain_text():
    text = load_bytes(b"# Findings\n\nThe **council** must act.\n", ".md", LIMIT).pages[0]
    assert text == "Findings\n\nThe council must act."


def test_pdf_keeps_one_text_per_page():
    data = make_pdf(["First page about caseloads.", "Second page about agency staff."], title="A letter")
    parsed = load_bytes(data, ".pdf", LIMIT)
    assert len(parsed.pages) == 2
    assert "caseloads" in parsed.pages[0] and "agency staff" in parsed.pages[1]
    assert parsed.title == "A letter"


def test_docx_paragraphs_bullets_and_title():
    data = make_docx("Council statement", ["We accept the findings."], ["More social workers", "Training"])
    parsed = load_bytes(data, ".docx", LIMIT)
    assert parsed.title == "Council statement"
    assert "We accept the findings." in parsed.pages[0]
    assert "- More social workers" in parsed.pages[0]


def test_latin1_text_is_read_with_a_note():
    parsed = load_bytes("Caf\xe9 and na\xefve children\u2019s services".encode("cp1252"), ".txt", LIMIT)
    assert "Café and naïve children’s services" in parsed.pages[0]
    assert parsed.notes and "UTF-8" in parsed.notes[0]


@pytest.mark.parametrize(
    ("data", "suffix", "reason"),
    [
        (b"", ".txt", "empty file"),
        (b"  \n\t\n", ".md", "empty file"),
        (os.urandom(4096), ".pdf", "not a PDF"),
        (b"\x00\x01\x02binary" * 100, ".txt", "binary"),
        (make_pdf(["Secret findings."])[:600], ".pdf", "PDF"),
        (encrypt_pdf(make_pdf(["Secret findings."])), ".pdf", "encrypted PDF"),
        (b"PK\x03\x04 not really a zip", ".docx", "not a readable Word document"),
        (b"<html><body><script>only()</script></body></html>", ".html", "no text"),
    ],
    ids=["empty", "blank", "random-bytes-pdf", "binary-txt", "truncated-pdf", "encrypted-pdf", "bad-docx", "no-text"],
)
def test_bad_files_are_refused_with_a_reason(data, suffix, reason):
    with pytest.raises(LoadError, match=reason):
        load_bytes(data, suffix, LIMIT)


def test_huge_file_is_refused_before_parsing():
    with pytest.raises(LoadError, match=r"too large: 50\.0 MB"):
        load_bytes(b"word " * 10_000_000, ".txt", LIMIT)

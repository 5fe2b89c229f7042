"""Uploads: only allowed, genuine files are saved, under safe names that never overwrite."""

from __future__ import annotations

import pytest
from conftest import make_docx, make_pdf

from assistant.web.uploads import UploadError, check_content, safe_name, save_upload

LIMIT = 1_000_000


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/Ofsted Letter (final).PDF", "Ofsted_Letter_final.pdf"),
        ("Dôncaster réport.docx", "Doncaster_report.docx"),
        ("..", "report"),
        (".hidden.txt", "hidden.txt"),
        ("", "report"),
    ],
)
def test_safe_name_strips_folders_and_odd_characters(sent, saved):
    assert safe_name(sent) == saved


def test_save_keeps_both_files_when_names_clash(tmp_path):
    first = save_upload(b"First report about Doncaster.", "letter.txt", tmp_path, LIMIT)
    second = save_upload(b"Second report about Devon.", "letter.txt", tmp_path, LIMIT)
    assert (first.name, second.name) == ("letter.txt", "letter-2.txt")
    assert first.read_bytes() == b"First report about Doncaster." and second.read_text().startswith("Second")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter-2.txt", "letter.txt"]  # no temporary left


def test_traversal_name_lands_inside_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    saved = save_upload(b"Some text.", "../../outside.txt", corpus, LIMIT)
    assert saved.parent == corpus and not (tmp_path / "outside.txt").exists()


def test_real_pdf_and_docx_are_accepted(tmp_path):
    save_upload(make_pdf(["Ofsted found caseloads high."]), "a.pdf", tmp_path, LIMIT)
    save_upload(make_docx("Council response", ["We accept the findings."]), "b.docx", tmp_path, LIMIT)
    assert {p.name for p in tmp_path.iterdir()} == {"a.pdf", "b.docx"}


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"MZ\x90\x00binary", "tool.exe", "not accepted"),
        (b"plain words", "notes.rtf", "not accepted"),
        (b"plain words", "README", "not accepted"),
        (b"this is text, not a PDF", "fake.pdf", "not a PDF"),
        (b"PK\x03\x04 not really a zip", "fake.docx", "not a Word document"),
        (b"\x00\x01\x02\x03" * 100, "blob.txt", "binary data"),
        (b"   \n", "empty.md", "empty"),
        (b"x" * (LIMIT + 1), "huge.txt", "limit"),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_written(tmp_path, data, name, reason):
    with pytest.raises(UploadError, match=reason):
        save_upload(data, name, tmp_path, LIMIT)
    assert list(tmp_path.iterdir()) == []


def test_latin1_text_is_still_text():
    check_content("Café report — Doncaster".encode("cp1252"), ".txt", LIMIT)

"""The web chat without a browser: arguments, who may change the corpus, the page, the handlers called directly."""

from __future__ import annotations

import pytest

from assistant.web import server
from assistant.web.background import BackgroundIndexer
from assistant.web.handlers import ChatHandlers
from assistant.web.page import build_page


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("192.168.1.5", False)],
)
def test_is_loopback(host, loopback):
    assert server.is_loopback(host) is loopback


def test_managing_reports_beyond_localhost_needs_credentials(monkeypatch):
    monkeypatch.delenv("ASSISTANT_USER", raising=False)
    monkeypatch.delenv("ASSISTANT_PASSWORD", raising=False)
    assert server.credentials() is None
    assert server.may_manage("127.0.0.1", None) and not server.may_manage("0.0.0.0", None)
    monkeypatch.setenv("ASSISTANT_USER", "inspector")
    monkeypatch.setenv("ASSISTANT_PASSWORD", "s3cret")
    assert server.credentials() == ("inspector", "s3cret")
    assert server.may_manage("0.0.0.0", server.credentials())


def test_arguments():
    args = server.parse_args(
        ["--host", "0.0.0.0", "--port", "8000", "--corpus", "c", "--index", "i", "--chroma-url", "u"]
    )
    assert (args.host, args.port, args.corpus, args.index, args.chroma_url) == ("0.0.0.0", 8000, "c", "i", "u")


def test_page_builds_and_exposes_ask(sample_assistant):
    demo = build_page(ChatHandlers(sample_assistant, BackgroundIndexer(sample_assistant), can_manage=False))
    api_names = {dep.api_name for dep in demo.fns.values() if dep.api_name and dep.api_visibility == "public"}
    assert api_names == {"ask"}


def test_upload_and_remove_refuse_when_management_is_off(sample_assistant, tmp_path):
    handlers = ChatHandlers(sample_assistant, BackgroundIndexer(sample_assistant), can_manage=False)
    sent = tmp_path / "new.txt"
    sent.write_text("Ofsted found caseloads in Wigan too high.")
    before = sorted(p.name for p in sample_assistant.settings.corpus_dir.iterdir())
    message, *_ = handlers.upload([str(sent)])
    assert "turned off" in message
    message, *_ = handlers.remove(next(iter(sample_assistant.documents())))
    assert "turned off" in message
    assert sorted(p.name for p in sample_assistant.settings.corpus_dir.iterdir()) == before
    assert len(sample_assistant.documents()) == 5


def test_answer_streams_line_by_line_and_ends_with_sources(sample_assistant):
    handlers = ChatHandlers(sample_assistant, BackgroundIndexer(sample_assistant))
    question = "What did Ofsted say about agency staff in Doncaster?"
    steps = list(handlers.respond(question, [], [], "", "", "", ""))
    assert len(steps) > 2
    lengths = [len(step[0][-1]["content"]) for step in steps]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    chat, cards, answer, asked, box, document = steps[-1]
    assert 'class="cite-card"' in cards and answer.citations and box == "" and document == ""
    assert asked == [question] and chat[0] == {"role": "user", "content": question}


def test_upload_that_cannot_be_read_is_moved_out_and_reported(settings, make_assistant, tmp_path):
    from conftest import LETTER, copy_samples, make_pdf

    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    indexing = BackgroundIndexer(assistant)
    indexing.wait(indexing.request(), timeout=300)
    handlers = ChatHandlers(assistant, indexing)
    good, blank = tmp_path / "Wigan letter.txt", tmp_path / "scan.pdf"
    good.write_text("Ofsted found that social workers' caseloads in Wigan were too high.")
    blank.write_bytes(make_pdf([" "]))
    message, rows, *_ = handlers.upload([str(good), str(blank)], progress=lambda *a, **k: None)
    assert "**Wigan_letter.txt** was added" in message
    assert "**scan.pdf** could not be read" in message and "removed" in message
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == sorted([LETTER, "Wigan_letter.txt"])
    assert (settings.corpus_dir.parent / "removed" / "scan.pdf").is_file()
    assert {row[-1] for row in rows} == {LETTER, "Wigan_letter.txt"}
    answer = assistant.ask("caseloads in Wigan")
    assert answer.citations and answer.citations[0].source == "Wigan_letter.txt"


def test_saved_panel_saves_opens_exports_and_polls(settings, make_assistant):
    import docx
    import gradio as gr
    from conftest import LETTER, copy_samples

    from assistant.web.saved_panel import SavedPanel

    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    panel = SavedPanel(ChatHandlers(assistant, BackgroundIndexer(assistant)))
    assert "Ask a question first" in panel.save(None, "", "", "", "")[0]
    answer = assistant.ask("What did Ofsted say about agency staff in Doncaster?")
    message, html = panel.save(answer, "Doncaster", "", "", "")
    assert "Saved #1" in message and "agency staff" in html and "New answers" not in html
    assert assistant.saved.get(1)["filters"] == {"authority": "Doncaster"}
    word, markdown = panel.export(answer)
    assert docx.Document(word["value"]).paragraphs[0].text == answer.question
    assert "## Sources" in open(markdown["value"], encoding="utf-8").read()
    shown, changes, seen = panel.poll(None)
    assert "agency staff" in shown and changes[0][1:3] == ["added", LETTER]
    assert panel.poll(seen)[:2] == (gr.skip(), gr.skip())  # nothing changed since: nothing is redrawn
    event = gr.EventData(None, {"id": 1})
    chat, cards, opened, asked, document, html, word, _ = panel.open(event)
    assert chat[0]["content"] == answer.question and 'class="cite-card"' in cards and opened.citations
    assert docx.Document(word["value"]).paragraphs[0].text == answer.question  # its export comes with it


def test_exports_keep_only_the_latest_and_go_with_the_panel(settings, make_assistant):
    from pathlib import Path

    from conftest import LETTER, copy_samples

    from assistant.web.saved_panel import KEPT_EXPORTS, SavedPanel

    copy_samples(settings.corpus_dir, [LETTER])
    assistant = make_assistant(settings)
    assistant.index()
    panel = SavedPanel(ChatHandlers(assistant, BackgroundIndexer(assistant)))
    answer = assistant.ask("What did Ofsted say about agency staff in Doncaster?")
    files = [Path(panel.export(answer)[0]["value"]) for _ in range(KEPT_EXPORTS + 3)]
    folder = files[0].parent.parent
    assert len(list(folder.iterdir())) == KEPT_EXPORTS
    assert files[-1].is_file() and not files[0].exists()  # the oldest went, the one just made stays
    del panel
    assert not folder.exists()

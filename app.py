"""The web chat: a thin Gradio shell over assistant.Assistant (python app.py --help)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import threading
import time
from pathlib import Path

import gradio as gr

from assistant.api import Assistant
from assistant.background import BackgroundIndexer
from assistant.cli import add_llm_options
from assistant.config import load_settings
from assistant.render import (
    DOCUMENT_COLUMNS,
    answer_chat_markdown,
    answer_line_count,
    citation_cards,
    document_view,
    documents_rows,
    sources_panel,
)
from assistant.schema import SOURCE_TYPES, Answer, IndexReport
from assistant.uploads import ALLOWED, UploadError, save_upload

EXAMPLES = [
    "What did Ofsted say about agency staff in Doncaster?",
    "How many child protection conferences were postponed in Darlington?",
    "How did Devon County Council respond to the report?",
]
STREAM_PAUSE = 0.04  # seconds between streamed lines, so the answer visibly fills in

CSS = """
.cite-cards { display: flex; flex-direction: column; gap: 10px; max-height: 640px; overflow-y: auto; }
.cite-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px; cursor: pointer; background: #fff; }
.cite-card:hover, .cite-card.cite-focus { border-color: #0969da; box-shadow: 0 0 0 2px #0969da33; }
.cite-head { font-weight: 600; color: #1f2328; }
.cite-n { color: #0969da; }
.cite-facts { font-size: 0.85em; color: #57606a; margin: 4px 0; }
.cite-passage { font-size: 0.9em; color: #1f2328; white-space: pre-wrap; }
.cite-passage mark, .doc-view mark { background: #fff3a3; padding: 0 1px; }
.cite-open { margin-top: 6px; font-size: 0.85em; }
.badge { font-size: 0.75em; padding: 1px 6px; border-radius: 10px; color: #fff; vertical-align: middle; }
.badge-ofsted { background: #6f42c1; } .badge-council { background: #1a7f37; }
.badge-news { background: #bc4c00; } .badge-other { background: #57606a; }
.doc-view { max-height: 520px; overflow-y: auto; border: 1px solid #d0d7de; border-radius: 8px; padding: 10px; }
.doc-view pre { white-space: pre-wrap; font-family: inherit; }
.doc-page-n { font-size: 0.8em; color: #57606a; border-top: 1px dashed #d0d7de; }
#chat a[href^="#cite-card-"] { color: #0969da !important; text-decoration: none; font-weight: 600; }
.timeline { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; background: #fff; }
.timeline-title { font-weight: 600; color: #1f2328; font-size: 0.9em; }
.timeline-svg { display: block; width: 100%; max-width: 460px; height: auto; }
.timeline-grade, .timeline-year { fill: #57606a; } .timeline-n { font-weight: 600; }
.timeline-point { cursor: pointer; } .timeline-point:hover circle { stroke: #1f2328; }
.timeline-caption { font-size: 0.8em; color: #57606a; display: flex; flex-wrap: wrap; gap: 4px 12px; }
"""

HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite-link");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const n = link.dataset.n || (link.getAttribute("href") || "").split("-").pop();
  const card = document.getElementById("cite-card-" + n);
  if (!card) return;
  document.querySelectorAll(".cite-card.cite-focus").forEach((c) => c.classList.remove("cite-focus"));
  card.classList.add("cite-focus");
  card.scrollIntoView({behavior: "smooth", block: "nearest"});
}, true);
new MutationObserver(() => {
  const mark = document.getElementById("doc-highlight");
  if (mark && !mark.dataset.seen) {
    mark.dataset.seen = "1";
    mark.scrollIntoView({behavior: "instant", block: "center"});
  }
}).observe(document.documentElement, {childList: true, subtree: true});
</script>"""

CARD_JS = """
element.addEventListener("click", (event) => {
  const card = event.target.closest(".cite-card");
  if (card) trigger("click", {n: Number(card.dataset.n)});
});
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Ask questions about the inspection reports in a browser.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, or ASSISTANT_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860, or ASSISTANT_PORT)")
    parser.add_argument("--corpus", help="folder of reports (default corpus/, or ASSISTANT_CORPUS)")
    parser.add_argument("--index", help="folder of the index (default index/, or ASSISTANT_INDEX)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store (or CHROMA_URL)")
    add_llm_options(parser)
    return parser.parse_args(argv)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def may_manage(host: str, auth: tuple[str, str] | None) -> bool:
    """Adding and removing reports needs a password unless only this computer can reach the app."""
    return bool(auth) or is_loopback(host)


def credentials() -> tuple[str, str] | None:
    """ASSISTANT_USER and ASSISTANT_PASSWORD, when both are set."""
    user, password = os.environ.get("ASSISTANT_USER", ""), os.environ.get("ASSISTANT_PASSWORD", "")
    return (user, password) if user and password else None


def filters_of(authority: str | None, source_type: str | None, since: str | None, until: str | None) -> dict:
    return {"authority": authority or None, "type": source_type or None, "since": since or None, "until": until or None}


def authority_choices(assistant: Assistant) -> list[str]:
    return sorted({a for meta in assistant.documents().values() for a in meta.get("authorities") or []})


def build_ui(assistant: Assistant, indexing: BackgroundIndexer, can_manage: bool = True):
    """The page: an Ask tab (chat, filters, sources, document view) and a Reports tab (table, upload, remove)."""

    def ask_api(question: str, authority: str = "", source_type: str = "", since: str = "", until: str = "") -> dict:
        """Answer a question; returns the answer text and its citations, as `python -m assistant ask --json`."""
        return assistant.ask(question, filters=filters_of(authority, source_type, since, until)).to_json()

    def respond(question, chat, asked, authority, source_type, since, until):
        chat, asked = list(chat or []), list(asked or [])
        if not (question or "").strip():
            yield chat, gr.skip(), gr.skip(), asked, gr.skip(), gr.skip()
            return
        filters = filters_of(authority, source_type, since, until)
        if assistant.settings.llm != "extractive":
            yield from respond_generated(question, chat, asked, filters)
            return
        answer = assistant.ask(question, history=asked, filters=filters)
        if answer.no_answer and indexing.status.running and not assistant.store.passage_count():
            answer.text = "The index is still being built; please ask again in a moment."
        chat.append({"role": "user", "content": question})
        for upto in range(1, answer_line_count(answer) + 1):
            shown = [*chat, {"role": "assistant", "content": answer_chat_markdown(answer, upto)}]
            yield shown, gr.skip(), gr.skip(), asked, gr.skip(), gr.skip()
            time.sleep(STREAM_PAUSE)
        yield shown, sources_panel(answer), answer, asked + [question], "", ""

    def respond_generated(question, chat, asked, filters):
        """A language model's answer: each checked sentence shows as it comes, then the sources."""
        chat = [*chat, {"role": "user", "content": question}]
        pieces: list[str] = []
        answer = None
        for item in assistant.ask_stream(question, history=asked, filters=filters):
            if isinstance(item, Answer):
                answer = item
                break
            pieces.append(item.strip())
            shown = [*chat, {"role": "assistant", "content": " ".join(pieces)}]
            yield shown, gr.skip(), gr.skip(), asked, gr.skip(), gr.skip()
        final = [*chat, {"role": "assistant", "content": answer_chat_markdown(answer, answer_line_count(answer))}]
        yield final, sources_panel(answer), answer, asked + [question], "", ""

    def open_document(answer: Answer | None, event: gr.EventData):
        number = (getattr(event, "_data", None) or {}).get("n")
        citation = next((c for c in (answer.citations if answer else []) if c.n == number), None)
        if citation is None:
            return gr.skip()
        span = (citation.quote_start, citation.quote_end)
        return document_view(assistant.store.document(citation.source), span, f"[{citation.n}] {citation.title}")

    def clear():
        return [], citation_cards(None), None, [], ""

    def refreshed_reports(clear_choice: bool = False):
        """The reports table and lists, fresh. The report chosen for removal stays chosen unless it was just
        removed: the timer refreshes these after every indexing run, and must not undo a user's choice."""
        rows = documents_rows(assistant.documents())
        sources = [row[-1] for row in rows]
        choices = gr.update(choices=authority_choices(assistant))
        to_remove = gr.update(choices=sources, value=None) if clear_choice else gr.update(choices=sources)
        return rows, to_remove, choices, indexing.status.text()

    def wait_for_index(progress) -> IndexReport | None:
        ticket = indexing.request()
        progress(0, desc="Indexing")
        return indexing.wait(ticket, tick=lambda s: progress((s.done, max(s.total, 1)), desc="Indexing", unit="files"))

    def upload(files, progress=gr.Progress()):
        if not can_manage:
            return (MANAGE_DISABLED, *refreshed_reports(), None)
        lines, saved = [], []
        for path in files or []:
            name = Path(path).name
            try:
                target = save_upload(Path(path).read_bytes(), name, assistant.settings.corpus_dir, max_bytes)
            except (UploadError, OSError) as exc:
                lines.append(f"- **{name}** was not added: {exc}")
                continue
            saved.append(target.name)
        if saved:
            report = wait_for_index(progress)
            lines += [upload_outcome(source, report) for source in saved]
        return "\n".join(lines) or "No file was sent.", *refreshed_reports(), None

    def upload_outcome(source: str, report) -> str:
        reason = (report.failed if report else {}).get(source)
        if not reason:
            return f"- **{source}** was added and can be asked about now."
        moved = assistant.remove(source)
        return f"- **{source}** could not be read ({reason}); it was moved to {moved} and not indexed."

    def rescan(progress=gr.Progress()):
        if not can_manage:
            return (MANAGE_DISABLED, *refreshed_reports())
        report = wait_for_index(progress)
        return (report.summary() if report else "Indexing is still running."), *refreshed_reports()

    def remove(source: str | None):
        if not can_manage:
            return (MANAGE_DISABLED, *refreshed_reports())
        if not source:
            return "Choose a report to remove first.", *refreshed_reports()
        try:
            moved = assistant.remove(source)
        except KeyError:
            return f"{source} is not in the index.", *refreshed_reports(clear_choice=True)
        where = f"its file was moved to {moved}" if moved else "its file was already gone"
        return f"Removed **{source}** from the index; {where}.", *refreshed_reports(clear_choice=True)

    def poll(seen_runs: int):
        status = indexing.status
        if status.runs == seen_runs:
            return gr.skip(), gr.skip(), gr.skip(), status.text(), seen_runs
        return *refreshed_reports(), status.runs

    max_bytes = int(assistant.settings.max_file_mb * 1_000_000)
    private = {"api_visibility": "private"}
    with gr.Blocks(title="Inspection reports assistant") as demo:
        gr.Markdown("# Inspection reports assistant\nAnswers in the reports' own words, every quote with its source.")
        status = gr.Markdown(indexing.status.text(), elem_id="index-status")
        seen_runs = gr.State(-1)
        last_answer = gr.State(None)
        asked = gr.State([])
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(
                            elem_id="chat", height=460, label="Conversation", show_label=False, buttons=["copy"]
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                placeholder="Ask about the reports…", show_label=False, scale=6, elem_id="question"
                            )
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                            clear_button = gr.Button("Clear conversation", scale=1, elem_id="clear-button")
                        with gr.Accordion("Filters", open=False):
                            with gr.Row():
                                authority = gr.Dropdown(
                                    authority_choices(assistant), label="Authority", allow_custom_value=True
                                )
                                source_type = gr.Dropdown(["", *SOURCE_TYPES], value="", label="Source type")
                                since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="2010-01-01")
                                until = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="2024-12-31")
                        gr.Examples(EXAMPLES, inputs=question, label="Try")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(citation_cards(None), elem_id="sources", js_on_load=CARD_JS)
                        document = gr.HTML("", elem_id="document-view")
            with gr.Tab("Reports", id="reports"):
                if not can_manage:
                    gr.Markdown(MANAGE_DISABLED, elem_id="manage-disabled")
                table = gr.Dataframe(
                    documents_rows(assistant.documents()),
                    headers=DOCUMENT_COLUMNS,
                    interactive=False,
                    wrap=True,
                    column_widths=["28%", "7%", "10%", "9%", "13%", "6%", "6%", "10%", "11%"],
                    elem_id="documents-table",
                )
                with gr.Row():
                    files = gr.File(
                        file_count="multiple",
                        file_types=list(ALLOWED),
                        label=f"Add reports ({', '.join(ALLOWED)}; up to {assistant.settings.max_file_mb:g} MB)",
                        interactive=can_manage,
                        elem_id="upload",
                    )
                    with gr.Column():
                        rescan_button = gr.Button("Re-scan corpus folder", interactive=can_manage, elem_id="rescan")
                        to_remove = gr.Dropdown(
                            [], label="Report to remove", interactive=can_manage, elem_id="remove-choice"
                        )
                        remove_button = gr.Button("Remove", variant="stop", interactive=can_manage, elem_id="remove")
                outcome = gr.Markdown(elem_id="reports-outcome")

        ask_inputs = [question, chat, asked, authority, source_type, since, until]
        ask_outputs = [chat, sources, last_answer, asked, question, document]
        for trigger in (send.click, question.submit):
            trigger(respond, ask_inputs, ask_outputs, concurrency_limit=16, **private)
        for trigger in (clear_button.click, chat.clear):
            trigger(clear, None, [chat, sources, last_answer, asked, document], **private)
        sources.click(open_document, [last_answer], document, **private)
        reports = [table, to_remove, authority, status]
        files.upload(upload, files, [outcome, *reports, files], concurrency_limit=4, **private)
        rescan_button.click(rescan, None, [outcome, *reports], **private)
        remove_button.click(remove, to_remove, [outcome, *reports], **private)
        gr.Timer(1.0).tick(poll, seen_runs, [*reports, seen_runs], show_progress="hidden", **private)
        gr.api(ask_api, api_name="ask", concurrency_limit=16)
    return demo


MANAGE_DISABLED = (
    "Adding and removing reports is turned off: the app listens beyond this computer without a password. "
    "Set ASSISTANT_USER and ASSISTANT_PASSWORD to turn it on."
)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("httpx", "sentence_transformers", "chromadb", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings().with_overrides(
        corpus_dir=args.corpus,
        index_dir=args.index,
        chroma_url=args.chroma_url,
        llm=args.llm,
        llm_model=args.llm_model,
        llm_timeout=args.llm_timeout,
    )
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    host = args.host or os.environ.get("ASSISTANT_HOST") or "127.0.0.1"
    port = args.port or int(os.environ.get("ASSISTANT_PORT") or 7860)
    auth = credentials()
    assistant = Assistant(settings)
    indexing = BackgroundIndexer(assistant)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        indexing.request()  # catch up with the corpus; the page shows progress and questions are answered meanwhile
        threading.Thread(target=assistant.embedder.encode, args=(["warm up"],), daemon=True).start()  # load it now
        demo = build_ui(assistant, indexing, can_manage=may_manage(host, auth))
        demo.queue(default_concurrency_limit=8).launch(
            server_name=host,
            server_port=port,
            share=False,
            auth=auth,
            max_file_size=f"{settings.max_file_mb:g}mb",
            css=CSS,
            head=HEAD,
            footer_links=["api"],
        )
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM before the server took over: the ordinary way to stop, not an error
    finally:
        # Ctrl-C or SIGTERM: indexing ends after the files being written, the parse workers with it, so the
        # index is left committed rather than cut off mid-file (the next start takes the rest).
        if not indexing.stop():
            logging.warning("indexing did not stop in time; the next start redoes the file it was writing")


def _interrupt(signum: int, frame) -> None:
    """SIGTERM (a service manager's stop) ends the app the way Ctrl-C does, so the cleanup above runs."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()

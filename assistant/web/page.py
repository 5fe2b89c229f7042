"""The web chat's page: an Ask tab (chat, filters, sources, document view), a Compare tab (two reports of an
authority side by side) and a Reports tab (table, upload, remove, new reports' comparisons), each control wired
to a named handler of `handlers.ChatHandlers`."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant.schema import SOURCE_TYPES
from assistant.web.handlers import MANAGE_DISABLED, ChatHandlers
from assistant.web.render import DOCUMENT_COLUMNS, citation_cards, comparison_view, documents_rows
from assistant.web.saved_panel import CHANGES_COLUMNS, SAVED_CSS, SAVED_JS, SavedPanel
from assistant.web.uploads import ALLOWED

EXAMPLES = [
    "What did Ofsted say about agency staff in Doncaster?",
    "How many child protection conferences were postponed in Darlington?",
    "How did Devon County Council respond to the report?",
]
CSS = (
    """
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
.outcome-uncertain { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 8px; padding: 8px 10px;
  margin-bottom: 10px; font-size: 0.9em; }
.timeline { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; background: #fff; }
.timeline-title { font-weight: 600; color: #1f2328; font-size: 0.9em; }
.timeline-svg { display: block; width: 100%; max-width: 460px; height: auto; }
.timeline-grade, .timeline-year { fill: #57606a; } .timeline-n { font-weight: 600; }
.timeline-point { cursor: pointer; } .timeline-point:hover circle { stroke: #1f2328; }
.cmp-table { width: 100%; border-collapse: collapse; table-layout: fixed; }
.cmp-table th, .cmp-table td { vertical-align: top; padding: 4px 8px; width: 50%; text-align: left; }
.cmp-title td { font-weight: 600; border-top: 1px solid #d0d7de; padding-top: 10px; }
.cmp-quote { margin: 4px 0; padding: 6px 8px; border-left: 3px solid #6f42c1; background: #f6f8fa; cursor: pointer; }
.cmp-quote:hover { background: #fff3a3; }
.cmp-where, .cmp-file { font-size: 0.8em; color: #57606a; }
.cmp-note { color: #9a6700; }
.timeline-caption { font-size: 0.8em; color: #57606a; display: flex; flex-wrap: wrap; gap: 4px 12px; }
"""
    + SAVED_CSS
)

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

QUOTE_JS = """
element.addEventListener("click", (event) => {
  const quote = event.target.closest(".cmp-quote");
  if (quote) trigger("click", {source: quote.dataset.source, start: quote.dataset.start, end: quote.dataset.end});
});
"""

CARD_JS = """
element.addEventListener("click", (event) => {
  const card = event.target.closest(".cite-card");
  if (card) trigger("click", {n: Number(card.dataset.n)});
});
"""


@dataclass
class AskTab:
    chat: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    clear: gr.Button
    authority: gr.Dropdown
    source_type: gr.Dropdown
    since: gr.Textbox
    until: gr.Textbox
    sources: gr.HTML
    document: gr.HTML


@dataclass
class CompareTab:
    authority: gr.Dropdown
    before: gr.Dropdown
    after: gr.Dropdown
    run: gr.Button
    view: gr.HTML
    document: gr.HTML


@dataclass
class ReportsTab:
    table: gr.Dataframe
    files: gr.File
    rescan: gr.Button
    to_remove: gr.Dropdown
    remove: gr.Button
    outcome: gr.Markdown
    offers: gr.HTML


def build_page(handlers: ChatHandlers) -> gr.Blocks:
    """The whole page, its controls wired to the handlers."""
    with gr.Blocks(title="Inspection reports assistant") as demo:
        gr.Markdown("# Inspection reports assistant\nAnswers in the reports' own words, every quote with its source.")
        status = gr.Markdown(handlers.indexing.status.text(), elem_id="index-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask = _ask_tab(handlers)
                saved = _saved_controls()
            with gr.Tab("Compare", id="compare"):
                compare = _compare_tab(handlers)
            with gr.Tab("Reports", id="reports"):
                reports = _reports_tab(handlers)
                gr.Markdown("### Latest changes to the index")
                changes = gr.Dataframe(headers=CHANGES_COLUMNS, interactive=False, wrap=True, elem_id="changes-table")
        last_answer, asked = _wire(handlers, ask, reports, status)
        _wire_compare(handlers, compare, reports)
        _wire_saved(SavedPanel(handlers), ask, saved, changes, (last_answer, asked))
    return demo


def _ask_tab(handlers: ChatHandlers) -> AskTab:
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(elem_id="chat", height=460, label="Conversation", show_label=False, buttons=["copy"])
            with gr.Row():
                question = gr.Textbox(
                    placeholder="Ask about the reports…", show_label=False, scale=6, elem_id="question"
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                clear = gr.Button("Clear conversation", scale=1, elem_id="clear-button")
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    authority = gr.Dropdown(handlers.authority_choices(), label="Authority", allow_custom_value=True)
                    source_type = gr.Dropdown(["", *SOURCE_TYPES], value="", label="Source type")
                    since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="2010-01-01")
                    until = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="2024-12-31")
            gr.Examples(EXAMPLES, inputs=question, label="Try")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(citation_cards(None), elem_id="sources", js_on_load=CARD_JS)
            document = gr.HTML("", elem_id="document-view")
    return AskTab(chat, question, send, clear, authority, source_type, since, until, sources, document)


def _reports_tab(handlers: ChatHandlers) -> ReportsTab:
    can_manage = handlers.can_manage
    max_mb = handlers.assistant.settings.max_file_mb
    if not can_manage:
        gr.Markdown(MANAGE_DISABLED, elem_id="manage-disabled")
    table = gr.Dataframe(
        documents_rows(handlers.assistant.documents()),
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
            label=f"Add reports ({', '.join(ALLOWED)}; up to {max_mb:g} MB)",
            interactive=can_manage,
            elem_id="upload",
        )
        with gr.Column():
            rescan = gr.Button("Re-scan corpus folder", interactive=can_manage, elem_id="rescan")
            to_remove = gr.Dropdown([], label="Report to remove", interactive=can_manage, elem_id="remove-choice")
            remove = gr.Button("Remove", variant="stop", interactive=can_manage, elem_id="remove")
    outcome = gr.Markdown(elem_id="reports-outcome")
    offers = gr.HTML("", elem_id="comparison-offers")
    return ReportsTab(table, files, rescan, to_remove, remove, outcome, offers)


def _compare_tab(handlers: ChatHandlers) -> CompareTab:
    """An authority, two of its reports, and their findings side by side; a quote opens its document."""
    with gr.Row():
        authority = gr.Dropdown(handlers.authority_choices(), label="Authority", elem_id="compare-authority")
        before = gr.Dropdown([], label="Earlier report", elem_id="compare-before")
        after = gr.Dropdown([], label="Newer report", elem_id="compare-after")
        run = gr.Button("Compare", variant="primary", elem_id="compare-button")
    with gr.Row():
        with gr.Column(scale=3):
            view = gr.HTML(comparison_view(None), elem_id="compare-view", js_on_load=QUOTE_JS)
        with gr.Column(scale=2):
            document = gr.HTML("", elem_id="compare-document")
    return CompareTab(authority, before, after, run, view, document)


def _wire_compare(handlers: ChatHandlers, compare: CompareTab, reports: ReportsTab) -> None:
    private = {"api_visibility": "private"}
    compare.authority.change(
        handlers.report_choices, compare.authority, [compare.before, compare.after, compare.view], **private
    )
    compare.run.click(handlers.compare, [compare.authority, compare.before, compare.after], compare.view, **private)
    compare.view.click(handlers.open_quote, None, compare.document, **private)
    seen = gr.State(-1)
    outputs = [reports.offers, compare.authority, seen]
    gr.Timer(2.0).tick(handlers.poll_offers, seen, outputs, show_progress="hidden", **private)


def _wire(handlers: ChatHandlers, ask: AskTab, reports: ReportsTab, status: gr.Markdown) -> tuple[gr.State, gr.State]:
    """Connect every control to its handler; only /ask is part of the public API. Returns the states of the
    answer shown and the questions asked, which the saved questions' controls share."""
    private = {"api_visibility": "private"}
    seen_runs, last_answer, asked = gr.State(-1), gr.State(None), gr.State([])
    ask_inputs = [ask.question, ask.chat, asked, ask.authority, ask.source_type, ask.since, ask.until]
    ask_outputs = [ask.chat, ask.sources, last_answer, asked, ask.question, ask.document]
    for trigger in (ask.send.click, ask.question.submit):
        trigger(handlers.respond, ask_inputs, ask_outputs, concurrency_limit=16, **private)
    for trigger in (ask.clear.click, ask.chat.clear):
        trigger(handlers.clear, None, [ask.chat, ask.sources, last_answer, asked, ask.document], **private)
    ask.sources.click(handlers.open_document, [last_answer], ask.document, **private)
    lists = [reports.table, reports.to_remove, ask.authority, status]
    reports.files.upload(
        handlers.upload, reports.files, [reports.outcome, *lists, reports.files], concurrency_limit=4, **private
    )
    reports.rescan.click(handlers.rescan, None, [reports.outcome, *lists], **private)
    reports.remove.click(handlers.remove, reports.to_remove, [reports.outcome, *lists], **private)
    gr.Timer(1.0).tick(handlers.poll, seen_runs, [*lists, seen_runs], show_progress="hidden", **private)
    gr.api(handlers.ask_api, api_name="ask", concurrency_limit=16)
    return last_answer, asked


@dataclass
class SavedControls:
    save: gr.Button
    export_docx: gr.DownloadButton
    export_md: gr.DownloadButton
    outcome: gr.Markdown
    panel: gr.HTML


def _saved_controls() -> SavedControls:
    """Save the question, export the answer, and the saved questions with their new answers."""
    with gr.Row():
        save = gr.Button("Save this question", elem_id="save-question", scale=1)
        export_docx = gr.DownloadButton("Export answer (Word)", interactive=False, elem_id="export-docx", scale=1)
        export_md = gr.DownloadButton("Export answer (Markdown)", interactive=False, elem_id="export-md", scale=1)
    outcome = gr.Markdown(elem_id="save-outcome")
    gr.Markdown("### Saved questions")
    panel = gr.HTML("", elem_id="saved-panel", js_on_load=SAVED_JS)
    return SavedControls(save, export_docx, export_md, outcome, panel)


def _wire_saved(panel: SavedPanel, ask: AskTab, saved: SavedControls, changes: gr.Dataframe, states: tuple) -> None:
    """Saving, opening saved answers and exporting; the panel and the changes refresh on their own timer."""
    private = {"api_visibility": "private"}
    last_answer, asked = states
    filters = [ask.authority, ask.source_type, ask.since, ask.until]
    exports = [saved.export_docx, saved.export_md]
    last_answer.change(panel.export, last_answer, exports, show_progress="hidden", **private)
    saved.save.click(panel.save, [last_answer, *filters], [saved.outcome, saved.panel], **private)
    opened = [ask.chat, ask.sources, last_answer, asked, ask.document, saved.panel, *exports]
    saved.panel.click(panel.open, None, opened, **private)
    seen = gr.State(None)
    gr.Timer(1.0).tick(panel.poll, seen, [saved.panel, changes, seen], show_progress="hidden", **private)

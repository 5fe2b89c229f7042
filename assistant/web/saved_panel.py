"""Saved questions, the index's changelog and exports in the web chat: the handlers and their escaped HTML.

Kept apart from `handlers.py` so the Ask and Reports tabs' handlers stay as they were; `page.py` wires these.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.export import export_answer
from assistant.schema import Answer
from assistant.web.handlers import ChatHandlers, filters_of
from assistant.web.render import answer_chat_markdown, sources_panel

CHANGES_COLUMNS = ["When", "Change", "Document", "Title", "Through"]
LATEST_CHANGES = 50
KEPT_EXPORTS = 16  # answers exported lately, left on disk for their download buttons
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")  # a file name's underscores are not emphasis
SAVED_JS = """
element.addEventListener("click", (event) => {
  const item = event.target.closest(".saved-item");
  if (item) trigger("click", {id: Number(item.dataset.id)});
});
"""
SAVED_CSS = """
.saved-panel { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; background: #fff; }
.saved-new-title { font-weight: 600; color: #9a6700; }
.saved-item { cursor: pointer; padding: 4px 6px; border-radius: 6px; margin: 2px 0; }
.saved-item:hover { background: #f6f8fa; }
.saved-item.saved-new { background: #fff8c5; }
.saved-change { font-size: 0.85em; color: #57606a; }
.saved-empty { color: #57606a; font-size: 0.9em; }
"""


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def _change_words(change: dict, escape=html.escape) -> str:
    """What a saved answer's citations changed by, each file name escaped for where it is shown."""
    parts = [f"now cites {escape(s)}" for s in change.get("cited_now", [])]
    parts += [f"no longer cites {escape(s)}" for s in change.get("no_longer_cited", [])]
    return "; ".join(parts)


def _markdown_literal(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _item(saved: dict) -> str:
    new = " saved-new" if saved["new"] else ""
    change = _change_words(saved["change"]) if saved["new"] else ""
    note = f'<div class="saved-change">{change}</div>' if change else ""
    return (
        f'<div class="saved-item{new}" data-id="{int(saved["id"])}" title="Open this answer">'
        f"#{int(saved['id'])} {html.escape(saved['question'])}{note}</div>"
    )


def saved_html(saved: list[dict]) -> str:
    """New answers since the user last looked, first, then the other saved questions; each opens its answer."""
    if not saved:
        return '<div class="saved-panel"><div class="saved-empty">No saved questions yet.</div></div>'
    new = [s for s in saved if s["new"]]
    parts = ['<div class="saved-panel">']
    if new:
        parts.append(f'<div class="saved-new-title">New answers since you last looked ({len(new)})</div>')
        parts += [_item(s) for s in new]
    rest = [s for s in saved if not s["new"]]
    if rest:
        parts.append('<div class="saved-empty">Saved questions</div>')
        parts += [_item(s) for s in rest]
    return "".join(parts) + "</div>"


def changes_rows(changes: list[dict]) -> list[list[str]]:
    """The changelog, latest first, as table rows."""
    return [[_when(c["at"]), c["change"], c["source"], c["meta"].get("title", ""), c["via"]] for c in reversed(changes)]


def _make_room(exports: Path) -> None:
    """Only the latest exports stay on disk, so a server that runs for months does not fill its temp folder."""
    folders = sorted(exports.iterdir(), key=lambda folder: folder.stat().st_mtime)
    for folder in folders[: max(len(folders) - KEPT_EXPORTS + 1, 0)]:  # + 1: the one about to be made
        shutil.rmtree(folder, ignore_errors=True)


class SavedPanel:
    """Save a question, open saved answers, list the index's changes, export an answer."""

    def __init__(self, handlers: ChatHandlers) -> None:
        self.handlers = handlers
        self.assistant = handlers.assistant
        # Removed when the panel goes or the app stops; gradio serves its own copy of each file it is handed.
        self._exports_dir = tempfile.TemporaryDirectory(prefix="assistant-exports-", ignore_cleanup_errors=True)
        self._exports = Path(self._exports_dir.name)

    def panel(self) -> str:
        return saved_html(self.assistant.saved.all())

    def changes(self) -> list[list[str]]:
        return changes_rows(self.assistant.store.changes(limit=LATEST_CHANGES))

    def save(self, answer: Answer | None, authority, source_type, since, until) -> tuple[str, str]:
        """Save the question last answered (as it was searched, a follow-up resolved) with the filters set."""
        if answer is None or not (answer.resolved_question or answer.question):
            return "Ask a question first, then save it.", gr.skip()
        question = answer.resolved_question or answer.question
        try:
            saved = self.assistant.saved.add(question, filters_of(authority, source_type, since, until))
        except ValueError as exc:
            return str(exc), gr.skip()
        return f"Saved #{saved['id']}: it is asked again whenever the reports change.", self.panel()

    def open(self, event: gr.EventData) -> tuple:
        """(chat, sources, last answer, questions asked, document view, panel, the two exports): a saved answer,
        now seen; its exports come with it, so a download right after opening it is of this answer."""
        saved_id = (getattr(event, "_data", None) or {}).get("id")
        saved = self.assistant.saved.show(int(saved_id)) if saved_id is not None else None
        if saved is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), self.panel(), gr.skip(), gr.skip()
        answer = self.assistant.ask(saved["question"], filters=saved["filters"])
        note = _change_words(saved["change"], _markdown_literal) if saved["new"] else ""
        text = answer_chat_markdown(answer)
        chat = [
            {"role": "user", "content": saved["question"]},
            {"role": "assistant", "content": f"**New answer:** {note}.\n\n{text}" if note else text},
        ]
        return chat, sources_panel(answer), answer, [saved["question"]], "", self.panel(), *self.export(answer)

    def export(self, answer: Answer | None) -> tuple:
        """The Word and Markdown files of the last answer, for the two download buttons."""
        if answer is None:
            return gr.update(value=None, interactive=False), gr.update(value=None, interactive=False)
        _make_room(self._exports)
        folder = Path(tempfile.mkdtemp(dir=self._exports))
        corpus = self.assistant.settings.corpus_dir
        files = [export_answer(answer, folder / f"answer{suffix}", corpus) for suffix in (".docx", ".md")]
        return tuple(gr.update(value=str(path), interactive=True) for path in files)

    def poll(self, seen: tuple | None) -> tuple:
        """Every second: the panel and the changes, fresh when a question or the index changed since."""
        state = (
            self.assistant.store.last_change_id(),
            tuple((s["id"], s["new"], s["checked_change"]) for s in self.assistant.saved.all()),
        )
        if list(state) == list(seen or ()):
            return gr.skip(), gr.skip(), seen
        return self.panel(), self.changes(), list(state)

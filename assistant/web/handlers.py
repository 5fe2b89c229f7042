"""What the web chat does when a user acts: ask, open a document, add, re-scan and remove reports.

Each handler is a plain method that takes the page's values and returns new ones, so tests call them
directly; `page.py` wires them to the page's controls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import gradio as gr

from assistant.api import Assistant
from assistant.dates import format_date
from assistant.schema import Answer, IndexReport
from assistant.web.background import BackgroundIndexer
from assistant.web.render import (
    answer_chat_markdown,
    citation_cards,
    comparison_offers,
    comparison_view,
    document_view,
    documents_rows,
    sources_panel,
)
from assistant.web.uploads import UploadError, save_upload

STREAM_PAUSE = 0.04  # seconds between streamed lines, so the answer visibly fills in
MANAGE_DISABLED = (
    "Adding and removing reports is turned off: the app listens beyond this computer without a password. "
    "Set ASSISTANT_USER and ASSISTANT_PASSWORD to turn it on."
)
Progress = Callable[..., object]


def filters_of(authority: str | None, source_type: str | None, since: str | None, until: str | None) -> dict:
    return {"authority": authority or None, "type": source_type or None, "since": since or None, "until": until or None}


class ChatHandlers:
    """The page's handlers over one Assistant and its background indexing."""

    def __init__(self, assistant: Assistant, indexing: BackgroundIndexer, can_manage: bool = True) -> None:
        self.assistant = assistant
        self.indexing = indexing
        self.can_manage = can_manage
        self.max_bytes = int(assistant.settings.max_file_mb * 1_000_000)

    # ---- the Ask tab ----

    def ask_api(
        self, question: str, authority: str = "", source_type: str = "", since: str = "", until: str = ""
    ) -> dict:
        """Answer a question; returns the answer text and its citations, as `python -m assistant ask --json`."""
        return self.assistant.ask(question, filters=filters_of(authority, source_type, since, until)).to_json()

    def respond(self, question, chat, asked, authority, source_type, since, until) -> Iterator[tuple]:
        """(chat, sources, last answer, questions asked, question box, document view), as the answer grows."""
        chat, asked = list(chat or []), list(asked or [])
        if not (question or "").strip():
            yield chat, gr.skip(), gr.skip(), asked, gr.skip(), gr.skip()
            return
        chat.append({"role": "user", "content": question})
        answer = None
        for shown, latest in self._answer_lines(question, asked, filters_of(authority, source_type, since, until)):
            answer = latest or answer
            yield [*chat, {"role": "assistant", "content": shown}], gr.skip(), gr.skip(), asked, gr.skip(), gr.skip()
        final = [*chat, {"role": "assistant", "content": answer_chat_markdown(answer)}]
        yield final, sources_panel(answer), answer, asked + [question], "", ""

    def _answer_lines(self, question: str, asked: list[str], filters: dict) -> Iterator[tuple[str, Answer | None]]:
        """What the chat shows as the answer comes: a language model's checked sentences as they are written,
        an extractive answer line by line; the last item carries the Answer."""
        pieces: list[str] = []
        for event in self.assistant.ask_stream(question, history=asked, filters=filters):
            if event.answer is None:
                pieces.append(event.text.strip())
                yield " ".join(pieces), None
                continue
            answer = self._while_building(event.answer)
            if not pieces:
                for upto in range(1, len(answer.text.split("\n")) + 1):
                    yield answer_chat_markdown(answer, upto), answer
                    time.sleep(STREAM_PAUSE)
            yield answer_chat_markdown(answer), answer

    def _while_building(self, answer: Answer) -> Answer:
        if answer.no_answer and self.indexing.status.running and not self.assistant.store.passage_count():
            answer.text = "The index is still being built; please ask again in a moment."
        return answer

    def open_document(self, answer: Answer | None, event: gr.EventData):
        """The whole document of the citation card clicked, scrolled to its quote."""
        number = (getattr(event, "_data", None) or {}).get("n")
        citation = next((c for c in (answer.citations if answer else []) if c.n == number), None)
        if citation is None:
            return gr.skip()
        span = (citation.quote_start, citation.quote_end)
        document = self.assistant.store.document(citation.source)
        return document_view(document, span, f"[{citation.n}] {citation.title}")

    @staticmethod
    def clear() -> tuple:
        return [], citation_cards(None), None, [], ""

    # ---- the Reports tab ----

    def authority_choices(self) -> list[str]:
        return sorted({a for meta in self.assistant.documents().values() for a in meta.get("authorities") or []})

    def refreshed_reports(self, clear_choice: bool = False) -> tuple:
        """The reports table and lists, fresh. The report chosen for removal stays chosen unless it was just
        removed: the timer refreshes these after every indexing run, and must not undo a user's choice."""
        rows = documents_rows(self.assistant.documents())
        sources = [row[-1] for row in rows]
        choices = gr.update(choices=self.authority_choices())
        to_remove = gr.update(choices=sources, value=None) if clear_choice else gr.update(choices=sources)
        return rows, to_remove, choices, self.indexing.status.text()

    def _wait_for_index(self, progress: Progress) -> IndexReport | None:
        ticket = self.indexing.request()
        progress(0, desc="Indexing")
        tick = lambda s: progress((s.done, max(s.total, 1)), desc="Indexing", unit="files")  # noqa: E731
        return self.indexing.wait(ticket, tick=tick)

    def upload(self, files, progress: Progress = gr.Progress()) -> tuple:
        if not self.can_manage:
            return (MANAGE_DISABLED, *self.refreshed_reports(), None)
        lines, saved = [], []
        for path in files or []:
            name = Path(path).name
            try:
                target = save_upload(Path(path).read_bytes(), name, self.assistant.settings.corpus_dir, self.max_bytes)
            except (UploadError, OSError) as exc:
                lines.append(f"- **{name}** was not added: {exc}")
                continue
            saved.append(target.name)
        if saved:
            report = self._wait_for_index(progress)
            lines += [self._upload_outcome(source, report) for source in saved]
        return "\n".join(lines) or "No file was sent.", *self.refreshed_reports(), None

    def _upload_outcome(self, source: str, report: IndexReport | None) -> str:
        reason = (report.failed if report else {}).get(source)
        if not reason:
            return f"- **{source}** was added and can be asked about now."
        moved = self.assistant.remove(source)
        return f"- **{source}** could not be read ({reason}); it was moved to {moved} and not indexed."

    def rescan(self, progress: Progress = gr.Progress()) -> tuple:
        if not self.can_manage:
            return (MANAGE_DISABLED, *self.refreshed_reports())
        report = self._wait_for_index(progress)
        return (report.summary() if report else "Indexing is still running."), *self.refreshed_reports()

    def remove(self, source: str | None) -> tuple:
        if not self.can_manage:
            return (MANAGE_DISABLED, *self.refreshed_reports())
        if not source:
            return "Choose a report to remove first.", *self.refreshed_reports()
        try:
            moved = self.assistant.remove(source)
        except KeyError:
            return f"{source} is not in the index.", *self.refreshed_reports(clear_choice=True)
        where = f"its file was moved to {moved}" if moved else "its file was already gone"
        return f"Removed **{source}** from the index; {where}.", *self.refreshed_reports(clear_choice=True)

    def poll(self, seen_runs: int) -> tuple:
        """Every second: the status line, and fresh lists when an indexing run has finished since."""
        status = self.indexing.status
        if status.runs == seen_runs:
            return gr.skip(), gr.skip(), gr.skip(), status.text(), seen_runs
        return *self.refreshed_reports(), status.runs

    # ---- the Compare tab ----

    def report_choices(self, authority: str | None) -> tuple:
        """(earlier choice, newer choice, the comparison's view) for an authority: its latest two graded reports."""
        reports = self.assistant.reports_of(authority) if authority else []
        choices = [
            (f"{meta.get('doc_type', 'report')} of {format_date(meta.get('publication_date'))}", s)
            for s, meta in reports
        ]
        if not reports:
            return gr.update(choices=[], value=None), gr.update(choices=[], value=None), comparison_view(None)
        comparison = self.assistant.compare(authority)
        before = comparison.before.source if comparison.before else None
        after = comparison.after.source if comparison.after else None
        view = comparison_view(comparison)
        return gr.update(choices=choices, value=before), gr.update(choices=choices, value=after), view

    def compare(self, authority: str | None, before: str | None, after: str | None) -> str:
        """Two chosen reports side by side (the later-dated one as the newer whichever way they were chosen)."""
        if not authority:
            return comparison_view(None)
        if before and after and before == after:
            return '<div class="cmp-empty">Choose two different reports.</div>'
        dated = {source: meta for source, meta in self.assistant.reports_of(authority)}
        if (
            before in dated
            and after in dated
            and (dated[before].get("publication_date") or "") > (dated[after].get("publication_date") or "")
        ):
            before, after = after, before
        return comparison_view(self.assistant.compare(authority, before or None, after or None))

    def open_quote(self, event: gr.EventData):
        """The whole document of the quote clicked in the Compare view, scrolled to it."""
        data = getattr(event, "_data", None) or {}
        document = self.assistant.store.document(str(data.get("source") or ""))
        try:
            span = (int(data["start"]), int(data["end"]))
        except (KeyError, TypeError, ValueError):
            return gr.skip()
        return document_view(document, span)

    def poll_offers(self, seen_runs: int) -> tuple:
        """After each indexing run: the new reports' comparisons with the ones before, offered in the Reports tab."""
        status = self.indexing.status
        if status.runs == seen_runs:
            return gr.skip(), gr.skip(), seen_runs
        return comparison_offers(status.comparisons), gr.update(choices=self.authority_choices()), status.runs

"""Indexing in a background thread, so questions are answered while reports are added."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from assistant.indexing.indexer import scan_corpus
from assistant.schema import IndexReport

log = logging.getLogger(__name__)


@dataclass
class IndexStatus:
    """What the background indexing is doing, for a status line or a progress bar."""

    running: bool = False
    done: int = 0  # files handled in the current run
    total: int = 0  # files the current run has to handle
    last_event: str = ""
    report: IndexReport | None = None  # of the last finished run
    error: str = ""
    runs: int = 0
    comparisons: list = field(default_factory=list)  # of the last run: each new report beside the one before

    def text(self) -> str:
        """One line for people."""
        if self.running:
            return f"Indexing: {self.done} of {self.total} files" + (f" ({self.last_event})" if self.last_event else "")
        if self.error:
            return f"Indexing failed: {self.error}"
        if self.report is None:
            return "Index not built yet."
        return f"Index ready. Last run: {self.report.summary().splitlines()[0]}"


def files_to_index(assistant) -> int:
    """How many files in the corpus are new or changed since they were indexed (by size and time)."""
    known = assistant.store.documents()
    count = 0
    for source, path in scan_corpus(assistant.settings.corpus_dir, assistant.settings):
        row = known.get(source)
        try:
            stat = path.stat()
        except OSError:
            continue
        if not row or row.state != "ok" or row.size != stat.st_size or row.mtime_ns != stat.st_mtime_ns:
            count += 1
    return count


class BackgroundIndexer:
    """Runs Assistant.index in one thread at a time; a request during a run gets another run after it."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self._cond = threading.Condition()
        self._requested = 0
        self._finished = 0
        self._reports: dict[int, IndexReport] = {}
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.status = IndexStatus()

    def stop(self, timeout: float = 30.0) -> bool:
        """End the current run after the files being written, and take no more; True if it ended in time."""
        with self._cond:
            self._stopping.set()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def request(self) -> int:
        """Ask for the index to catch up with the corpus; returns a ticket to wait on."""
        with self._cond:
            self._requested += 1
            ticket = self._requested
            if self._stopping.is_set():
                return ticket  # stopped for good: the app is ending
            if self._thread is None or not self._thread.is_alive():
                self.status.running = True
                self._thread = threading.Thread(target=self._loop, name="indexing", daemon=True)
                self._thread.start()
            return ticket

    def wait(self, ticket: int, timeout: float | None = None, tick=None) -> IndexReport | None:
        """Block until the run that covers `ticket` finished; `tick(status)` is called about twice a second."""
        with self._cond:
            waited = 0.0
            while self._finished < ticket:
                if (timeout is not None and waited >= timeout) or (self._stopping.is_set() and not self.status.running):
                    return None
                self._cond.wait(0.5)
                waited += 0.5
                if tick:
                    tick(self.status)
            return next(report for done, report in sorted(self._reports.items()) if done >= ticket)

    def _loop(self) -> None:
        while True:
            with self._cond:
                target = self._requested
                if self._finished >= target or self._stopping.is_set():
                    self.status.running = False
                    self._cond.notify_all()
                    return
                self.status.running, self.status.done, self.status.last_event = True, 0, ""
            self.status.total = files_to_index(self.assistant)
            report = self._run()
            comparisons = self._compare(report)
            with self._cond:
                self._finished = target
                self._reports[target] = report
                self.status.report, self.status.runs = report, self.status.runs + 1
                self.status.comparisons = comparisons
                self.status.running = self._requested > target
                self._cond.notify_all()

    def _compare(self, report: IndexReport) -> list:
        """Each new report beside the one before it, prepared here so the Reports tab can offer it at once."""
        try:
            return self.assistant.newest_comparisons(report)
        except Exception:  # noqa: BLE001 - an offer that cannot be made must not stop the indexing thread
            log.warning("could not compare the new reports", exc_info=True)
            return []

    def _run(self) -> IndexReport:
        def note(event: str, source: str) -> None:
            if event != "removed":
                self.status.done += 1
            self.status.last_event = f"{event.split(':')[0]} {source}"

        try:
            self.status.error = ""
            return self.assistant.index(progress=note, via="web", stop=self._stopping)
        except Exception as exc:  # the thread must live on to serve later requests
            self.status.error = str(exc) or type(exc).__name__
            return IndexReport(failed={"(index)": self.status.error})

"""Keep indexing as files land in, change in, or leave the corpus folder."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from .indexer import scan_corpus

log = logging.getLogger(__name__)


def _unsettled(corpus: Path, settings, settle_seconds: float, sizes: dict[str, int]) -> set[str]:
    """Files still being written: changed within the settle time, or grown since the last look."""
    now = time.time()
    busy = set()
    for source, path in scan_corpus(corpus, settings):
        try:
            stat = path.stat()
        except OSError:
            continue
        if now - stat.st_mtime < settle_seconds or sizes.get(source, stat.st_size) != stat.st_size:
            busy.add(source)
        sizes[source] = stat.st_size
    return busy


def watch(
    assistant, settle_seconds: float = 2.0, poll_seconds: float = 5.0, stop: threading.Event | None = None
) -> None:
    """Sync now, then again whenever the folder changes (or every poll_seconds), until stopped."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    stop = stop or threading.Event()
    changed = threading.Event()

    class _Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            changed.set()

    corpus = assistant.settings.corpus_dir
    observer = Observer()
    observer.schedule(_Handler(), str(corpus), recursive=True)
    observer.start()
    sizes: dict[str, int] = {}
    print(f"watching {corpus} (Ctrl-C to stop)", flush=True)
    try:
        changed.set()
        while not stop.is_set():
            changed.wait(timeout=poll_seconds)
            changed.clear()
            busy = _unsettled(corpus, assistant.settings, settle_seconds, sizes)
            if busy:
                # Come back once the writer has had time to finish; the event fires again if it writes more.
                stop.wait(settle_seconds)
                changed.set()
                continue
            report = assistant.index(progress=lambda event, source: print(f"{event}: {source}", flush=True))
            if report.added or report.updated or report.removed or report.failed:
                print(report.summary(), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()

"""Keep indexing as files land in, change in, or leave the corpus folder."""

from __future__ import annotations

import threading


def watch(
    assistant, settle_seconds: float = 2.0, poll_seconds: float = 5.0, stop: threading.Event | None = None
) -> None:
    """Sync now, then again whenever the folder changes (or every poll_seconds), until stopped.

    A file modified less than settle_seconds ago is still being copied: it waits for a later pass.
    """
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
    print(f"watching {corpus} (Ctrl-C to stop)", flush=True)
    try:
        changed.set()
        while not stop.is_set():
            changed.wait(timeout=poll_seconds)
            changed.clear()
            report = assistant.index(
                progress=lambda event, source: print(f"{event}: {source}", flush=True),
                settle=settle_seconds,
                via="watch",
            )
            for source in report.waiting:
                print(f"waiting: {source} (still being written)", flush=True)
            if report.added or report.updated or report.removed or report.failed:
                print(report.summary(), flush=True)
                print(assistant.last_rerun.summary(), flush=True)
            if report.waiting:
                stop.wait(settle_seconds)  # then look again, even if the writer sends no more events
                changed.set()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()

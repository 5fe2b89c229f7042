"""Keep the index in step with the corpus folder: add, update, remove, and skip what did not change."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.store import IndexedDoc, Store, Written
from assistant.indexing.vectors import add_word_vectors, encode_passages, encode_sentences, vectors_made_by
from assistant.ingest.chunking import chunk_document
from assistant.ingest.facts import differences, extract_facts, merge_grades, report_fields
from assistant.ingest.loaders import READING, LoadError, is_supported, load_bytes
from assistant.ingest.metadata import describe, read_catalogue
from assistant.schema import Chunk, Document, IndexReport

log = logging.getLogger(__name__)
PARSE_AHEAD = 4  # parsed files waiting per worker: enough to keep the encoder fed, little memory
PARSING = ("parsing", None)  # from _parsed: the next file is not parsed yet
Progress = Callable[[str, str], None]  # (event, source): "added", "updated", "failed: reason" ...


@dataclass
class _Pending:
    """A parsed file waiting for its vectors."""

    doc: Document
    chunks: list[Chunk]
    size: int
    mtime_ns: int
    extracted: dict
    meta: dict  # extracted, corrected by the catalogue
    change: str  # "added" or "updated"


def scan_corpus(corpus: Path, settings: Settings) -> Iterator[tuple[str, Path]]:
    """(source, path) of every supported file below the corpus root, in a stable order."""
    root = corpus.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or name in settings.catalogue_names or not is_supported(path):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue  # a link out of the corpus is not part of it
            yield path.relative_to(root).as_posix(), path


def effective_meta(source: str, extracted: dict, catalogue: dict[str, dict]) -> dict:
    """What is read from the text, with the catalogue's corrections on top."""
    meta = dict(extracted)
    row = catalogue.get(source, {})
    meta.update(row)
    if row.get("title"):
        meta["title_printed"] = True  # a title the catalogue gives is the one to show
    if row and extracted.get("doc_type"):
        meta["catalogue_differences"] = differences(extracted, row)
        meta["judgements"] = merge_grades(extracted.get("judgements") or {}, row.get("grades") or {})
    meta["file_name"] = source.rsplit("/", 1)[-1]
    return meta


def load_catalogue(settings: Settings) -> tuple[dict[str, dict], str]:
    """The corpus catalogue, if any, and a hash of it to notice edits."""
    for name in settings.catalogue_names:
        path = settings.corpus_dir / name
        if path.is_file():
            data = path.read_bytes()
            return read_catalogue(path), hashlib.sha256(data).hexdigest()
    return {}, ""


def parse_file(
    source: str, data: bytes, settings: Settings, catalogue: dict[str, dict]
) -> tuple[Document, list[Chunk], dict, dict]:
    """Bytes to a described document and its chunks; raises LoadError with the reason."""
    parsed = load_bytes(data, Path(source).suffix, int(settings.max_file_mb * 1_000_000))
    pages, starts, offset = [], [], 0
    for page in parsed.pages:
        starts.append(offset)
        pages.append(page)
        offset += len(page) + 2
    text = "\n\n".join(pages)
    doc_id = hashlib.sha256(data).hexdigest()[:32]
    extracted = describe(text, parsed.title)
    if extracted["source_type"] == "ofsted":
        facts = report_fields(extract_facts(text, source))
        if facts["authority"]:
            # A report is about the authority it inspected; the others it names (a neighbour, a former
            # council, a "Duke of Edinburgh" award) would put it in their searches.
            extracted["authorities"] = [facts["authority"]]
        extracted.update(facts)
    extracted.update(doc_id=doc_id, source=source, page_count=len(starts), notes=parsed.notes)
    meta = effective_meta(source, extracted, catalogue)
    doc = Document(
        doc_id=doc_id,
        source=source,
        file_name=meta["file_name"],
        title=meta.get("title") or meta["file_name"],
        text=text,
        page_starts=starts,
        source_type=meta.get("source_type", "other"),
        authorities=meta.get("authorities", []),
        publication_date=meta.get("publication_date"),
        inspection_start=meta.get("inspection_start"),
        inspection_end=meta.get("inspection_end"),
        notes=parsed.notes,
    )
    return doc, chunk_document(doc, settings.chunk_chars), extracted, meta


def _reread(row: IndexedDoc | None, reread: bool) -> IndexedDoc | None:
    """The manifest row of a file to read again, without the content hash that would skip it."""
    return replace(row, doc_id="") if row and reread else row


def parse_job(source: str, path: Path, settings: Settings, catalogue: dict, known_doc_id: str | None) -> tuple:
    """("same", None) if the bytes are those already indexed, ("failed", reason), or ("parsed", parts)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "failed", f"cannot read: {exc.strerror}"
    if known_doc_id and hashlib.sha256(data).hexdigest()[:32] == known_doc_id:
        return "same", None
    try:
        parts = parse_file(source, data, settings, catalogue)
    except LoadError as exc:
        return "failed", str(exc)
    if not parts[1]:
        return "failed", "no text to index"
    return "parsed", parts


class Indexer:
    """One store, one encoder, and the corpus folder they mirror."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder

    def sync(
        self,
        rebuild: bool = False,
        progress: Progress | None = None,
        show_bar: bool = False,
        settle: float = 0.0,
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring the index in step with the corpus folder; files modified less than `settle` s ago wait.
        Once `stop` is set, the run ends after the files being written: the rest wait for the next run."""
        started = time.perf_counter()
        report = IndexReport()
        notify = progress or (lambda event, source: None)
        known, catalogue = self._prepare(rebuild, report)
        reread = self.store.get_setting("reading") != READING
        todo, present = self._scan(known, settle, report, reread)
        self._remove_vanished(known, present, report, notify)
        # Read again, a file's bytes are no reason to skip it: its text is what changed.
        jobs = [(source, path, stat, _reread(known.get(source), reread)) for source, path, stat in todo]
        self._write(jobs, catalogue, report, notify, show_bar, stop)
        if not (stop and stop.is_set() or report.waiting):
            self.store.put_setting("reading", READING)
        add_word_vectors(self.store, self.embedder)
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, rebuild: bool, report: IndexReport) -> tuple[dict[str, IndexedDoc], dict[str, dict]]:
        """The documents indexed (none on a rebuild), once the store is whole and current: half-written files
        gone, vectors of the present encoder, metadata of the present catalogue. Returns them and the catalogue."""
        store = self.store
        for source in store.unfinished():  # left half-written by a killed run: redo from scratch
            store.remove(source)
        known = store.documents()
        if rebuild:
            for source in known:
                store.remove(source)
            known = {}
        self._match_encoder(report)
        self._add_sentence_vectors(report)
        catalogue, catalogue_hash = load_catalogue(self.settings)
        if catalogue_hash != (store.get_setting("catalogue_hash") or ""):
            for source, row in known.items():
                store.set_meta(source, effective_meta(source, row.extracted, catalogue))
            store.put_setting("catalogue_hash", catalogue_hash)
        return known, catalogue

    def _scan(
        self, known: dict[str, IndexedDoc], settle: float, report: IndexReport, reread: bool = False
    ) -> tuple[list[tuple[str, Path, os.stat_result]], set[str]]:
        """The corpus files new or changed since indexed (and settled), every file when the index's text was
        read another way (`reread`), and every file present."""
        todo: list[tuple[str, Path, os.stat_result]] = []
        present: set[str] = set()
        for source, path in scan_corpus(self.settings.corpus_dir, self.settings):
            present.add(source)
            try:
                stat = path.stat()
            except OSError as exc:
                report.failed[source] = f"cannot read: {exc.strerror}"
                continue
            row = known.get(source)
            if row and row.size == stat.st_size and row.mtime_ns == stat.st_mtime_ns and not reread:
                report.unchanged.append(source)
            elif time.time() - stat.st_mtime < settle:
                report.waiting.append(source)  # still being written: the next run takes it
            else:
                todo.append((source, path, stat))
        return todo, present

    def _remove_vanished(
        self, known: dict[str, IndexedDoc], present: set[str], report: IndexReport, notify: Progress
    ) -> None:
        """Remove the documents whose files left the corpus folder."""
        if self.store.shared and not present and known:
            # A process that only answers has an empty corpus folder: it must not empty the shared index.
            log.warning("the corpus folder is empty: no report is removed from the server's index")
            return
        for source in sorted(set(known) - present):
            self.store.remove(source)
            report.removed.append(source)
            notify("removed", source)

    def _write(
        self,
        jobs: list[tuple[str, Path, os.stat_result, IndexedDoc | None]],
        catalogue: dict[str, dict],
        report: IndexReport,
        notify: Progress,
        show_bar: bool,
        stop: threading.Event | None,
    ) -> None:
        """Parse, encode and write the files to index, encoding while the next files are parsed."""
        bar = _bar(len(jobs), show_bar)
        pending: list[_Pending] = []
        waiting = iter(jobs)
        with contextlib.closing(self._parsed(jobs, catalogue)) as outcomes:  # closing ends the parse workers
            for outcome in outcomes:
                if stop and stop.is_set():
                    pending.clear()  # never marked as writing: the next run finds these files changed
                    break
                if outcome is PARSING:
                    self._flush(pending, report, notify)  # the encoder works while the next file is parsed
                    continue
                source, _, stat, row = next(waiting)
                bar.update(1)
                item = self._take(source, stat, row, outcome, report, notify)
                if item:
                    pending.append(item)
                if sum(len(p.chunks) for p in pending) >= self.settings.encode_group:
                    self._flush(pending, report, notify)
        self._flush(pending, report, notify)
        bar.close()

    def _parsed(self, jobs: list, catalogue: dict) -> Iterator:
        """Parse outcomes in job order; PDFs and Word files are parsed in worker processes meanwhile."""
        args = [
            (source, path, self.settings, catalogue, row.doc_id if row and row.state == "ok" else None)
            for source, path, _, row in jobs
        ]
        heavy = sum(1 for source, *_ in jobs if Path(source).suffix.lower() in (".pdf", ".docx"))
        workers = min(self.settings.parse_workers, heavy)
        if workers < 1 or heavy < 4:
            yield from (parse_job(*a) for a in args)
            return
        # The model loads while the first files are parsed, not after.
        threading.Thread(target=self.embedder.encode, args=(["load the model"],), daemon=True).start()
        # spawn, not fork: the parent holds encoder threads that a forked child must not inherit
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=end_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            ahead: deque = deque()
            for job in args:
                ahead.append(pool.submit(parse_job, *job))
                if len(ahead) > PARSE_AHEAD * workers:  # parse ahead of the encoder, but not the whole corpus
                    yield from _when_done(ahead.popleft())
            while ahead:
                yield from _when_done(ahead.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # a stopped run does not parse the files queued

    def _take(self, source, stat, row, outcome, report: IndexReport, notify: Progress) -> _Pending | None:
        """Record a parse outcome; return the file if it has chunks to encode."""
        kind, value = outcome
        if kind == "same":
            self.store.touch(source, stat.st_size, stat.st_mtime_ns)  # same bytes, new timestamp
            report.unchanged.append(source)
            return None
        if kind == "failed":
            report.failed[source] = value
            notify(f"failed: {value}", source)
            return None
        doc, chunks, extracted, meta = value
        change = "updated" if row and row.state == "ok" else "added"
        return _Pending(doc, chunks, stat.st_size, stat.st_mtime_ns, extracted, meta, change)

    def _flush(self, pending: list[_Pending], report: IndexReport, notify: Progress) -> None:
        """Encode every waiting file's chunks in one call, then write them file by file."""
        if not pending:
            return
        vectors, sentences = self._encode([(c, p.doc.title) for p in pending for c in p.chunks])
        self._match_encoder(report)
        written, offset = [], 0
        for item in pending:
            end = offset + len(item.chunks)
            written.append(
                Written(
                    item.doc,
                    item.chunks,
                    vectors[offset:end],
                    sentences[offset:end],
                    item.size,
                    item.mtime_ns,
                    item.extracted,
                    item.meta,
                )
            )
            offset = end
        self.store.write_many(written)
        for item in pending:
            getattr(report, item.change).append(item.doc.source)
            report.chunks_written += len(item.chunks)
            notify(item.change, item.doc.source)
        pending.clear()

    def _encode(self, chunks: list[tuple[Chunk, str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors of (chunk, its document's title) pairs, and of each chunk's sentences: one encoder call."""
        return encode_passages(self.embedder, chunks)

    def _add_sentence_vectors(self, report: IndexReport) -> None:
        """An index made before sentence vectors gets them, from its stored passages (no parsing)."""
        if self.store.get_setting("sentence_vectors") == "1":
            return
        missing = self.store.chunks_without_sentence_vectors()
        for start in range(0, len(missing), self.settings.encode_group):
            part = missing[start : start + self.settings.encode_group]
            self.store.put_sentence_vectors(part, encode_sentences(self.embedder, [c.text for c in part]))
        if missing:
            report.reencoded = f"encoded the sentences of {len(missing)} stored passages"
        self.store.put_setting("sentence_vectors", "1")

    def _match_encoder(self, report: IndexReport) -> None:
        """Vectors of two encoders (or recipes) must not mix: on a change, encode the stored passages again."""
        recorded = self.store.get_setting("encoder")
        if recorded == vectors_made_by(self.embedder.intended) and not self.embedder.loaded:
            return  # the usual case, decided without loading the model
        if recorded is None and not self.embedder.loaded:
            return  # nothing recorded yet: the first files encoded record it
        actual = vectors_made_by(self.embedder.backend)
        if recorded and recorded != actual:
            passages = 0
            for source, row in self.store.documents().items():
                chunks = self.store.chunks_of(source) if row.state == "ok" else []
                if chunks:
                    vectors, sentences = self._encode([(c, row.meta.get("title", "")) for c in chunks])
                    self.store.upsert_vectors(chunks, vectors)
                    self.store.put_sentence_vectors(chunks, sentences)
                    passages += len(chunks)
            self.store.forget_word_vectors()
            report.reencoded = f"re-encoded {passages} stored passages: made with {recorded}, now {actual}"
        if recorded != actual:
            self.store.put_setting("encoder", actual)


def _when_done(future: Future) -> Iterator:
    """A parse outcome, announced by PARSING if it is not ready yet (the caller encodes meanwhile)."""
    if not future.done():
        yield PARSING
    yield future.result()


def end_with_parent(parent: int) -> None:
    """Parse worker start: end when the indexing process ends, however it ends (SIGKILL included), instead of
    parsing on, orphaned, files nobody will read. On Linux the kernel signals the worker; elsewhere it polls."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_poll_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _poll_parent(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is adopted by another process
        time.sleep(1.0)
    os._exit(1)


def _bar(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="indexing", disable=not show or total == 0, leave=False)

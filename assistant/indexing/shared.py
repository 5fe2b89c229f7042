"""The index kept whole on a Chroma server, so that any process can rebuild its local SQLite cache from it.

Besides each passage's vector, text and place (the `reports` collection), the server holds one record per
document in `<collection>_documents` (its metadata, facts and text) and each passage's sentence vectors
(float16, base64, in the passage's metadata). The passages collection's metadata carries a generation number,
raised after every committed change, which readers compare with the one their cache was built from. One
writer at a time holds a lock record in `<collection>_locks`, kept alive by a heartbeat.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)
LOCK_TTL = 60.0  # seconds a writer's lock lives without a heartbeat; then another writer may take it over
_PLACEHOLDER = [[0.0]]  # Chroma records need a vector: documents and locks have a one-number one


class WriterBusy(RuntimeError):
    """Another process holds the server's writer lock."""


def pack_sentences(vectors: np.ndarray) -> str:
    """float16 vectors as base64 text: Chroma metadata values must be scalars."""
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def unpack_sentences(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class Pulled:
    """One document as the server holds it: its record's fields and its passages' rows."""

    source: str
    fields: dict  # doc_id, size, mtime_ns, indexed_at, n_chunks, meta, extracted, page_starts (decoded)
    text: str
    passages: list[tuple[str, dict, str]]  # (chunk id, metadata, text) per passage, in index order


class Shared:
    """The server's side of the index: document records, the generation marker and the writer lock."""

    def __init__(self, client, passages, name: str) -> None:
        self.client = client
        self.passages = passages
        self.name = name
        self.documents = client.get_or_create_collection(f"{name}_documents", embedding_function=None)
        self.locks = client.get_or_create_collection(f"{name}_locks", embedding_function=None)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._heartbeat: threading.Event | None = None

    # ---- the generation marker ----

    def generation(self) -> int:
        """The server's generation (re-read: the collection object caches its metadata)."""
        metadata = self.client.get_collection(self.name, embedding_function=None).metadata or {}
        return int(metadata.get("generation", 0))

    def bump(self) -> int:
        """Raise the generation after a committed change; only the lock holder calls this, so no race."""
        metadata = dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})
        metadata["generation"] = int(metadata.get("generation", 0)) + 1
        self.passages.modify(metadata=metadata)
        return metadata["generation"]

    # ---- document records ----

    def put_documents(self, records: Sequence[tuple[str, str, dict]]) -> None:
        """(source, text, fields) per document; dict and list fields are JSON-encoded."""
        if records:
            self.documents.upsert(
                ids=[source for source, _, _ in records],
                embeddings=_PLACEHOLDER * len(records),
                documents=[text for _, text, _ in records],
                metadatas=[_encoded(fields) for _, _, fields in records],
            )

    def drop_documents(self, sources: Sequence[str]) -> None:
        for start in range(0, len(sources), 500):
            self.documents.delete(ids=list(sources[start : start + 500]))

    def set_meta(self, source: str, meta: dict) -> None:
        self.documents.update(ids=[source], metadatas=[{"meta": json.dumps(meta)}])

    def put_sentences(self, chunk_ids: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
        self.passages.update(ids=list(chunk_ids), metadatas=[{"sentences": pack_sentences(v)} for v in vectors])

    def stamps(self) -> dict[str, float]:
        """source -> when the server's version of it was indexed, for every document record."""
        found: dict[str, float] = {}
        offset = 0
        while True:
            part = self.documents.get(include=["metadatas"], limit=1000, offset=offset)
            found.update({i: float(m["indexed_at"]) for i, m in zip(part["ids"], part["metadatas"], strict=True)})
            if len(part["ids"]) < 1000:
                return found
            offset += 1000

    def pull(self, sources: Sequence[str]) -> list[Pulled]:
        """These documents with their passages (no vectors: they stay on the server for searching)."""
        docs = self.documents.get(ids=list(sources), include=["metadatas", "documents"])
        rows = self.passages.get(where={"source": {"$in": list(sources)}}, include=["metadatas", "documents"])
        by_source: dict[str, list[tuple[str, dict, str]]] = {}
        for chunk_id, meta, text in zip(rows["ids"], rows["metadatas"], rows["documents"], strict=True):
            by_source.setdefault(meta["source"], []).append((chunk_id, meta, text))
        pulled = []
        for source, meta, text in zip(docs["ids"], docs["metadatas"], docs["documents"], strict=True):
            passages = sorted(by_source.get(source, []), key=lambda row: row[1]["index"])
            pulled.append(Pulled(source, _decoded(meta), text, passages))
        return pulled

    # ---- the writer lock ----

    def acquire(self, wait_s: float = 0.0) -> None:
        """Hold the writer lock, waiting up to wait_s for another writer; WriterBusy if it is still held."""
        deadline = time.monotonic() + wait_s
        while True:
            held = self._lock_record()
            if held and float(held["expires"]) < time.time():
                log.warning("taking over a stale indexing lock of %s", held["holder"])
                self.locks.delete(ids=["writer"])
            # add() ignores an id that exists, so of two writers adding at once only one record stays
            self.locks.add(ids=["writer"], embeddings=_PLACEHOLDER, metadatas=[self._lock_fields(time.time())])
            held = self._lock_record()
            if held and held["holder"] == self.holder:
                self._start_heartbeat()
                return
            if time.monotonic() >= deadline:
                raise WriterBusy(_busy_message(held))
            time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))

    def release(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.set()
            self._heartbeat = None
        held = self._lock_record()
        if held and held["holder"] == self.holder:
            self.locks.delete(ids=["writer"])

    def _lock_record(self) -> dict | None:
        found = self.locks.get(ids=["writer"], include=["metadatas"])
        return found["metadatas"][0] if found["ids"] else None

    def _lock_fields(self, since: float) -> dict:
        host, pid, _ = self.holder.split(":")
        return {"holder": self.holder, "host": host, "pid": int(pid), "since": since, "expires": time.time() + LOCK_TTL}

    def _start_heartbeat(self) -> None:
        stop = self._heartbeat = threading.Event()
        since = time.time()

        def beat() -> None:
            while not stop.wait(LOCK_TTL / 4):
                try:
                    held = self._lock_record()
                    if held and held["holder"] == self.holder:
                        self.locks.update(ids=["writer"], metadatas=[self._lock_fields(since)])
                except Exception:  # noqa: BLE001 - a missed beat is retried; the lock only expires after LOCK_TTL
                    log.warning("indexing lock heartbeat failed", exc_info=True)

        threading.Thread(target=beat, name="lock-heartbeat", daemon=True).start()


def _busy_message(held: dict | None) -> str:
    if not held:
        return "another process is indexing; try again later"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(held["since"])))
    return f"another process is indexing ({held['host']}, pid {held['pid']}, since {since}); try again later"


_JSON_FIELDS = ("meta", "extracted", "page_starts")


def _encoded(fields: dict) -> dict:
    return {k: json.dumps(v) if k in _JSON_FIELDS else v for k, v in fields.items()}


def _decoded(metadata: dict) -> dict:
    return {k: json.loads(v) if k in _JSON_FIELDS else v for k, v in metadata.items()}

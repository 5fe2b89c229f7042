"""The index on disk: vectors in Chroma; manifest, passages and the lexical (FTS5) index in SQLite.

SQLite is the record of what is indexed. Chroma holds only vectors keyed by chunk id, and a hit whose
chunk is not committed in SQLite is ignored, so a crash between the two stores never shows a half-written
file. A file being written is marked first ('writing'), so the next run knows to redo it.

The lexical index has a second column holding one token per file, so a search within some files is an
FTS5 intersection that scores only their passages, not every passage in the index that holds a word.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.indexing.shared import Pulled, Shared, pack_sentences, unpack_sentences
from assistant.schema import Chunk, Document
from assistant.text import word_stems

_FTS_TABLE = "chunks_fts USING fts5(body, doc, tokenize='porter unicode61')"
_CHUNK_COLUMNS = "c.chunk_id, c.doc_id, c.source, c.idx, c.start, c.end, c.page, c.heading, c.text"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    state TEXT NOT NULL,          -- 'ok', or 'writing' while its vectors are being replaced
    extracted TEXT NOT NULL,      -- JSON: what was read from the text
    meta TEXT NOT NULL,           -- JSON: extracted, corrected by the catalogue
    text TEXT NOT NULL,
    page_starts TEXT NOT NULL,
    indexed_at REAL,
    n_chunks INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS chunks (
    rid INTEGER PRIMARY KEY,
    chunk_id TEXT UNIQUE NOT NULL,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    idx INTEGER, start INTEGER, end INTEGER, page INTEGER,
    heading TEXT, text TEXT,
    sentences BLOB                -- float16 vectors of its encoded sentences, one after another
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE VIRTUAL TABLE IF NOT EXISTS {fts};
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS words (  -- one word of the passages per stem, and its vector once encoded
    stem TEXT PRIMARY KEY,
    word TEXT NOT NULL,
    vector BLOB                   -- float16; NULL until encoded
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    source TEXT NOT NULL,
    change TEXT NOT NULL,         -- 'added', 'changed' or 'removed'
    via TEXT NOT NULL DEFAULT '', -- what made it: 'index', 'watch', 'web', 'removal'
    meta TEXT NOT NULL DEFAULT '{{}}'  -- JSON: the document's title, type, authorities and dates then
);
CREATE TABLE IF NOT EXISTS saved_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{{}}',
    created REAL NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    citations TEXT NOT NULL DEFAULT '[]',  -- JSON: the current answer's citations
    change TEXT NOT NULL DEFAULT '{{}}',     -- JSON: what its citations last changed by, and why
    new INTEGER NOT NULL DEFAULT 0,        -- 1 until it is shown again
    checked_change INTEGER NOT NULL DEFAULT 0,  -- the last change of the index its answer has seen
    checked_at REAL
);
"""
log = logging.getLogger(__name__)
_BM25 = "bm25(chunks_fts, 1.0, 0.0)"  # the file token column does not count towards a passage's score
TOKEN_SEARCH_MAX = 400  # files a search is restricted to by FTS5 tokens; beyond, by filtering the rows
ID_SEARCH_MAX = 5000  # passages a dense search is restricted to by id; beyond, by Chroma's metadata filter
REFRESH_S = 5.0  # how often a process with a server checks it for changes (a new report is seen within 10 s)
PULL_BATCH = 20  # documents fetched from the server at once when the local cache catches up
CHANGE_META = ("title", "source_type", "authorities", "publication_date", "inspection_start", "inspection_end")
SAVED_COLUMNS = (
    "id",
    "question",
    "filters",
    "created",
    "answer",
    "citations",
    "change",
    "new",
    "checked_change",
    "checked_at",
)
_SAVED_JSON = ("filters", "citations", "change")


def source_token(source: str) -> str:
    """The lexical index's token for one file: 's' and digits, which the porter stemmer leaves alone."""
    return f"s{int(hashlib.sha1(source.encode()).hexdigest()[:15], 16)}"


def _packed(vectors: np.ndarray) -> bytes:
    # float16 halves the space and keeps cosines to within about 0.001
    return np.asarray(vectors, dtype=np.float16).tobytes()


@dataclass
class Written:
    """One file's new version, ready to replace the old one."""

    doc: Document
    chunks: list[Chunk]
    vectors: np.ndarray
    sentence_vectors: list[np.ndarray]  # per chunk: its encoded sentences' vectors
    size: int
    mtime_ns: int
    extracted: dict
    meta: dict
    indexed_at: float = 0.0  # set when committed; a copy pulled from a server keeps the server's


@dataclass
class IndexedDoc:
    """A manifest row: what the index holds for one file."""

    source: str
    doc_id: str
    size: int
    mtime_ns: int
    state: str
    meta: dict
    extracted: dict
    indexed_at: float
    n_chunks: int


def _chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class Store:
    """Both halves of the index, opened together."""

    def __init__(self, settings: Settings) -> None:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._counts: tuple[int, int, dict[str, int]] = (-1, 0, {})  # generation, passages, term frequencies
        self.via = "index"  # what the changes being written come from, for the changelog
        self.db.executescript(_SCHEMA.format(fts=_FTS_TABLE))
        self._add_token_column()
        self._add_sentence_column()
        self._list_stored_words()
        self.client = _chroma_client(settings)
        # No embedding function, on purpose: Chroma's default would download a model.
        self.collection = self.client.get_or_create_collection(
            settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        # With a server, it holds the whole index and the SQLite file is this process's cache of it.
        self.shared = Shared(self.client, self.collection, settings.collection) if settings.chroma_url else None
        self._checked = float("-inf")
        self._refreshing = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection: WAL lets questions read while one indexing thread writes.

        A connection shared by threads is not enough: a write on it aborts another thread's open query.
        """
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.settings.db_path, check_same_thread=False, isolation_level=None, timeout=30
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _add_token_column(self) -> None:
        """Indexes made before the file token column get it, rebuilt from the passages (no re-embedding)."""
        if "doc" in self._columns("chunks_fts"):
            return
        self.db.create_function("source_token", 1, source_token, deterministic=True)
        with self.transaction() as db:
            db.execute("DROP TABLE chunks_fts")
            db.execute(f"CREATE VIRTUAL TABLE {_FTS_TABLE}")
            db.execute(
                "INSERT INTO chunks_fts (rowid, body, doc) "
                "SELECT rid, heading || char(10) || text, source_token(source) FROM chunks"
            )

    def _add_sentence_column(self) -> None:
        """Indexes made before sentence vectors get the column, empty: the indexer fills it."""
        if "sentences" not in self._columns("chunks"):
            self.db.execute("ALTER TABLE chunks ADD COLUMN sentences BLOB")

    def _list_stored_words(self) -> None:
        """Indexes made before the word list get it, from their passages (the vectors come on first use)."""
        if self.get_setting("words_listed") == "1":
            return
        with self.transaction() as db:
            _list_words(db, (f"{h}\n{t}" for h, t in db.execute("SELECT heading, text FROM chunks")))
            db.execute("INSERT OR REPLACE INTO settings VALUES ('words_listed', '1')")

    def _columns(self, table: str) -> list[str]:
        return [d[0] for d in self.db.execute(f"SELECT * FROM {table} LIMIT 0").description]

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---- the manifest ----

    def documents(self) -> dict[str, IndexedDoc]:
        rows = self.db.execute(
            "SELECT source, doc_id, size, mtime_ns, state, meta, extracted, indexed_at, n_chunks FROM documents"
        )
        return {
            r[0]: IndexedDoc(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), r[7], r[8]) for r in rows
        }

    def document(self, source: str) -> Document | None:
        row = self.db.execute(
            "SELECT doc_id, meta, text, page_starts FROM documents WHERE source=? AND state='ok'", (source,)
        ).fetchone()
        if not row:
            return None
        meta = json.loads(row[1])
        return Document(
            doc_id=row[0],
            source=source,
            file_name=meta.get("file_name", source.rsplit("/", 1)[-1]),
            title=meta.get("title", ""),
            text=row[2],
            page_starts=json.loads(row[3]),
            source_type=meta.get("source_type", "other"),
            authorities=meta.get("authorities", []),
            publication_date=meta.get("publication_date"),
            inspection_start=meta.get("inspection_start"),
            inspection_end=meta.get("inspection_end"),
        )

    def touch(self, source: str, size: int, mtime_ns: int) -> None:
        """Record a new size and time for a file whose content did not change."""
        self.db.execute("UPDATE documents SET size=?, mtime_ns=? WHERE source=?", (size, mtime_ns, source))

    def set_meta(self, source: str, meta: dict) -> None:
        if self.shared:
            self.shared.set_meta(source, meta)
        with self.transaction() as db:
            db.execute("UPDATE documents SET meta=? WHERE source=?", (json.dumps(meta), source))
            self._bump(db)
        self._bump_server()

    def metas(self) -> dict[str, dict]:
        """source -> metadata of every committed document."""
        rows = self.db.execute("SELECT source, meta, n_chunks, indexed_at FROM documents WHERE state='ok'")
        return {r[0]: dict(json.loads(r[1]), chunks=r[2], indexed_at=r[3]) for r in rows}

    def document_frequency(self, stems: list[str]) -> dict[str, int]:
        """How many passages hold each (porter-stemmed) term; remembered until the index changes, as FTS5
        counts them by reading each term's whole list."""
        known = self._current_counts()[1]
        missing = list(dict.fromkeys(s for s in stems if s not in known))
        if missing:
            self._open_vocabulary()
            marks = ",".join("?" * len(missing))
            rows = self.db.execute(f"SELECT term, doc FROM temp.fts_vocab WHERE term IN ({marks})", missing)
            found = dict(rows.fetchall())
            known.update({s: found.get(s, 0) for s in missing})
        return {s: known[s] for s in stems}

    def _open_vocabulary(self) -> None:
        """The FTS5 vocabulary (each stem's passages) as the table temp.fts_vocab, on this thread's connection."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab USING fts5vocab(main, chunks_fts, row)")

    def passage_count(self) -> int:
        return self._current_counts()[0]

    def _current_counts(self) -> tuple[int, dict[str, int]]:
        """(passages, term frequencies read so far) of the index as it is now."""
        generation = self.generation()
        if generation != self._counts[0]:
            passages = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            self._counts = (generation, passages, {})
        return self._counts[1], self._counts[2]

    def get_setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def put_setting(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    # ---- writing: mark, replace vectors, commit passages ----

    def write(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentence_vectors: list[np.ndarray],
        size: int,
        mtime_ns: int,
        extracted: dict,
        meta: dict,
    ) -> None:
        """Replace whatever the index holds for doc.source with this version, crash-safely."""
        self.write_many([Written(doc, list(chunks), vectors, sentence_vectors, size, mtime_ns, extracted, meta)])

    def write_many(self, items: Sequence[Written]) -> None:
        """Replace several files at once: one mark, one vector delete and upsert, one commit."""
        if not items:
            return
        replaced = self._mark_writing([(item.doc.source, item.doc.doc_id) for item in items])
        if self.shared:  # the record goes first, so a reader never sees a document with half its passages
            self.shared.drop_documents([item.doc.source for item in items])
        for start in range(0, len(replaced), 500):
            self.collection.delete(where={"source": {"$in": replaced[start : start + 500]}})
        chunks = [c for item in items for c in item.chunks]
        sentences = [v for item in items for v in item.sentence_vectors] if self.shared else None
        self.upsert_vectors(chunks, np.concatenate([item.vectors for item in items]), sentences)
        stamp = time.time()
        for item in items:
            item.indexed_at = item.indexed_at or stamp
        if self.shared:
            self.shared.put_documents([_record(item) for item in items])
        self._commit(items, replaced)

    def _commit(self, items: Sequence[Written], replaced: list[str]) -> None:
        """Passages, manifest and changelog in one transaction; then the server's generation moves on."""
        with self.transaction() as db:
            for item in items:
                self._commit_rows(db, item)
                change = "changed" if item.doc.source in replaced else "added"
                self._record_change(db, item.doc.source, change, item.meta)
            self._bump(db)
        self._bump_server()

    def _commit_rows(self, db: sqlite3.Connection, item: Written) -> None:
        doc = item.doc
        self._delete_rows(db, doc.source)
        db.execute(
            "INSERT OR REPLACE INTO documents (source, doc_id, size, mtime_ns, state, meta, extracted, text, "
            "page_starts, indexed_at, n_chunks) VALUES (?,?,?,?,'ok',?,?,?,?,?,?)",
            (
                doc.source,
                doc.doc_id,
                item.size,
                item.mtime_ns,
                json.dumps(item.meta),
                json.dumps(item.extracted),
                doc.text,
                json.dumps(doc.page_starts),
                item.indexed_at or time.time(),
                len(item.chunks),
            ),
        )
        for chunk, sentences in zip(item.chunks, item.sentence_vectors, strict=True):
            cur = db.execute(
                "INSERT INTO chunks (chunk_id, source, doc_id, idx, start, end, page, heading, text, sentences) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    chunk.chunk_id,
                    chunk.source,
                    chunk.doc_id,
                    chunk.index,
                    chunk.start,
                    chunk.end,
                    chunk.page,
                    chunk.heading,
                    chunk.text,
                    sentences if isinstance(sentences, bytes) else _packed(sentences),
                ),
            )
            db.execute(
                "INSERT INTO chunks_fts (rowid, body, doc) VALUES (?, ?, ?)",
                (cur.lastrowid, f"{chunk.heading}\n{chunk.text}", source_token(chunk.source)),
            )
        _list_words(db, (f"{c.heading}\n{c.text}" for c in item.chunks))

    def remove(self, source: str) -> None:
        """Forget a file: vectors first (after marking), then its rows in one transaction."""
        self._mark_writing([(source, None)])
        if self.shared:
            self.shared.drop_documents([source])
        self._delete_vectors(source)
        self._forget(source)
        self._bump_server()

    def _forget(self, source: str) -> None:
        """Delete a file's rows and record its removal, in one transaction."""
        with self.transaction() as db:
            self._delete_rows(db, source)
            row = db.execute("SELECT meta FROM documents WHERE source=?", (source,)).fetchone()
            db.execute("DELETE FROM documents WHERE source=?", (source,))
            if row and row[0] != "{}":  # a new file's placeholder left by a killed run was never in the index
                self._record_change(db, source, "removed", json.loads(row[0]))
            self._bump(db)

    # ---- the changelog: written in the same transaction as the change it records ----

    def _record_change(self, db: sqlite3.Connection, source: str, change: str, meta: dict) -> None:
        kept = {key: meta[key] for key in CHANGE_META if meta.get(key)}
        db.execute(
            "INSERT INTO changes (at, source, change, via, meta) VALUES (?,?,?,?,?)",
            (time.time(), source, change, self.via, json.dumps(kept)),
        )

    def changes(self, since: float | None = None, after_id: int = 0, limit: int | None = None) -> list[dict]:
        """Recorded changes, oldest first: those after a time and a change id, or the latest `limit`."""
        rows = self.db.execute(
            "SELECT id, at, source, change, via, meta FROM changes WHERE id > ? AND at >= ? ORDER BY id DESC LIMIT ?",
            (after_id, since or 0.0, -1 if limit is None else limit),
        ).fetchall()
        keys = ("id", "at", "source", "change", "via", "meta")
        return [dict(zip(keys, (*r[:5], json.loads(r[5])), strict=True)) for r in reversed(rows)]

    def last_change_id(self) -> int:
        return self.db.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]

    # ---- saved questions ----

    def add_saved(self, question: str, filters: dict, answer: str, citations: list[dict], checked: int) -> int:
        cur = self.db.execute(
            "INSERT INTO saved_questions (question, filters, created, answer, citations, checked_change, checked_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (question, json.dumps(filters), time.time(), answer, json.dumps(citations), checked, time.time()),
        )
        return int(cur.lastrowid)

    def saved(self, saved_id: int | None = None) -> list[dict]:
        """Every saved question (or the one with this id), oldest first, JSON columns read."""
        where, params = ("WHERE id=?", (saved_id,)) if saved_id is not None else ("", ())
        rows = self.db.execute(f"SELECT {', '.join(SAVED_COLUMNS)} FROM saved_questions {where} ORDER BY id", params)
        found = [dict(zip(SAVED_COLUMNS, r, strict=True)) for r in rows]
        for row in found:
            row.update({key: json.loads(row[key]) for key in _SAVED_JSON}, new=bool(row["new"]))
        return found

    def update_saved(self, updates: list[dict]) -> None:
        """Write several questions' re-run outcomes at once: fields named like the columns, `id` to find each."""
        with self.transaction() as db:
            for update in updates:
                fields = {k: json.dumps(v) if k in _SAVED_JSON else v for k, v in update.items() if k != "id"}
                fields["checked_at"] = time.time()
                assignments = ", ".join(f"{key}=?" for key in fields)
                db.execute(f"UPDATE saved_questions SET {assignments} WHERE id=?", (*fields.values(), update["id"]))

    def remove_saved(self, saved_id: int) -> bool:
        return self.db.execute("DELETE FROM saved_questions WHERE id=?", (saved_id,)).rowcount > 0

    def generation(self) -> int:
        """A number that changes whenever the indexed documents or their metadata change."""
        return int(self.get_setting("generation") or 0)

    def _bump(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO settings VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def unfinished(self) -> list[str]:
        """Files a killed run left half-written."""
        return [r[0] for r in self.db.execute("SELECT source FROM documents WHERE state != 'ok'")]

    def _mark_writing(self, files: list[tuple[str, str | None]]) -> list[str]:
        """Mark files as being written (before their vectors change); return those that had rows already."""
        existing = []
        with self.transaction() as db:
            for source, doc_id in files:
                if db.execute("UPDATE documents SET state='writing' WHERE source=?", (source,)).rowcount:
                    existing.append(source)
                elif doc_id:
                    db.execute(
                        "INSERT INTO documents (source, doc_id, state, extracted, meta, text, page_starts) "
                        "VALUES (?, ?, 'writing', '{}', '{}', '', '[0]')",
                        (source, doc_id),
                    )
        return existing

    def _delete_rows(self, db: sqlite3.Connection, source: str) -> None:
        db.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT rid FROM chunks WHERE source=?)", (source,))
        db.execute("DELETE FROM chunks WHERE source=?", (source,))

    def _delete_vectors(self, source: str) -> None:
        self.collection.delete(where={"source": source})

    def chunks_of(self, source: str) -> list[Chunk]:
        return self._chunks("c.source=? ORDER BY c.idx", (source,))

    def _chunks(self, where: str, params: tuple = ()) -> list[Chunk]:
        return [Chunk(*r) for r in self.db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks c WHERE {where}", params)]

    def upsert_vectors(
        self, chunks: Sequence[Chunk], vectors: np.ndarray, sentences: Sequence[np.ndarray] | None = None
    ) -> None:
        """Put these passages' vectors in Chroma, replacing any they had (ids are chunk ids); with a server,
        their sentence vectors too, so another process can rebuild its cache without encoding."""
        step = max(1, min(5000, self.client.get_max_batch_size()))
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            metadatas = [_chunk_meta(c) for c in part]
            if sentences is not None:
                for meta, vectors_of in zip(metadatas, sentences[i : i + step], strict=True):
                    meta["sentences"] = pack_sentences(vectors_of)
            self.collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i : i + step],
                documents=[c.text for c in part],
                metadatas=metadatas,
            )

    def put_sentence_vectors(self, chunks: Sequence[Chunk], vectors: Sequence[np.ndarray]) -> None:
        if self.shared:
            self.shared.put_sentences([c.chunk_id for c in chunks], vectors)
        with self.transaction() as db:
            db.executemany(
                "UPDATE chunks SET sentences=? WHERE chunk_id=?",
                [(_packed(v), c.chunk_id) for c, v in zip(chunks, vectors, strict=True)],
            )

    def chunks_without_sentence_vectors(self) -> list[Chunk]:
        return self._chunks("c.sentences IS NULL")

    def words_without_vectors(self) -> list[tuple[str, str]]:
        """(stem, word) of the listed words not encoded yet."""
        return self.db.execute("SELECT stem, word FROM words WHERE vector IS NULL").fetchall()

    def put_word_vectors(self, stems: Sequence[str], vectors: np.ndarray) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE words SET vector=? WHERE stem=?", [(_packed(v), s) for s, v in zip(stems, vectors, strict=True)]
            )

    def forget_word_vectors(self) -> None:
        """Drop the words' vectors (another encoder made them): they are encoded again on first use."""
        self.db.execute("UPDATE words SET vector=NULL")

    def word_vectors(self, min_passages: int) -> tuple[list[str], list[str], np.ndarray]:
        """(words, their stems, vectors) of the encoded words that stand in at least this many passages now
        (a word met once is as often a misprint; a removed report's words stand in none)."""
        self._open_vocabulary()
        rows = self.db.execute(
            "SELECT w.word, w.stem, w.vector FROM words w JOIN temp.fts_vocab v ON v.term = w.stem "
            "WHERE w.vector IS NOT NULL AND v.doc >= ? ORDER BY w.stem",
            (min_passages,),
        ).fetchall()
        if not rows:
            return [], [], np.zeros((0, 0), dtype=np.float32)
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        return [r[0] for r in rows], [r[1] for r in rows], matrix.astype(np.float32)

    # ---- reading ----

    def sentence_vectors(self, chunk_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """chunk id -> its sentences' vectors one after another (flat), for the passages that have them."""
        ids = list(chunk_ids)
        rows = self.db.execute(
            f"SELECT chunk_id, sentences FROM chunks WHERE sentences IS NOT NULL AND chunk_id IN "
            f"({','.join('?' * len(ids))})",
            ids,
        )
        return {cid: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for cid, blob in rows}

    def chunk_rows(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(chunk_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.source = c.source AND d.state = 'ok' "
            f"WHERE c.chunk_id IN ({marks})",
            ids,
        )
        return {r[0]: Chunk(*r) for r in rows}

    def dense_search(self, vector: np.ndarray, k: int, sources: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest passages, optionally within some files."""
        return self.dense_searches([vector], k, sources)[0]

    def dense_searches(
        self, vectors: list[np.ndarray], k: int, sources: list[str] | None = None
    ) -> list[list[tuple[str, float]]]:
        """`dense_search` for each of several vectors, in one query."""
        if sources is not None and not sources:
            return [[] for _ in vectors]
        query = {"query_embeddings": [v.tolist() for v in vectors], "n_results": k, "include": ["distances"]}
        result = self.collection.query(**query) if sources is None else self._dense_within(query, sources)
        return [
            [(cid, 1.0 - dist) for cid, dist in zip(ids, distances, strict=False)]
            for ids, distances in zip(result["ids"], result["distances"], strict=True)
        ]

    def _dense_within(self, query: dict, sources: list[str]) -> dict:
        """A few files' passages are searched by id, much faster than Chroma's metadata filter."""
        ids = self.chunk_ids(sources)
        if ids is not None:
            if not ids:
                empty = [[] for _ in query["query_embeddings"]]  # read, never written to: one list serves both
                return {"ids": empty, "distances": empty}
            try:
                return self.collection.query(ids=ids, **query)
            except Exception:  # noqa: BLE001 - a file rewritten meanwhile has ids Chroma no longer knows
                log.debug("search by id failed; searching by metadata filter", exc_info=True)
        where = {"source": {"$in": sources}} if len(sources) > 1 else {"source": sources[0]}
        return self.collection.query(where=where, **query)

    def chunk_ids(self, sources: list[str]) -> list[str] | None:
        """Committed chunk ids of these files, or None when they are too many to list in a query."""
        ids: list[str] = []
        for start in range(0, len(sources), 500):
            part = sources[start : start + 500]
            ids += [
                r[0]
                for r in self.db.execute(
                    f"SELECT c.chunk_id FROM chunks c JOIN documents d ON d.source = c.source AND d.state = 'ok' "
                    f"WHERE c.source IN ({','.join('?' * len(part))})",
                    part,
                )
            ]
            if len(ids) > ID_SEARCH_MAX:
                return None
        return ids

    def sources_matching(self, match: str, limit: int) -> list[str]:
        """Up to `limit` committed files with a passage that matches an FTS5 expression."""
        sql = (
            "SELECT DISTINCT c.source FROM chunks_fts f JOIN chunks c ON c.rid = f.rowid "
            "JOIN documents d ON d.source = c.source AND d.state = 'ok' WHERE chunks_fts MATCH ? LIMIT ?"
        )
        return [row[0] for row in self.db.execute(sql, [f"body:({match})", limit])]

    def metas_of(self, sources: list[str]) -> list[dict]:
        """The metadata of these committed documents (without reading every other one's)."""
        marks = ",".join("?" * len(sources))
        rows = self.db.execute(f"SELECT meta FROM documents WHERE state='ok' AND source IN ({marks})", sources)
        return [json.loads(r[0]) for r in rows]

    def lexical_search(self, match: str, k: int, sources: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better) for an FTS5 match expression."""
        if not match or (sources is not None and not sources):
            return []
        if sources is not None and len(sources) > TOKEN_SEARCH_MAX:
            return self._lexical_rows(match, k, sources)
        expression = f"body:({match})"
        if sources is not None:
            expression += f" AND doc:({' OR '.join(source_token(s) for s in sources)})"
        # The best k (and a margin for files being rewritten) come from FTS5 alone; only they are joined.
        sql = (
            f"SELECT c.chunk_id, s.score FROM (SELECT rowid, -{_BM25} AS score FROM chunks_fts "
            f"WHERE chunks_fts MATCH ? ORDER BY {_BM25} LIMIT ?) s "
            "JOIN chunks c ON c.rid = s.rowid JOIN documents d ON d.source = c.source AND d.state = 'ok' "
            "ORDER BY s.score DESC"
        )
        return self._scored(sql, [expression, 2 * k + 20])[:k]

    def _lexical_rows(self, match: str, k: int, sources: list[str]) -> list[tuple[str, float]]:
        """Within too many files to name in the expression: score every match, keep those files' rows."""
        sql = (
            f"SELECT c.chunk_id, -{_BM25} AS score FROM chunks_fts JOIN chunks c ON c.rid = chunks_fts.rowid "
            "JOIN documents d ON d.source = c.source AND d.state = 'ok' WHERE chunks_fts MATCH ? "
            f"AND c.source IN ({','.join('?' * len(sources))}) ORDER BY {_BM25} LIMIT ?"
        )
        return self._scored(sql, [f"body:({match})", *sources, k])

    def _scored(self, sql: str, params: list) -> list[tuple[str, float]]:
        try:
            return [(r[0], r[1]) for r in self.db.execute(sql, params)]
        except sqlite3.OperationalError:
            return []  # a match expression FTS5 could not parse finds nothing rather than failing

    def counts(self) -> tuple[int, int, int]:
        """Documents, passages in SQLite, vectors in Chroma."""
        docs = self.db.execute("SELECT count(*) FROM documents WHERE state='ok'").fetchone()[0]
        chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return docs, chunks, self.collection.count()

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    # ---- a server's index: this process's cache kept up to date, one writer at a time ----

    @contextmanager
    def writing(self, wait_s: float = 0.0):
        """Hold the server's writer lock (nothing without a server), with the cache caught up first."""
        if self.shared is None:
            yield
            return
        self.shared.acquire(wait_s)
        try:
            self.refresh(force=True)
            yield
        finally:
            self.shared.release()

    def refresh(self, force: bool = False) -> bool:
        """With a server, bring the cache up to its generation (checked at most every REFRESH_S s); True if
        anything changed. Another thread already refreshing is not waited for unless `force`."""
        if self.shared is None or (not force and time.monotonic() - self._checked < REFRESH_S):
            return False
        if not self._refreshing.acquire(blocking=force):
            return False
        try:
            self._checked = time.monotonic()
            generation = self.shared.generation()
            if str(generation) == self.get_setting("server_generation"):
                return False
            return self._pull(generation)
        finally:
            self._refreshing.release()

    def _pull(self, generation: int) -> bool:
        """Rebuild the changed and removed documents from the server's records; no encoding."""
        remote = self.shared.stamps()
        local = self.documents()
        gone = [s for s in local if s not in remote]
        stale = [s for s, at in remote.items() if s not in local or local[s].state != "ok" or local[s].indexed_at != at]
        complete = True
        for source in gone:
            self._forget(source)
        for start in range(0, len(stale), PULL_BATCH):
            pulled = self.shared.pull(stale[start : start + PULL_BATCH])
            ready = [p for p in pulled if len(p.passages) == p.fields["n_chunks"]]
            complete = complete and len(ready) == len(stale[start : start + PULL_BATCH])
            if ready:
                with self.transaction() as db:
                    for item in ready:
                        self._commit_rows(db, _written(item))
                        self._record_change(
                            db, item.source, "changed" if item.source in local else "added", item.fields["meta"]
                        )
                    self._bump(db)
        if complete:  # a document being rewritten meanwhile is taken at the next check
            self.put_setting("server_generation", str(generation))
        log.info("index cache: %d documents from the server, %d removed", len(stale), len(gone))
        return bool(gone or stale)

    def _bump_server(self) -> None:
        if self.shared:
            self.put_setting("server_generation", str(self.shared.bump()))


def _list_words(db: sqlite3.Connection, texts: Iterable[str]) -> None:
    """Keep one written form of each stem of these texts' words (numbers and two-letter words aside)."""
    found: dict[str, str] = {}
    for text in texts:
        for word, stem in word_stems(text):
            found.setdefault(stem, word)
    db.executemany("INSERT OR IGNORE INTO words (stem, word) VALUES (?, ?)", found.items())


def _chunk_meta(chunk: Chunk) -> dict:
    return {
        "source": chunk.source,
        "doc_id": chunk.doc_id,
        "page": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "heading": chunk.heading,
        "index": chunk.index,
    }


def _record(item: Written) -> tuple[str, str, dict]:
    """A document's record on the server: what its manifest row holds."""
    fields = {
        "doc_id": item.doc.doc_id,
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "indexed_at": item.indexed_at,
        "n_chunks": len(item.chunks),
        "meta": item.meta,
        "extracted": item.extracted,
        "page_starts": item.doc.page_starts,
    }
    return item.doc.source, item.doc.text, fields


def _written(pulled: Pulled) -> Written:
    """A document pulled from the server, as the rows to commit (its vectors stay on the server)."""
    fields, meta = pulled.fields, pulled.fields["meta"]
    doc = Document(
        doc_id=fields["doc_id"],
        source=pulled.source,
        file_name=meta.get("file_name", pulled.source.rsplit("/", 1)[-1]),
        title=meta.get("title", ""),
        text=pulled.text,
        page_starts=fields["page_starts"],
    )
    chunks = [
        Chunk(cid, m["doc_id"], m["source"], m["index"], m["start"], m["end"], m["page"], m["heading"], text)
        for cid, m, text in pulled.passages
    ]
    sentences = [unpack_sentences(m.get("sentences", "")) for _, m, _ in pulled.passages]
    return Written(
        doc,
        chunks,
        np.empty((0,)),
        sentences,
        fields["size"],
        fields["mtime_ns"],
        fields["extracted"],
        meta,
        fields["indexed_at"],
    )

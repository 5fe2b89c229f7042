"""Retrieval quality on a BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/test.tsv): nDCG@10, recall@100."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.api import Assistant
from assistant.search.question import read_question
from assistant.search.retrieval import Filters

DENSE, LEXICAL, FUSED = "dense", "BM25", "fused (ours)"


@dataclass
class BeirSet:
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: relevance}


def load_beir(folder: Path, split: str = "test") -> BeirSet:
    corpus = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            corpus[str(row["_id"])] = (row.get("title", ""), row.get("text", ""))
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queries[str(row["_id"])] = row["text"]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels[row["query-id"].strip()][row["corpus-id"].strip()] = int(row["score"])
    return BeirSet(corpus, {q: queries[q] for q in qrels if q in queries}, dict(qrels))


def write_corpus(beir: BeirSet, corpus_dir: Path) -> None:
    """One text file per document, named by its id, so the normal indexer builds the index."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for doc_id, (title, text) in beir.corpus.items():
        path = corpus_dir / f"{doc_id}.txt"
        if not path.exists():
            path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    return gains / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def _documents(chunk_sources: list[str]) -> list[str]:
    """Passage ranking to document ranking: a document ranks where its best passage does."""
    seen: dict[str, None] = {}
    for source in chunk_sources:
        seen.setdefault(source.rsplit(".", 1)[0], None)
    return list(seen)


def rankings(assistant: Assistant, query: str, depth: int = 300) -> dict[str, list[str]]:
    """The three rankings of one query: dense alone, BM25 alone, and the assistant's fused retrieval."""
    retriever = assistant.retriever
    search = retriever.search(read_question(query, find_names=False), Filters(), k=depth, depth=depth)
    vector = search.query_vector
    dense = assistant.store.dense_search(vector, depth)
    lexical = assistant.store.lexical_search(retriever.lexical_match(query), depth)
    rows = assistant.store.chunk_rows({cid for cid, _ in dense} | {cid for cid, _ in lexical})
    return {
        DENSE: _documents([rows[cid].source for cid, _ in dense if cid in rows]),
        LEXICAL: _documents([rows[cid].source for cid, _ in lexical if cid in rows]),
        FUSED: _documents([hit.chunk.source for hit in search.hits]),
    }


def evaluate_beir(assistant: Assistant, beir: BeirSet) -> dict[str, tuple[float, float]]:
    """name -> (mean nDCG@10, mean recall@100) over the split's queries."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for query_id, query in beir.queries.items():
        relevant = beir.qrels[query_id]
        for name, ranked in rankings(assistant, query).items():
            totals[name][0] += ndcg_at(ranked, relevant)
            totals[name][1] += recall_at(ranked, relevant)
    count = max(1, len(beir.queries))
    return {name: (ndcg / count, recall / count) for name, (ndcg, recall) in totals.items()}

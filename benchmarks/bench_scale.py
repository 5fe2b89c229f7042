"""How query time, start-up, size and memory grow with the index: 10k, 100k, 300k passages.

    python benchmarks/bench_scale.py [--sizes 10000 100000 300000] [--base 1500] [--real DIR] [--keep DIR]

Passages are real report text (the PDFs under --real when given, else the sample corpus), varied by
shuffling sentences and changing the authority. Encoding 300k passages would take hours here, so only
--base passages go through the encoder; the others get the vector of the passage they vary plus a little
noise. Query times are after loading, over the questions of devsets/sample.jsonl: dense and BM25 alone and
fused over the whole index, fused within the authority a question names (most of them), and a whole answer.
With --keep the index is grown in DIR and left there; a later run grows it further from where it stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from assistant.authorities import AUTHORITIES
from assistant.config import Settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.indexer import parse_file, scan_corpus
from assistant.indexing.vectors import encode_passages
from assistant.ingest.chunking import chunk_id, sentence_spans
from assistant.schema import Chunk, Document
from assistant.search.question import read_question

ROOT = Path(__file__).resolve().parent.parent

PER_DOC = 60  # passages per synthetic document


def base_passages(real: Path | None, count: int) -> list[str]:
    folder = real or ROOT / "corpus"
    settings = Settings(corpus_dir=folder)
    texts: list[str] = []
    for source, path in scan_corpus(folder, settings):
        try:
            _, chunks, _, _ = parse_file(source, path.read_bytes(), settings, {})
        except Exception:  # a damaged file is not this benchmark's concern
            continue
        texts += [c.text for c in chunks if len(c.text) > 200]
        if len(texts) >= count:
            break
    return texts[:count]


def vary(text: str, rng: random.Random) -> str:
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    rng.shuffle(sentences)
    name = rng.choice(AUTHORITIES)
    return " ".join(sentences).replace("Doncaster", name).replace("Devon", name)


def grow(
    assistant: Assistant, corpus: Path, texts: list[str], vectors: tuple[np.ndarray, list], target: int, rng
) -> float:
    """Add synthetic documents (files and index entries) until the index holds `target` passages."""
    started = time.perf_counter()
    have = assistant.store.passage_count()
    number = len(list(corpus.glob("*.txt")))
    while have < target:
        picks = [rng.randrange(len(texts)) for _ in range(min(PER_DOC, target - have))]
        parts = [vary(texts[i], rng) for i in picks]
        text = "\n\n".join(parts)
        source = f"synthetic {number:06d}.txt"
        path = corpus / source
        path.write_text(text, encoding="utf-8")
        doc = Document(
            doc_id=f"{number:032x}",
            source=source,
            file_name=source,
            title=f"Report {number}",
            text=text,
            page_starts=[0],
            source_type="ofsted",
            authorities=[rng.choice(AUTHORITIES)],
        )
        chunks, offset = [], 0
        for i, part in enumerate(parts):
            chunks.append(
                Chunk(chunk_id(source, doc.doc_id, i), doc.doc_id, source, i, offset, offset + len(part), 1, "", part)
            )
            offset += len(part) + 2
        noise = np.random.default_rng(number).normal(0, 0.02, (len(picks), vectors[0].shape[1])).astype(np.float32)
        vecs = vectors[0][picks] + noise
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        stat = path.stat()
        meta = doc.meta() | {"file_name": source}
        sentences = [vectors[1][i] for i in picks]  # a varied passage has its original's sentences
        assistant.store.write(doc, chunks, vecs, sentences, stat.st_size, stat.st_mtime_ns, meta, meta)
        have += len(chunks)
        number += 1
    return time.perf_counter() - started


def timings(assistant: Assistant, questions: list[str]) -> dict[str, tuple[float, float]]:
    retriever, store = assistant.retriever, assistant.store
    runs: dict[str, list[float]] = {"dense": [], "BM25": [], "fused": [], "fused, authority": [], "ask": []}
    for q in questions:
        vector = assistant.embedder.encode([q])[0]
        started = time.perf_counter()
        store.dense_search(vector, 30)
        runs["dense"].append(time.perf_counter() - started)
        started = time.perf_counter()
        store.lexical_search(retriever.lexical_match(q), 30)
        runs["BM25"].append(time.perf_counter() - started)
        started = time.perf_counter()
        retriever.search(read_question(q, find_names=False))
        runs["fused"].append(time.perf_counter() - started)
        started = time.perf_counter()
        retriever.search(q)
        runs["fused, authority"].append(time.perf_counter() - started)
        started = time.perf_counter()
        assistant.ask(q)
        runs["ask"].append(time.perf_counter() - started)
    return {k: (statistics.median(v) * 1000, float(np.percentile(v, 95)) * 1000) for k, v in runs.items()}


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def startup_seconds(corpus: Path, index: Path) -> float:
    """A new process: open the index, load the encoder, answer one question."""
    code = (
        "import time; t=time.perf_counter(); from assistant.api import Assistant; a=Assistant(); "
        "a.ask('agency staff'); print(time.perf_counter()-t)"
    )
    env = dict(os.environ, ASSISTANT_CORPUS=str(corpus), ASSISTANT_INDEX=str(index))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--base", type=int, default=1500, help="real passages that go through the encoder")
    parser.add_argument("--real", type=Path, help="folder of real reports to take passages from")
    parser.add_argument("--keep", type=Path, help="grow the index in this folder and keep it")
    args = parser.parse_args()
    rng = random.Random(7)
    questions = [json.loads(line)["question"] for line in (ROOT / "devsets" / "sample.jsonl").open()]
    embedder = Embedder()
    texts = base_passages(args.real, args.base)
    started = time.perf_counter()
    chunks = [Chunk(str(i), "", "", i, 0, len(t), 1, "", t) for i, t in enumerate(texts)]
    vectors = encode_passages(embedder, [(c, "") for c in chunks])
    print(
        f"base: {len(texts)} real passages and their sentences encoded in {time.perf_counter() - started:.1f} s "
        f"({embedder.backend})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        corpus, index = work / "corpus", work / "index"
        corpus.mkdir(parents=True, exist_ok=True)
        assistant = Assistant(Settings(corpus_dir=corpus, index_dir=index), embedder=embedder)
        print(
            f"{'passages':>9} {'grow s':>7} {'index MB':>9} {'RSS MB':>7} {'start s':>7} {'add 1 s':>7}  "
            "query ms p50/p95: dense | BM25 | fused | fused within the authority named | ask"
        )
        for size in sorted(args.sizes):
            grown = grow(assistant, corpus, texts, vectors, size, rng)
            figures = timings(assistant, questions)
            start = startup_seconds(corpus, index)
            (corpus / "new report.txt").write_text(vary(texts[0], rng) + "\n\n" + vary(texts[1], rng))
            began = time.perf_counter()
            report = assistant.index()
            add = time.perf_counter() - began
            assert report.added == ["new report.txt"], report.summary()
            (corpus / "new report.txt").unlink()
            assistant.index()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            cells = " | ".join(f"{p50:.1f}/{p95:.1f}" for p50, p95 in figures.values())
            print(
                f"{assistant.store.passage_count():>9} {grown:>7.0f} {folder_size(index) / 1e6:>9.0f} {rss:>7.0f} "
                f"{start:>7.1f} {add:>7.2f}  {cells}",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""Index build speed against the bare encoder, re-run cost, and the cost of adding one report.

    python benchmarks/bench_index.py [--docs 100] [--real DIR]

Without --real, 100 documents are made by varying the sample corpus (each about another authority);
with --real, the first --docs PDFs below DIR are used (for example ../shared/corpora/ofsted).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.authorities import AUTHORITIES
from assistant.config import Settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.indexer import load_catalogue, parse_file, scan_corpus
from assistant.indexing.vectors import encode_passages

ROOT = Path(__file__).resolve().parent.parent


def varied_corpus(corpus: Path, count: int) -> None:
    samples = sorted((ROOT / "corpus").glob("*.txt"))
    for i in range(count):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        name = AUTHORITIES[(i * 7) % len(AUTHORITIES)]
        for old in ("Doncaster", "Darlington", "Devon", "Wiltshire"):
            text = text.replace(old, name)
        (corpus / f"{i:03d} {name}.txt").write_text(f"{text}\n\nReport number {i} about {name}.\n", encoding="utf-8")


def real_corpus(corpus: Path, source: Path, count: int) -> None:
    for path in sorted(source.rglob("*.pdf"))[:count]:
        target = corpus / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def bare_rate(embedder: Embedder, settings: Settings) -> tuple[float, int, float]:
    """Parse every file once (timed), then make all its chunks' vectors with the model alone (timed)."""
    catalogue, _ = load_catalogue(settings)
    texts = []
    started = time.perf_counter()
    for source, path in scan_corpus(settings.corpus_dir, settings):
        doc, chunks, _, _ = parse_file(source, path.read_bytes(), settings, catalogue)
        texts += [(c, doc.title) for c in chunks]
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    encode_passages(embedder, texts)
    return len(texts) / (time.perf_counter() - started), len(texts), parse_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--real", type=Path, help="a folder of real reports to take the documents from")
    args = parser.parse_args()
    embedder = Embedder()
    embedder.encode(["warm up the model"] * 8)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, extra = Path(tmp) / "corpus", Path(tmp) / "extra"
        corpus.mkdir()
        extra.mkdir()
        if args.real:
            real_corpus(corpus, args.real, args.docs + 1)
            newest = sorted(p for p in corpus.rglob("*") if p.is_file())[-1]
        else:
            varied_corpus(corpus, args.docs + 1)
            newest = sorted(corpus.glob("*.txt"))[-1]
        shutil.move(newest, extra / newest.name)  # held back, to be added to the built index
        settings = Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index")

        rate, chunks, parse_seconds = bare_rate(embedder, settings)
        assistant = Assistant(settings, embedder=embedder)
        started = time.perf_counter()
        report = assistant.index()
        build = time.perf_counter() - started
        build_rate = report.chunks_written / build

        started = time.perf_counter()
        again = assistant.index()
        rerun = time.perf_counter() - started
        env = dict(os.environ, ASSISTANT_CORPUS=str(corpus), ASSISTANT_INDEX=str(settings.index_dir))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", "-q", "index"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        rerun_cli = time.perf_counter() - started

        shutil.move(extra / newest.name, corpus / newest.name)
        one = Settings(corpus_dir=extra, index_dir=Path(tmp) / "one")
        (extra / newest.name).write_bytes((corpus / newest.name).read_bytes())
        single = Assistant(one, embedder=embedder)
        started = time.perf_counter()
        alone = single.index()
        alone_seconds = time.perf_counter() - started
        started = time.perf_counter()
        added = assistant.index()
        add_seconds = time.perf_counter() - started

    print(f"documents: {len(report.added)} ({'real reports' if args.real else 'varied samples'}), chunks: {chunks}")
    print(f"parse only:            {parse_seconds:7.2f} s")
    print(f"bare model encode:     {rate:7.1f} chunks/s")
    print(
        f"full build:            {build:7.2f} s = {build_rate:.1f} chunks/s = {build_rate / rate:.2f} of the bare rate"
    )
    print(f"re-run, nothing new:   {rerun:7.2f} s (unchanged {len(again.unchanged)}, written {again.chunks_written})")
    print(f"re-run as a command:   {rerun_cli:7.2f} s (python -m assistant index, start-up included)")
    print(
        f"add one report:        {add_seconds:7.2f} s for {added.chunks_written} chunks "
        f"(that report alone into an empty index: {alone_seconds:.2f} s, {alone.chunks_written} chunks)"
    )


if __name__ == "__main__":
    main()

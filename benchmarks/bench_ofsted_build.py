"""Build the index of the real Ofsted reports and say where the time and memory go.

First every report is parsed once in this process (parse time, and its chunks), then the bare encoder
makes those chunks' vectors alone (`encode_passages`: their sentences, as the build does), then one full
build runs as users run it (parsing in worker processes while the encoder works): its embed time, wall
time, peak memory and index size are printed next to the two figures before it, all from the same run.

    python benchmarks/bench_ofsted_build.py                          # ../shared/corpora/ofsted, temp index
    python benchmarks/bench_ofsted_build.py --index /tmp/ofsted_index  # keep the index for `facts --check`
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.config import Settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.indexer import parse_file, scan_corpus
from assistant.indexing.vectors import encode_passages
from assistant.ingest.loaders import LoadError
from assistant.schema import Chunk

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ofsted"


class TimedEmbedder(Embedder):
    """The project's encoder, counting the texts it was given and the seconds it spent on them."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self.count = 0

    def encode(self, texts: list[str]):
        started = time.perf_counter()
        vectors = super().encode(texts)
        self.seconds += time.perf_counter() - started
        self.count += len(texts)
        return vectors


def parse_all(corpus: Path) -> tuple[float, list[tuple[Chunk, str]]]:
    """Seconds to parse every report in one process, and its chunks with their document's title."""
    settings = Settings(corpus_dir=corpus)
    seconds, items = 0.0, []
    for source, path in scan_corpus(corpus, settings):
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            doc, chunks, _, _ = parse_file(source, data, settings, {})
        except LoadError:
            continue
        finally:
            seconds += time.perf_counter() - started
        items += [(c, doc.title) for c in chunks]
    return seconds, items


def peak_mb() -> float:
    """Peak resident memory of this process and of its children, in MB (Linux reports kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, help="build here and keep it (default: a temporary folder)")
    parser.add_argument("--bare-sample", type=int, default=0, help="time the bare encoder on every n-th text only")
    args = parser.parse_args()

    parse_seconds, items = parse_all(args.corpus)
    sample = items[:: args.bare_sample] if args.bare_sample > 1 else items
    bare = Embedder()
    bare.encode(["load the model before the clock starts"])
    started = time.perf_counter()
    encode_passages(bare, sample)
    bare_rate = len(sample) / (time.perf_counter() - started)

    embedder = TimedEmbedder()
    embedder.encode(["load the model before the clock starts"])
    embedder.seconds, embedder.count = 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or Path(tmp) / "index"
        if index_dir.exists():
            shutil.rmtree(index_dir)
        assistant = Assistant(Settings(corpus_dir=args.corpus, index_dir=index_dir), embedder=embedder)
        started = time.perf_counter()
        report = assistant.index(rebuild=True)
        wall = time.perf_counter() - started
        assistant.close()
        index_size = size_mb(index_dir)

    documents = len(report.added) + len(report.updated)
    whole = report.chunks_written / wall if wall else 0.0
    print(f"corpus:                {args.corpus} ({documents} documents, {len(report.failed)} failed)")
    print(f"chunks:                {report.chunks_written}")
    print(f"parse time:            {parse_seconds:8.1f} s in one process (the build spreads it over workers)")
    print(f"bare encoder:          {bare_rate:8.1f} chunks/s on {len(sample)} of the same chunks")
    print(f"embed time (build):    {embedder.seconds:8.1f} s = {embedder.count / embedder.seconds:.1f} texts/s")
    print(f"wall time (build):     {wall:8.1f} s = {whole:.1f} chunks/s = {whole / bare_rate:.2f} of the bare rate")
    print(f"peak memory:           {peak_mb():8.0f} MB (this process and its children)")
    print(f"index size:            {index_size:8.1f} MB on disk")
    for source, reason in sorted(report.failed.items()):
        print(f"  failed: {source}: {reason}")


if __name__ == "__main__":
    main()

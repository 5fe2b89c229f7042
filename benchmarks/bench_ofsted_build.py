"""Build the index of the real Ofsted reports and say where the time and memory go.

Prints parse time, embed time, chunks, wall time, peak memory and index size of one full build,
next to the bare encoder rate: Embedder.encode alone on the same chunk texts, in the same run.

    python benchmarks/bench_ofsted_build.py                          # ../shared/corpora/ofsted, temp index
    python benchmarks/bench_ofsted_build.py --index /tmp/ofsted_index  # keep the index for `facts --check`
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import indexer  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.embeddings import Embedder  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ofsted"


class TimedEmbedder(Embedder):
    """The project's encoder, keeping the texts it was given and the seconds it spent on them."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self.texts: list[str] = []

    def encode(self, texts: list[str]):
        started = time.perf_counter()
        vectors = super().encode(texts)
        self.seconds += time.perf_counter() - started
        self.texts += texts
        return vectors


def timed_parsing() -> list[float]:
    """Time every call of indexer.parse_file from now on; the list holds the total seconds."""
    total = [0.0]
    parse = indexer.parse_file

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return parse(*args, **kwargs)
        finally:
            total[0] += time.perf_counter() - started

    indexer.parse_file = timed
    return total


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

    embedder = TimedEmbedder()
    embedder.encode(["load the model before the clock starts"])
    embedder.seconds, embedder.texts = 0.0, []
    parse_seconds = timed_parsing()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or Path(tmp) / "index"
        if index_dir.exists():
            shutil.rmtree(index_dir)
        settings = Settings(corpus_dir=args.corpus, index_dir=index_dir)
        assistant = Assistant(settings, embedder=embedder)
        started = time.perf_counter()
        report = assistant.index(rebuild=True)
        wall = time.perf_counter() - started
        assistant.close()
        index_size = size_mb(index_dir)

        texts = embedder.texts[:: args.bare_sample] if args.bare_sample > 1 else list(embedder.texts)
        bare = Embedder()
        bare.encode(["load the model before the clock starts"])
        started = time.perf_counter()
        bare.encode(texts)
        bare_seconds = time.perf_counter() - started

    documents = len(report.added) + len(report.updated)
    build_rate = len(embedder.texts) / embedder.seconds if embedder.seconds else 0.0
    bare_rate = len(texts) / bare_seconds if bare_seconds else 0.0
    print(f"corpus:                {args.corpus} ({documents} documents, {len(report.failed)} failed)")
    print(f"chunks:                {report.chunks_written}")
    print(f"parse time:            {parse_seconds[0]:8.1f} s")
    print(f"embed time:            {embedder.seconds:8.1f} s ({build_rate:.1f} chunks/s in the build)")
    print(f"wall time (build):     {wall:8.1f} s")
    print(f"bare encoder:          {bare_seconds:8.1f} s = {bare_rate:.1f} chunks/s on the same {len(texts)} texts")
    whole = report.chunks_written / wall if wall else 0.0
    share = whole / bare_rate if bare_rate else 0.0
    print(f"whole build rate:      {whole:8.1f} chunks/s = {share:.2f} of the bare encoder rate")
    print(f"peak memory:           {peak_mb():8.0f} MB (this process and its children)")
    print(f"index size:            {index_size:8.1f} MB on disk")
    for source, reason in sorted(report.failed.items()):
        print(f"  failed: {source}: {reason}")


if __name__ == "__main__":
    main()

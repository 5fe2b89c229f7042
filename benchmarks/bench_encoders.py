"""Quality of each encoder backend side by side: SciFact retrieval and the answering dev sets.

    python benchmarks/bench_encoders.py [--backends torch onnx-int8] [--beir ../shared/corpora/scifact]
                                        [--ofsted-indexes DIR]

SciFact (when present) is indexed once per backend under the temp folder and scored by nDCG@10 and
recall@100 for dense, BM25 and fused retrieval. The sample dev sets are indexed per backend from corpus/.
With --ofsted-indexes (the DIR/torch and DIR/defaults that `bench_build_compare.py --keep DIR --with-torch
--authorities 0` made from all the reports), the real reports' dev set is scored on them too.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from assistant.api import Assistant
from assistant.config import Settings
from assistant.evaluation import beir
from assistant.evaluation import devsets as evaluate
from assistant.indexing.embeddings import Embedder

ROOT = Path(__file__).resolve().parent.parent

KEPT = {"torch": "torch", "onnx-int8": "defaults"}  # bench_build_compare.py's folder for each backend


def scifact_rows(folder: Path, embedder: Embedder) -> list[str]:
    data = beir.load_beir(folder)
    cache = Path(tempfile.gettempdir()) / "assistant-beir" / f"{folder.name}-{embedder.intended}"
    beir.write_corpus(data, cache / "corpus")
    assistant = Assistant(Settings(corpus_dir=cache / "corpus", index_dir=cache / "index"), embedder=embedder)
    assistant.index(show_bar=True)
    results = beir.evaluate_beir(assistant, data)
    assistant.close()
    return [f"  {folder.name} {name:<14} nDCG@10 {n:.3f}  recall@100 {r:.3f}" for name, (n, r) in results.items()]


def devset_row(devset: Path, corpus: Path, index: Path, embedder: Embedder) -> str:
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=index), embedder=embedder)
    assistant.index()
    scores = evaluate.run(assistant, devset, baseline=False)[0]
    assistant.close()
    scores.name = devset.name
    return "  " + scores.row()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx-int8"])
    parser.add_argument("--beir", type=Path, default=ROOT.parent / "shared" / "corpora" / "scifact")
    parser.add_argument("--ofsted-indexes", type=Path, help="DIR with torch/ and defaults/ from bench_build_compare")
    parser.add_argument("--ofsted-corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ofsted")
    args = parser.parse_args()
    for backend in args.backends:
        embedder = Embedder(backend=backend)
        print(f"{backend} (in use: {embedder.backend})", flush=True)
        if args.beir.is_dir():
            print("\n".join(scifact_rows(args.beir, embedder)), flush=True)
        print("  " + evaluate.HEADER)
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            shutil.copytree(ROOT / "corpus", corpus)
            for name in ("sample.jsonl", "sample_heldout.jsonl"):
                print(devset_row(ROOT / "devsets" / name, corpus, Path(tmp) / "index", embedder), flush=True)
        if args.ofsted_indexes and backend in KEPT:
            index = args.ofsted_indexes / KEPT[backend]
            print(devset_row(ROOT / "devsets" / "ofsted.jsonl", args.ofsted_corpus, index, embedder), flush=True)


if __name__ == "__main__":
    main()

"""A full build of the real reports against LangChain's tutorial pipeline, in the same run, several times.

    python benchmarks/bench_build_compare.py [--corpus ../shared/corpora/ofsted] [--authorities 30] [--runs 3]
                                             [--with-torch] [--keep DIR]

The corpus is the first --authorities folders (sorted) of --corpus, copied to a temporary folder. Each run
builds from nothing, one after the other, in fresh processes:
- the tutorial pipeline: the same parser, 1000/200 recursive splits, the same model through torch, Chroma;
- ours: `python -m assistant -q index` (parse, clean, chunk, passage and sentence vectors, Chroma, FTS5);
- with --with-torch, ours on torch with sequential parsing (DIR/torch for benchmarks/bench_encoders.py);
and then the bare encoder (Embedder.encode alone) on the texts of our passages. Printed per run: wall
time, the ratio to the tutorial, the peak memory of the whole process tree (workers included, sampled),
passages per second of the build beside the bare encoder's, and the build's seconds inside the encoder.
The machine is shared, so only figures from the same run are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs `python -m assistant` with Embedder.encode timed; the totals go to the file named by BENCH_ENCODE_LOG.
OURS = """
import atexit, json, os, runpy, sys, time
from assistant.indexing.embeddings import Embedder
spent = {"seconds": 0.0, "texts": 0}
plain = Embedder.encode
def timed(self, texts):
    started = time.perf_counter()
    try:
        return plain(self, texts)
    finally:
        spent["seconds"] += time.perf_counter() - started
        spent["texts"] += len(texts)
Embedder.encode = timed
atexit.register(lambda: open(os.environ["BENCH_ENCODE_LOG"], "w").write(json.dumps(spent)))
sys.argv = ["assistant", "-q", "index"]
runpy.run_module("assistant", run_name="__main__", alter_sys=True)
"""
BUILDS = {
    "tutorial": {},
    "ours": {},
    "ours, torch, sequential": {"ASSISTANT_ENCODER": "torch", "ASSISTANT_PARSE_WORKERS": "0"},
}
FOLDERS = {"ours": "defaults", "ours, torch, sequential": "torch"}


def tutorial_build(corpus: Path, index: Path) -> None:
    """The tutorial pipeline, in this process (run as a child of the benchmark)."""
    import chromadb

    from assistant.config import Settings
    from assistant.evaluation.devsets import tutorial_store
    from assistant.indexing.embeddings import Embedder

    store = tutorial_store(
        Settings(corpus_dir=corpus), Embedder(backend="torch"), chromadb.PersistentClient(str(index))
    )
    print(json.dumps({"passages": store._collection.count()}))


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total / 1e6


def run_sampled(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak memory of the process tree (sampled every 0.1 s) and stdout of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.1)  # a sampling period, not a synchronisation

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{command} failed:\n{err[-2000:]}")
    return seconds, peak[0], out


def build(name: str, corpus: Path, index: Path) -> dict:
    env = dict(os.environ, ASSISTANT_CORPUS=str(corpus), ASSISTANT_INDEX=str(index), **BUILDS[name])
    if name == "tutorial":
        seconds, peak, out = run_sampled([sys.executable, __file__, "--tutorial-build", str(corpus), str(index)], env)
        return {"seconds": seconds, "peak": peak, "passages": json.loads(out.splitlines()[-1])["passages"]}
    log = index.parent / f"{index.name}.encode.json"
    seconds, peak, out = run_sampled([sys.executable, "-c", OURS], dict(env, BENCH_ENCODE_LOG=str(log)))
    spent = json.loads(log.read_text())
    passages = int(out.split(" chunks written")[0].rsplit("(", 1)[1])
    return {"seconds": seconds, "peak": peak, "passages": passages, "encode": spent["seconds"], "summary": out}


def bare_rate(index: Path, every: int) -> float:
    """Passages per second of the encoder alone, reading (every n-th of) our passages whole, after their title
    line: the unit the tutorial encodes (the build itself encodes their sentences)."""
    import sqlite3

    from assistant.indexing.embeddings import Embedder
    from assistant.ingest.chunking import context_line

    db = sqlite3.connect(index / "manifest.sqlite")
    titles = {s: json.loads(m).get("title", "") for s, m in db.execute("SELECT source, meta FROM documents")}
    rows = db.execute("SELECT source, heading, text FROM chunks").fetchall()
    db.close()

    class Row:
        def __init__(self, heading: str, text: str) -> None:
            self.heading, self.text = heading, text

    texts = [f"{context_line(Row(h, t), titles[s])}\n{t}".lstrip() for s, h, t in rows[::every]]  # type: ignore[arg-type]
    embedder = Embedder()
    embedder.encode(["load the model before the clock starts"])
    started = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - started)


def first_authorities(corpus: Path, count: int, target: Path) -> Path:
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir())[:count]:
        shutil.copytree(folder, target / folder.name)
    return target


def one_run(corpus: Path, names: list[str], keep: Path | None, every: int) -> dict[str, dict]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            index = keep / FOLDERS[name] if keep and name in FOLDERS else Path(tmp) / name.replace(" ", "_")
            if index.exists():
                raise SystemExit(f"{index} exists: a build must start from nothing")
            results[name] = build(name, corpus, index)
        results["ours"]["bare"] = bare_rate(keep / "defaults" if keep else Path(tmp) / "ours", every)
    return results


def report(run: int, results: dict[str, dict]) -> float:
    tutorial, ours = results["tutorial"], results["ours"]
    for name, r in results.items():
        print(
            f"run {run} {name:<24} {r['seconds']:6.1f} s  x{tutorial['seconds'] / r['seconds']:4.2f}  "
            f"peak {r['peak']:5.0f} MB  {r['passages']:5d} passages = {r['passages'] / r['seconds']:5.1f}/s",
            flush=True,
        )
    build_rate = ours["passages"] / ours["seconds"]
    print(
        f"run {run} ours: bare encoder {ours['bare']:.1f} passages/s, build {build_rate:.1f}/s "
        f"({build_rate / ours['bare']:.2f} of bare); in the encoder {ours['encode']:.1f} s "
        f"= {ours['encode'] / ours['seconds']:.0%} of the build",
        flush=True,
    )
    return tutorial["seconds"] / ours["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ofsted")
    parser.add_argument("--authorities", type=int, default=30, help="the first N authority folders (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bare-every", type=int, default=3, help="time the bare encoder on every n-th passage")
    parser.add_argument("--with-torch", action="store_true", help="also build ours on torch, parsing in sequence")
    parser.add_argument("--keep", type=Path, help="keep our builds in DIR/defaults (and DIR/torch); one run")
    parser.add_argument("--tutorial-build", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tutorial_build:
        return tutorial_build(*args.tutorial_build)
    names = ["tutorial", "ours"] + (["ours, torch, sequential"] if args.with_torch else [])
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.authorities:
            corpus = first_authorities(args.corpus, args.authorities, Path(tmp) / "corpus")
        runs = range(1, (1 if args.keep else args.runs) + 1)
        ratios = [report(run, one_run(corpus, names, args.keep, args.bare_every)) for run in runs]
    print(f"ratio to the tutorial: {', '.join(f'x{r:.2f}' for r in ratios)}; median x{statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()

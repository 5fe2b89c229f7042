"""Several app processes over one `chroma run` server: ready time, identical answers, load.

    python benchmarks/bench_chroma_server.py [--authorities 20] [--users 10] [--questions 5]

Starts a Chroma server on a free loopback port (stopped at the end), indexes the sample corpus and then
the first N authority folders of ../shared/corpora/ofsted into it with this process (folder A), and for
each prints how long a fresh process with an empty index folder takes to be ready (its cache built from the
server, then its first answer). On the sample corpus it checks that such a process answers every question of
devsets/sample.jsonl exactly as the indexing process does (text and citations), and runs a small load test:
`--users` threads asking through the Python API in one process, then the same users split over two processes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load_chat import QUESTIONS

from assistant.evaluation.local_server import chroma_server

ROOT = Path(__file__).resolve().parent.parent
OFSTED = ROOT.parent / "shared" / "corpora" / "ofsted"


def settings_for(index: Path, corpus: Path, url: str, collection: str):
    from assistant.config import Settings

    return Settings(corpus_dir=corpus, index_dir=index, chroma_url=url, collection=collection)


def seen(answer) -> list:
    return [answer.text, [[c.source, c.quote, c.page] for c in answer.citations], answer.no_answer]


# ---- the worker: a fresh process with an empty index folder ----


def worker(args: argparse.Namespace) -> None:
    """Build the cache from the server, report the ready time, then answer a dev set or take load."""
    started = time.perf_counter()
    from assistant.api import Assistant

    assistant = Assistant(settings_for(Path(args.index), Path(args.index) / "corpus", args.url, args.collection))
    built = time.perf_counter() - started
    assistant.ask(QUESTIONS[0])
    ready = {"cache_s": built, "first_answer_s": time.perf_counter() - started, "documents": len(assistant.documents())}
    if args.devset:
        questions = [json.loads(line)["question"] for line in Path(args.devset).read_text().splitlines() if line]
        ready["answers"] = [seen(assistant.ask(q)) for q in questions]
    print(json.dumps(ready), flush=True)
    if args.users:
        sys.stdin.readline()  # "go": every process of the load test starts together
        print(json.dumps(load(assistant, args.users, args.questions, args.first_user)), flush=True)


def load(assistant, users: int, questions: int, first_user: int = 0) -> dict:
    """`users` threads each asking `questions` questions; every answer's time and the wall time."""
    times: list[float] = []

    def user(number: int) -> None:
        for i in range(questions):
            begun = time.perf_counter()
            assistant.ask(QUESTIONS[(number + i) % len(QUESTIONS)])
            times.append(time.perf_counter() - begun)

    threads = [threading.Thread(target=user, args=(first_user + n,)) for n in range(users)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"times": times, "wall": time.perf_counter() - begun}


def start_worker(base: Path, url: str, collection: str, **options) -> subprocess.Popen:
    index = Path(tempfile.mkdtemp(prefix="reader_", dir=base))
    command = [sys.executable, __file__, "--worker", "--url", url, "--collection", collection, "--index", str(index)]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def read_json(process: subprocess.Popen) -> dict:
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"worker ended (exit {process.wait()})")
    return json.loads(line)


# ---- the measurements ----


def index_into(base: Path, url: str, collection: str, corpus: Path):
    from assistant.api import Assistant

    writer = Assistant(settings_for(base / f"writer_{collection}", corpus, url, collection))
    started = time.perf_counter()
    report = writer.index()
    print(f"[{collection}] indexed {len(report.added)} files in {time.perf_counter() - started:.0f} s (folder A)")
    return writer


def ready_time(base: Path, url: str, collection: str, devset: str = "") -> dict:
    process = start_worker(base, url, collection, users=0, **({"devset": devset} if devset else {}))
    ready = read_json(process)
    process.wait(timeout=60)
    print(
        f"[{collection}] fresh process, empty folder: cache of {ready['documents']} documents built in "
        f"{ready['cache_s']:.1f} s (imports included); first answer at {ready['first_answer_s']:.1f} s"
    )
    return ready


def check_identity(writer, ready: dict, devset: Path) -> None:
    questions = [json.loads(line)["question"] for line in devset.read_text().splitlines() if line]
    mine = [seen(writer.ask(q)) for q in questions]
    same = sum(a == b for a, b in zip(mine, ready["answers"], strict=True))
    print(f"[{devset.stem}] answers identical to the indexing process's: {same}/{len(questions)}")


def load_test(base: Path, url: str, users: int, questions: int, processes: int) -> None:
    workers = []
    for n in range(processes):
        share = users // processes + (1 if n < users % processes else 0)
        workers.append(
            start_worker(base, url, "sample", users=share, questions=questions, first_user=n * (users // processes))
        )
    for process in workers:
        read_json(process)  # ready
    for process in workers:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [read_json(process) for process in workers]
    for process in workers:
        process.wait(timeout=60)
    times = sorted(t for r in results for t in r["times"])
    wall = max(r["wall"] for r in results)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"[load] {users} users x {questions} questions, {processes} process(es): {len(times) / wall:.2f} questions/s, "
        f"p50 {times[len(times) // 2]:.2f} s, p95 {p95:.2f} s"
    )


def ofsted_subset(base: Path, authorities: int) -> Path:
    corpus = base / "ofsted_subset"
    for folder in sorted(p for p in OFSTED.iterdir() if p.is_dir())[:authorities]:
        shutil.copytree(folder, corpus / folder.name)
    return corpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authorities", type=int, default=20, help="Ofsted authority folders to index (0: none)")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--questions", type=int, default=5, help="questions each user asks")
    for hidden in ("--url", "--collection", "--index", "--devset"):
        parser.add_argument(hidden, default="", help=argparse.SUPPRESS)
    parser.add_argument("--first-user", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0
    base = Path(tempfile.mkdtemp(prefix="bench_chroma_"))
    try:
        with chroma_server(base / "server") as url:
            shutil.copytree(ROOT / "corpus", base / "sample_corpus")
            writer = index_into(base, url, "sample", base / "sample_corpus")
            devset = ROOT / "devsets" / "sample.jsonl"
            check_identity(writer, ready_time(base, url, "sample", str(devset)), devset)
            load_test(base, url, args.users, args.questions, 1)
            load_test(base, url, args.users, args.questions, 2)
            if args.authorities and OFSTED.is_dir():
                writer = index_into(base, url, "ofsted", ofsted_subset(base, args.authorities))
                devset = ROOT / "devsets" / "ofsted.jsonl"
                check_identity(writer, ready_time(base, url, "ofsted", str(devset)), devset)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

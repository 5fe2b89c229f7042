"""Answer time under load: concurrent gradio_client users asking the web chat's /ask endpoint.

    python benchmarks/load_chat.py [--users 10] [--questions 5] [--url http://127.0.0.1:7860/]

Without --url, the app is started on a free loopback port over a copy of the sample corpus. Only
loopback addresses are accepted. Prints p50/p95 of the time from sending a question to its answer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "What did Ofsted say about agency staff in Doncaster?",
    "How many child protection conferences were postponed in Darlington?",
    "How did Devon County Council respond to the report?",
    "What did inspectors find about caseloads?",
    "Were children's records accurate in Doncaster?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, deadline_s: float = 300) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {deadline_s} s")


@contextmanager
def started_app():
    """python app.py on a free loopback port over a copy of the sample corpus, with its index built."""
    base = Path(tempfile.mkdtemp(prefix="load_chat_"))
    shutil.copytree(ROOT / "corpus", base / "corpus")
    env = dict(os.environ, ASSISTANT_CORPUS=str(base / "corpus"), ASSISTANT_INDEX=str(base / "index"))
    subprocess.run([sys.executable, "-m", "assistant", "-q", "index"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (base / "app.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def user(url: str, number: int, questions: int, times: list[float], errors: list[str]) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    for i in range(questions):
        question = QUESTIONS[(number + i) % len(QUESTIONS)]
        started = time.perf_counter()
        try:
            result = client.predict(question, api_name="/ask")
        except Exception as exc:  # counted and reported, the run goes on
            errors.append(f"user {number}: {exc}")
            continue
        times.append(time.perf_counter() - started)
        if not result.get("answer"):
            errors.append(f"user {number}: empty answer to {question!r}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(url: str, users: int, questions: int) -> None:
    from gradio_client import Client

    started = time.perf_counter()
    Client(url, verbose=False).predict(QUESTIONS[0], api_name="/ask")
    print(f"first answer (untimed warm-up) in {time.perf_counter() - started:.2f} s")
    times: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=user, args=(url, n, questions, times, errors)) for n in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(f"{users} users x {questions} questions: {len(times)} answered, {len(errors)} errors in {wall:.1f} s")
    if times:
        print(
            f"answer time p50 {statistics.median(times):.2f} s, p95 {percentile(times, 0.95):.2f} s, "
            f"max {max(times):.2f} s; {len(times) / wall:.1f} answers/s"
        )
    for error in errors[:10]:
        print("  error:", error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--questions", type=int, default=5, help="questions each user asks")
    parser.add_argument("--url", help="a running app on this machine (default: start one)")
    args = parser.parse_args()
    if args.url:
        if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("only a loopback address may be targeted")
        run(args.url, args.users, args.questions)
        return 0
    with started_app() as url:
        run(url, args.users, args.questions)
    return 0


if __name__ == "__main__":
    sys.exit(main())

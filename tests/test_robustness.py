"""A killed indexing run, a watched folder, and a Chroma server: real processes, real files."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, SAMPLES, cli_env, make_pdf

from assistant.authorities import AUTHORITIES
from assistant.config import Settings
from assistant.evaluation.local_server import chroma_server, free_port

pytestmark = pytest.mark.slow


def _varied_corpus(corpus: Path, count: int) -> None:
    """Many distinct reports made from the samples, each about another authority."""
    samples = sorted(SAMPLES.glob("*.txt"))
    for i in range(count):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        name = AUTHORITIES[i + 1]
        for old in ("Doncaster", "Darlington", "Devon"):
            text = text.replace(old, name)
        folder = corpus / f"area{i % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"report {i}.txt").write_text(f"{text}\n\nReference number {i}.\n", encoding="utf-8")


def _consistency(assistant) -> tuple[set[str], set[str]]:
    rows = {r[0] for r in assistant.store.db.execute("SELECT chunk_id FROM chunks")}
    ids = assistant.store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)), "a vector is stored twice"
    return rows, set(ids)


def _run_and_kill(env: dict, after_lines: int) -> int:
    """Start an indexing run and SIGKILL it once it has reported `after_lines` files."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "assistant", "index", "-v"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen = 0
    for line in proc.stdout:
        if line.startswith(("added:", "updated:")):
            seen += 1
            if seen >= after_lines:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=120)
    return seen


def test_a_killed_run_leaves_a_queryable_index_and_the_next_run_finishes_it(settings, make_assistant):
    _varied_corpus(settings.corpus_dir, 24)
    env = cli_env(settings) | {"ASSISTANT_ENCODE_GROUP": "10"}  # several encode/write rounds per run
    for after in (1, 4, 9):
        assert _run_and_kill(env, after) == after
        assistant = make_assistant(settings)
        answer = assistant.ask("What did Ofsted say about agency staff?")
        assert answer.text  # queryable after a kill
        committed = {s for s, d in assistant.store.documents().items() if d.state == "ok"}
        rows, vectors = _consistency(assistant)
        assert rows <= vectors or assistant.store.unfinished()  # committed passages have their vectors
        assert len(committed) >= after - 1
        assistant.close()
    result = subprocess.run([PYTHON, "-m", "assistant", "index"], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assistant = make_assistant(settings)
    rows, vectors = _consistency(assistant)
    assert rows == vectors and not assistant.store.unfinished()
    assert len(assistant.documents()) == 24
    sources = [r[0] for r in assistant.store.db.execute("SELECT source, idx FROM chunks")]
    per_doc = {s: sources.count(s) for s in set(sources)}
    assert sum(per_doc.values()) == len(rows)  # no passage twice


class _Lines:
    """A process's output lines, read in a thread, so a test can wait for one with a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()

    def _pump(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.queue.put(line.rstrip("\n"))

    def until(self, prefix: str, deadline: float = 180.0) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            try:
                line = self.queue.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if line.startswith(prefix):
                return
        raise AssertionError(f"never saw {prefix!r}; saw {self.seen}")


def test_watch_indexes_new_files_once_written_and_forgets_deleted_ones(settings, make_assistant):
    (settings.corpus_dir / "first.txt").write_text("Ofsted found Leeds good.")
    proc = subprocess.Popen(
        [PYTHON, "-m", "assistant", "index", "--watch", "--settle", "5", "--poll", "2"],
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = _Lines(proc)
    try:
        lines.until("added: first.txt")
        growing = settings.corpus_dir / "sub" / "growing.txt"
        growing.parent.mkdir()
        with growing.open("w", encoding="utf-8") as handle:
            handle.write("Ofsted's letter to Kent: the first half of the findings about caseloads. ")
            handle.flush()
            lines.until("waiting: sub/growing.txt")
            handle.write("The second half: Kent relies on agency staff.")
        lines.until("added: sub/growing.txt")
        (settings.corpus_dir / "first.txt").unlink()
        lines.until("removed: first.txt")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assistant = make_assistant(settings)
    docs = assistant.documents()
    assert set(docs) == {"sub/growing.txt"}
    text = assistant.store.document("sub/growing.txt").text
    assert text.endswith("Kent relies on agency staff.")


def test_the_same_commands_work_against_a_chroma_server(settings, tmp_path):
    import shutil

    with chroma_server(tmp_path / "server") as url:
        for sample in sorted(SAMPLES.glob("*.txt"))[:3]:
            shutil.copy(sample, settings.corpus_dir / sample.name)
        env = cli_env(settings) | {"CHROMA_URL": url}
        index = subprocess.run(
            [PYTHON, "-m", "assistant", "index"], env=env, capture_output=True, text=True, timeout=300
        )
        assert index.returncode == 0 and "added 3" in index.stdout, index.stdout + index.stderr
        assert not (settings.index_dir / "chroma").exists()  # the vectors went to the server
        ask = subprocess.run(
            [PYTHON, "-m", "assistant", "ask", "--json", "agency staff in Doncaster"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        answer = json.loads(ask.stdout)
        assert not answer["no_answer"]
        assert any("agency staff" in c["quote"] for c in answer["citations"])


def _pdf_corpus(corpus: Path, count: int) -> None:
    """Reports as real PDFs of many pages, so parsing them in a worker takes a while."""
    samples = sorted(SAMPLES.glob("*.txt"))
    for i in range(count):
        text = samples[i % len(samples)].read_text(encoding="utf-8").replace("Doncaster", AUTHORITIES[i + 1])
        text = text.encode("latin-1", "replace").decode("latin-1")  # the PDF's core font is Latin-1
        pages = [f"{text}\n\nPage {page} of report {i}." for page in range(12)]
        (corpus / f"report {i}.pdf").write_bytes(make_pdf(pages))


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every live process (zombies are dead: left out), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue  # ended meanwhile
            if state != "Z":
                found[int(entry.name)] = (int(parent), command)
    return found


def _until(condition, deadline_s: float, what: str):
    """Poll `condition` until it returns something truthy; fail with `what` after the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} within {deadline_s:.0f} s")


def _children_once_parsing(proc: subprocess.Popen) -> set[int]:
    """The child processes of `proc` (workers, resource tracker) once a parse worker runs."""

    def children() -> set[int] | None:
        kids = {pid: command for pid, (parent, command) in _processes().items() if parent == proc.pid}
        assert proc.poll() is None, "the run ended before a parse worker started"
        return set(kids) if any("spawn_main" in command for command in kids.values()) else None

    return _until(children, 120, "no parse worker started")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_no_parse_worker_outlives_a_killed_index_run(tmp_path):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    settings.corpus_dir.mkdir()
    _pdf_corpus(settings.corpus_dir, 10)
    env = dict(cli_env(settings), ASSISTANT_PARSE_WORKERS="1")
    proc = subprocess.Popen([PYTHON, "-m", "assistant", "index", "-v"], env=env, stdout=subprocess.DEVNULL)
    children = _children_once_parsing(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    _until(lambda: not children & set(_processes()), 10, f"processes {children} outlived their killed parent")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_sigterm_stops_the_app_while_it_indexes_at_start(tmp_path, make_assistant):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    settings.corpus_dir.mkdir()
    _pdf_corpus(settings.corpus_dir, 10)
    env = dict(cli_env(settings), ASSISTANT_PARSE_WORKERS="1")
    log = tmp_path / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PYTHON, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(free_port())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        children = _children_once_parsing(proc)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, f"the app did not end cleanly on SIGTERM:\n{log.read_text()[-3000:]}"
    _until(lambda: not children & set(_processes()), 10, f"processes {children} outlived the app")
    assistant = make_assistant(settings)
    assert not assistant.store.unfinished(), "a file was left half-written"
    rows, ids = _consistency(assistant)
    assert rows <= ids  # every committed passage has its vector
    report = assistant.index()  # the next start takes the files the stopped run left
    assert report.ok and len(report.added) + len(report.unchanged) == 10

"""Re-running saved questions after one new report: 200 questions over the real reports' index.

Copies an index of the reports and their folder (neither original is written), saves 200 questions from the
dev sets, takes one report out and puts it back, and prints how long the saved questions took to re-run
after each change, how many were asked again and how many were out of the change's reach. The report is
one of the authority the questions name most, so that many are within reach: a hard case, not a lucky one.

    python benchmarks/bench_saved.py --index DIR --corpus ../shared/corpora/ofsted
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant.api import Assistant
from assistant.config import load_settings
from assistant.search.question import read_question

ROOT = Path(__file__).resolve().parent.parent
DEVSETS = [ROOT / "devsets" / "ofsted.jsonl", *sorted((ROOT / "devsets" / "blind").glob("ofsted_*.jsonl"))]


def questions(count: int) -> list[str]:
    """The first `count` distinct questions of the real reports' dev sets (follow-ups are skipped)."""
    found: list[str] = []
    for path in DEVSETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if line.strip() and not item.get("history") and item["question"] not in found:
                found.append(item["question"])
    return found[:count]


def copied(index: Path, corpus: Path, work: Path) -> tuple[Path, Path]:
    """Copies of the index and the corpus (file times kept, so the index sees the files unchanged)."""
    shutil.copytree(index, work / "index")
    shutil.copytree(corpus, work / "corpus")
    return work / "index", work / "corpus"


def report_to_move(assistant: Assistant, asked: list[str]) -> tuple[str, str, int]:
    """(source, authority, questions naming it): an Ofsted report of the authority the questions name most."""
    named = Counter(a for q in asked for a in read_question(q).named)
    metas = assistant.documents()
    for authority, times in named.most_common():
        reports = sorted(s for s, m in metas.items() if authority in (m.get("authorities") or []))
        if reports:
            return reports[-1], authority, times
    raise SystemExit("no indexed report is about an authority the questions name")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="a built index of the corpus (copied first, never written)")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "ofsted"))
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-saved-"))
    index, corpus = copied(Path(args.index), Path(args.corpus), work)
    assistant = Assistant(load_settings().with_overrides(index_dir=index, corpus_dir=corpus))
    first = assistant.index()
    docs = len(assistant.documents())
    print(f"index: {docs} reports ({first.summary().splitlines()[0]})")
    asked = questions(args.questions)
    started = time.perf_counter()
    for question in asked:
        assistant.saved.add(question)
    every = time.perf_counter() - started
    print(f"saved {len(asked)} questions in {every:.1f} s: asking all again would take {every:.1f} s")

    source, authority, naming = report_to_move(assistant, asked)
    print(f"the report moved: {source} ({authority}, named by {naming} of the questions)")
    moved = assistant.remove(source)
    print(f"after removing it:  {assistant.last_rerun.summary()}")
    shutil.move(moved, corpus / source)
    report = assistant.index()
    print(f"indexing it again:  {report.summary().splitlines()[0]}")
    print(f"after adding it:    {assistant.last_rerun.summary()}")
    print(
        f"RESULT: re-running {len(asked)} saved questions after one new report on {docs} reports took "
        f"{assistant.last_rerun.seconds:.2f} s (limit 5 s)"
    )
    assistant.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

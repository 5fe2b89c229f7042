"""Comparisons of two reports measured: grade changes against a catalogue, time per comparison, and (with a
blind findings file) recall and precision of the findings and the share of quotes that are the report's words.

    python benchmarks/bench_compare.py --corpus ../shared/corpora/ofsted --index DIR \\
        --catalogue ../shared/corpora/ofsted_catalogue.csv [--findings devsets/compare_findings.jsonl]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.answer.compare import reports_of  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.dates import doc_date  # noqa: E402
from assistant.evaluation.compare_eval import evaluate_findings, load_findings  # noqa: E402
from assistant.ingest.facts import grade_key, judgement_column  # noqa: E402
from assistant.ingest.metadata import read_catalogue  # noqa: E402


def graded_pairs(assistant: Assistant) -> list[tuple[str, str, str]]:
    """(authority, earlier source, later source) for every two consecutive graded reports of one authority."""
    metas = assistant.documents()
    authorities = sorted({m.get("authority") for m in metas.values() if m.get("source_type") == "ofsted"} - {None})
    pairs = []
    for authority in authorities:
        graded = [r for r in reports_of(metas, authority) if r[1].get("judgements")]
        pairs += [(authority, a[0], b[0]) for a, b in zip(graded, graded[1:], strict=False)]
    return pairs


def check_grades(assistant: Assistant, catalogue: dict[str, dict]) -> list:
    """Per pair, each judgement's two grades against the catalogue's rows for the two reports."""
    metas = assistant.documents()
    counts, wrong, times = Counter(), [], []
    for authority, before, after in graded_pairs(assistant):
        started = time.perf_counter()
        comparison = assistant.compare(authority, doc_date(metas[before]), doc_date(metas[after]))
        times.append(time.perf_counter() - started)
        if not comparison.before or (comparison.before.source, comparison.after.source) != (before, after):
            counts["pair not chosen"] += 1
            continue
        rows = catalogue.get(before, {}).get("grades") or {}, catalogue.get(after, {}).get("grades") or {}
        seen = set()
        for change in comparison.judgements:
            column = judgement_column(change.name)
            seen.add(column)
            expected = rows[0].get(column), rows[1].get(column)
            if not all(expected):
                counts["judgement the catalogue lacks"] += 1
                continue
            ok = (grade_key(change.before), grade_key(change.after)) == tuple(grade_key(g) for g in expected)
            counts["judgement matches" if ok else "judgement differs"] += 1
            if not ok:
                wrong.append((authority, before, after, column, (change.before, change.after), expected))
        both = {
            c for c in rows[0] if rows[1].get(c) and c not in seen and "not_reported" not in rows[0][c] + rows[1][c]
        }
        counts["catalogue judgement not compared"] += len(both)
    counts["pairs"] = len(graded_pairs(assistant))
    return [counts, wrong, times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--catalogue")
    parser.add_argument("--findings", help="blind findings, JSON lines")
    args = parser.parse_args()
    settings = load_settings().with_overrides(corpus_dir=Path(args.corpus), index_dir=Path(args.index))
    assistant = Assistant(settings)
    started = time.perf_counter()
    assistant.compare("Doncaster")  # loads the metadata and warms SQLite
    print(f"{len(assistant.documents())} reports indexed; first comparison {time.perf_counter() - started:.2f} s")
    if args.catalogue:
        counts, wrong, times = check_grades(assistant, read_catalogue(Path(args.catalogue)))
        print("\n".join(f"  {key}: {value}" for key, value in sorted(counts.items())))
        for authority, before, after, column, ours, theirs in wrong:
            print(f"  differs: {authority} {column}: text {ours} catalogue {theirs}\n    {before}\n    {after}")
        print(
            f"time per comparison over {len(times)} pairs: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s"
        )
    if args.findings:
        scores = evaluate_findings(assistant, load_findings(Path(args.findings)))
        for line in scores.lines():
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The command line: index, ask, compare, eval, facts. Each command parses, calls the library, prints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.config import add_llm_options, add_location_options, load_settings, settings_from_args
from assistant.indexing.shared import WriterBusy
from assistant.schema import SOURCE_TYPES
from assistant.search.adapter import AdapterError


def _assistant(args: argparse.Namespace):
    from assistant.api import Assistant

    return Assistant(settings_from_args(args))


def cmd_index(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    if not assistant.settings.corpus_dir.is_dir():
        print(f"error: the corpus folder {assistant.settings.corpus_dir} does not exist", file=sys.stderr)
        return 2
    if args.watch:
        from assistant.indexing.watch import watch

        watch(assistant, settle_seconds=args.settle, poll_seconds=args.poll)
        return 0
    show = lambda event, source: print(f"{event}: {source}", flush=True) if args.verbose else None  # noqa: E731
    try:
        report = assistant.index(rebuild=args.rebuild, progress=show, show_bar=not args.verbose)
    except WriterBusy as exc:  # another process indexes into the same Chroma server
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(report.summary())
    newest = assistant.new_latest_reports(report)
    if 0 < len(newest) <= 10:  # a whole new corpus is not news; a report or two is
        print("\n".join(f"  new report of {a}: python -m assistant compare {a!r}" for a in sorted(newest)))
    return 0 if report.ok else 1


def _filters(args: argparse.Namespace) -> dict:
    return {"authority": args.authority, "type": args.type, "since": args.since, "until": args.until}


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        return
    print(answer.text)
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        when = f", {c.date}" if c.date else ""
        print(f"  [{c.n}] {c.title} ({c.source_type}{when}) {c.source}, page {c.page}")
    print(flush=True)


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    if not assistant.store.passage_count():
        print("The index is empty: run `python -m assistant index` first.", file=sys.stderr)
        return 2
    if args.export and args.question == "-":
        print("error: --export takes one question, not '-'", file=sys.stderr)
        return 2
    questions = sys.stdin if args.question == "-" else [args.question]
    for line in questions:
        line = line.rstrip("\n")
        if args.question == "-" and not line.strip():
            continue
        answer = assistant.ask(line, filters=_filters(args))
        _print_answer(answer, args.json)
        if args.export:
            return _export(answer, Path(args.export), assistant.settings.corpus_dir)
    return 0


def _export(answer, path: Path, corpus_dir: Path) -> int:
    from assistant.export import export_answer

    try:
        written = export_answer(answer, path, corpus_dir)
    except (ValueError, OSError) as exc:
        print(f"error: cannot export: {exc}", file=sys.stderr)
        return 2
    print(f"exported to {written}", file=sys.stderr)
    return 0


def _when(seconds: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(seconds).isoformat(sep=" ", timespec="seconds")


def _since(text: str | None) -> float | None:
    """An ISO date or date and time as seconds since the epoch (local time), or None."""
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp() if text else None


def cmd_changes(args: argparse.Namespace) -> int:
    from assistant.indexing.store import Store

    try:
        since = _since(args.since)
    except ValueError:
        print(f"error: --since takes an ISO date (2026-01-31), not {args.since!r}", file=sys.stderr)
        return 2
    store = Store(settings_from_args(args))
    for change in store.changes(since=since, limit=args.limit):
        if args.json:
            print(json.dumps(dict(change, when=_when(change["at"])), ensure_ascii=False))
            continue
        title = change["meta"].get("title", "")
        print(f"{_when(change['at'])}  {change['change']:<7}  {change['source']}  ({change['via']}) {title}")
    return 0


def cmd_saved(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    saved = assistant.saved
    if args.action == "add":
        if not args.question:
            print("error: saved add takes the question", file=sys.stderr)
            return 2
        try:
            row = saved.add(args.question, _filters(args))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(row, ensure_ascii=False) if args.json else f"saved #{row['id']}: {row['question']}")
        return 0
    if args.action == "list":
        assistant.last_rerun = saved.catch_up()  # a run killed before re-asking left some behind
        for row in saved.all():
            print(json.dumps(row, ensure_ascii=False) if args.json else _saved_line(row))
        return 0
    return _saved_one(saved, args)


def _saved_one(saved, args: argparse.Namespace) -> int:
    """`saved show ID` and `saved remove ID`."""
    try:
        saved_id = int(args.question or "")
    except ValueError:
        print(f"error: saved {args.action} takes the question's number", file=sys.stderr)
        return 2
    if args.action == "remove":
        if not saved.remove(saved_id):
            print(f"error: no saved question #{saved_id}", file=sys.stderr)
            return 1
        print(f"removed saved question #{saved_id}")
        return 0
    row = saved.show(saved_id)
    if row is None:
        print(f"error: no saved question #{saved_id}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(row, ensure_ascii=False))
        return 0
    print(_saved_line(row) + "\n\n" + row["answer"])
    if row["citations"]:
        print("\nSources:")
    for c in row["citations"]:
        when = f", {c['date']}" if c["date"] else ""
        print(f"  [{c['n']}] {c['title']} ({c['source_type']}{when}) {c['source']}, page {c['page']}")
    return 0


def _saved_line(row: dict) -> str:
    """One saved question: number, new or not, the question, and what its citations last changed by."""
    line = f"#{row['id']} {'NEW ' if row['new'] else ''}{row['question']}"
    change = row["change"]
    if row["new"] and change:
        now = ", ".join(change["cited_now"]) or "none"
        gone = ", ".join(change["no_longer_cited"]) or "none"
        line += f"\n    now cites: {now}; no longer cites: {gone}"
    return line


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import devsets as evaluate

    if args.beir:
        return _eval_beir(args)
    if not args.devset:
        print("error: give a dev set file, or --beir FOLDER", file=sys.stderr)
        return 2
    assistant = _assistant(args)
    report = assistant.index()
    if not report.ok:
        print(report.summary(), file=sys.stderr)
    results = evaluate.run(assistant, Path(args.devset), baseline=not args.no_baseline, strict=args.strict)
    counted = "only the first gold answer counts (--strict)" if args.strict else "any listed right answer counts"
    print(f"dev set: {args.devset} ({counted})")
    print(evaluate.HEADER)
    for scores in results:
        print(scores.row())
        kinds = scores.by_kind()
        if len(kinds) > 1:
            print("\n".join(part.row() for part in kinds.values()))
    if args.misses:
        print("\n".join(results[0].misses))
    return 0


def _eval_beir(args: argparse.Namespace) -> int:
    import tempfile
    import time

    from assistant.api import Assistant
    from assistant.evaluation import beir

    folder = Path(args.beir)
    data = beir.load_beir(folder)
    cache = Path(args.index) if args.index else Path(tempfile.gettempdir()) / "assistant-beir" / folder.name
    settings = load_settings().with_overrides(corpus_dir=cache / "corpus", index_dir=cache / "index")
    beir.write_corpus(data, settings.corpus_dir)
    assistant = Assistant(settings)
    started = time.perf_counter()
    report = assistant.index(show_bar=True)
    print(
        f"{folder.name}: {len(data.corpus)} documents, {len(data.queries)} test queries; "
        f"index {cache} ({report.chunks_written} chunks written in {time.perf_counter() - started:.0f} s)"
    )
    started = time.perf_counter()
    results = beir.evaluate_beir(assistant, data)
    print(f"{'retrieval':<16} {'nDCG@10':>8} {'recall@100':>11}")
    for name, (ndcg, recall) in results.items():
        print(f"{name:<16} {ndcg:>8.3f} {recall:>11.3f}")
    print(f"({(time.perf_counter() - started) / max(1, len(data.queries)) * 1000:.0f} ms per query for all three)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import time

    assistant = _assistant(args)
    if not assistant.store.passage_count():
        print("The index is empty: run `python -m assistant index` first.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    comparison = assistant.compare(args.authority, args.before, args.after)
    logging.getLogger(__name__).info("compared in %.2f s", time.perf_counter() - started)
    if args.json:
        print(json.dumps(comparison.to_json(), ensure_ascii=False))
        return 0 if comparison.after and comparison.before else 1
    print(_comparison_text(comparison))
    return 0 if comparison.after and comparison.before else 1


def _comparison_text(comparison) -> str:
    """The comparison for a terminal: the two reports, judgements, then each finding with its quotes."""
    lines = [comparison.authority]
    for side, ref in (("before", comparison.before), ("after", comparison.after)):
        if ref:
            lines.append(f"  {side}: {ref.doc_type} {ref.date} {ref.source}")
    lines += [f"  {note}" for note in comparison.notes]
    if comparison.judgements:
        lines.append("\nJudgements:")
    for change in comparison.judgements:
        lines.append(f"  {change.name}: {change.before} -> {change.after}")
    for finding in comparison.findings:
        lines.append(f"\n[{finding.status}] {finding.text}")
        lines += [f'    {q.date} p.{q.page}: "{" ".join(q.quote.split())}"' for q in finding.quotes]
    return "\n".join(lines)


def cmd_facts(args: argparse.Namespace) -> int:
    from assistant.indexing.store import Store

    store = Store(settings_from_args(args))
    documents = {source: row for source, row in store.documents().items() if row.state == "ok"}
    if not documents:
        print("The index is empty: run `python -m assistant index` first.", file=sys.stderr)
        return 2
    if args.check:
        return _check_facts({s: row.extracted for s, row in documents.items()}, Path(args.check))
    for source, row in sorted(documents.items()):
        record = _facts_record(source, row.meta)
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            grades = "; ".join(f"{name}: {grade}" for name, grade in record["judgements"].items())
            print(
                f"{source}\n  {record['doc_type']}, {record['authority']}, published {record['publication_date']}, "
                f"inspected {record['inspection_start']} to {record['inspection_end']}, "
                f"lead inspector {record['lead_inspector']}\n  {grades or 'no judgements'}"
            )
    return 0


def _facts_record(source: str, meta: dict) -> dict:
    """One document's facts as `facts --json` prints them."""
    authorities = meta.get("authorities") or [None]
    record = {
        "source": source,
        "doc_type": meta.get("doc_type"),
        "framework": meta.get("framework"),
        "authority": meta.get("authority") or authorities[0],
        "publication_date": meta.get("publication_date"),
        "inspection_start": meta.get("inspection_start"),
        "inspection_end": meta.get("inspection_end"),
        "lead_inspector": meta.get("lead_inspector"),
        "judgements": meta.get("judgements") or {},
    }
    if meta.get("catalogue_differences"):
        record["catalogue_differences"] = meta["catalogue_differences"]
    return record


def _check_facts(facts: dict[str, dict], path: Path) -> int:
    """Per field, how many reports match the catalogue; every mismatch; the rows the text contradicts."""
    from assistant.ingest.facts import check
    from assistant.ingest.metadata import read_catalogue

    if not path.is_file():
        print(f"error: no catalogue at {path}", file=sys.stderr)
        return 2
    catalogue = read_catalogue(path)
    counts, found = check(facts, catalogue)
    both = set(facts) & set(catalogue)
    print(f"{len(both)} indexed reports in the catalogue ({len(facts)} indexed, {len(catalogue)} catalogue rows)")
    print(f"{'field':24} {'match':>7} {'of':>5} {'%':>7}")
    for field, (matched, given) in counts.items():
        share = f"{100 * matched / given:6.1f}%" if given else "      -"
        print(f"{field:24} {matched:7d} {given:5d} {share}")
    missing = [d for d in found if d["text"] in (None, "")]
    contradicted = [d for d in found if d["text"] not in (None, "")]
    print(f"\nmismatches: {len(found)}")
    for d in missing:
        print(f"  {d['field']}: {d['source']}: not found in the text; catalogue {d['catalogue']!r}")
    print(f"\ncatalogue rows the report's text contradicts: {len(contradicted)}")
    for d in contradicted:
        print(f"  {d['field']}: {d['source']}: text {d['text']!r}, catalogue {d['catalogue']!r}")
    absent = sorted(set(catalogue) - set(facts))
    if absent:
        print(f"\ncatalogue rows not in the index: {len(absent)}")
        print("\n".join(f"  {source}" for source in absent[:10]) + ("\n  ..." if len(absent) > 10 else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors in the log")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build or update the index from the corpus folder")
    add_location_options(index)
    index.add_argument("--rebuild", action="store_true", help="start from an empty index")
    index.add_argument("--watch", action="store_true", help="keep running and index files as they come and go")
    index.add_argument("--settle", type=float, default=2.0, help="with --watch: seconds a file must stay unchanged")
    index.add_argument("--poll", type=float, default=5.0, help="with --watch: seconds between full re-scans")
    index.add_argument("-v", "--verbose", action="store_true", help="a line per file instead of a progress bar")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer a question ('-' reads one question per line from stdin)")
    add_location_options(ask)
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--authority", help="only documents about this authority")
    ask.add_argument("--type", choices=SOURCE_TYPES, help="only this kind of source")
    ask.add_argument("--since", help="only documents dated on or after this ISO date")
    ask.add_argument("--until", help="only documents dated on or before this ISO date")
    ask.add_argument("--export", metavar="FILE", help="also write the answer and its sources to FILE.docx or FILE.md")
    add_llm_options(ask)
    ask.set_defaults(func=cmd_ask)
    _add_changes_and_saved(sub)

    ev = sub.add_parser("eval", help="measure answering on a dev set (JSON lines)")
    add_location_options(ev)
    ev.add_argument("devset", nargs="?", help="JSON lines: question, source, evidence, answerable")
    ev.add_argument("--beir", help="a BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    ev.add_argument("--no-baseline", action="store_true", help="skip the LangChain tutorial baseline")
    ev.add_argument("--misses", action="store_true", help="list the questions answered wrongly")
    ev.add_argument("--strict", action="store_true", help="count only each question's first gold answer, not `also`")
    ev.set_defaults(func=cmd_eval)

    compare = sub.add_parser("compare", help="an authority's two reports side by side: judgements and findings")
    add_location_options(compare)
    compare.add_argument("authority")
    compare.add_argument(
        "--from",
        dest="before",
        metavar="YEAR|DATE",
        help="the earlier report (default: the one before --to, a graded one first)",
    )
    compare.add_argument(
        "--to", dest="after", metavar="YEAR|DATE", help="the newer report (default: the latest graded)"
    )
    compare.add_argument("--json", action="store_true", help="one JSON object")
    compare.set_defaults(func=cmd_compare)

    facts = sub.add_parser("facts", help="the facts of every indexed report, or how they match a catalogue")
    add_location_options(facts)
    facts.add_argument("--json", action="store_true", help="one JSON object per document")
    facts.add_argument("--check", metavar="CATALOGUE.csv", help="compare with a catalogue, field by field")
    facts.set_defaults(func=cmd_facts)
    return parser


def _add_changes_and_saved(sub) -> None:
    changes = sub.add_parser("changes", help="what changed in the index: when, which document, added/changed/removed")
    add_location_options(changes)
    changes.add_argument("--since", help="only changes on or after this ISO date (or date and time)")
    changes.add_argument("--limit", type=int, help="only the latest N changes")
    changes.add_argument("--json", action="store_true", help="one JSON object per change")
    changes.set_defaults(func=cmd_changes)

    saved = sub.add_parser("saved", help="questions asked again whenever the index changes")
    add_location_options(saved)
    saved.add_argument("action", choices=("add", "list", "show", "remove"))
    saved.add_argument("question", nargs="?", help="add: the question; show and remove: its number")
    saved.add_argument("--json", action="store_true", help="JSON: one object per saved question")
    saved.add_argument("--authority", help="add: only documents about this authority")
    saved.add_argument("--type", choices=SOURCE_TYPES, help="add: only this kind of source")
    saved.add_argument("--since", help="add: only documents dated on or after this ISO date")
    saved.add_argument("--until", help="add: only documents dated on or before this ISO date")
    saved.set_defaults(func=cmd_saved)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("httpx", "sentence_transformers", "chromadb", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args)
    except AdapterError as exc:  # a setting, not a bug: said in one line
        print(f"error: {exc}", file=sys.stderr)
        return 2

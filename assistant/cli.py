"""The command line: index, ask, eval. Each command parses, calls the library, prints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config import load_settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", help="folder of reports (default: corpus/, or ASSISTANT_CORPUS)")
    parser.add_argument("--index", help="folder of the index (default: index/, or ASSISTANT_INDEX)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (or CHROMA_URL)")


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    """--llm and --llm-model, shared by the CLI and the web chat."""
    from .llm import LLM_CHOICES

    parser.add_argument(
        "--llm",
        choices=LLM_CHOICES,
        help="who writes the answer: extractive quotes (default, or ASSISTANT_LLM), an OpenAI-compatible endpoint "
        "(OPENAI_BASE_URL, OPENAI_API_KEY), Ollama (OLLAMA_HOST) or a local GGUF model (SmolLM2 by default)",
    )
    parser.add_argument("--llm-model", help="the model's name (or ASSISTANT_LLM_MODEL); for local, a GGUF file")
    parser.add_argument("--llm-timeout", type=float, help="seconds one model call may take (or ASSISTANT_LLM_TIMEOUT)")


def _settings(args: argparse.Namespace):
    return load_settings().with_overrides(
        corpus_dir=args.corpus,
        index_dir=args.index,
        chroma_url=args.chroma_url,
        llm=getattr(args, "llm", None),
        llm_model=getattr(args, "llm_model", None),
        llm_timeout=getattr(args, "llm_timeout", None),
    )


def _assistant(args: argparse.Namespace):
    from .api import Assistant

    return Assistant(_settings(args))


def cmd_index(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    if not assistant.settings.corpus_dir.is_dir():
        print(f"error: the corpus folder {assistant.settings.corpus_dir} does not exist", file=sys.stderr)
        return 2
    if args.watch:
        from .watch import watch

        watch(assistant, settle_seconds=args.settle, poll_seconds=args.poll)
        return 0
    show = lambda event, source: print(f"{event}: {source}", flush=True) if args.verbose else None  # noqa: E731
    report = assistant.index(rebuild=args.rebuild, progress=show, show_bar=not args.verbose)
    print(report.summary())
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
    questions = sys.stdin if args.question == "-" else [args.question]
    for line in questions:
        line = line.rstrip("\n")
        if args.question == "-" and not line.strip():
            continue
        _print_answer(assistant.ask(line, filters=_filters(args)), args.json)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate

    assistant = _assistant(args)
    report = assistant.index()
    if not report.ok:
        print(report.summary(), file=sys.stderr)
    results = evaluate.run(assistant, Path(args.devset), baseline=not args.no_baseline)
    print(f"dev set: {args.devset}")
    print(evaluate.HEADER)
    for scores in results:
        print(scores.row())
    if args.misses:
        print("\n".join(evaluate.misses(assistant, Path(args.devset))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors in the log")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build or update the index from the corpus folder")
    _common(index)
    index.add_argument("--rebuild", action="store_true", help="start from an empty index")
    index.add_argument("--watch", action="store_true", help="keep running and index files as they come and go")
    index.add_argument("--settle", type=float, default=2.0, help="with --watch: seconds a file must stay unchanged")
    index.add_argument("--poll", type=float, default=5.0, help="with --watch: seconds between full re-scans")
    index.add_argument("-v", "--verbose", action="store_true", help="a line per file instead of a progress bar")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer a question ('-' reads one question per line from stdin)")
    _common(ask)
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--authority", help="only documents about this authority")
    ask.add_argument("--type", choices=["ofsted", "council", "news", "other"], help="only this kind of source")
    ask.add_argument("--since", help="only documents dated on or after this ISO date")
    ask.add_argument("--until", help="only documents dated on or before this ISO date")
    add_llm_options(ask)
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="measure answering on a dev set (JSON lines)")
    _common(ev)
    ev.add_argument("devset")
    ev.add_argument("--no-baseline", action="store_true", help="skip the LangChain tutorial baseline")
    ev.add_argument("--misses", action="store_true", help="list the questions answered wrongly")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("httpx", "sentence_transformers", "chromadb", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return args.func(args)

"""Fit the query adapter, check its settings by two folds of the questions tuning may use, and save it
(python benchmarks/fit_query_adapter.py --sample-index DIR --ofsted-index DIR [--folds] [--save]).

Fitted on: the blind bank's tuning halves and the dev sets, over the sample corpus and the real reports. The test
halves are ranked with and without it, for information; no choice reads them. Anchor sentences, which the fit
keeps where the encoder put them, are drawn from the indexed reports and from the descriptions of the installed
Python packages (plain English unlike the reports)."""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import time
from importlib.metadata import distributions
from pathlib import Path

from assistant.api import Assistant
from assistant.config import load_settings
from assistant.evaluation.adapter_fit import Example, FitConfig, Ranking, collect_examples, fit, ranking
from assistant.evaluation.devsets import load_cases
from assistant.indexing.embeddings import Embedder, WeightChanges
from assistant.ingest.chunking import encoded_sentences
from assistant.search.adapter import FITTED, QueryAdapter, save_changes

ROOT = Path(__file__).resolve().parent.parent
DEVSETS = ROOT / "devsets"
FITTED_ON = {
    "sample": ["blind/sample_tune.jsonl", "sample.jsonl", "sample_heldout.jsonl"],
    "ofsted": ["blind/ofsted_tune.jsonl", "ofsted.jsonl"],
}
REPORTED = {"sample": ["blind/sample_test.jsonl"], "ofsted": ["blind/ofsted_test.jsonl"]}
ANCHORS = 1500  # of each kind
PROJECT = "inspection-assistant"


def fold(example: Example) -> int:
    """Two folds by the question's SHA-256 (its second hex digit: the first already split the bank)."""
    return int(hashlib.sha256(example.question.encode("utf-8")).hexdigest()[1], 16) % 2


def report_sentences(assistant: Assistant) -> list[str]:
    chunks = [chunk for source in sorted(assistant.store.metas()) for chunk in assistant.store.chunks_of(source)]
    return [s for chunk in chunks for s in encoded_sentences(chunk.text) if 40 <= len(s) <= 250]


def package_sentences() -> list[str]:
    """Sentences of the installed packages' long descriptions (not this project's: its README would change them)."""
    found = []
    for distribution in distributions():
        if distribution.metadata["Name"] == PROJECT:
            continue
        body = distribution.metadata.get_payload() or ""
        for sentence in re.split(r"(?<=[.?!])\s+", " ".join(str(body).split())):
            if 40 <= len(sentence) <= 250 and re.fullmatch(r"[A-Za-z ,.'();:!?-]+", sentence):
                found.append(sentence)
    return found


def sample(sentences: list[str], count: int) -> list[str]:
    unique = sorted(set(sentences))
    return random.Random(0).sample(unique, min(count, len(unique)))


def with_changes(changes: dict) -> QueryAdapter:
    # torch runs the unsaved changes as fitted; the saved ones are exported to ONNX when the assistant loads them
    return QueryAdapter(Embedder(backend="torch").changed(WeightChanges(changes)))


def cross_validated(examples: list[Example], anchors: list[str], config: FitConfig) -> list[Ranking]:
    """Each fold ranked with the changes fitted on the other."""
    held = []
    for part in (0, 1):
        changes = fit([e for e in examples if fold(e) != part], anchors, config)
        held.append(ranking([e for e in examples if fold(e) == part], with_changes(changes)))
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample-corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--sample-index", required=True)
    parser.add_argument("--ofsted-corpus", default=str(ROOT.parent / "shared" / "corpora" / "ofsted"))
    parser.add_argument("--ofsted-index", required=True)
    parser.add_argument("--epochs", type=int, default=FitConfig.epochs)
    parser.add_argument("--anchor", type=float, default=FitConfig.anchor, help="weight keeping anchors in place")
    parser.add_argument("--folds", action="store_true", help="rank each of two folds with changes fitted on the other")
    parser.add_argument("--save", action="store_true", help=f"write the fitted changes to {FITTED.name}")
    args = parser.parse_args()
    config = FitConfig(epochs=args.epochs, anchor=args.anchor)
    places = {"sample": (args.sample_corpus, args.sample_index), "ofsted": (args.ofsted_corpus, args.ofsted_index)}
    fitted_on, reported, reports = {}, {}, []
    for name, (corpus, index) in places.items():
        settings = load_settings().with_overrides(corpus_dir=corpus, index_dir=index, query_adapter="none")
        assistant = Assistant(settings)
        for file in FITTED_ON[name] + REPORTED[name]:
            (fitted_on if file in FITTED_ON[name] else reported)[file] = collect_examples(
                assistant, load_cases(DEVSETS / file)
            )
        reports += report_sentences(assistant)
    anchors = sample(reports, ANCHORS) + sample(package_sentences(), ANCHORS)
    pool = [e for examples in fitted_on.values() for e in examples]
    print(f"{len(pool)} examples to fit on, {len(anchors)} anchors; {config}")
    print("ranking: sentence MRR, passage MRR, passage hit@5 (fold 0 | fold 1)")
    if args.folds:
        print(f"{'none':>8}  " + " | ".join(str(ranking([e for e in pool if fold(e) == p])) for p in (0, 1)))
        print(f"{'fitted':>8}  " + " | ".join(str(r) for r in cross_validated(pool, anchors, config)), flush=True)
    started = time.perf_counter()
    changes = fit(pool, anchors, config)
    print(f"\nfitted on all {len(pool)} in {time.perf_counter() - started:.0f} s; with none -> with it:")
    adapter = with_changes(changes)
    for name, examples in {**fitted_on, **reported}.items():
        print(f"  {name:28s} {ranking(examples)}  ->  {ranking(examples, adapter)}")
    if args.save:
        save_changes(changes, FITTED)
        print(f"saved {FITTED}")


if __name__ == "__main__":
    main()

"""Fit the query adapter on the questions tuning may use, choosing its strength by two folds of them, and save it
(python benchmarks/fit_query_adapter.py --sample-index DIR --ofsted-index DIR [--save]).

Fitted on: the blind bank's tuning halves and the dev sets, over the sample corpus and the real reports. The test
halves are ranked with and without it, for information; the choice of strength never reads them."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from assistant.api import Assistant
from assistant.config import load_settings
from assistant.evaluation.adapter_fit import Example, Ranking, collect_examples, fit, ranking
from assistant.evaluation.devsets import load_cases
from assistant.search.adapter import FITTED, QueryAdapter

ROOT = Path(__file__).resolve().parent.parent
DEVSETS = ROOT / "devsets"
FITTED_ON = {
    "sample": ["blind/sample_tune.jsonl", "sample.jsonl", "sample_heldout.jsonl"],
    "ofsted": ["blind/ofsted_tune.jsonl", "ofsted.jsonl"],
}
REPORTED = {"sample": ["blind/sample_test.jsonl"], "ofsted": ["blind/ofsted_test.jsonl"]}
STRENGTHS = (3.0, 1.0, 0.3, 0.1, 0.03)


def fold(example: Example) -> int:
    """Two folds by the question's SHA-256 (its second hex digit: the first already split the bank)."""
    return int(hashlib.sha256(example.question.encode("utf-8")).hexdigest()[1], 16) % 2


def examples_of(corpus: str, index: str, files: list[str]) -> dict[str, list[Example]]:
    settings = load_settings().with_overrides(corpus_dir=corpus, index_dir=index, query_adapter="none")
    assistant = Assistant(settings)
    return {name: collect_examples(assistant, load_cases(DEVSETS / name)) for name in files}


def cross_validated(examples: list[Example], strength: float) -> list[Ranking]:
    """Each fold ranked with the map fitted on the other."""
    held = []
    for part in (0, 1):
        matrix = fit([e for e in examples if fold(e) != part], strength)
        held.append(ranking([e for e in examples if fold(e) == part], QueryAdapter(matrix)))
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample-corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--sample-index", required=True)
    parser.add_argument("--ofsted-corpus", default=str(ROOT.parent / "shared" / "corpora" / "ofsted"))
    parser.add_argument("--ofsted-index", required=True)
    parser.add_argument("--strength", type=float, help="skip the folds and fit at this strength")
    parser.add_argument("--save", action="store_true", help=f"write the fitted matrix to {FITTED.name}")
    args = parser.parse_args()
    places = {"sample": (args.sample_corpus, args.sample_index), "ofsted": (args.ofsted_corpus, args.ofsted_index)}
    fitted_on, reported = {}, {}
    for name, (corpus, index) in places.items():
        found = examples_of(corpus, index, FITTED_ON[name] + REPORTED[name])
        fitted_on |= {f: found[f] for f in FITTED_ON[name]}
        reported |= {f: found[f] for f in REPORTED[name]}
    pool = [e for examples in fitted_on.values() for e in examples]
    print(f"{len(pool)} examples to fit on; ranking: sentence MRR, passage MRR, passage hit@5 (fold 0 | fold 1)")
    unchanged = [ranking([e for e in pool if fold(e) == part], QueryAdapter()) for part in (0, 1)]
    print(f"{'none':>8}  " + " | ".join(str(r) for r in unchanged))
    strength = args.strength
    if strength is None:
        held = {s: cross_validated(pool, s) for s in STRENGTHS}
        for s, rankings in held.items():
            print(f"{s:>8}  " + " | ".join(str(r) for r in rankings))
        strength = max(held, key=lambda s: sum(r.passage_mrr for r in held[s]))
    matrix = fit(pool, strength)
    print(f"\nfitted at strength {strength} on all {len(pool)}; with none -> with it:")
    for name, examples in {**fitted_on, **reported}.items():
        print(f"  {name:28s} {ranking(examples, QueryAdapter())}  ->  {ranking(examples, QueryAdapter(matrix))}")
    if args.save:
        np.save(FITTED, matrix.astype(np.float16))
        print(f"saved {FITTED}")


if __name__ == "__main__":
    main()

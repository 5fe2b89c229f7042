"""Calibrate the grounding checker's thresholds on labelled claims (python benchmarks/calibrate_grounding.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.indexing.embeddings import Embedder
from assistant.llm.grounding import GroundingChecker

ROOT = Path(__file__).resolve().parent.parent


def scores(path: Path, checker: GroundingChecker) -> list[tuple[float, bool, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(checker.support(r["claim"], [r["passage"]]), bool(r["supported"]), r["claim"]) for r in rows]


def best_cut(scored: list[tuple[float, bool, str]]) -> tuple[float, float]:
    """The cut (midway between two scores) with the best accuracy, and that accuracy."""
    values = sorted({s for s, _, _ in scored})
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] or values
    accuracy = lambda cut: sum((s >= cut) == ok for s, ok, _ in scored) / len(scored)  # noqa: E731
    cut = max(cuts, key=lambda c: (accuracy(c), -abs(c - 0.6)))
    return cut, accuracy(cut)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels", nargs="?", default=str(ROOT / "devsets" / "grounding_labels.jsonl"))
    args = parser.parse_args()
    scored = scores(Path(args.labels), GroundingChecker(Embedder()))
    for score, ok, claim in sorted(scored):
        print(f"{score:.3f}  {'supported  ' if ok else 'unsupported'}  {claim}")
    cut, accuracy = best_cut(scored)
    ceiling = max(s for s, ok, _ in scored if not ok)
    print(f"\nremove below {cut:.3f} (the best cut: accuracy {accuracy:.0%} on {len(scored)} labelled claims)")
    print(f"keep from {ceiling:.3f} up (above every unsupported claim); in between, flagged")


if __name__ == "__main__":
    main()

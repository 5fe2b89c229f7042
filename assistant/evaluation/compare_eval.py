"""Comparisons scored against findings written blind (a reader who saw only the two reports marked what
persisted, improved, is new, and what became of each recommendation).

A gold finding is found when one of ours has the same status and one of its quotes overlaps one of the gold
finding's quotes from the same report: at least half of the shorter quote's words, in order of the text, are
in the longer one (a reader may quote a clause where we quote its sentence, or the reverse). Recall is the
share of gold findings found; precision the share of ours that find a gold finding. Pairs are split once by
the SHA-256 of "before|after": even first hex digit is the tuning half, odd the test half.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.api import Assistant
from assistant.dates import doc_date
from assistant.ingest.facts import grade_key, judgement_column
from assistant.schema import Finding

_WORD = re.compile(r"[a-z0-9]+")
MIN_OVERLAP = 0.5


def load_findings(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def half(pair: dict) -> str:
    """'tune' or 'test', fixed by the pair's two sources."""
    digest = hashlib.sha256(f"{pair['before']}|{pair['after']}".encode()).hexdigest()
    return "tune" if int(digest[0], 16) % 2 == 0 else "test"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def overlaps(one: str, other: str) -> bool:
    """Two quotes of one report say the same: half the shorter one's words are in the longer one."""
    a, b = _words(one), _words(other)
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for w in short if w in set(long)) / len(short) >= MIN_OVERLAP


def _matches(gold: dict, ours: Finding, any_status: bool = False) -> bool:
    if not any_status and gold.get("status") != ours.status:
        return False
    return any(
        g.get("source") == q.source and overlaps(g.get("quote", ""), q.quote)
        for g in gold.get("quotes") or []
        for q in ours.quotes
    )


def verbatim(quote: str, text: str) -> bool:
    """A quote is the report's words when it stands in the text, spaces and line breaks aside."""
    return " ".join(quote.split()) in " ".join(text.split())


@dataclass
class Scores:
    """Counts over the pairs of one half (or all)."""

    pairs: int = 0
    gold: int = 0
    found: int = 0
    found_any_status: int = 0
    ours: int = 0
    ours_right: int = 0
    quotes: int = 0
    quotes_verbatim: int = 0
    grades: int = 0
    grades_right: int = 0
    by_status: dict = field(default_factory=dict)  # status -> [gold, found, ours, ours right]
    skipped: list[str] = field(default_factory=list)

    def add_status(self, status: str, index: int) -> None:
        self.by_status.setdefault(status, [0, 0, 0, 0])[index] += 1

    def line(self, name: str) -> str:
        recall = self.found / self.gold if self.gold else 0.0
        precision = self.ours_right / self.ours if self.ours else 0.0
        loose = self.found_any_status / self.gold if self.gold else 0.0
        share = self.quotes_verbatim / self.quotes if self.quotes else 0.0
        return (
            f"{name:5} pairs {self.pairs:3d} recall {recall:.2f} ({self.found}/{self.gold}) precision {precision:.2f} "
            f"({self.ours_right}/{self.ours})  recall any status {loose:.2f}  verbatim quotes {share:.0%} "
            f"({self.quotes_verbatim}/{self.quotes})  grades {self.grades_right}/{self.grades}"
        )


def _score_pair(assistant: Assistant, pair: dict, scores: Scores) -> None:
    metas = assistant.documents()
    if pair["before"] not in metas or pair["after"] not in metas:
        scores.skipped.append(f"{pair['before']} / {pair['after']}: not indexed")
        return
    comparison = assistant.compare(pair["authority"], doc_date(metas[pair["before"]]), doc_date(metas[pair["after"]]))
    if not comparison.before or (comparison.before.source, comparison.after.source) != (pair["before"], pair["after"]):
        scores.skipped.append(f"{pair['before']} / {pair['after']}: another pair was chosen")
        return
    scores.pairs += 1
    gold = pair.get("findings") or []
    for finding in gold:
        scores.gold += 1
        scores.add_status(finding.get("status", ""), 0)
        if any(_matches(finding, ours) for ours in comparison.findings):
            scores.found += 1
            scores.add_status(finding.get("status", ""), 1)
        scores.found_any_status += any(_matches(finding, ours, True) for ours in comparison.findings)
    texts = {
        s: (assistant.store.document(s).text if assistant.store.document(s) else "")
        for s in metas
        if s in (pair["before"], pair["after"])
    }
    for ours in comparison.findings:
        scores.ours += 1
        scores.add_status(ours.status, 2)
        if any(_matches(finding, ours) for finding in gold):
            scores.ours_right += 1
            scores.add_status(ours.status, 3)
        for quote in ours.quotes:
            scores.quotes += 1
            scores.quotes_verbatim += verbatim(quote.quote, texts.get(quote.source, ""))
    _score_grades(comparison, pair, scores)


def _score_grades(comparison, pair: dict, scores: Scores) -> None:
    """Each gold judgement against ours for the same thing judged (names differ between kinds of report)."""
    ours = {_judged(j.name): (grade_key(j.before), grade_key(j.after)) for j in comparison.judgements}
    for judgement in pair.get("judgements") or []:
        scores.grades += 1
        found = ours.get(_judged(judgement.get("name", "")))
        expected = (grade_key(judgement.get("before") or ""), grade_key(judgement.get("after") or ""))
        scores.grades_right += found == expected


def _judged(name: str) -> str:
    return judgement_column(name) or name.lower()


@dataclass
class Report:
    """Scores per half and over all pairs."""

    halves: dict[str, Scores]

    def lines(self) -> list[str]:
        out = [scores.line(name) for name, scores in self.halves.items()]
        for name, scores in self.halves.items():
            for status, (gold, found, ours, right) in sorted(scores.by_status.items()):
                out.append(f"  {name} {status:14} gold {gold:3d} found {found:3d}   ours {ours:3d} right {right:3d}")
            out += [f"  {name} skipped: {reason}" for reason in scores.skipped]
        return out


def evaluate_findings(assistant: Assistant, pairs: list[dict]) -> Report:
    halves = {"tune": Scores(), "test": Scores(), "all": Scores()}
    for pair in pairs:
        _score_pair(assistant, pair, halves[half(pair)])
        _score_pair(assistant, pair, halves["all"])
    return Report(halves)

"""Findings of two reports matched by meaning: what persisted, what improved, what is new, and what became of
the earlier report's recommendations. Extractive only: every finding is made of the reports' own sentences.

A finding sentence states a weakness or a strength (polarity words), or is an item of a report's
"What needs to improve" / "Recommendations" list. Sentences of the two reports are matched by the cosine of
their stored vectors, and must share a topic word, so "supervision" is not matched with "care leavers".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.indexing.store import Store
from assistant.ingest.chunking import encoded_sentence_spans
from assistant.schema import Chunk, Finding, Quote
from assistant.text import stems, words

# Cosine at which two reports' sentences speak of the same thing, and below which a newer weakness was not
# raised before; the caps per status. First read on Doncaster 2022/2025, then chosen on the tuning half of the
# blind findings (devsets/compare_findings.jsonl) from a small grid; the test half is reported apart.
MATCH = 0.68
UNSEEN = 0.6
LIMITS = {"persisting": 4, "improved": 4, "new": 5, "recommendation": 12}
MIN_WORDS, MAX_WORDS = 7, 90

_WEAK = re.compile(
    r"\b(?:(?:is|are|was|were|do|does|did|has|have|had)(?:n[’']t| not)(?! only)|not (?:always|all|yet|consistently|"
    r"sufficiently|routinely|fully|enough|effective|timely|robust|clear|well|up to date|in place|appropriately)|"
    r"too (?:many|much|long|slow|slowly|high|few|late|variable|often|frequently|little)|insufficient(?:ly)?|"
    r"weak(?:er|ness|nesses)?|poor(?:ly)?|inconsistent(?:ly)?|variable|variability|delays?|delayed|drift|"
    r"lack(?:s|ing)?|gaps?|shortfalls?|inadequate|ineffective|deficien\w+|fail(?:s|ed)?|unclear|deteriorat\w+|"
    r"declin(?:e|ed|ing)|needs? to (?:improve|be (?:improved|strengthened))|remains? (?:a|an|too|the)|"
    r"uneven|superficial|cursory|var(?:y|ies)|continues? to (?:experience|wait|lack|be)|"
    r"(?:is|are|remains?|only|very|has|have|had) (?:limited|mixed)|limited (?:evidence|"
    r"progress|impact|oversight|understanding|capacity|use|access)|unable|absence of|no evidence)\b",
    re.IGNORECASE,
)
_STRONG = re.compile(
    r"\b(?:good|strong(?:er|ly)?|strength(?:s|ened)?|effective(?:ly)?|improv(?:ed|ing|ement|ements)|better|"
    r"well|timely|robust|positive(?:ly)?|impressive|thorough(?:ly)?|high[- ]quality|consistent(?:ly)?|swift(?:ly)?|"
    r"appropriate(?:ly)?|purposeful|comprehensive|skilled|committed)\b",
    re.IGNORECASE,
)
# The newer report saying something is better than it was.
_BETTER = re.compile(
    r"\b(?:improv(?:ed|ing|ement|ements)|now|better|stronger|strengthened|progress(?:ed)?|no longer|fewer|"
    r"reduced|increased|more (?:consistent|timely|effective|robust|stable)|since the (?:last|previous))\b",
    re.IGNORECASE,
)
# Sentences about the inspection itself, the publisher or the page, not about the services.
_BOILERPLATE = re.compile(
    r"Ofsted|inspectors? (?:looked|considered|spoke|met|evaluated|reviewed|visited)|this (?:visit|inspection) "
    r"(?:was|took)|framework|www\.|©|Crown copyright|published|Telephone|email|reproduce|Judgement\s+Grade|"
    r"Inspection dates?|Lead inspector|Her Majesty|His Majesty|Yours sincerely|national average|"
    r":\s*(?:outstanding|good|requires improvement|inadequate)\b",
    re.IGNORECASE,
)
_LIST_HEADING = re.compile(
    r"^(?:What needs to improve[^\n]*|Recommendations|Areas? for (?:priority action|improvement)[^\n]*)\s*$",
    re.MULTILINE,
)
_LIST_ITEM = re.compile(r"^\s*(?:([-•\uf06e\u25aa\u2022])|(\d{1,3})\.)\s+\S")
# Words every report uses whatever it says: they cannot tell two findings apart.
_GENERIC = frozenset(
    stems(
        "child children young people family families social work worker workers care service services leader "
        "leaders manager managers management local authority council practice need needs improve improvement "
        "ensure good effective quality support experience experiences progress consistently always time "
        "help made make many some most all number well better strong stronger increase increased now still since "
        "last previous inspection visit senior area areas"
    )
)


@dataclass
class Sentence:
    """A finding-like sentence of one report: where it stands, its vector, stems and what it says."""

    source: str
    start: int  # in the document's text
    end: int
    page: int
    text: str
    vector: np.ndarray
    topic: frozenset[str]  # stems that can tell findings apart
    kind: str  # weakness, strength or recommendation
    chunk: Chunk

    def quote(self, date: str | None) -> Quote:
        return Quote(self.source, self.text, self.page, self.start, self.end, date)


def list_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the items under a report's "What needs to improve" or "Recommendations" heading."""
    spans: list[tuple[int, int]] = []
    for heading in _LIST_HEADING.finditer(text):
        at, items, misses, first = heading.end() + 1, 0, 0, ""
        while at < len(text) and misses < 2 and items < 25:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            item = _LIST_ITEM.match(text[at:end])
            # the list's first item sets its marker: an ILACS's bullets are followed by numbered paragraphs
            marker = item and ("bullet" if item.group(1) else "number")
            if item and (not items or marker == first):
                spans.append((at, end))
                items, first = items + 1, first if items else marker
            elif text[at:end].strip():
                misses += 1 if not items else 2  # a paragraph after the list ends it
            at = end + 1
    return spans


def kind_of(sentence: str, in_list: bool) -> str:
    """recommendation, weakness, strength, or '' for a sentence that is none of them."""
    if in_list:
        return "recommendation"
    # "not always effective" holds a strength's word too: a tie is a weakness; "robust scrutiny ensures that
    # any gaps are explored" has more of a strength's words than a weakness's.
    weak, strong = len(_WEAK.findall(sentence)), len(_STRONG.findall(sentence))
    if weak and weak >= strong:
        return "weakness"
    return "strength" if strong else ""


def report_sentences(
    store: Store, source: str, encode=None, ignore: frozenset[str] = frozenset()
) -> tuple[list[Sentence], list[Sentence]]:
    """(finding sentences, every encoded sentence) of one report, with vectors (stored, else encoded);
    `ignore`: stems that tell no findings apart here (the authority's name)."""
    doc = store.document(source)
    chunks = store.chunks_of(source)
    stored = store.sentence_vectors(c.chunk_id for c in chunks)
    lists = list_spans(doc.text) if doc else []
    every: list[Sentence] = []
    for chunk in chunks:
        spans = encoded_sentence_spans(chunk.text, chunk.start)
        flat = stored.get(chunk.chunk_id)
        vectors = flat.reshape(len(spans), -1) if flat is not None and spans and flat.size % len(spans) == 0 else None
        if vectors is None and encode and spans:
            vectors = encode([chunk.text[s - chunk.start : e - chunk.start] for s, e in spans])
        for i, (start, end) in enumerate(spans if vectors is not None else []):
            text = chunk.text[start - chunk.start : end - chunk.start]
            in_list = any(s <= start < e for s, e in lists)
            page = doc.page_at(start) if doc else chunk.page
            every.append(
                Sentence(source, start, end, page, text, vectors[i], _topic(text), kind_of(text, in_list), chunk)
            )
    return [s for s in every if _is_finding(s)], every


def _topic(text: str) -> frozenset[str]:
    return frozenset(stems(text)) - _GENERIC


def _is_finding(sentence: Sentence) -> bool:
    count = len(sentence.text.split())
    if not sentence.kind or _BOILERPLATE.search(sentence.text) or not sentence.topic:
        return False
    return sentence.kind == "recommendation" or MIN_WORDS <= count <= MAX_WORDS


def _similarity(before: list[Sentence], after: list[Sentence]) -> np.ndarray:
    if not before or not after:
        return np.zeros((len(before), len(after)))
    left = np.stack([s.vector for s in before])
    right = np.stack([s.vector for s in after])
    return left @ right.T


def _pairs(before: list[Sentence], after: list[Sentence], floor: float) -> list[tuple[float, int, int]]:
    """(score, i, j) of sentence pairs close in meaning that share a topic word, best first, each used once."""
    scores = _similarity(before, after)
    candidates = []
    for i, j in zip(*np.nonzero(scores >= floor), strict=True):
        shared = before[i].topic & after[j].topic
        if shared:
            candidates.append((float(scores[i, j]) + 0.02 * min(len(shared), 3), int(i), int(j)))
    used_i, used_j, chosen = set(), set(), []
    for score, i, j in sorted(candidates, reverse=True):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            chosen.append((score, i, j))
    return chosen


def topic_line(texts: list[str], ignore: frozenset[str] = frozenset(), limit: int = 5) -> str:
    """A topic line of the quotes' own key words: those they share first, then the first quote's."""
    dull = _GENERIC | ignore
    first = [w for w in words(texts[0]) if stems(w) and stems(w)[0] not in dull and not w.isdigit()]
    others = [frozenset(stems(t)) for t in texts[1:]]
    shared = [w for w in first if all(stems(w)[0] in o for o in others)]
    chosen = list(dict.fromkeys(shared + first))[:limit]
    return ", ".join(chosen)


@dataclass
class Sides:
    """The two reports' sentences and dates, as the findings are worked out from them."""

    before: list[Sentence]
    after: list[Sentence]
    after_all: list[Sentence]  # every sentence of the newer report, for what it says of a recommendation
    before_all: list[Sentence]  # every sentence of the earlier report, to tell a new concern
    dates: tuple[str | None, str | None]
    ignore: frozenset[str] = frozenset()  # the authority's name: no topic


def find_findings(sides: Sides) -> list[Finding]:
    """Persisting, improved, new and recommendation findings, each quoting its reports."""
    findings = _matched(sides) + _new(sides) + _recommendations(sides)
    counts: dict[str, int] = {}
    kept = []
    for finding in findings:
        counts[finding.status] = counts.get(finding.status, 0) + 1
        if counts[finding.status] <= LIMITS[finding.status]:
            kept.append(finding)
    return kept


def _matched(sides: Sides) -> list[Finding]:
    """Earlier weaknesses and strengths the newer report speaks of again: persisting or improved."""
    before = [s for s in sides.before if s.kind in ("weakness", "strength")]
    after = [s for s in sides.after if s.kind in ("weakness", "strength")]
    found = []
    for _score, i, j in _pairs(before, after, MATCH):
        old, new = before[i], after[j]
        better = len(_BETTER.findall(new.text))
        if old.kind == "weakness" and better and (new.kind == "strength" or better > len(_WEAK.findall(new.text))):
            status = "improved"
        elif old.kind == "weakness" and new.kind == "weakness":
            status = "persisting"
        elif old.kind == "strength" and new.kind == "strength":
            status = "persisting"
        else:
            continue
        quotes = [old.quote(sides.dates[0]), new.quote(sides.dates[1])]
        found.append(Finding(status, topic_line([old.text, new.text], sides.ignore), quotes, old.kind))
    # weaknesses first: what people follow an authority for
    return sorted(found, key=lambda f: f.status != "improved" and f.polarity != "weakness")


def _new(sides: Sides) -> list[Finding]:
    """The newer report's weaknesses that no sentence of the earlier one comes near: listed items first."""
    candidates = [s for s in sides.after if s.kind == "recommendation" or s.kind == "weakness"]
    scores = _similarity(candidates, sides.before_all)
    found = []
    for i, sentence in enumerate(candidates):
        closest = float(scores[i].max()) if scores.shape[1] else 0.0
        if closest < UNSEEN:
            weight = (sentence.kind == "recommendation", len(_WEAK.findall(sentence.text)), -closest)
            found.append((weight, sentence))
    found.sort(key=lambda item: item[0], reverse=True)
    return [
        Finding("new", topic_line([s.text], sides.ignore), [s.quote(sides.dates[1])], "weakness")
        for _weight, s in found[: LIMITS["new"]]
    ]


def _recommendations(sides: Sides) -> list[Finding]:
    """Each of the earlier report's listed recommendations, with the newer report's closest sentence on it."""
    items = [s for s in sides.before if s.kind == "recommendation"]
    pool = [s for s in sides.after_all if not _BOILERPLATE.search(s.text)]
    scores = _similarity(items, pool)
    found = []
    for i, item in enumerate(items):
        quotes = [item.quote(sides.dates[0])]
        order = np.argsort(-scores[i]) if scores.shape[1] else []
        best = next((pool[j] for j in order[:5] if item.topic & pool[j].topic and scores[i, j] >= MATCH - 0.07), None)
        if best is not None:
            quotes.append(best.quote(sides.dates[1]))
        found.append(Finding("recommendation", topic_line([q.quote for q in quotes], sides.ignore), quotes, "weakness"))
    return found

"""Questions only the facts of the reports answer: a judgement, a lead inspector, judgements across reports.

Every indexed report's facts are looked at, not a top-k of passages, so no matching report is left out;
each row of the answer cites the passage of its report that states the fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.timeline import SCALE, point, timeline
from assistant.dates import MONTH, MONTHS, dated_inspection, doc_date, format_date
from assistant.indexing.store import Store
from assistant.ingest.chunking import sentence_spans
from assistant.schema import Answer, Chunk, Citation, FactTable
from assistant.search.question import YEAR, Question

_SINCE = re.compile(r"\b(?:since|after|from)\s+((?:19|20)\d{2})\b", re.IGNORECASE)
_MONTH = re.compile(rf"\b{MONTH}\b", re.IGNORECASE)
_DATES = "Inspection dates"  # the label of a row that answers when a report's inspection was
_LONGEST_QUOTE = 250
_DATES_LABEL = re.compile(r"(?:inspection|visit) dates?:?\s*$", re.IGNORECASE)


# An area a question asks the grade of -> the words of the judgement names that grade it ("What grade did Devon get
# for care leavers?" asks the care leavers' judgement, not the overall one). Care leavers come first: "former
# looked-after children" are care leavers, not children in care.
_AREAS = (
    (re.compile(r"care[- ]leavers?|leaving care|former(?:ly)? looked[- ]after", re.I), ("care leavers",)),
    (re.compile(r"\bchildren in care\b|looked[- ]after", re.I), ("children in care", "looked after")),
    (re.compile(r"help and protection|child protection", re.I), ("help and protection",)),
    (re.compile(r"\badoption", re.I), ("adoption",)),
    (re.compile(r"\bleaders(?:hip)?\b|\bmanagement\b|\bgovernance\b", re.I), ("leaders",)),
    (re.compile(r"safeguarding (?:children )?board|\blscb\b", re.I), ("safeguarding children board",)),
)


def _area(question: Question) -> tuple[str, ...]:
    """The words naming the judgement of the area a grade is asked for; none when the overall one is asked."""
    if re.search(r"\boverall\b", question.text, re.I):
        return ()
    return next((words for asks, words in _AREAS if asks.search(question.topic)), ())


@dataclass
class _Row:
    source: str
    meta: dict
    label: str  # how the report names the fact ("Overall effectiveness", "Lead inspector")
    value: str  # the fact this row reports


def is_fact_question(question: Question) -> bool:
    return question.asks_lead or question.asks_grade or question.asks_when


def _fact_asked(question: Question) -> str:
    """The table's last column: what the question asks for."""
    if question.asks_lead:
        return "Signed by" if question.asks_signer else "Lead inspector"
    if question.asks_grade:
        area = _area(question)
        return f"Judgement: {area[0]}" if area else "Overall judgement"
    return "Published"


def _overall(judgements: dict) -> tuple[str, str] | None:
    """The overall judgement's name and grade, as the report words them."""
    for name, grade in judgements.items():
        if "overall" in name.lower():
            return name, grade
    return None


def _judgement_of(judgements: dict, area: tuple[str, ...]) -> tuple[str, str] | None:
    """The judgement of an area (its name holds one of the area's words) and its grade; None if not graded."""
    for name, grade in judgements.items():
        if any(word in name.lower() for word in area):  # "leaders" is in "Leadership, management and governance"
            return name, grade
    return None


def _in_time(meta: dict, question: str) -> bool:
    dates = [d for d in (meta.get("inspection_start"), meta.get("inspection_end"), meta.get("publication_date")) if d]
    since = _SINCE.search(question)
    if since:
        return any(d[:4] >= since.group(1) for d in dates)
    years = set(YEAR.findall(question))
    if years and not any(d[:4] in years for d in dates):
        return False
    month = _MONTH.search(question)
    if month and years:
        number = f"{MONTHS[month.group(1).lower()]:02d}"
        return any(d[5:7] == number and d[:4] in years for d in dates)
    return True


def _grade_wanted(question: Question) -> str | None:
    lowered = question.text.lower().replace("require improvement", "requires improvement")
    return next((g for g in reversed(SCALE) if g in lowered), None) if question.across else None


def _rows(question: Question, metas: dict[str, dict]) -> list[_Row]:
    named = question.named
    reports = {s: m for s, m in metas.items() if m.get("doc_type") and m.get("source_type") == "ofsted"}
    if named:
        reports = {s: m for s, m in reports.items() if set(named) & set(m.get("authorities") or [m.get("authority")])}
    elif not question.across:
        return []  # a fact about no authority in particular is a question for the passages
    reports = {s: m for s, m in reports.items() if _in_time(m, question.text)}
    rows = [row for source, meta in reports.items() if (row := _row(question, source, meta))]
    rows.sort(key=lambda r: doc_date(r.meta) or "")
    if question.newest:  # "the latest", "currently": each authority's newest row
        rows = list({_authority(r.meta): r for r in rows}.values())
        rows.sort(key=lambda r: doc_date(r.meta) or "")
    wanted = _grade_wanted(question)
    return [r for r in rows if not wanted or wanted in r.value.lower()]


def _row(question: Question, source: str, meta: dict) -> _Row | None:
    """The fact a question asks of one report: its lead inspector, overall judgement or inspection dates."""
    if question.asks_lead:
        label, key = ("Signed by", "signed_by") if question.asks_signer else ("Lead inspector", "lead_inspector")
        return _Row(source, meta, label, meta[key]) if meta.get(key) else None
    if question.asks_grade:
        judgements = meta.get("judgements") or {}
        area = _area(question)
        graded = _judgement_of(judgements, area) if area else _overall(judgements)
        return _Row(source, meta, *graded) if graded else None
    if meta.get("inspection_start"):  # asked when it was inspected: the value shown is its publication
        return _Row(source, meta, _DATES, format_date(meta.get("publication_date")))
    return None


def _dates_span(text: str) -> tuple[int, int]:
    """Where a report dates its inspection: the sentence; on a report's front page, run on with its judgements
    into one long 'sentence', only 'Inspection dates: ...'."""
    found = dated_inspection(text)[2]
    if found is None:
        return 0, min(len(text), 200)
    start, end = found
    s, e = _sentence_around(text, start, end)
    if e - s <= _LONGEST_QUOTE:
        return s, e
    label = _DATES_LABEL.search(text, max(0, start - 30), start)
    return (label.start() if label else start), end


def _authority(meta: dict) -> str:
    return meta.get("authority") or ", ".join(meta.get("authorities") or [])


def _fact_span(text: str, label: str, value: str) -> tuple[int, int]:
    """Where the report states the fact: from its label ("Overall effectiveness") to its value, else the value."""
    lowered = text.lower()
    at = lowered.find(label.lower())
    if at >= 0:
        found = lowered.find(value.lower(), at, at + len(label) + 300)
        if found >= 0:
            return at, found + len(value)
    found = lowered.find(value.lower())
    if found >= 0:
        return _sentence_around(text, found, found + len(value))
    return 0, min(len(text), 200)


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding text[start:end], reaching at least to its end."""
    for s, e in sentence_spans(text):
        if s <= start < e:
            return s, max(e, end)
    return start, end


def _citation(n: int, row: _Row, store: Store) -> Citation | None:
    """Cite the sentence of the report that states the fact (first page first)."""
    doc = store.document(row.source)
    if doc is None:
        return None
    start, end = _dates_span(doc.text) if row.label == _DATES else _fact_span(doc.text, row.label, row.value)
    cut = doc.text.rfind("\n\n", 0, start)
    passage_start = cut + 2 if cut >= 0 else 0
    passage_end = doc.text.find("\n\n", end)
    passage_end = len(doc.text) if passage_end < 0 else passage_end
    passage = Chunk(
        "",
        doc.doc_id,
        row.source,
        0,
        passage_start,
        passage_end,
        doc.page_at(start),
        "",
        doc.text[passage_start:passage_end],
    )
    label = f"Ofsted's {row.meta.get('doc_type', 'report')} of {format_date(doc_date(row.meta))}"
    return Citation.quoting(n, {**row.meta, "source_type": "ofsted"}, passage, (start, end), score=1.0, label=label)


def answer_from_facts(question: Question, metas: dict[str, dict], store: Store) -> Answer | None:
    """A table of the facts that answer the question, one cited row per report; None if facts do not apply."""
    if not is_fact_question(question):
        return None
    rows = _rows(question, metas)
    if not rows:
        return None
    fact = _fact_asked(question)
    table = FactTable(["Authority", "Report", "Inspected", fact], [], [])
    citations, points = [], []
    for row in rows:
        citation = _citation(len(citations) + 1, row, store)
        if citation is None:
            continue
        citations.append(citation)
        meta = row.meta
        when = " to ".join(format_date(d) for d in (meta.get("inspection_start"), meta.get("inspection_end")) if d)
        authority = _authority(meta)
        kind = meta.get("doc_type", "")
        table.rows.append([authority, (meta.get("doc_kind") or "report") if kind == "other" else kind, when, row.value])
        table.citations.append(citation.n)
        if fact == "Overall judgement" and citation.date:  # an undated row has no place in time
            points.append(point(citation.date, row.value, authority, citation.n))
    if not citations:
        return None
    intro = f"From the facts of {len(citations)} Ofsted report{'s' if len(citations) > 1 else ''} (oldest first):"
    return Answer(
        question=question.text,
        text=f"{intro}\n\n{table.markdown()}",
        no_answer=False,
        citations=citations,
        timeline=timeline(points),
        table=table,
    )


def fact_span(text: str, label: str, value: str) -> tuple[int, int]:
    """Where a report states a fact (a judgement's name and grade): the span of its text to quote."""
    return _fact_span(text, label, value)

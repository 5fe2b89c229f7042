"""What changed since the last inspection: two reports of one authority side by side, every finding quoted.

The judgements both reports make are paired by what they judge (overall effectiveness, leaders, help and
protection, children in care, care leavers), so a SIF's "Leadership, management and governance" meets an
ILACS's "impact of leaders". The findings come from answer/findings.py.
"""

from __future__ import annotations

import re

from assistant.answer.factual import fact_span
from assistant.answer.findings import Sides, find_findings, report_sentences
from assistant.authorities import find_authorities
from assistant.dates import doc_date, format_date
from assistant.indexing.store import Store
from assistant.ingest.facts import judgement_column
from assistant.schema import Answer, Chunk, Citation, Comparison, Finding, JudgementChange, Quote, ReportRef
from assistant.search.question import Question
from assistant.text import stems

_CHANGED = re.compile(
    r"\bwhat(?:['’]s| has| have| is)? (?:changed|new|different)\b|\bchanged? (?:between|since|from)\b|"
    r"\b(?:fixed|addressed|improved on|still)\b.*\b(?:criticis|criticiz|found|said|raised|concern)|"
    r"\bsince the (?:last|previous) (?:inspection|report|visit)\b|\bcompare\b|\bside by side\b",
    re.IGNORECASE,
)


def reports_of(metas: dict[str, dict], authority: str) -> list[tuple[str, dict]]:
    """The authority's dated Ofsted reports, oldest first."""
    names = set(find_authorities(authority, ignore_case=True)) or {authority}
    found = [
        (source, meta)
        for source, meta in metas.items()
        if meta.get("source_type") == "ofsted"
        and meta.get("doc_type")
        and doc_date(meta)
        and names & set(meta.get("authorities") or [meta.get("authority")])
    ]
    return sorted(found, key=lambda item: (doc_date(item[1]), item[0]))


def _pick(reports: list[tuple[str, dict]], when: str) -> tuple[str, dict] | None:
    """The report of that source, published on that date, or in that year (a graded one first, then the latest)."""
    when = when.strip()
    named = [r for r in reports if r[0] == when]
    if named:
        return named[0]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
        exact = [
            r for r in reports if when in (doc_date(r[1]), r[1].get("inspection_start"), r[1].get("inspection_end"))
        ]
        if exact:
            return exact[-1]
    year = when[:4]
    within = [r for r in reports if (doc_date(r[1]) or "").startswith(year)]
    graded = [r for r in within if r[1].get("judgements")]
    return (graded or within or [None])[-1]


def choose(
    reports: list[tuple[str, dict]], before: str | None, after: str | None, latest: bool = False
) -> tuple[tuple[str, dict] | None, tuple[str, dict] | None]:
    """The pair to compare: those named by year or date; by default the latest two graded reports (or, asked
    about the latest report, the latest two of any kind)."""
    graded = [r for r in reports if r[1].get("judgements")]
    newer = _pick(reports, after) if after else None
    older = _pick(reports, before) if before else None
    if after and newer is None or before and older is None:
        return older, newer
    if newer is None:
        pool = reports if latest or older else (graded if len(graded) >= 2 else reports)
        newer = pool[-1] if pool else None
    if older is not None and older is newer:
        older = None  # one year asked of both ("improved since 2026", the newest report's year): the one before it
    if older is None and newer is not None:
        earlier = [r for r in reports if r is not newer and (doc_date(r[1]), r[0]) < (doc_date(newer[1]), newer[0])]
        earlier_graded = [r for r in earlier if r[1].get("judgements")]
        pool = earlier if latest else (earlier_graded or earlier)
        older = pool[-1] if pool else None
    return older, newer


def _ref(report: tuple[str, dict]) -> ReportRef:
    source, meta = report
    return ReportRef(source, doc_date(meta), meta.get("doc_type", ""), dict(meta.get("judgements") or {}))


def _judgement_quote(store: Store, ref: ReportRef, name: str, grade: str) -> Quote | None:
    doc = store.document(ref.source)
    if doc is None:
        return None
    start, end = fact_span(doc.text, name, grade)
    return Quote(ref.source, doc.text[start:end], doc.page_at(start), start, end, ref.date)


def judgement_changes(store: Store, before: ReportRef, after: ReportRef) -> list[JudgementChange]:
    """One entry per judgement both reports make, paired by what it judges, in the newer report's order."""
    earlier = {}
    for name, grade in before.judgements.items():
        earlier.setdefault(judgement_column(name) or name.lower(), (name, grade))
    changes = []
    for name, grade in after.judgements.items():
        match = earlier.get(judgement_column(name) or name.lower())
        if match is None:
            continue
        quotes = [_judgement_quote(store, before, *match), _judgement_quote(store, after, name, grade)]
        changes.append(JudgementChange(name, match[1], grade, [q for q in quotes if q]))
    return changes


def _label(ref: ReportRef) -> str:
    kind = ref.doc_type if ref.doc_type not in ("other", "") else "report"
    return f"the {kind} of {format_date(ref.date)}" if ref.date else f"the {kind}"


def _notes(authority: str, count: int, before: ReportRef | None, after: ReportRef | None) -> list[str]:
    if count == 0:
        return [f"No Ofsted report of {authority} is indexed."]
    if before is None or after is None:
        if count == 1:
            return [f"Only one Ofsted report of {authority} is indexed, so there is nothing to compare it with."]
        return [f"No report of {authority} was found for the year or date asked; {count} are indexed."]
    notes = []
    for ref in (before, after):
        if not ref.judgements:
            label = _label(ref)
            notes.append(f"{label[:1].upper()}{label[1:]} carries no grades, so no judgement can be compared.")
    return notes


def compare_reports(
    store: Store,
    metas: dict[str, dict],
    authority: str,
    before: str | None = None,
    after: str | None = None,
    latest: bool = False,
    encode=None,
) -> Comparison:
    """The comparison of two reports of an authority (see `choose`), or one that says why there is none."""
    reports = reports_of(metas, authority)
    names = find_authorities(authority, ignore_case=True)
    name = names[0] if names else authority
    older, newer = choose(reports, before, after, latest)
    left, right = (_ref(older) if older else None), (_ref(newer) if newer else None)
    comparison = Comparison(name, left, right, notes=_notes(name, len(reports), left, right))
    if left is None or right is None:
        return comparison
    comparison.judgements = judgement_changes(store, left, right)
    ignore = frozenset(stems(name))
    old_findings, old_all = report_sentences(store, left.source, encode, ignore)
    new_findings, new_all = report_sentences(store, right.source, encode, ignore)
    sides = Sides(old_findings, new_findings, new_all, old_all, (left.date, right.date), ignore)
    comparison.findings = find_findings(sides)
    return comparison


# ---- comparisons asked in the chat ----


def is_compare_question(question: Question) -> bool:
    """'What changed between Doncaster's 2022 and 2025 inspections?': one authority, asking what changed.
    A question about a judgement or a lead inspector is left to the facts tables, and one about what the latest
    report says ("what does the latest report say about caseloads?") to search."""
    if question.asks_grade or question.asks_lead or question.across or len(question.named) != 1:
        return False
    return bool(_CHANGED.search(question.text))


def question_pair(question: Question) -> tuple[str | None, str | None, bool]:
    """(from year, to year, the latest report of any kind) as a question asks them."""
    years = sorted(question.years)
    latest = question.latest
    if len(years) >= 2:
        return years[0], years[-1], False
    return (years[0] if years else None), None, latest and not years


def _citation(n: int, store: Store, metas: dict[str, dict], quote: Quote) -> Citation | None:
    """A quote as an answer's citation: its paragraph is the passage, the quote marked within it."""
    doc = store.document(quote.source)
    if doc is None:
        return None
    cut = doc.text.rfind("\n\n", 0, quote.start)
    start = cut + 2 if cut >= 0 else 0
    end = doc.text.find("\n\n", quote.end)
    end = len(doc.text) if end < 0 else end
    passage = Chunk("", doc.doc_id, quote.source, 0, start, end, quote.page, "", doc.text[start:end])
    meta = metas.get(quote.source, {})
    label = f"Ofsted's {meta.get('doc_type', 'report')} of {format_date(quote.date)}"
    return Citation.quoting(
        n, {**meta, "source_type": "ofsted"}, passage, (quote.start, quote.end), score=1.0, label=label
    )


_STATUS_WORDS = {
    "persisting": "Named in both",
    "improved": "Better in the newer report",
    "new": "New in the newer report",
    "recommendation": "Earlier recommendation",
}


def comparison_answer(comparison: Comparison, store: Store, metas: dict[str, dict], question: str = "") -> Answer:
    """The comparison as a chat answer: judgements, then findings, each line citing its quotes as [n]."""
    if comparison.before is None or comparison.after is None:
        return Answer(question=question, text=" ".join(comparison.notes), no_answer=True)
    citations: list[Citation] = []

    def cite(quotes: list[Quote]) -> str:
        marks = []
        for quote in quotes:
            made = _citation(len(citations) + 1, store, metas, quote)
            if made:
                citations.append(made)
                marks.append(f"[{made.n}]")
        return " ".join(marks)

    lines = [f"{comparison.authority}: {_label(comparison.before)} beside {_label(comparison.after)}."]
    lines += comparison.notes
    for change in comparison.judgements:
        lines.append(f"- {change.name}: {change.before} → {change.after} {cite(change.citations)}")
    for finding in comparison.findings:
        lines.append(f"- {_finding_line(finding)} {cite(finding.quotes)}")
    if not comparison.findings:
        lines.append("No finding of one report was matched in the other.")
    return Answer(question=question, text="\n".join(lines), no_answer=False, citations=citations)


def _finding_line(finding: Finding) -> str:
    said = f" ({finding.polarity})" if finding.status == "persisting" else ""
    unanswered = (
        " (no close sentence in the newer report)"
        if finding.status == "recommendation" and len(finding.quotes) < 2
        else ""
    )
    return f"{_STATUS_WORDS[finding.status]}{said}: {finding.text}{unanswered}"

"""The facts of an Ofsted report read from its own text: type, authority, dates, lead inspector, judgements."""

from __future__ import annotations

import re
from datetime import date

from assistant.authorities import canonical, find_authorities
from assistant.dates import RANGE, SINGLE, find_dates, full_month_names, inspection_dates, iso, range_ends

DOC_TYPES = ("ILACS", "SIF", "focused visit", "JTAI", "monitoring visit", "other")
_ANY_GRADE = r"(?i:(outstanding|good|requires? improvement(?: to be good)?|inadequate))"
_PERSON = r"([A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){1,3}?)"
_SIGNED = re.compile(rf"Yours sincerely\s+{_PERSON}\s+(?:His|Her) Majesty")
_HEAD = 1500  # characters of the first page where the title, dates and judgement table stand

# The judgements of a SIF report, as its title page words them.
_SIF_JUDGEMENTS = (
    "Children who need help and protection",
    "Children looked after and achieving permanence",
    "Adoption performance",
    "Experiences and progress of care leavers",
    "Leadership, management and governance",
)


_LETTER_DATE = re.compile(r"^\s*" + SINGLE.pattern, re.IGNORECASE)


def _head(text: str) -> str:
    return text[:_HEAD]


def doc_type(text: str) -> str:
    """ILACS, SIF, focused visit, JTAI, monitoring visit or other, from the report's own title and opening."""
    head = _head(text)
    if re.search(r"Judgement\s+Grade", head) and re.search(r"impact of leaders on", head):
        return "ILACS"
    if re.search(r"inspection of services for children in need of help and protection", head, re.IGNORECASE):
        return "SIF"
    if re.search(r"joint targeted area inspection (?:of|\(JTAI\))", head[:1000], re.IGNORECASE):
        return "JTAI"
    if re.search(r"\bfocused visit to\b|findings of (?:the|a) focused visit", head, re.IGNORECASE):
        return "focused visit"
    if re.search(r"\bmonitoring visit to\b|findings of (?:the|a) monitoring visit", head, re.IGNORECASE):
        return "monitoring visit"
    return "other"


def ilacs_framework(start: str | None, end: str | None) -> str | None:
    """ILACS inspections are short (one week on site) or standard (two weeks); the dates tell which."""
    if not (start and end):
        return None
    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    if days <= 7:
        return "short"
    return "standard" if days <= 14 else "longer than standard"


def authority(text: str, source: str = "") -> str | None:
    """The authority the report is about: the first one named in its title lines, else its folder's name."""
    head = _head(text)
    title = re.search(
        r"(?:Inspection of|Focused visit to|Monitoring visit to|Joint targeted area inspection of|"
        r"Dear)\s+(?:the\s+)?(.{2,80}?)(?:local authority|children.s services|\bThis letter|\n)",
        head,
    )
    for part in ([title.group(1)] if title else []) + [head[:400], head]:
        found = find_authorities(part)
        if found:
            return found[0]
    folder = source.split("/", 1)[0] if "/" in source else ""
    return canonical(re.sub(r"^\d+_", "", folder)) if folder else None


def inspection_period(text: str) -> tuple[str | None, str | None]:
    """Start and end of the inspection: the 'Inspection date(s):' line, else the sentence that dates the visit."""
    stated = re.search(r"Inspection dates?:?\s*(.{6,90})", _head(text))
    if stated:
        span = _date_span(re.split(r"Report|Published|Lead|Reporting|Judgement|The |\n", stated.group(1))[0])
        if span[0]:
            return span
    return inspection_dates(_LETTER_DATE.sub("", text[:6000], count=1))


def _date_span(text: str) -> tuple[str | None, str | None]:
    """The first and last day of every range and date in a short text ('30 September to 11 October 2024 and
    13 to 16 January 2025' runs from 30 September 2024 to 16 January 2025)."""
    text = full_month_names(text.strip())
    days: list[str] = []
    for match in RANGE.finditer(text):
        start, end = range_ends(match)
        if start and end and start <= end:
            days += [start, end]
    days += [day for _, day in find_dates(text)]
    return (min(days), max(days)) if days else (None, None)


def published(text: str, kind: str, source: str = "") -> tuple[str | None, str]:
    """(publication date, where it was read): the report's 'published' line or a letter's date, else the
    date in the file's name, which is how Ofsted's site names a report by the day it was published."""
    head = _head(text)
    stated = re.search(r"(?<!originally )(?:Report published|Published|Date of publication):?\s*(.{6,30})", head)
    if stated and find_dates(stated.group(1)):
        return find_dates(stated.group(1))[0][1], "text"
    letter = _LETTER_DATE.match(head)
    if letter and kind in ("focused visit", "monitoring visit", "JTAI"):
        return iso(letter.group(1), letter.group(2), letter.group(3)), "text"
    named = SINGLE.search(source.rsplit("/", 1)[-1])
    if named:
        return iso(named.group(1), named.group(2), named.group(3)), "file name"
    return None, ""


def lead_inspector(text: str, kind: str) -> str | None:
    """The lead inspector named on the title page, or for a letter the inspector who signs it."""
    stated = re.search(
        rf"(?:Lead|Reporting) inspector:?\s+{_PERSON}"
        r"(?=,|\s+(?:HMI|Senior HMI|His|Her|Deputy|Team|Ofsted|Social Care|Regulatory|Age group)\b|\s*$|\n)",
        text,
        re.MULTILINE,
    )
    if stated:
        return stated.group(1).strip()
    if kind in ("focused visit", "monitoring visit"):
        return signed_by(text)
    return None


def signed_by(text: str) -> str | None:
    """Who signs a letter ("Yours sincerely / Sheena Doyle / Her Majesty's Inspector")."""
    signed = _SIGNED.search(text)
    return signed.group(1) if signed else None


def _grade(word: str) -> str:
    """A grade as the report words it, capitalised alike: 'Requires Improvement' is 'Requires improvement'."""
    word = " ".join(word.lower().split())
    if word.startswith("require"):
        return "Requires improvement" + (" to be good" if word.endswith("to be good") else "")
    return word[:1].upper() + word[1:]


def ilacs_judgements(text: str) -> dict[str, str]:
    """The judgement table of an ILACS report: each judgement's name -> grade, row after row."""
    table = re.search(r"Judgement\s+Grade\s+", _head(text))
    if not table:
        return {}
    body = " ".join(_head(text)[table.end() :].split())
    row = re.compile(rf"((?:The|Overall) [a-z][A-Za-z’' ,()-]{{2,120}}?)\s+{_ANY_GRADE}\b\s*")
    found: dict[str, str] = {}
    position = 0
    while match := row.match(body, position):
        found[match.group(1).strip()] = _grade(match.group(2))
        position = match.end()
        if match.group(1).startswith("Overall"):
            break
    return found


def sif_judgements(text: str) -> dict[str, str]:
    """The judgements of a single-framework (SIF) report, its overall one and the safeguarding board's."""
    head = " ".join(text[:3000].split())
    found: dict[str, str] = {}
    overall = re.search(
        rf"(?:The overall judgement is(?: that)?(?: children.s services)?\s+"
        rf"|Children.s services in .{{1,60}}? (?:are |is )?){_ANY_GRADE}",
        head,
    )
    if overall:
        found["Overall effectiveness"] = _grade(overall.group(1))
    for name in _SIF_JUDGEMENTS:
        match = re.search(rf"{re.escape(name)}\s+{_ANY_GRADE}", head, re.IGNORECASE)
        if match:
            found[name] = _grade(match.group(1))
    board = re.search(
        rf"The (?:effectiveness of the )?Local Safeguarding Children Board(?: \(LSCB\))? (?:is )?{_ANY_GRADE}", head
    )
    if board:
        found["Local Safeguarding Children Board"] = _grade(board.group(1))
    return found


def other_judgements(text: str) -> dict[str, str]:
    """Graded lines of the other judgement reports (looked-after children 2013, safeguarding board reviews)."""
    head = " ".join(text[:3000].split())
    found: dict[str, str] = {}
    overall = re.search(rf"Overall effectiveness\s+{_ANY_GRADE}", head)
    if overall:
        found["Overall effectiveness"] = _grade(overall.group(1))
    board = re.search(rf"The Local Safeguarding Children Board (?:is )?{_ANY_GRADE}", head)
    if board:
        found["Local Safeguarding Children Board"] = _grade(board.group(1))
    return found


def judgements(text: str, kind: str) -> dict[str, str]:
    """Each judgement the report makes, named and graded as the report words them; none invented."""
    if kind == "ILACS":
        return ilacs_judgements(text)
    if kind == "SIF":
        return sif_judgements(text)
    if kind == "other":
        return other_judgements(text)
    return {}


def extract_facts(text: str, source: str = "") -> dict:
    """Every fact of a report that its text (and, for the publication date, its file name) gives."""
    kind = doc_type(text)
    start, end = inspection_period(text)
    when, basis = published(text, kind, source)
    facts = {
        "doc_type": kind,
        "framework": ilacs_framework(start, end) if kind == "ILACS" else None,
        "authority": authority(text, source),
        "publication_date": when,
        "publication_date_from": basis,
        "inspection_start": start,
        "inspection_end": end,
        "lead_inspector": lead_inspector(text, kind),
        "signed_by": signed_by(text),
        "judgements": judgements(text, kind),
    }
    return facts


# ---- the catalogue's view of the same facts, and where the two differ ----

GRADE_COLUMNS = (
    "overall_effectiveness",
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
)
_NO_OVERALL = "not_reported_post_reform"  # the catalogue's word for a report with no overall grade


def judgement_column(name: str) -> str | None:
    """Which of the catalogue's grade columns a judgement, named as a report words it, belongs to."""
    name = name.lower()
    if "overall" in name:
        return "overall_effectiveness"
    if "impact of leaders" in name or name.startswith("leadership"):
        return "impact_of_leaders"
    if "help and protection" in name:
        return "help_and_protection"
    if "children in care" in name or "children looked after" in name:
        return "children_in_care"
    if "care leavers" in name:
        return "care_leavers"
    return None


def grade_key(grade: str) -> str:
    """A grade reduced for comparison: 'Requires improvement to be good' is 'requires improvement'."""
    return re.sub(r" to be good$", "", grade.strip().lower())


def catalogue_doc_type(label: str) -> str | None:
    """The catalogue's long document-type label as one of DOC_TYPES."""
    label = label.lower()
    for marker, kind in (
        ("jtai", "JTAI"),
        ("joint targeted", "JTAI"),
        ("focused visit", "focused visit"),
        ("monitoring visit", "monitoring visit"),
        ("ilacs", "ILACS"),
        ("sif", "SIF"),
        ("single inspection framework", "SIF"),
    ):
        if marker in label:
            return kind
    return "other" if label.strip() else None


def catalogue_period(text: str) -> tuple[str | None, str | None]:
    """'17 March to 21 March 2025', '14 September – 8 October 2015' as ISO start and end."""
    return _date_span(text)


def _grades_by_column(judged: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, grade in judged.items():
        column = judgement_column(name)
        if column and column not in out:
            out[column] = grade_key(grade)
    return out


def _name_key(name: str) -> str:
    """A person's name for comparison: case, spaces and spaces around hyphens do not count."""
    return re.sub(r"\s*-\s*", "-", " ".join(name.lower().split()))


def differences(facts: dict, row: dict) -> list[dict]:
    """Each field where the catalogue's row says something other than the report's text."""
    found = []
    for field in ("doc_type", "framework", "authority", "publication_date", "inspection_start", "inspection_end"):
        theirs, ours = row.get(field), facts.get(field)
        if theirs and ours != theirs:
            found.append({"field": field, "text": ours, "catalogue": theirs})
    theirs, ours = row.get("lead_inspector"), facts.get("lead_inspector")
    if theirs and _name_key(ours or "") != _name_key(theirs):
        found.append({"field": "lead_inspector", "text": ours, "catalogue": theirs})
    ours_by_column = _grades_by_column(facts.get("judgements") or {})
    for column, grade in (row.get("grades") or {}).items():
        text_grade = ours_by_column.get(column)
        expected = None if grade == _NO_OVERALL else grade_key(grade)
        if text_grade != expected:
            found.append({"field": column, "text": text_grade, "catalogue": grade})
    return found


CHECKED = (
    "doc_type",
    "framework",
    "authority",
    "publication_date",
    "inspection_start",
    "inspection_end",
    "lead_inspector",
    *GRADE_COLUMNS,
)
_COLUMN_NAMES = {
    "overall_effectiveness": "Overall effectiveness",
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
}


def _given(row: dict, field: str) -> bool:
    return bool(row.get(field) or (row.get("grades") or {}).get(field))


def check(facts_by_source: dict[str, dict], catalogue: dict[str, dict]) -> tuple[dict[str, tuple[int, int]], list]:
    """Per field, (matches, rows that give it) over the documents in both; and every difference, with its source."""
    counts = {field: [0, 0] for field in CHECKED}
    found: list[dict] = []
    for source in sorted(set(facts_by_source) & set(catalogue)):
        row = catalogue[source]
        wrong = {d["field"]: d for d in differences(facts_by_source[source], row)}
        for field in CHECKED:
            if _given(row, field):
                counts[field][1] += 1
                counts[field][0] += field not in wrong
        found += [dict(d, source=source) for d in wrong.values()]
    return {field: (m, n) for field, (m, n) in counts.items()}, found


def merge_grades(judged: dict[str, str], grades: dict[str, str]) -> dict[str, str]:
    """The report's judgements with a catalogue's grades over them where they differ or are missing."""
    merged = dict(judged)
    names = {judgement_column(name): name for name in judged}
    for column, grade in grades.items():
        if grade == _NO_OVERALL:
            continue
        name = names.get(column) or _COLUMN_NAMES[column]
        if grade_key(merged.get(name, "")) != grade_key(grade):
            merged[name] = _grade(grade)
    return merged


def report_fields(facts: dict) -> dict:
    """The facts as document metadata: what the text did not give is left to the general description."""
    keys = ("doc_type", "framework", "lead_inspector", "signed_by", "judgements", "authority")
    fields = {key: facts.get(key) for key in keys}
    for key in ("publication_date", "inspection_start", "inspection_end", "publication_date_from"):
        if facts.get(key):
            fields[key] = facts[key]
    return fields

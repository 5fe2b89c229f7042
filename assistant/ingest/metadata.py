"""Describe a document from its own text: title, source type, authorities, dates; a catalogue may correct it."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from assistant.authorities import AUTHORITIES, canonical, find_authorities
from assistant.dates import INSPECTION_CONTEXT, find_dates, inspection_dates
from assistant.ingest.facts import GRADE_COLUMNS, catalogue_doc_type, catalogue_period
from assistant.schema import SOURCE_TYPES

_OFSTED_MARKERS = (
    r"Her Majesty'?’?s Inspector|His Majesty'?’?s Inspector|\bHMI\b",
    r"This letter summarises",
    r"^Inspection of .{0,80}local authority children",
    r"\bLead inspector\b",
    r"^Dear (?:Mr|Mrs|Ms|Miss|Dr)\b",
    r"Yours sincerely",
    r"Judgement\s+Grade",
    r"\bOfsted inspection report\b|\bInspection report\b",
    r"\bcarried out under section \d+",
    r"^Inspection dates?:|\bInspection dates?: \d",
    r"\bReport published: \d",
)
_COUNCIL_MARKERS = (
    r"\bpress release\b",
    r"\bnotes to editors\b",
    r"\bmedia enquiries\b",
    r"^ENDS$",
    r"\bstatement from\b.{0,40}\bcouncil\b",
)
_NEWS_MARKERS = (
    r"\bsaid\b",
    r"\btold the\b",
    r"^By [A-Z][a-z]+ [A-Z][a-z]+",
    r"\bPicture:",
    r"\breport (?:published|released) (?:today|this week)\b",
    r"\bthe report (?:states|said|says)\b",
    r"\bhave your say\b",
    r"\bcomments\b",
)


def publication_date(text: str) -> str | None:
    """A 'published' date if stated, else a date standing in the document's first lines."""
    stated = re.search(r"(?:published|date of publication)[:\s]+(.{0,40})", text, re.IGNORECASE)
    if stated:
        dates = find_dates(stated.group(1))
        if dates:
            return dates[0][1]
    head = text[:400]
    for pos, iso in find_dates(head):
        sentence_start = max(head.rfind(".", 0, pos), head.rfind("\n", 0, pos))
        if not INSPECTION_CONTEXT.search(head[sentence_start + 1 : pos]):
            return iso
    return None


def _score(markers: tuple[str, ...], text: str) -> int:
    return sum(bool(re.search(m, text, re.IGNORECASE | re.MULTILINE)) for m in markers)


def source_type(text: str) -> str:
    """ofsted, council, news or other, from the way the text is written."""
    if _score(_OFSTED_MARKERS, text) >= 2:
        return "ofsted"
    if _score(_COUNCIL_MARKERS, text) >= 1:
        return "council"
    if re.search(r"\bOfsted\b|\binspect", text, re.IGNORECASE):
        return "news"
    return "other"


_TITLE_HEAD = 3000  # characters of a text that hold its printed title


def title_of(text: str, hint: str = "") -> str:
    """The document's title: the format's own, the subject line of a letter, or its first line."""
    if hint.strip():
        return hint.strip()[:200]
    salutation = re.search(r"^Dear [^\n]{1,60}\n+([^\n]{10,250})\n", text, re.MULTILINE)
    if salutation:
        return salutation.group(1).strip()
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:200]
    return ""


def printed(title: str, text: str) -> bool:
    """Whether a title stands at the head of the text: a file's own title that does not ("Template Report
    template") is a name it was saved under, not one a reader would know it by."""
    return bool(title) and _plain(title) in _plain(text[:_TITLE_HEAD])


def _plain(words: str) -> str:
    return " ".join(words.split()).lower()


def describe(text: str, title_hint: str = "") -> dict:
    """Every field that can be read from the text itself."""
    start, end = inspection_dates(text)
    letter = bool(re.search(r"^Dear \w|^Yours sincerely", text, re.MULTILINE))
    title = title_of(text, title_hint)
    return {
        "title": title,
        "title_printed": printed(title, text),
        "doc_kind": "letter" if letter else "report",
        "source_type": source_type(text),
        "authorities": find_authorities(text),
        "publication_date": publication_date(text),
        "inspection_start": start,
        "inspection_end": end,
    }


# ---- the catalogue: a CSV or JSON file in the corpus that sets or corrects fields per file ----

_FIELDS = ("title", "doc_kind", "source_type", "authorities", "publication_date", "inspection_start", "inspection_end")


def _catalogue_row(row: dict) -> tuple[str, dict]:
    source = (row.get("source") or row.get("file") or "").strip()
    fields: dict = {}
    for key in _FIELDS:
        value = row.get(key)
        if value in (None, ""):
            continue
        if key == "authorities":
            value = value if isinstance(value, list) else str(value).split(";")
            value = [canonical(v) or v.strip() for v in value if v.strip()]
        elif key == "source_type" and value not in SOURCE_TYPES:
            continue
        fields[key] = value
    if not fields.get("authorities") and row.get("authority"):
        fields["authorities"] = [canonical(row["authority"]) or row["authority"].strip()]
    fields.update(_report_facts(row))
    return source, fields


def authority_name(name: str) -> str:
    """The canonical name of an authority given as a name on its own ('bury', 'telford & wrekin')."""
    name = name.strip()
    exact = {a.lower(): a for a in AUTHORITIES}
    return canonical(name) or exact.get(name.lower().replace(" & ", " and ")) or name


_UNKNOWN_GRADES = ("", "data_unreadable", "inspection_pre_dates_judgement")


def _report_facts(row: dict) -> dict:
    """The report facts of the Ofsted catalogue's columns: type, authority, dates, lead inspector, grades."""
    fields: dict = {}
    if row.get("doc_type"):
        fields["doc_type"] = catalogue_doc_type(str(row["doc_type"]))
    if row.get("ilacs_framework"):
        framework = str(row["ilacs_framework"]).strip()
        fields["framework"] = "longer than standard" if "longer" in framework else framework
    if row.get("authority"):
        fields["authority"] = authority_name(str(row["authority"]))
    if row.get("inspection_dates") and not row.get("inspection_start"):
        start, end = catalogue_period(str(row["inspection_dates"]))
        if start:
            fields["inspection_start"], fields["inspection_end"] = start, end
    if row.get("lead_inspector"):
        fields["lead_inspector"] = str(row["lead_inspector"]).strip()
    grades = {c: str(row[c]).strip().lower() for c in GRADE_COLUMNS if str(row.get(c) or "").strip()}
    grades = {c: g for c, g in grades.items() if g not in _UNKNOWN_GRADES}
    if grades:
        fields["grades"] = grades
    return fields


def read_catalogue(path: Path) -> dict[str, dict]:
    """source -> the fields the catalogue sets. Unreadable rows are skipped, not fatal."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        rows = [dict(v, source=k) for k, v in rows.items()] if isinstance(rows, dict) else rows
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    catalogue = {}
    for row in rows:
        source, fields = _catalogue_row(row)
        if source:
            catalogue[source] = fields
    return catalogue

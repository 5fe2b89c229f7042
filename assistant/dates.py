"""Dates as the reports write them ("18 and 19 January 2012") and as answers show them; ISO strings between."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date

MONTH_NAMES = tuple(calendar.month_name[1:])  # January ... December, whatever the locale
MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
MONTH = "(" + "|".join(MONTH_NAMES) + ")"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
SINGLE = re.compile(rf"\b{_DAY}\s+{MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
_US_STYLE = re.compile(rf"\b{MONTH}\s+{_DAY},?\s+(\d{{4}})\b", re.IGNORECASE)
# "18 and 19 January 2012", "18-19 January 2012", "27 February to 3 March 2023", "1 May 2023 to 5 May 2023"
RANGE = re.compile(
    rf"\b{_DAY}(?:\s+{MONTH})?(?:\s+(\d{{4}}))?\s*(?:-|–|—|and|to|until)\s*{_DAY}\s+{MONTH}\s+(\d{{4}})\b",
    re.IGNORECASE,
)
INSPECTION_CONTEXT = re.compile(r"inspect|visit|conducted|took place|carried out|fieldwork", re.IGNORECASE)
_SHORT_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?", re.IGNORECASE)


_MONTH_YEAR = re.compile(rf"\b{MONTH}\s+\d{{4}}\b|\b(?:19|20)\d\d\b", re.IGNORECASE)


def without_dates(text: str) -> str:
    """The text with its dates, months of a year and years blanked out: what is left of its figures counts."""
    for pattern in (RANGE, SINGLE, _US_STYLE, _MONTH_YEAR):
        text = pattern.sub(" ", text)
    return text


def iso(day: str, month: str, year: str) -> str | None:
    """An ISO date from a day, a month's name and a year as written; None if there is no such day."""
    try:
        return date(int(year), MONTHS[month.lower()], int(day)).isoformat()
    except (ValueError, KeyError):
        return None


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every full date in a text with its offset, in order."""
    found = [(m.start(), iso(m.group(1), m.group(2), m.group(3))) for m in SINGLE.finditer(text)]
    found += [(m.start(), iso(m.group(2), m.group(1), m.group(3))) for m in _US_STYLE.finditer(text)]
    return sorted((pos, day) for pos, day in found if day)


def range_ends(match: re.Match[str]) -> tuple[str | None, str | None]:
    """Start and end of a RANGE match ("18 and 19 January 2012": the first day takes the month and year given)."""
    d1, m1, y1, d2, m2, y2 = match.groups()
    return iso(d1, m1 or m2, y1 or y2), iso(d2, m2, y2)


def inspection_dates(text: str) -> tuple[str | None, str | None]:
    """Start and end of the inspection, from the first sentence that dates it."""
    start, end, _ = dated_inspection(text)
    return start, end


def dated_inspection(text: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """Start and end of the inspection, and the span of the text that gives them (its first sentence that dates
    the inspection)."""
    for at, sentence in _sentences_at(text):
        if not INSPECTION_CONTEXT.search(sentence):
            continue
        match = RANGE.search(sentence)
        if match:
            start, end = range_ends(match)
            if start and end and start <= end:
                return start, end, (at + match.start(), at + match.end())
        dates = find_dates(sentence)
        if dates:
            pos, day = dates[0]
            written = SINGLE.match(sentence, pos) or _US_STYLE.match(sentence, pos)
            return day, day, (at + pos, at + (written.end() if written else pos))
    return None, None, None


def _sentences_at(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) of each sentence of a text, cut at sentence ends and line breaks."""
    start = 0
    for cut in re.finditer(r"(?<=[.!?])\s+|\n", text):
        yield start, text[start : cut.start()]
        start = cut.end()
    yield start, text[start:]


def full_month_names(text: str) -> str:
    """'30 Sept 2024' written '30 September 2024', so the patterns above read it."""
    return _SHORT_MONTHS.sub(lambda m: next(n for n in MONTH_NAMES if n.startswith(m.group(1)[:3].title())), text)


def format_date(day: str | None) -> str:
    """'2012-02-16' as answers write it: '16 February 2012'; '' for no date."""
    if not day:
        return ""
    d = date.fromisoformat(day)
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def month_year(day: str) -> str:
    """'2012-02-16' -> 'February 2012'."""
    return f"{MONTH_NAMES[int(day[5:7]) - 1]} {day[:4]}"


def doc_date(meta: dict) -> str | None:
    """The date a document is known by: published, else the end (or start) of its inspection."""
    return meta.get("publication_date") or meta.get("inspection_end") or meta.get("inspection_start")

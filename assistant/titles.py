"""Titles a person can read: an Ofsted report is named by its facts, not by a PDF's internal title
("Darlington SIF report LI post FAC amendments final") or a bare date."""

from __future__ import annotations

from assistant.dates import find_dates, format_date

_KINDS = {
    "focused visit": "Ofsted focused visit to {a} children's services",
    "monitoring visit": "Ofsted monitoring visit to {a} children's services",
    "JTAI": "Joint targeted area inspection of {a}",
}
_INSPECTION = "Ofsted inspection of {a} children's services"
_INSPECTIONS = ("ILACS", "SIF")
_REPORT = "Ofsted report on {a} children's services"


def readable_title(meta: dict) -> str:
    """An Ofsted report's kind, authority and date ("Ofsted inspection of Darlington children's services,
    published 21 May 2018"); a report of another kind keeps its own title if it is printed in the report and is
    not only a date; any other document keeps its title, else its file name."""
    authority = meta.get("authority") or next(iter(meta.get("authorities") or []), "")
    own = meta.get("title") or ""
    if meta.get("source_type") != "ofsted" or not authority:
        return own or meta.get("file_name", "")
    if meta.get("doc_type") in _KINDS or meta.get("doc_type") in _INSPECTIONS:
        title = _KINDS.get(meta["doc_type"], _INSPECTION).format(a=authority)
    elif own and meta.get("title_printed", True) and (not find_dates(own) or len(own) > 40):
        return own  # "Annual unannounced inspection of contact, referral and assessment arrangements"
    else:
        title = _REPORT.format(a=authority)
    if meta.get("publication_date"):
        return f"{title}, published {format_date(meta['publication_date'])}"
    if meta.get("inspection_start"):
        return f"{title}, inspected {format_date(meta['inspection_start'])}"
    return title

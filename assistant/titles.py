"""Titles a person can read: an Ofsted report is named by its facts, not by a PDF's internal title
("Darlington SIF report LI post FAC amendments final") or a bare date."""

from __future__ import annotations

from assistant.dates import format_date

_KINDS = {
    "focused visit": "Ofsted focused visit to {a} children's services",
    "monitoring visit": "Ofsted monitoring visit to {a} children's services",
    "JTAI": "Joint targeted area inspection of {a}",
}
_INSPECTION = "Ofsted inspection of {a} children's services"


def readable_title(meta: dict) -> str:
    """An Ofsted report's kind, authority and date ("Ofsted inspection of Darlington children's services,
    published 21 May 2018"); any other document keeps its own title, else its file name."""
    authority = meta.get("authority") or next(iter(meta.get("authorities") or []), "")
    if meta.get("source_type") != "ofsted" or not meta.get("doc_type") or not authority:
        return meta.get("title") or meta.get("file_name", "")
    title = _KINDS.get(meta["doc_type"], _INSPECTION).format(a=authority)
    if meta.get("publication_date"):
        return f"{title}, published {format_date(meta['publication_date'])}"
    if meta.get("inspection_start"):
        return f"{title}, inspected {format_date(meta['inspection_start'])}"
    return title

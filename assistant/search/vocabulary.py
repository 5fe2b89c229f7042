"""The words of children's social care: what people ask with, and what the reports write instead."""

from __future__ import annotations

import re

from assistant.text import words

# Each group: words a question may use and the words the reports use for the same thing.
SYNONYM_GROUPS = (
    "agency temporary locum interim",
    "reliance rely relies relied reliant",
    "caseload caseloads workload workloads",
    "caseworker caseworkers social-worker social-workers practitioner practitioners",
    "manager managers boss bosses leader leaders leadership management",
    "sickness illness absence",
    "sibling siblings brother brothers sister sisters",
    "kids children child young",
    "supervision one-to-one supervised",
    "inadequate failing failed poor worst",
    "outstanding excellent best",
    "delay delays late slow wait waiting waited drift timely timeliness",
    "parents families carers family",
    "adoption adopted adopt adopters",
    "fostering foster carers",
    "recruitment recruit recruiting hiring hire vacancies",
    "retention retain leaving turnover",
    "abuse abused harm neglect",
    "records files paperwork recording recorded",
    "staff workforce employees staffing",
    "court courts proceedings legal",
    "strength strengths strong well",
    "weakness weaknesses development improvement",
    "care looked-after",
    "leavers leaving",
    "chief executive",
    "police officers",
    "referral referrals contact",
    "exploitation exploited cse",
    "visit visits visited seen",
    "assessment assessments assessed",
    "council authority",
    "rating rated judgement judged grade graded",
)


def _build() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        members = [w.replace("-", " ") for w in group.split()]
        for member in members:
            table.setdefault(member, set()).update(m for m in members if m != member)
    return table


_TABLE = _build()


def synonyms_of(text: str) -> dict[str, set[str]]:
    """Each word (or two-word phrase) of a text the vocabulary knows -> what the reports may write instead."""
    lowered = " ".join(words(text))
    return {term: others for term, others in _TABLE.items() if re.search(rf"\b{re.escape(term)}\b", lowered)}

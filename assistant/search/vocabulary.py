"""The words of children's social care: what people ask with, and what the reports write instead."""

from __future__ import annotations

import re

# Each group: words a question may use and the words the reports use for the same thing; "~" marks a word
# only questions use so.
SYNONYM_GROUPS = (
    "agency ~temporary locum interim ~temps ~temp ~contractors",
    "reliance rely relies relied reliant",
    "caseload caseloads workload workloads swamped overloaded overstretched overworked ~snowed-under",
    "caseworker caseworkers social-worker social-workers practitioner practitioners",
    "manager managers boss bosses leader leaders leadership management ~top-brass",
    "sickness illness absence off-sick ill",
    "sibling siblings brother brothers sister sisters",
    "kids children child young",
    "supervision one-to-one supervised",
    "inadequate failing failed poor worst ~rubbish ~awful ~terrible ~dire ~shambles ~shambolic",
    "outstanding excellent best",
    "delay delays late slow wait waiting waited drift timely timeliness ~queue ~queues ~queuing ~queueing",
    "parents families carers family mums dads mothers fathers mum dad ~households ~household",
    "adoption adopted adopt adopters",
    "fostering foster carers foster-parents",
    "recruitment recruit recruiting hiring hire vacancies",
    "retention retain leaving turnover",
    "abuse abused harm neglect",
    "records files paperwork recording recorded",
    "staff workforce employees staffing",
    "court courts proceedings legal judge judges ~rulings ~ruling",
    "strength strengths strong well ~praise ~praised",
    "weakness weaknesses development improvement shortcomings ~weak-points ~weak-spots",
    "care looked-after",
    "leavers leaving",
    "chief executive",
    "police officers ~cops ~coppers",
    "referral referrals contact ~tip-off ~tip-offs ~tipoffs",
    "exploitation exploited cse grooming groomed",
    "visit visits visited seen",
    "assessment assessments assessed ~evaluation ~evaluations",
    "council authority",
    "rating rated judgement judged grade graded",
    # What people say for the reports' terms of the field
    "care-leavers care-leaver leaving-care left-care former-looked-after formerly-looked-after care-experienced",
    "custody prison jail behind-bars detained youth-offending",
    "unaccompanied asylum-seeking asylum refugee refugees uasc",
    "out-of-hours emergency-duty emergency night-time weekends weekend evenings",
    "bed-and-breakfast guesthouse guesthouses hostel hostels ~b-b ~b-bs",
    "unregistered unlicensed",
    "cyber-attack cyber hacking hacked",
    "early-help early-intervention ~preventive ~preventative ~prevention",
    "enquiries enquiry investigation investigations investigate investigated ~looking-into ~look-into ~probe ~probes",
    "allegation allegations claims accusations",
    "challenge challenged ~fight ~contest ~dispute",
    "conference conferences ~meeting ~meetings",
    "postponed postpone postponement cancelled ~put-off ~called-off",
    "allocated allocation unallocated ~assigned ~unassigned",
    "safe safety ~out-of-harm-way ~out-of-danger",
    "criticism criticisms criticised criticise ~gripe ~gripes ~complaint ~complaints ~grumbling ~telling-off ~told-off",
    "accept accepted accepts ~admit ~admits ~admitted ~own-up",
    "informed inform ~told ~hear-back",
    "permanent ~own-payroll ~in-house",
    "ai artificial-intelligence",
    "principle principles ethos ~motto ~mantra",
    "prematurely premature ~too-early ~too-soon",
    "trained training qualified experienced skilled ~courses",
    "confidentiality confidential privacy",
    "mistake mistakes error errors mix-up slip-up",
    "missing runaway runaways run-away ~runs-away ~ran-away ~running-away",
    "homeless homelessness nowhere-to-live ~sofa-surfing ~sofa-surf",
    "personal-adviser personal-advisers key-worker key-workers",
    "councillors politicians elected-members",
    "wishes feelings views voice listened",
    "domestic-abuse domestic-violence",
    "self-harm self-harming",
    "substance-misuse drugs alcohol",
    "county-lines gangs gang knife-crime serious-youth-violence",
    "interpreter interpreters translator translators",
    "advocacy advocate advocates",
    "kinship special-guardianship family-and-friends connected-carers",
    "threshold thresholds criteria",
    "independent-reviewing-officer independent-reviewing-officers iro iros",
    "adulthood transition grown-up grown-ups",
    "reunification return-home going-home",
    "risk risks ~danger ~dangers",
    "frontline front-line ~on-the-ground",
    "relationships relationship ~bond ~bonds ~rapport",
    "reducing reduce reduced ~easing ~ease ~eased ~lessening ~cut-back ~cutting-back",
    "vision strategy ~big-plan ~game-plan",
    "unannounced snap ~surprise ~without-notice",
    "concern concerns ~worry ~worries",
    "promptly prompt swiftly quickly ~fast",
    "ethnicity ethnic ~race",
    "gender ~sex",
    "disability disabilities disabled ~impairment ~impairments",
    "disseminated lessons learning ~takeaways",
    "spoke speak spoken ~talked ~conversations",
    "shared sharing ~pass-on ~passed-on",
    "solicitor solicitors ~lawyer ~lawyers",
    "breakdown breakdowns disruption disruptions ~fall-apart ~falls-apart ~fell-apart",
    "seaside ~coast ~beach",
    "video videos ~film ~films",
    "parliament ~westminster",
    "building ~constructing ~construct",
    "funded funding ~foot-the-bill ~pay-for ~paid-for",
    "driving ~behind-the-wheel",
    "memories ~keepsake ~keepsakes ~album ~albums ~scrapbook",
    "autism autistic ~on-the-spectrum",
    "job-descriptions job-description ~role-profile ~role-profiles",
    "trips trip ~holidays ~holiday",
    "resource resources ~cash",
)


def _build() -> dict[str, set[str]]:
    """Each member -> the group's other members, less those marked "~": a word people ask with that the reports
    use for something else ("temporary accommodation" is no "agency" staff), sought for no other word."""
    table: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        members = [w.lstrip("~").replace("-", " ") for w in group.split()]
        offered = [m for m, w in zip(members, group.split(), strict=True) if not w.startswith("~")]
        for member in members:
            table.setdefault(member, set()).update(m for m in offered if m != member)
    return table


_TABLE = _build()


def synonyms_of(text: str) -> dict[str, set[str]]:
    """Each word or phrase of a text the vocabulary knows -> what the reports may write instead."""
    plain = _plain(text)
    return {term: others for term, others in _TABLE.items() if f" {term} " in plain}


def _plain(text: str) -> str:
    """Lower-case words between single spaces, possessives dropped, stop words kept: "out-of-hours", "out of
    hours" and "behind bars" are phrases of the vocabulary."""
    lowered = re.sub(r"['’]s\b", "", text.lower())
    return " " + " ".join(re.findall(r"[a-z0-9£]+", lowered)) + " "

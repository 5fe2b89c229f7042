"""What a question asks, worked out once: the authorities it names, its years and source kinds, its focus and
topic, and the kind of answer it wants. Search, the facts tables and the answerer all read this one record."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.authorities import find_authorities, with_canonical_names, without_authorities
from assistant.dates import MONTH, MONTH_NAMES, without_dates
from assistant.text import STOPWORDS

# What a question says about the kind of source it wants ("the inspectors' letter", "the local paper").
_TYPE_HINTS = {
    "ofsted": re.compile(
        r"\b(?:ofsted'?s?|inspectors?'?s?|hmi)\s+(?:letter|report|findings)|\b(?:the|its|this|that|\d{4}) "
        r"(?:letter|inspection report)\b|\bwhat did (?:ofsted|the inspectors?) (?:say|find|conclude)",
        re.IGNORECASE,
    ),
    "news": re.compile(r"\b(?:news)?paper|\barticle\b|\bpress\b|\bjournalist|\breporter|\btold the\b", re.IGNORECASE),
    "council": re.compile(r"\bcouncil'?s? (?:statement|response|reply|press release)", re.IGNORECASE),
}
# A document a question names as where to look: "the 2012 letter to Doncaster", "Ofsted's latest report on Kent".
_DOCUMENT = (
    r"(?:the|its|their|this|that|ofsted['’]?s?)\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?:letter|report|article|inspection|visit|review|piece|story|paper)"
    r"(?:\s+(?:to|on|about|into|of|for)\s+(?:[\w'’-]+\s+){1,3}?)?"
)
_INSPECTORS = r"ofsted|the inspectors?|inspectors|the (?:watchdog|regulator|inspectorate)"  # what the news calls Ofsted
_FRAMING = re.compile(
    r"^\s*according to [^,]{3,60},\s*|^\s*(?:what|how) (?:did|does|do) (?:"
    + _INSPECTORS
    + r"|it|"
    + _DOCUMENT
    + r")\s*(?:say|find|conclude|report|write|think) (?:about|on|regarding|of)\s+"
    # "Did Ofsted find any problems with ...", "Were there concerns about ...": whether, about what
    r"|^\s*(?:did|does|do|were|was|are|is|has|have)\s+(?:there\s+)?(?:(?:"
    + _INSPECTORS
    + r"|it|"
    + _DOCUMENT
    + r")\s*)?(?:find|found|identify|identified|raise|raised|note|noted|see|saw|have|had|flag|flagged)?\s*"
    r"(?:any\s+)?(?:problems?|concerns?|issues?|worries|weaknesses?|criticisms?|failings?)"
    r"\s+(?:with|about|over|in|around|regarding|on)\s+",
    re.IGNORECASE,
)
# "Did the 2012 letter to Doncaster say anything about ...": the document named is where to look, not what about.
_SAID_ABOUT = re.compile(
    r"^\s*(?:did|does|do|has|have)\s+"
    + _DOCUMENT
    + r"\s*(?:(?:say|said|note|comment|find|report)\s+(?:anything\s+|something\s+)?(?:about|on|regarding|concerning)"
    r"|mention(?:ed)?(?:\s+anything(?:\s+about)?)?)\s+",
    re.IGNORECASE,
)
# A request's verb: "Compare Leeds and Bradford on care leavers" asks about care leavers.
_REQUEST = re.compile(r"^\s*(?:please\s+)?(?:compare|tell me about|summari[sz]e|describe)\s+", re.IGNORECASE)
_TRAILING_FRAMING = re.compile(r",?\s+according to [^,?.!]{3,40}(?=[?.!]?\s*$)", re.IGNORECASE)
# Where the words come from, said anywhere in the question: "per the 2021 focused visit", "in Ofsted's 2014
# report", "according to the 2012 letter". They name a document, not what the question is about.
_SOURCE_PHRASE = re.compile(
    r",?\s*\b(?:per|according to|in|from|during)\s+"
    r"(?:(?:the|its|their|ofsted['’]?s?|inspectors['’]?|watchdog['’]?s?|regulator['’]?s?|latest|most recent|focused"
    r"|joint|monitoring|targeted area"
    r"|children['’]s services|ilacs|sif|jtai|(?:19|20)\d\d)\s+){0,4}"
    r"(?:inspection|report|visit|letter|review|re-inspection)\b",
    re.IGNORECASE,
)
# When the inspection was, said as a clause: "when the watchdog dropped by in 2012" dates the question, no more.
_WHEN_INSPECTED = re.compile(
    r",?\s*\b(?:when|while|as)\s+(?:" + _INSPECTORS + r"|they)\s+"
    r"(?:visited|came|called|inspected|arrived|dropped (?:by|in)|turned up|went in|looked|checked)\b"
    r"(?:\s+(?:in\s+)?(?:19|20)\d\d)?",
    re.IGNORECASE,
)
# Capitalised words that are not names of anything a report might leave out.
_NOT_NAMES = {
    *(m.lower() for m in MONTH_NAMES),
    *"ofsted hmi ilacs sif jtai lscb mash dcs uk england english the a an i".split(),
    *"council county borough city metropolitan district local children's children services service".split(),
    *"compare tell show list give find name describe explain summarise summarize".split(),  # a request's verb
}
# A capitalised word inside a sentence, not at its start: a person's or a paper's name ('Mumford', 'Free Press').
_INNER_CAPITAL = re.compile(r"(?<=[\w,;:'’] )([A-Z][a-z]+)(?:['’]s)?\b")
# Asking about an authority's latest report: "what does the latest report say about caseloads?".
LATEST = re.compile(r"\b(?:latest|newest|most recent|new) (?:report|inspection|visit|letter)\b", re.IGNORECASE)
# Asking how things stand now: "current rating", "last inspected", "still inadequate".
_NEWEST = re.compile(r"\b(?:last|latest|most recent(?:ly)?|current(?:ly)?|now|still)\b", re.IGNORECASE)
# A year named as the report's that a question asks of ("What did the 2023 inspection say", "per the 2021 focused
# visit", "in Ofsted's 2014 report"), not of an inspection it asks about ("the problems from its 2010 inspection").
_REPORT = r"(?:[\w'’-]+\s+){0,2}?(?:inspection|report|visit|letter|review)s?\b"
_REPORT_YEAR = re.compile(
    r"\b(?:per|according to|in|during)\s+(?:(?:the|its|their|ofsted['’]?s?|inspectors['’]?)\s+){0,2}(?:19|20)\d\d\s+"
    + _REPORT
    + r"|\b(?:did|does|do)\s+(?:the|its|their|ofsted['’]?s?)\s+(?:19|20)\d\d\s+"
    + _REPORT
    + r"(?:\s+(?:to|on|of|for|into)(?:\s+[\w'’-]+){1,6}?)?\s+(?:say|find|conclude|report|note)\b",
    re.IGNORECASE,
)
SPAN_WORDS = re.compile(r"\b(?:since|after|before|until|between|by)\s+(?:19|20)\d\d\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")

# Asking who led an inspection, or for a judgement: the reports' facts answer these (answer/factual.py).
_WHO_LED = r"\bwho (?:led|inspected|wrote|signed|was (?:the )?lead inspector)\b"
ASKS_LEAD = re.compile(rf"{_WHO_LED}|\blead inspector\b", re.I)
_ASKS_SIGNER = re.compile(r"\bwho (?:wrote|signed)\b", re.I)  # a letter's writer signs it, and may not have led
_ASKS_GRADE = re.compile(
    r"\bjudge?ments?\b|\bjudged\b|\bgraded?\b|\brated\b|\brating\b|\boverall effectiveness\b"
    r"|\boutcome of\b[^?]{0,40}?\b(?:inspection|report)\b",
    re.IGNORECASE,
)
# What Ofsted or others rate that is not an authority's children's services: "How are Derby's primary schools
# rated?" is no question for the reports' judgements.
_OTHER_RATED = re.compile(
    r"\b(?:schools?|academy|academies|colleges?|nurser(?:y|ies)|universit(?:y|ies)|hospitals?|police|prisons?"
    r"|(?:children['’]s |care )?homes?|surger(?:y|ies)|housing|providers?)\b",
    re.IGNORECASE,
)
# Asking about authorities as a whole and nothing in particular ("Compare Leeds and Bradford", "Tell me about
# Rotherham", "How is Kent doing?", "What did Ofsted say about Wakefield?"): their reports' judgements answer.
_OVERVIEW_WORDS = set(  # beside the stop words ("tell", "say", "now")
    "compare compared comparison overview summary summarise summarize doing done getting performing "
    "perform give versus vs ofsted inspectors inspection inspections report reports children's services "
    "council councils find found think conclude concluded current currently latest".split()
)
# Asking when an authority was inspected or its report published, and nothing more: "When was Bradford last
# inspected?", "When was Doncaster's letter sent?"
_ASKS_WHEN = re.compile(
    r"\bwhen (?:was|were|did|has|have|is)\b[^?]{0,80}?"
    r"\b(?:inspect\w*|visit\w*|published|sent|issued|dated|written|released|c[oa]me out)\b"
    r"|\bwhat (?:were|was|are|is) the (?:dates? of|(?:inspection |visit )dates?)\b",
    re.IGNORECASE,
)
_WHEN_WORDS = _OVERVIEW_WORDS | set(
    "when last recent recently inspect inspected visit visited visits date dates carried out held "
    "take took place published sent issued dated written released come came out letter report".split()
)
# "Which councils were outstanding?", "Is Kent outstanding?": a grade asked, and nothing more.
_GRADE = re.compile(r"\b(?:outstanding|good|inadequate|requires? improvement)\b", re.IGNORECASE)
_GRADE_WORDS = _OVERVIEW_WORDS | set(
    "which authorities councils areas local rated judged graded outstanding good inadequate requires require "
    "improvement ever still".split()
)
_ACROSS = re.compile(r"\bwhich (?:local )?(?:authorities|councils|areas)\b", re.IGNORECASE)

_NUMBER = (
    r"\b(?:\d[\d,.]*%?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundred|dozen)\b"
)
_HOW_MANY = re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE)
COUNTED_WORDS = 4  # words read as what a count counts: after "how many", and after a figure
# Counts of anything: the answer may count any thing ("four DCSs" answers "how many people").
_ANY_THING = set("times occasions people persons individuals ones things cases".split())
# Asked for a figure: "what number", "what is the rate of ...", "what was the total".
_WHAT_FIGURE = r"\bwhat (?:number|percentage|proportion)\b|\bwhat (?:is|was|are|were) the (?:rate|number|total)s?\b"
DATED = re.compile(rf"\b{MONTH}\b|\b\d{{4}}\b")  # what a sentence that says when holds
_COUNT = re.compile(_NUMBER, re.I)  # what a sentence that gives a figure holds
COUNT = re.compile(_NUMBER.replace(r"\b", ""), re.I)  # one word that is a figure
_DURATION = re.compile(rf"{_NUMBER}[\s-]*(?:day|week|month|year)s?\b", re.I)
_LEAD_NAMED = re.compile(r"\blead inspector\b|\bled by\b|\bHMI\b|\b(?:His|Her) Majesty.s Inspector", re.I)
# (what the question says, what an answering sentence holds): a number, a date, a person.
_ANSWER_KINDS = (
    (re.compile(r"\bhow (?:long|many (?:days|weeks|months|years))\b", re.I), _DURATION),
    (re.compile(rf"\bhow (?:many|much)\b|{_WHAT_FIGURE}", re.I), _COUNT),
    (re.compile(r"\bwhen\b|\b(?:what|which) (?:dates?|days?|months?|years?)\b", re.I), DATED),
    (
        re.compile(r"^\s*who\b|\bwho (?:was|is|were|led|wrote|signed)\b", re.I),
        re.compile(
            r"\b[A-Z][a-z]+ [A-Z][a-z]+\b|\b(?:Mr|Mrs|Ms|Dr)\b"
            r"|\b(?:Chief Executive|Director|Inspector|Cabinet member)\b"
        ),
    ),
)
# Questions whose answer is of one exact kind: a passage without one cannot answer them.
_EXACT_KINDS = (
    (re.compile(r"\bhow long\b", re.I), _DURATION),
    (
        re.compile(r"\bwhat (?:percentage|proportion|share)\b|\bhow many per ?cent\b", re.I),
        re.compile(r"\d\s*%|\bper ?cent\b|\b(?:half|quarter|third|majority|minority)\b", re.I),
    ),
    (
        re.compile(r"\bhow much (?:money|funding|cash)\b|\bhow much\b.*\b(?:spend|spent|cost|invest|budget)", re.I),
        re.compile(r"£\s?\d|\b\d[\d,.]*\s?(?:million|billion|m|bn)\b|\bpounds\b", re.I),
    ),
    (re.compile(_WHO_LED, re.I), _LEAD_NAMED),
    (re.compile(rf"\bhow many\b|{_WHAT_FIGURE}", re.I), _COUNT),
    (re.compile(r"\bwhen (?:did|was|were|will)\b|\bwhat (?:date|year)\b|\bsince when\b", re.I), DATED),
)


@dataclass(frozen=True)
class Question:
    """A question as search and answering read it."""

    text: str  # as asked (a follow-up already resolved)
    named: tuple[str, ...]  # authorities it names, canonical, most named first
    focus: str  # without its framing ("According to the letter, ...", "What did Ofsted say about ...")
    searched: str  # the focus with every authority in its canonical name ("DMBC" -> "Doncaster")
    words: str  # the focus without the authorities it names: the words to look for
    topic: str  # those words without years: what the question is about
    years: frozenset[str]
    source_types: frozenset[str]  # kinds of source it points at ("the local paper": news)
    answer_kind: re.Pattern[str] | None  # what an answering sentence holds: a number, a date, a person
    exact_kind: re.Pattern[str] | None  # what it must hold: asked how long, what share, how much money, who led
    asks_lead: bool  # who led an inspection, or wrote its letter
    asks_signer: bool  # who wrote or signed a letter
    asks_grade: bool  # a judgement
    asks_when: bool  # when an authority was inspected, and nothing more
    overview: bool  # an authority and nothing more, of no year: "Tell me about Doncaster"
    across: bool  # "which authorities ..."
    latest: bool  # about the latest report
    newest: bool  # about how things stand now: of facts, each authority's newest
    report_year: bool = False  # a year named as the report's it asks of ("what did the 2023 inspection say")
    names: tuple[str, ...] = ()  # capitalised words inside it that name no authority, month or kind of report
    figures: frozenset[str] = frozenset()  # the numbers it states itself ("in the past 12 months"): not its answer
    institutions: tuple[str, ...] = ()  # places of another field it asks of ("schools", "hospitals", "police")
    counted: tuple[str, ...] = ()  # what a question asking a count counts ("child protection conferences")


def read_question(text: str, find_names: bool = True) -> Question:
    """Work a question out once; `find_names=False` for text where place names are content (scientific claims)."""
    named = tuple(find_authorities(text, ignore_case=True)) if find_names else ()
    focused = focus(text)
    words = without_authorities(focused, list(named))
    topic = YEAR.sub(" ", without_authorities(with_canonical_names(focused), list(named))).strip()
    across = bool(_ACROSS.search(text))
    exact_kind = next((answer for asks, answer in _EXACT_KINDS if asks.search(text)), None)
    return Question(
        text=text,
        named=named,
        focus=focused,
        searched=with_canonical_names(focused),
        words=words,
        topic=topic,
        years=frozenset(YEAR.findall(text)),
        source_types=frozenset(kind for kind, pattern in _TYPE_HINTS.items() if pattern.search(text)),
        answer_kind=next((answer for asks, answer in _ANSWER_KINDS if asks.search(text)), None),
        exact_kind=exact_kind,
        asks_lead=bool(ASKS_LEAD.search(text)),
        asks_signer=bool(_ASKS_SIGNER.search(text)),
        asks_grade=(
            bool(_ASKS_GRADE.search(text))
            or (bool(named) and _nothing_more(topic, _OVERVIEW_WORDS))
            or ((across or bool(named)) and bool(_GRADE.search(text)) and _nothing_more(topic, _GRADE_WORDS))
        )
        and not _OTHER_RATED.search(topic),
        asks_when=bool(named) and bool(_ASKS_WHEN.search(text)) and _nothing_more(topic, _WHEN_WORDS),
        overview=bool(named) and not YEAR.search(text) and _nothing_more(topic, _OVERVIEW_WORDS),
        across=across,
        latest=bool(LATEST.search(text)),
        newest=bool(_NEWEST.search(text)),
        report_year=bool(_REPORT_YEAR.search(text)),
        names=inner_names(text) if find_names else (),
        figures=frozenset(n.lower() for n in re.findall(_NUMBER, without_dates(text), re.IGNORECASE)),
        institutions=tuple(dict.fromkeys(m.group(0).split()[-1].lower() for m in _OTHER_RATED.finditer(topic))),
        counted=counted_words(words) if exact_kind is _COUNT else (),
    )


def counted_words(words: str) -> tuple[str, ...]:
    """The words after 'how many' or 'number of', to the first stop word: what the question counts ("social
    workers"); none for a count of anything ("how many times", "how many of them")."""
    match = _HOW_MANY.search(words)
    if not match:
        return ()
    counted = []
    for word in re.findall(r"[\w'’-]+", words[match.end() :].lower())[:COUNTED_WORDS]:
        if word in STOPWORDS:
            break
        counted.append(word)
    return () if not counted or counted[-1] in _ANY_THING else tuple(counted)


def _nothing_more(topic: str, allowed: set[str]) -> bool:
    """Whether a question's topic holds only stop words and the words allowed."""
    words = {w.lower() for w in re.findall(r"[\w'’]+", topic)}
    return not (words - STOPWORDS - allowed)


def inner_names(text: str) -> tuple[str, ...]:
    """Capitalised words inside a question that are not authorities, months, report words or stop words."""
    found = (m.group(1) for m in _INNER_CAPITAL.finditer(text))
    return tuple(dict.fromkeys(w for w in found if may_name(w) and not find_authorities(w, ignore_case=False)))


def may_name(word: str) -> bool:
    """Whether a capitalised word may name something a report could leave out: not a month, a report word or a
    stop word."""
    return word.lower() not in _NOT_NAMES and word.lower() not in STOPWORDS


def focus(text: str) -> str:
    """The question without its framing ("According to the letter, ...", "What did Ofsted say about ...",
    "Did the 2012 letter say anything about ...", "... according to the 2012 letter?")."""
    unframed = _FRAMING.sub("", _SAID_ABOUT.sub("", _REQUEST.sub("", text)))
    return _WHEN_INSPECTED.sub(" ", _SOURCE_PHRASE.sub(" ", _TRAILING_FRAMING.sub("", unframed))).strip(" ,") or text

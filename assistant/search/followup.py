"""Resolve a follow-up question against the conversation so far, without an LLM."""

from __future__ import annotations

import re

from assistant.authorities import find_authorities, without_authorities
from assistant.search.question import YEAR
from assistant.text import words

_ELLIPTICAL = re.compile(r"^\s*(?:and|what about|how about|same for|and what about|and for|also)\b", re.IGNORECASE)
# Words of a follow-up that asks the last question again of another year ("and the 2015 report?")
_ASKED_AGAIN = {"what", "how", "about", "same", "also", "for", "the", "one", "report", "inspection", "year"}
# Words of a follow-up that asks the last question again of another authority at another time ("What about
# Bromley's, a couple of months later?"): they say when, not what.
_WHEN_WORDS = _ASKED_AGAIN | set(
    "later earlier before after couple few months weeks week days years next previous following same time "
    "inspected published visited".split()
)
# Another time than the one asked about before ("the next full inspection", "the previous one"): its year is not
# the conversation's.
_OTHER_TIME = re.compile(r"\b(?:next|later|following|subsequent|previous|prior|earlier)\b", re.IGNORECASE)
# A question about authorities or reports in general, not the conversation's ("Which councils ...", "What did
# reports say ...").
_GENERAL = re.compile(
    r"\b(?:which|how many|what|all|other|most|many) (?:local )?(?:authorities|councils|areas)\b"
    r"|\b(?:nationally|across england|in england)\b|(?<!\bthe )(?<!\bits )(?<!\btheir )\breports\b",
    re.IGNORECASE,
)
# "after that", "since then": the time of the question referred to, which becomes a bound ("after 2018")
_SINCE_THEN = re.compile(r"\b(after|since|before) (?:that|then)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"\b(?:its|it|their|they|them|there|that council|the council|this council|same"
    r"|(?:the|that|this) (?:article|report|letter|inspection|visit|story))\b"  # a document named before
    rf"|{_SINCE_THEN.pattern}",
    re.IGNORECASE,
)


def previous_questions(history) -> list[str]:
    """The user's earlier questions from any usual history shape, oldest first."""
    questions = []
    for turn in history or []:
        if isinstance(turn, str):
            questions.append(turn)
        elif isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                questions.append(turn["content"])
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            questions.append(turn[0])
        elif hasattr(turn, "resolved_question"):
            questions.append(turn.resolved_question or turn.question)
    return [q for q in questions if q.strip()]


def resolve(question: str, history) -> str:
    """The question as it should be searched, filling in what a follow-up leaves out."""
    earlier: list[str] = []
    for before in previous_questions(history):  # each as it was resolved: "and in 2015?" after "and Leeds?"
        earlier.append(_resolve(before, earlier))
    return _resolve(question, earlier)


def _resolve(question: str, earlier: list[str]) -> str:
    """A question resolved against the earlier ones, themselves resolved."""
    if not earlier:
        return question
    last = earlier[-1]
    named_now = find_authorities(question, ignore_case=True)
    # The authority of the conversation: of the latest earlier question that names one ("Who led that
    # inspection?" names none, the question before it does).
    context = next((q for q in reversed(earlier) if find_authorities(q, ignore_case=True)), last)
    named_before = find_authorities(context, ignore_case=True)
    topic_words = words(without_authorities(question, named_now))  # "Richmond upon Thames" is one name
    years_now = YEAR.findall(question)
    if not named_now and years_now and _ELLIPTICAL.match(question) and set(topic_words) <= {*years_now, *_ASKED_AGAIN}:
        return _in_years(last, years_now)  # "and in 2015?": the last question, of another year
    asked_again = len(set(topic_words) - _WHEN_WORDS) <= 1
    if named_now and ((_ELLIPTICAL.match(question) and asked_again) or len(topic_words) <= 1):
        # "and in Darlington?": the last question, asked of another authority
        swapped = last
        for name in named_before:
            swapped = re.sub(re.escape(name), named_now[0], swapped, flags=re.IGNORECASE)
        return swapped if named_before else f"{last} in {named_now[0]}"
    if not named_now and named_before:
        # Asked in a conversation about an authority, a question naming none is about it too ("Anything positive
        # about the police?"), unless it refers to none and asks about authorities or reports in general.
        if _REFERS_BACK.search(question) or _ELLIPTICAL.match(question) or not _GENERAL.search(question):
            return _with_context(question, named_before, YEAR.findall(context))
    return question


def _in_years(question: str, years: list[str]) -> str:
    """A question asked again of other years: its own years replaced, or the first new one added."""
    if YEAR.search(question):
        replaced = iter(years)
        return YEAR.sub(lambda m: next(replaced, m.group(0)), question)
    return f"{question.rstrip(' ?')} in {years[0]}?"


def _with_context(question: str, authorities: list[str], years: list[str]) -> str:
    """A follow-up with the authorities and years of the question it refers to: "after that" becomes "after
    2018"; a follow-up that names no year of its own, nor another time ("the next inspection"), is about the
    year asked before."""
    if years and _SINCE_THEN.search(question):
        question = _SINCE_THEN.sub(lambda m: f"{m.group(1)} {years[-1]}", question)
    own_time = YEAR.search(question) or _OTHER_TIME.search(question)
    context = [*authorities, *dict.fromkeys(years)] if not own_time else authorities
    return f"{question.rstrip(' ?')} ({', '.join(context)})?"

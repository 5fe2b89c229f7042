"""Resolve a follow-up question against the conversation so far, without an LLM."""

from __future__ import annotations

import re

from assistant.authorities import find_authorities, without_authorities
from assistant.search.question import YEAR
from assistant.text import words

_ELLIPTICAL = re.compile(r"^\s*(?:and|what about|how about|same for|and what about|and for|also)\b", re.IGNORECASE)
# Words of a follow-up that asks the last question again of another year ("and the 2015 report?")
_ASKED_AGAIN = {"what", "how", "about", "same", "also", "for", "the", "one", "report", "inspection", "year"}
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
    if named_now and (_ELLIPTICAL.match(question) or len(topic_words) <= 1):
        # "and in Darlington?": the last question, asked of another authority
        swapped = last
        for name in named_before:
            swapped = re.sub(re.escape(name), named_now[0], swapped, flags=re.IGNORECASE)
        return swapped if named_before else f"{last} in {named_now[0]}"
    if not named_now and named_before and (_REFERS_BACK.search(question) or _ELLIPTICAL.match(question)):
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
    2018"; a follow-up that names no year of its own is about the year asked before."""
    if years and _SINCE_THEN.search(question):
        question = _SINCE_THEN.sub(lambda m: f"{m.group(1)} {years[-1]}", question)
    context = [*authorities, *dict.fromkeys(years)] if not YEAR.search(question) else authorities
    return f"{question.rstrip(' ?')} ({', '.join(context)})?"

"""A judgement answer's grades over time: one point per dated report, placed on Ofsted's four-point scale."""

from __future__ import annotations

from assistant.ingest.facts import grade_key
from assistant.schema import TimelinePoint

SCALE = ("inadequate", "requires improvement", "good", "outstanding")  # levels 1 to 4, worst to best
MIN_POINTS = 2  # one report is a fact, not a change over time


def grade_level(grade: str) -> int | None:
    """A grade's step on the scale (4 outstanding to 1 inadequate); None for a grade the scale does not have."""
    # 'Requires improvement to be good' is the 'requires improvement' step. An older word ('Adequate',
    # 'Satisfactory', from a catalogue) gets no step: calling it any of the four would claim a judgement
    # Ofsted did not make. Such a point keeps its place in the data and the table, not on the chart.
    key = grade_key(grade)
    return SCALE.index(key) + 1 if key in SCALE else None


def point(date: str, grade: str, authority: str, n: int) -> TimelinePoint:
    """One table row as a point in time."""
    return TimelinePoint(date=date, grade=grade, authority=authority, n=n, level=grade_level(grade))


def timeline(points: list[TimelinePoint]) -> list[TimelinePoint]:
    """The points, oldest first, when there are enough to show a change; else none."""
    return sorted(points, key=lambda p: (p.date, p.n)) if len(points) >= MIN_POINTS else []

"""Saved questions: asked again after every change to the index, and marked new when what they cite changes.

The changelog drives the re-runs: each question remembers the last change its answer has seen, so a run
killed between committing documents and re-asking is caught up by the next one. Only questions the changed
documents could reach are asked again: one that names authorities (or is filtered to some) is untouched by
a report about another authority of no other filter's kind, unless it cites that report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.indexing.store import Store
from assistant.schema import Answer, Citation
from assistant.search.question import read_question
from assistant.search.retrieval import Filters, allowed_sources

Ask = Callable[[str, dict], Answer]  # (question, filters) -> the answer as a user would get it


def citation_record(citation: Citation) -> dict:
    """What is kept of a citation: enough to list and compare sources without the passage."""
    keys = ("n", "source", "title", "source_type", "authority", "date", "page", "quote")
    return {key: getattr(citation, key) for key in keys}


@dataclass
class Rerun:
    """What one catch-up did: questions asked again, left alone (out of the changes' reach), now new."""

    asked: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"saved questions: {len(self.asked)} asked again, {len(self.skipped)} out of the changes' reach, "
            f"{len(self.new)} with new answers ({self.seconds:.2f} s)"
        )


@lru_cache(maxsize=4096)
def _named(question: str) -> tuple[str, ...]:
    return read_question(question).named


def within_reach(saved: dict, changes: list[dict]) -> bool:
    """Could these changes alter this question's answer? Yes if it cites a changed document, or a changed
    document passes its filters and the authorities it names (any document does when it names none)."""
    cited = {c["source"] for c in saved["citations"]}
    if any(change["source"] in cited for change in changes):
        return True
    metas = {change["source"]: change["meta"] for change in changes}
    allowed = allowed_sources(metas, Filters.from_dict(saved["filters"]), list(_named(saved["question"])))
    return allowed is None or bool(allowed)


def citation_change(before: list[dict], after: list[dict], changes: list[dict]) -> dict:
    """Documents newly cited and no longer cited, and the index changes since the previous answer; {} if none."""
    old, now = {c["source"] for c in before}, {c["source"] for c in after}
    if old == now:
        return {}
    return {
        "at": time.time(),
        "cited_now": sorted(now - old),
        "no_longer_cited": sorted(old - now),
        "index_changes": [{k: c[k] for k in ("source", "change", "at")} for c in changes],
    }


class SavedQuestions:
    """The saved questions of one index, asked through `ask`."""

    def __init__(self, store: Store, ask: Ask) -> None:
        self.store = store
        self.ask = ask

    def add(self, question: str, filters: dict | None = None) -> dict:
        """Save a question with its answer now; raises ValueError for one with nothing to search."""
        question = " ".join((question or "").split())
        if not any(ch.isalnum() for ch in question):
            raise ValueError("a saved question needs words to search for")
        filters = {k: v for k, v in (filters or {}).items() if v}
        checked = self.store.last_change_id()  # read first: a change committed meanwhile is re-run later
        answer = self.ask(question, filters)
        records = [citation_record(c) for c in answer.citations]
        return self.get(self.store.add_saved(question, filters, answer.text, records, checked))

    def all(self) -> list[dict]:
        return self.store.saved()

    def get(self, saved_id: int) -> dict | None:
        found = self.store.saved(saved_id)
        return found[0] if found else None

    def show(self, saved_id: int) -> dict | None:
        """The question with its answer, no longer new: its user has now seen it."""
        saved = self.get(saved_id)
        if saved and saved["new"]:
            self.store.update_saved([{"id": saved_id, "new": 0}])
        return saved

    def remove(self, saved_id: int) -> bool:
        return self.store.remove_saved(saved_id)

    def catch_up(self) -> Rerun:
        """Ask again every question the index's changes since its last answer could alter."""
        started, report = time.perf_counter(), Rerun()
        last = self.store.last_change_id()
        behind = [saved for saved in self.all() if saved["checked_change"] < last]
        if not behind:
            return report
        changes = self.store.changes(after_id=min(saved["checked_change"] for saved in behind))
        updates = []
        for saved in behind:
            since = [change for change in changes if change["id"] > saved["checked_change"]]
            if not within_reach(saved, since):
                report.skipped.append(saved["id"])
                updates.append({"id": saved["id"], "checked_change": last})
                continue
            report.asked.append(saved["id"])
            updates.append(self._asked_again(saved, since, last, report))
        self.store.update_saved(updates)
        report.seconds = time.perf_counter() - started
        return report

    def _asked_again(self, saved: dict, changes: list[dict], last: int, report: Rerun) -> dict:
        """The update for one question asked again: its answer, citations and, if they moved, the change."""
        answer = self.ask(saved["question"], saved["filters"])
        records = [citation_record(c) for c in answer.citations]
        update = {"id": saved["id"], "answer": answer.text, "citations": records, "checked_change": last}
        change = citation_change(saved["citations"], records, changes)
        if change:
            report.new.append(saved["id"])
            update.update(change=change, new=1)
        return update

"""The one public API that the CLI, the web chat and the evaluation all use."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answer.compare import (
    compare_reports,
    comparison_answer,
    is_compare_question,
    question_pair,
    reports_of,
)
from assistant.answer.extractive import Answerer, Thresholds
from assistant.answer.factual import answer_from_facts
from assistant.answer.overview import answer_overview
from assistant.config import Settings, load_settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.indexer import Indexer, Progress
from assistant.indexing.store import Store
from assistant.saved import Rerun, SavedQuestions
from assistant.schema import Answer, AnswerEvent, Comparison, IndexReport
from assistant.search.adapter import QueryAdapter
from assistant.search.followup import resolve
from assistant.search.question import read_question
from assistant.search.results import Search
from assistant.search.retrieval import Filters, Retriever, allowed_sources

if TYPE_CHECKING:  # the chat-model machinery is imported only when a language model is used
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 1000


def check_question(question: str) -> tuple[str, str]:
    """(question to search, message to the user); an empty question to search means do not search."""
    question = " ".join((question or "").split())
    if not question:
        return "", "Please type a question about the reports."
    if not any(ch.isalnum() for ch in question):
        return "", "The question has no words to search for."
    if len(question) > MAX_QUESTION_CHARS:
        return question[:MAX_QUESTION_CHARS], (
            f"The question was {len(question):,} characters long; only its first {MAX_QUESTION_CHARS:,} were used."
        )
    return question, ""


class Assistant:
    """Holds the index and the encoder; loads the model once, answers many questions."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        thresholds: Thresholds | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.embedder = embedder or Embedder(batch_size=self.settings.embed_batch, backend=self.settings.encoder)
        self.store = Store(self.settings)
        self.retriever = Retriever(
            self.store, self.embedder, adapter=QueryAdapter.load(self.settings.query_adapter, self.embedder)
        )
        self.answerer = Answerer(self.store, self.embedder, thresholds)
        self.chat_model = chat_model
        self._generative = None
        self._write_lock = threading.Lock()  # one indexing run at a time; questions go on meanwhile
        # Saved questions are asked again without a language model: the quotes' citations are what is compared.
        self.saved = SavedQuestions(self.store, self.ask_quoted)
        self.last_rerun = Rerun()
        self.store.refresh(force=True)  # with a server: a fresh process builds its cache from it here

    @property
    def uses_llm(self) -> bool:
        return self.chat_model is not None or self.settings.llm != "extractive"

    def generative(self):
        """The LLM answerer, built on first use (the model behind it may be remote or loaded lazily)."""
        if self._generative is None:
            from assistant.llm.chain import GenerativeAnswerer
            from assistant.llm.grounding import GroundingChecker
            from assistant.llm.models import build_chat_model

            model = self.chat_model or build_chat_model(self.settings)
            self._generative = GenerativeAnswerer(model, self.answerer, GroundingChecker(self.embedder))
        return self._generative

    def warm_up(self) -> None:
        """Loads the encoders (the plain one and the query adapter's) now, so the first question does not wait."""
        self.retriever.adapter(["warm up"], self.embedder.encode(["warm up"]))

    def index(
        self,
        rebuild: bool = False,
        progress: Progress | None = None,
        show_bar: bool = False,
        settle: float = 0.0,
        via: str = "index",
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring the index in step with the corpus folder, then ask again the saved questions it could change.

        `via` names what asked for the run in the changelog: "index", "watch", "web"; setting `stop` ends the run
        early, leaving the index consistent.
        """
        with self._write_lock, self.store.writing(self.settings.lock_wait):
            self.store.via = via
            indexer = Indexer(self.settings, self.store, self.embedder)
            report = indexer.sync(rebuild, progress, show_bar, settle, stop)
            self.last_rerun = self.saved.catch_up()
        return report

    def ask(self, question: str, history=None, filters: Filters | dict | None = None) -> Answer:
        """Answer from the reports' own words, with numbered citations, or say they do not cover it."""
        return self.ask_with_search(question, history, filters)[0]

    def refresh(self) -> bool:
        """With a Chroma server: take in what other processes indexed (checked at most every few seconds)."""
        return self.store.refresh()

    def ask_quoted(self, question: str, filters: Filters | dict | None = None) -> Answer:
        """The answer made of the reports' own sentences, even when a language model is chosen."""
        return self.ask_with_search(question, None, filters, quoted_only=True)[0]

    def ask_with_search(
        self, question: str, history=None, filters=None, quoted_only: bool = False
    ) -> tuple[Answer, Search | None]:
        """The answer and the ranked search behind it (for evaluation and debugging)."""
        run = self._run(question, history, filters, quoted_only)
        while True:
            try:
                next(run)
            except StopIteration as done:
                return done.value

    def ask_stream(self, question: str, history=None, filters=None) -> Iterator[AnswerEvent]:
        """Checked pieces of text as they are ready (from a language model), then the final Answer."""
        answer, _ = yield from self._run(question, history, filters)
        yield AnswerEvent(answer=answer)

    def _run(
        self, asked: str, history, filters, quoted_only: bool = False
    ) -> Generator[AnswerEvent, None, tuple[Answer, Search | None]]:
        """Yields streamed pieces; returns the answer with its search (None for a facts table or no search)."""
        self.store.refresh()
        original = asked if isinstance(asked, str) else ""
        text, message = check_question(original)
        if not text:
            return Answer(question=original, text=message, no_answer=True, message=message), None
        filters = filters if isinstance(filters, Filters) else Filters.from_dict(filters)
        generative, note = (None, "") if quoted_only else self._generative_or_note()
        question = read_question(generative.condense(text, history) if generative else resolve(text, history))
        search = None
        answer, uncompared = self._compare_answer(question)  # "what changed since the last inspection?"
        metas = self._metas_within(filters)
        answer = answer or answer_from_facts(question, metas, self.store)
        answer = answer or answer_overview(question, metas, self.store)  # no graded report of the authority
        if answer is None:
            search = self.retriever.search(question, filters)
            if generative:
                answer = yield from generative.stream(search)
            else:
                answer = self.answerer.answer(search)
        notes = [message, note, uncompared, answer.text]  # `note`: why a chosen language model is not used
        answer.text = "\n\n".join(part for part in notes if part)
        answer.question, answer.resolved_question, answer.message = original, question.text, message
        return answer, search

    def compare(
        self, authority: str, before: str | None = None, after: str | None = None, latest: bool = False
    ) -> Comparison:
        """Two reports of an authority side by side: `before`/`after` a year, an ISO date or a source; by default its
        latest two graded reports (with `latest`, its latest two reports of any kind)."""
        self.store.refresh()
        metas = self.retriever.metas()
        return compare_reports(self.store, metas, authority, before, after, latest, encode=self.embedder.encode)

    def _compare_answer(self, question) -> tuple[Answer | None, str]:
        """A "what changed" question about one authority, answered by comparing its reports; else None, with why
        no comparison could be made. With one report indexed, what it says itself ("services have improved since
        the last inspection") is searched for instead."""
        if not is_compare_question(question):
            return None, ""
        before, after, latest = question_pair(question)
        comparison = self.compare(question.named[0], before, after, latest)
        if comparison.before is None or comparison.after is None:
            return None, " ".join(comparison.notes)
        return comparison_answer(comparison, self.store, self.retriever.metas(), question.text), ""

    def reports_of(self, authority: str) -> list[tuple[str, dict]]:
        """(source, metadata) of an authority's dated Ofsted reports, oldest first."""
        return reports_of(self.retriever.metas(), authority)

    def new_latest_reports(self, report: IndexReport) -> dict[str, str]:
        """authority -> its report that this indexing run added or changed, when that is now its newest of two
        or more (a comparison with the one before it is worth offering)."""
        metas = self.retriever.metas()
        found: dict[str, str] = {}
        for source in [*report.added, *report.updated]:
            meta = metas.get(source, {})
            authority = meta.get("authority") or next(iter(meta.get("authorities") or []), "")
            reports = self.reports_of(authority) if authority and meta.get("source_type") == "ofsted" else []
            if len(reports) >= 2 and reports[-1][0] == source:
                found[authority] = source
        return found

    def newest_comparisons(self, report: IndexReport) -> list[Comparison]:
        """For each authority with a report new in this run, its newest report beside the one before it."""
        return [self.compare(authority, after=source) for authority, source in self.new_latest_reports(report).items()]

    def _metas_within(self, filters: Filters) -> dict[str, dict]:
        metas = self.retriever.metas()
        allowed = allowed_sources(metas, filters, [])
        return metas if allowed is None else {source: metas[source] for source in allowed}

    def _generative_or_note(self):
        """(the LLM answerer, "") when one is chosen and can be built; (None, a note why not) if it cannot."""
        if not self.uses_llm:
            return None, ""
        try:
            return self.generative(), ""
        except Exception as exc:
            from assistant.llm.chain import failure_note

            log.warning("language model unavailable: %s", exc)
            return None, failure_note(exc)

    def documents(self) -> dict[str, dict]:
        """source -> metadata of every indexed document."""
        self.store.refresh()
        return self.store.metas()

    def removed_dir(self) -> Path:
        """Where removed reports are moved: beside the corpus folder, never inside it."""
        return self.settings.corpus_dir.resolve().parent / "removed"

    def remove(self, source: str) -> Path | None:
        """Take a report out of the index and move its file out of the corpus; returns where it went.

        Raises KeyError for a source that is neither indexed nor a file in the corpus.
        """
        root = self.settings.corpus_dir.resolve()
        path = (root / source).resolve()
        if not path.is_relative_to(root) or path == root:
            raise KeyError(source)
        with self._write_lock, self.store.writing(self.settings.lock_wait):
            indexed = source in self.store.documents()
            if not indexed and not path.is_file():
                raise KeyError(source)
            moved = _move_unique(path, self.removed_dir() / source) if path.is_file() else None
            if indexed:
                self.store.via = "removal"
                self.store.remove(source)
                self.last_rerun = self.saved.catch_up()
        log.info("removed %s%s", source, f" (file moved to {moved})" if moved else "")
        return moved

    def close(self) -> None:
        self.store.close()


def _move_unique(path: Path, target: Path) -> Path:
    """Move a file to target, or to target with a number added if that name is taken."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, number = target, 1
    while candidate.exists():
        number += 1
        candidate = target.with_name(f"{target.stem}-{number}{target.suffix}")
    shutil.move(path, candidate)
    return candidate


def build_index(settings: Settings | None = None, rebuild: bool = False) -> IndexReport:
    """Index the corpus folder once and return what changed."""
    assistant = Assistant(settings)
    try:
        return assistant.index(rebuild=rebuild)
    finally:
        assistant.close()

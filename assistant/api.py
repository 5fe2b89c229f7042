"""The one public API that the CLI, the web chat and the evaluation all use."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .answer import Answerer, Thresholds
from .config import Settings, load_settings
from .embeddings import Embedder
from .factual import answer_from_facts
from .followup import resolve
from .indexer import Indexer, Progress
from .retrieval import Filters, Retriever, Search, allowed_sources
from .schema import Answer, IndexReport
from .store import Store

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
        self.retriever = Retriever(self.store, self.embedder)
        self.answerer = Answerer(self.store, self.embedder, thresholds)
        self.chat_model = chat_model
        self._generative = None
        self._write_lock = threading.Lock()  # one indexing run at a time; questions go on meanwhile

    @property
    def uses_llm(self) -> bool:
        return self.chat_model is not None or self.settings.llm != "extractive"

    def generative(self):
        """The LLM answerer, built on first use (the model behind it may be remote or loaded lazily)."""
        if self._generative is None:
            from .chain import GenerativeAnswerer
            from .grounding import GroundingChecker
            from .llm import build_chat_model

            model = self.chat_model or build_chat_model(self.settings)
            self._generative = GenerativeAnswerer(model, self.answerer, GroundingChecker(self.embedder))
        return self._generative

    def index(
        self,
        rebuild: bool = False,
        progress: Progress | None = None,
        show_bar: bool = False,
        settle: float = 0.0,
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring the index in step with the corpus folder; setting `stop` ends the run early (consistent)."""
        with self._write_lock:
            return Indexer(self.settings, self.store, self.embedder).sync(rebuild, progress, show_bar, settle, stop)

    def ask(self, question: str, history=None, filters: Filters | dict | None = None) -> Answer:
        """Answer from the reports' own words, with numbered citations, or say they do not cover it."""
        return self.ask_with_search(question, history, filters)[0]

    def ask_with_search(self, question: str, history=None, filters=None) -> tuple[Answer, Search | None]:
        """The answer and the ranked search behind it (for evaluation and debugging)."""
        for item in self._answer_stream(question, history, filters):
            if isinstance(item, tuple):
                return item
        raise AssertionError("the answer stream ended without an answer")

    def ask_stream(self, question: str, history=None, filters=None) -> Iterator[str | Answer]:
        """Pieces of text as they are ready, then the final Answer (whose text is what the user should see)."""
        streamed = False
        for item in self._answer_stream(question, history, filters):
            if isinstance(item, str):
                streamed = True
                yield item
            else:
                if not streamed:
                    yield item[0].text
                yield item[0]

    def _answer_stream(self, question: str, history, filters) -> Iterator[str | tuple[Answer, Search | None]]:
        original = question if isinstance(question, str) else ""
        question, message = check_question(original)
        if not question:
            yield Answer(question=original, text=message, no_answer=True, message=message), None
            return
        filters = filters if isinstance(filters, Filters) else Filters.from_dict(filters)
        generative, note = self._generative_or_note()
        searched = generative.condense(question, history) if generative else resolve(question, history)
        search = None
        answer = answer_from_facts(searched, self._metas_within(filters), self.store)  # judgements, inspectors
        if answer is None:
            search = self.retriever.search(searched, filters)
            if generative:
                for item in generative.stream(searched, search):
                    if isinstance(item, str):
                        yield item
                    else:
                        answer = item
            else:
                answer = self.answerer.answer(searched, search)
                answer.text = f"{note}\n\n{answer.text}" if note else answer.text
        answer.question, answer.resolved_question, answer.message = original, searched, message
        if message:
            answer.text = f"{message}\n\n{answer.text}"
        yield answer, search

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
            from .chain import failure_note

            log.warning("language model unavailable: %s", exc)
            return None, failure_note(exc)

    def documents(self) -> dict[str, dict]:
        """source -> metadata of every indexed document."""
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
        with self._write_lock:
            indexed = source in self.store.documents()
            if not indexed and not path.is_file():
                raise KeyError(source)
            moved = _move_unique(path, self.removed_dir() / source) if path.is_file() else None
            if indexed:
                self.store.remove(source)
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

"""The generative path as LangChain pieces: our retrieval as a BaseRetriever, the checked answer as a Runnable."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough
from pydantic import ConfigDict

from assistant.answer.extractive import Answerer, document_label
from assistant.dates import doc_date
from assistant.llm.grounding import GroundingChecker, SentenceCheck, split_sentences
from assistant.llm.prompting import answer_messages, condense_messages, sanitised
from assistant.schema import Answer, AnswerEvent, Citation
from assistant.search.followup import previous_questions, resolve
from assistant.search.results import Hit, Search
from assistant.search.retrieval import Filters, Retriever
from assistant.text import stems

MAX_CONDENSED_CHARS = 300


class ReportsRetriever(BaseRetriever):
    """The project's fused dense + BM25 retrieval, for use in any LangChain chain."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    filters: Filters | None = None
    k: int = 8

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_document(hit) for hit in self.retriever.search(query, self.filters, self.k).hits]


def hit_document(hit: Hit) -> Document:
    """A search hit as a LangChain Document: the passage, with where it comes from and its scores."""
    meta = {
        "source": hit.chunk.source,
        "chunk_id": hit.chunk.chunk_id,
        "doc_id": hit.chunk.doc_id,
        "page": hit.chunk.page,
        "heading": hit.chunk.heading,
        "start": hit.chunk.start,
        "title": hit.meta.get("title", ""),
        "source_type": hit.meta.get("source_type", "other"),
        "authority": ", ".join(hit.meta.get("authorities", [])),
        "date": doc_date(hit.meta),
        "label": document_label(hit.meta),
        "dense": hit.dense,
        "lexical": hit.lexical,
        "fused": hit.fused,
        "rank": hit.rank,
    }
    return Document(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


def citation_document(citation: Citation) -> Document:
    """A numbered citation's whole passage as a Document, for the prompt."""
    meta = {"n": citation.n, "source": citation.source, "page": citation.page, "label": citation.label}
    return Document(page_content=citation.passage, metadata=meta)


@dataclass
class GeneratedAnswer:
    """What the answer chain returns: the draft, each sentence's verdict, and the text a user is shown."""

    draft: str
    sentences: list[SentenceCheck] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.shown for s in self.sentences if s.shown)

    @property
    def cited(self) -> list[int]:
        """Passage numbers cited by the sentences shown."""
        return sorted({n for s in self.sentences if s.shown for n in s.citations})


def draft_chain(model: BaseChatModel) -> Runnable:
    """{"question", "documents"} -> the model's answer text, streamed piece by piece."""
    to_messages = RunnableLambda(lambda x: answer_messages(x["question"], x["documents"]), name="prompt")
    return to_messages | model | StrOutputParser()


def build_answer_chain(model: BaseChatModel, checker: GroundingChecker) -> Runnable:
    """{"question", "documents"} -> GeneratedAnswer, every sentence checked against its cited passage."""

    def ground(x: dict) -> GeneratedAnswer:
        passages = [sanitised(d.page_content) for d in x["documents"]]
        return GeneratedAnswer(x["draft"], checker.check(x["draft"], passages), list(x["documents"]))

    return RunnablePassthrough.assign(draft=draft_chain(model)) | RunnableLambda(ground, name="ground")


def build_rag_chain(retriever: BaseRetriever, model: BaseChatModel, checker: GroundingChecker) -> Runnable:
    """question -> GeneratedAnswer: retrieve, then answer from the passages found."""
    return {"question": RunnablePassthrough(), "documents": retriever} | build_answer_chain(model, checker)


def checked_sentences(pieces: Iterable[str], passages: list[str], checker: GroundingChecker) -> Iterator[SentenceCheck]:
    """Check sentences as the model completes them, so only checked text ever reaches the user."""
    buffer, done = "", 0
    for piece in pieces:
        buffer += piece
        sentences = split_sentences(buffer)
        for sentence in sentences[done : len(sentences) - 1]:
            yield checker.check_sentence(sentence, passages)
        done = max(done, len(sentences) - 1)
    for sentence in split_sentences(buffer)[done:]:
        yield checker.check_sentence(sentence, passages)


def failure_note(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:200] or "no detail"
    name = type(exc).__name__
    timed_out = "timeout" in name.lower() or "timed out" in detail.lower()
    reason = f"no reply within the time limit ({name})" if timed_out else f"{name}: {detail}"
    return f"(The language model could not be reached: {reason.rstrip('.')}. Showing the passages instead.)"


UNSUPPORTED_NOTE = (
    "(The language model's answer was not supported by the cited passages, so it is not shown. "
    "Showing the passages instead.)"
)


def with_note(answer: Answer, note: str, sentences: list[SentenceCheck] | None = None) -> Answer:
    """The extractive answer, with a visible note saying why it is shown."""
    answer.text = f"{note}\n\n{answer.text}"
    answer.sentences = [s.to_json() for s in sentences or []]
    return answer


class GenerativeAnswerer:
    """Answers with a chat model from the passages the extractive answerer would cite, checked sentence by sentence;
    falls back to the extractive answer, with a note, whenever the model fails or says nothing supported."""

    def __init__(self, model: BaseChatModel, extractive: Answerer, checker: GroundingChecker) -> None:
        self.model = model
        self.extractive = extractive
        self.checker = checker
        self.draft = draft_chain(model)

    def condense(self, question: str, history) -> str:
        """A follow-up rewritten by the model as a standalone question; the rule-based one if that fails."""
        earlier = previous_questions(history)
        if not earlier:
            return question
        try:
            reply = self.model.invoke(condense_messages(question, earlier)).text
        except Exception:
            return resolve(question, history)
        condensed = clean_condensed(reply)
        context = set(stems(" ".join([question, *earlier])))
        if not condensed or len(condensed) > MAX_CONDENSED_CHARS or not set(stems(condensed)) & context:
            return resolve(question, history)
        return condensed

    def stream(self, search: Search) -> Generator[AnswerEvent, None, Answer]:
        """Yields each checked sentence as it comes; returns the final Answer."""
        base = self.extractive.answer(search)
        if base.no_answer:
            return base
        documents = [citation_document(c) for c in base.citations]
        passages = [sanitised(d.page_content) for d in documents]
        checks: list[SentenceCheck] = []
        try:
            pieces = self.draft.stream({"question": search.question.text, "documents": documents})
            for check in checked_sentences(pieces, passages, self.checker):
                checks.append(check)
                if check.shown:
                    yield AnswerEvent(text=check.shown + " ")
        except Exception as exc:
            return with_note(base, failure_note(exc), checks)
        return self.compose(base, checks)

    @staticmethod
    def compose(base: Answer, checks: list[SentenceCheck]) -> Answer:
        shown = [c for c in checks if c.shown]
        cited = {n for c in shown for n in c.citations}
        sentences = [c.to_json() for c in checks]
        if not cited and any(c.says_not_covered for c in shown):
            text = " ".join(c.shown for c in shown)
            return Answer(base.question, text, no_answer=True, citations=base.citations, sentences=sentences)
        if not cited:
            return with_note(base, UNSUPPORTED_NOTE, checks)
        citations = [c for c in base.citations if c.n in cited]
        text = " ".join(c.shown for c in shown)
        return Answer(base.question, text, no_answer=False, citations=citations, sentences=sentences)


def clean_condensed(reply: str) -> str:
    """The first line of the model's reply, without a label or quotation marks around it."""
    line = next((x.strip() for x in reply.splitlines() if x.strip()), "")
    line = re.sub(r"^(?:standalone question|question|last question)\s*:\s*", "", line, flags=re.IGNORECASE)
    return line.strip(" \"'“”")

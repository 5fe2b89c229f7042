"""Measure answering on a dev set: hit@1, hit@5, MRR, not-found accuracy, time; and the tutorial baseline."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .api import Assistant


@dataclass
class Case:
    question: str
    source: str | None
    evidence: str | None
    answerable: bool
    kind: str = ""
    history: list[str] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)  # other (source, evidence) that answer it as well


@dataclass
class Scores:
    name: str
    ranks: list[int | None] = field(default_factory=list)  # rank of the first right passage, per answerable case
    declared: list[bool] = field(default_factory=list)  # per unanswerable case: said "not found"?
    false_not_found: int = 0
    times_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # one line per question answered wrongly

    def hit_at(self, k: int) -> float:
        return sum(1 for r in self.ranks if r and r <= k) / max(1, len(self.ranks))

    @property
    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r) / max(1, len(self.ranks))

    def row(self) -> str:
        nf = f"{sum(self.declared)}/{len(self.declared)}" if self.declared else "-"
        fnf = f"{self.false_not_found}/{len(self.ranks)}"
        median = f"{statistics.median(self.times_ms):.1f}" if self.times_ms else "-"
        return (
            f"{self.name:<28} {self.hit_at(1):>6.3f} {self.hit_at(5):>6.3f} {self.mrr:>6.3f} "
            f"{nf:>10} {fnf:>10} {median:>9}"
        )


HEADER = f"{'pipeline':<28} {'hit@1':>6} {'hit@5':>6} {'MRR':>6} {'not-found':>10} {'false-nf':>10} {'median ms':>9}"


def load_cases(path: Path, strict: bool = False) -> list[Case]:
    """A dev set's cases; `strict` keeps only each question's first gold answer (its `also` ignored)."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                Case(
                    row["question"],
                    row.get("source"),
                    row.get("evidence"),
                    bool(row.get("answerable", True)),
                    row.get("kind", ""),
                    row.get("history") or [],
                    [] if strict else [(alt["source"], alt["evidence"]) for alt in row.get("also") or []],
                )
            )
    return cases


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split()).lower()


def is_right(case: Case, source: str, passage: str) -> bool:
    """A passage answers a case if it comes from the gold file and holds the evidence phrase, or from the file of
    one of the other answers (`also`) and holds its phrase."""
    answers = [(case.source, case.evidence or ""), *case.also]  # an unanswerable case's source is None
    return any(source == gold and _norm(evidence) in _norm(passage) for gold, evidence in answers)


def first_right(case: Case, ranked: list[tuple[str, str]]) -> int | None:
    return next((i for i, (source, passage) in enumerate(ranked, start=1) if is_right(case, source, passage)), None)


def _ranked(answer, search) -> list[tuple[str, str]]:
    """The passages in rank order: the search's, or the citations of an answer made from the reports' facts."""
    if search is not None:
        return [(h.chunk.source, h.chunk.text) for h in search.hits]
    return [(c.source, c.passage) for c in answer.citations]


def evaluate_assistant(assistant: Assistant, cases: list[Case], name: str = "assistant (hybrid)") -> Scores:
    scores = Scores(name)
    assistant.ask("warm up")  # the first call pays for lazy initialisation
    for case in cases:
        started = time.perf_counter()
        answer, search = assistant.ask_with_search(case.question, history=case.history or None)
        scores.times_ms.append((time.perf_counter() - started) * 1000)
        ranked = _ranked(answer, search)
        rank = first_right(case, ranked) if case.answerable else None
        if case.answerable:
            scores.ranks.append(rank)
            scores.false_not_found += answer.no_answer
        else:
            scores.declared.append(answer.no_answer)
        if answer.no_answer == case.answerable or (case.answerable and rank != 1):
            scores.misses.append(f"[{case.kind}] rank={rank} no_answer={answer.no_answer}: {case.question}")
    return scores


def tutorial_store(settings, embedder, client):
    """LangChain's tutorial pipeline over the corpus: the same parser, 1000/200 recursive splits, Chroma."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from .indexer import scan_corpus
    from .loaders import LoadError, load_bytes

    docs = []
    for source, path in scan_corpus(settings.corpus_dir, settings):
        try:
            parsed = load_bytes(path.read_bytes(), path.suffix, int(settings.max_file_mb * 1e6))
        except LoadError:
            continue
        for page, text in enumerate(parsed.pages, start=1):
            docs.append(LCDocument(page_content=text, metadata={"source": source, "page": page}))
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    store = Chroma(client=client, collection_name="tutorial", embedding_function=embedder)
    for start in range(0, len(splits), 5000):  # Chroma takes at most ~5,000 records per call
        store.add_documents(splits[start : start + 5000])
    return store


def evaluate_tutorial_baseline(assistant: Assistant, cases: list[Case]) -> Scores:
    """LangChain's tutorial RAG: 1000/200 recursive splits, the same model, Chroma, similarity_search k=4."""
    import chromadb

    scores = Scores("langchain tutorial (k=4)")
    with tempfile.TemporaryDirectory() as tmp:
        store = tutorial_store(assistant.settings, assistant.embedder, chromadb.PersistentClient(path=tmp))
        for case in cases:
            started = time.perf_counter()
            found = store.similarity_search(case.question, k=4)
            scores.times_ms.append((time.perf_counter() - started) * 1000)
            ranked = [(d.metadata["source"], d.page_content) for d in found]
            if case.answerable:
                scores.ranks.append(first_right(case, ranked))
            else:
                scores.declared.append(False)  # it always answers
    return scores


def run(assistant: Assistant, devset: Path, baseline: bool = True, strict: bool = False) -> list[Scores]:
    cases = load_cases(devset, strict)
    results = [evaluate_assistant(assistant, cases)]
    if baseline:
        results.append(evaluate_tutorial_baseline(assistant, cases))
    return results

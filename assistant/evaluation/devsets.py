"""Measure answering on a dev set: hit@1, hit@5, MRR, not-found accuracy, time; and the tutorial baseline."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.api import Assistant


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
    cited: list[int | None] = field(default_factory=list)  # per answerable case: the first right citation's number
    quoted: list[bool] = field(default_factory=list)  # ... and the answering words among the quotes?
    declared: list[bool] = field(default_factory=list)  # per unanswerable case: said "not found"?
    false_not_found: int = 0
    times_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # one line per question answered wrongly
    # kind, answerable, rank, (cited at, quoted), said
    outcomes: list[tuple[str, bool, int | None, tuple[int | None, bool], str]] = field(default_factory=list)
    uncertain: int = 0  # questions answered with leads only ("not sure")

    def record(
        self, case: Case, rank: int | None, outcome: str, ms: float, shown: tuple[int | None, bool] = (None, False)
    ) -> None:
        """One question's outcome: the rank of its first right passage, the number of the answer's first citation
        of one and whether its quotes hold the answering words (`shown`), and whether it was answered, not covered
        or not sure. An unanswerable question counts as declared unless answered; an answerable one counts as a
        false not-found only when declared not covered (leads still show the passages)."""
        self.times_ms.append(ms)
        self.outcomes.append((case.kind, case.answerable, rank, shown, outcome))
        self._count(case.answerable, rank, shown, outcome)
        if (outcome != "answered") == case.answerable or (case.answerable and rank != 1):
            self.misses.append(f"[{case.kind}] rank={rank} {outcome}: {case.question}")

    def _count(self, answerable: bool, rank: int | None, shown: tuple[int | None, bool], outcome: str) -> None:
        self.uncertain += outcome == "uncertain"
        if answerable:
            self.ranks.append(rank)
            self.cited.append(shown[0])
            self.quoted.append(shown[1])
            self.false_not_found += outcome == "not_covered"
        else:
            self.declared.append(outcome != "answered")

    def by_kind(self) -> dict[str, Scores]:
        """The same figures for each kind of question."""
        kinds: dict[str, Scores] = {}
        for kind, answerable, rank, shown, outcome in self.outcomes:
            kinds.setdefault(kind, Scores(f"  {kind or '-'}"))._count(answerable, rank, shown, outcome)
        return dict(sorted(kinds.items()))

    def hit_at(self, k: int) -> float:
        return sum(1 for r in self.ranks if r and r <= k) / max(1, len(self.ranks))

    @property
    def mrr(self) -> float:
        return _mrr(self.ranks)

    def row(self) -> str:
        nf = f"{sum(self.declared)}/{len(self.declared)}" if self.declared else "-"
        fnf = f"{self.false_not_found}/{len(self.ranks)}"
        median = f"{statistics.median(self.times_ms):.1f}" if self.times_ms else "-"
        cited = sum(1 for n in self.cited if n) / max(1, len(self.cited))
        quoted = sum(self.quoted) / max(1, len(self.quoted))
        figures = (self.hit_at(1), self.hit_at(5), self.mrr, cited, _mrr(self.cited), quoted)
        ranked = " ".join(f"{x:>6.3f}" if self.ranks else f"{'-':>6}" for x in figures)
        return f"{self.name:<28} {ranked} {nf:>10} {fnf:>10} {self.uncertain:>6} {median:>9}"


def _mrr(ranks: list[int | None]) -> float:
    return sum(1.0 / r for r in ranks if r) / max(1, len(ranks))


# hit@k and MRR rank the passages searched; "cited" counts the answers whose citations (what a user is shown)
# hold a right passage and "c-MRR" ranks them by the number of the first, "quoted" counts those whose quotes hold
# the start of the answering words.
HEADER = (
    f"{'pipeline':<28} {'hit@1':>6} {'hit@5':>6} {'MRR':>6} {'cited':>6} {'c-MRR':>6} {'quoted':>6} "
    f"{'not-found':>10} {'false-nf':>10} {'unsure':>6} {'median ms':>9}"
)


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


QUOTED_WORDS = 6  # a quote holds the answer if it holds this many first words of the evidence phrase


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split()).lower()


def is_right(case: Case, source: str, passage: str) -> bool:
    """A passage answers a case if it comes from the gold file and holds the evidence phrase, or from the file of
    one of the other answers (`also`) and holds its phrase."""
    return any(source == gold and _norm(evidence) in _norm(passage) for gold, evidence in _answers(case))


def is_quoted(case: Case, source: str, quote: str) -> bool:
    """A quote holds the answer if it comes from a right file and holds the first words of its evidence phrase
    (a quote is a sentence or two; a phrase may run on into the next), or is itself part of that phrase ("Lead
    inspector: Alison Smale" of "Lead inspector: Alison Smale, Her Majesty's Inspector")."""
    said = _norm(quote)
    return any(
        source == gold
        and (
            " ".join(_norm(evidence).split()[:QUOTED_WORDS]) in said
            or (len(said.split()) >= 3 and said in _norm(evidence))
        )
        for gold, evidence in _answers(case)
    )


def _answers(case: Case) -> list[tuple[str | None, str]]:
    """(source, evidence) of each right answer; an unanswerable case's source is None."""
    return [(case.source, case.evidence or ""), *case.also]


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
        ms = (time.perf_counter() - started) * 1000
        rank = first_right(case, _ranked(answer, search)) if case.answerable else None
        shown = (
            next((c.n for c in answer.citations if is_right(case, c.source, c.passage)), None),
            any(is_quoted(case, c.source, c.quote) for c in answer.citations),
        )
        scores.record(case, rank, answer.outcome or ("not_covered" if answer.no_answer else "answered"), ms, shown)
    return scores


def tutorial_store(settings, embedder, client):
    """LangChain's tutorial pipeline over the corpus: the same parser, 1000/200 recursive splits, Chroma."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.indexing.indexer import scan_corpus
    from assistant.ingest.loaders import LoadError, load_bytes

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
            ms = (time.perf_counter() - started) * 1000
            ranked = [(d.metadata["source"], d.page_content) for d in found]
            rank = first_right(case, ranked) if case.answerable else None
            # it always answers, from all four passages; what it would quote is its model's
            scores.record(case, rank, "answered", ms, (rank, False))
    return scores


def run(assistant: Assistant, devset: Path, baseline: bool = True, strict: bool = False) -> list[Scores]:
    cases = load_cases(devset, strict)
    results = [evaluate_assistant(assistant, cases)]
    if baseline:
        results.append(evaluate_tutorial_baseline(assistant, cases))
    return results

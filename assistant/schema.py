"""Plain data passed between the stages: parsed documents, chunks, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.dates import doc_date
from assistant.titles import readable_title

SOURCE_TYPES = ("ofsted", "council", "news", "other")  # also the order answers cite them in: Ofsted first


@dataclass
class Document:
    """A parsed report or article with what is known about it."""

    doc_id: str  # hash of the file's bytes
    source: str  # path relative to the corpus root: the document's identity
    file_name: str
    title: str
    text: str
    page_starts: list[int]  # character offset where each page begins
    source_type: str = "other"
    authorities: list[str] = field(default_factory=list)
    publication_date: str | None = None  # ISO dates
    inspection_start: str | None = None
    inspection_end: str | None = None
    notes: list[str] = field(default_factory=list)  # what the loader had to work around

    @property
    def page_count(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """1-based page holding a character offset."""
        page = 1
        for number, start in enumerate(self.page_starts, start=1):
            if start <= offset:
                page = number
        return page

    def meta(self) -> dict:
        """Everything but the text, as plain values."""
        data = asdict(self)
        data.pop("text")
        data["page_count"] = self.page_count
        return data


@dataclass
class Chunk:
    """A passage of a document: a span of its text, under a heading, on a page."""

    chunk_id: str
    doc_id: str
    source: str
    index: int
    start: int
    end: int
    page: int
    heading: str
    text: str


@dataclass
class Citation:
    """A numbered source of an answer: the passage and the sentence(s) quoted from it."""

    n: int
    doc_id: str
    source: str
    file_name: str
    title: str
    source_type: str
    authority: str
    date: str | None
    page: int
    passage: str
    passage_start: int
    quote: str
    quote_start: int  # span of the quote in the document's text
    quote_end: int
    score: float
    heading: str = ""
    label: str = ""  # how the answer introduces the document ("Ofsted's letter of 16 February 2012 ...")

    @classmethod
    def quoting(cls, n: int, meta: dict, chunk: Chunk, span: tuple[int, int], **extra: object) -> Citation:
        """Citation n of a passage (`chunk`) of the document described by `meta`, quoting the span of its text."""
        offset = span[0] - chunk.start
        return cls(
            n=n,
            doc_id=chunk.doc_id,
            source=chunk.source,
            file_name=meta.get("file_name", ""),
            title=readable_title(meta),
            source_type=meta.get("source_type", "other"),
            authority=", ".join(meta.get("authorities") or []),
            date=doc_date(meta),
            page=chunk.page,
            passage=chunk.text,
            passage_start=chunk.start,
            quote=chunk.text[offset : offset + span[1] - span[0]],
            quote_start=span[0],
            quote_end=span[1],
            heading=chunk.heading,
            **extra,
        )

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class TimelinePoint:
    """One report on a chart of grades over time: when, its grade as worded, whose, which citation states it."""

    date: str  # ISO: the report's publication date, else its inspection's last day
    grade: str
    authority: str
    n: int  # the citation [n] of the table row
    level: int | None = None  # 4 outstanding, 3 good, 2 requires improvement, 1 inadequate; None off that scale

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class FactTable:
    """An answer made of report facts: a row per report, each citing the sentence of its report that states it."""

    columns: list[str]
    rows: list[list[str]]  # cells in column order, as the reports word them
    citations: list[int]  # the [n] of each row

    def markdown(self) -> str:
        """The table as Markdown, a Source column of [n] last (a pipe inside a cell cannot break it)."""
        lines = ["| " + " | ".join([*self.columns, "Source"]) + " |", "|" + "---|" * (len(self.columns) + 1)]
        for cells, n in zip(self.rows, self.citations, strict=True):
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + f" | [{n}] |")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str
    no_answer: bool
    citations: list[Citation] = field(default_factory=list)
    message: str = ""  # a note about the question itself (empty, too long ...)
    resolved_question: str = ""  # the question as searched, after follow-up resolution
    # With a language model: each generated sentence, its citations, verdict (kept/flagged/removed), reason.
    sentences: list[dict] = field(default_factory=list)
    outcome: str = ""  # answered, not_covered (no_answer, reason says why) or uncertain (citations are leads)
    reason: str = ""
    # A judgement table of two or more dated reports: its rows as points in time, oldest first.
    timeline: list[TimelinePoint] = field(default_factory=list)
    table: FactTable | None = None  # an answer from the reports' facts; its Markdown ends the text

    def to_json(self) -> dict:
        data = {
            "question": self.question,
            "answer": self.text,
            "no_answer": self.no_answer,
            "outcome": self.outcome or ("not_covered" if self.no_answer else "answered"),
            "reason": self.reason,
            "message": self.message,
            "resolved_question": self.resolved_question,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.sentences:
            data["sentences"] = self.sentences
        if self.timeline:
            data["timeline"] = [p.to_json() for p in self.timeline]
        if self.table:
            data["table"] = self.table.to_json()
        return data


@dataclass(frozen=True)
class AnswerEvent:
    """One step of a streamed answer: a checked piece of text to show now, or, last of all, the whole Answer
    (whose text is what the user should end up seeing)."""

    text: str = ""
    answer: Answer | None = None


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source -> reason
    waiting: list[str] = field(default_factory=list)  # still being written, left for the next run
    chunks_written: int = 0
    reencoded: str = ""  # why stored passages were encoded again (the encoder changed), if they were
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)} "
            f"({self.chunks_written} chunks written in {self.seconds:.1f} s)"
        ]
        lines += [f"  {self.reencoded}"] if self.reencoded else []
        lines += [f"  failed: {source}: {reason}" for source, reason in sorted(self.failed.items())]
        return "\n".join(lines)


# ---- comparing two reports of one authority (answer/compare.py) ----


@dataclass
class Quote:
    """A sentence quoted from a report: its words, where they stand (page, character span) and the report's date."""

    source: str
    quote: str
    page: int
    start: int
    end: int
    date: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class ReportRef:
    """One side of a comparison: which report, of what kind, dated when."""

    source: str
    date: str | None
    doc_type: str
    judgements: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class JudgementChange:
    """A judgement both reports make: its name (as the newer report words it) and both grades, each cited."""

    name: str
    before: str
    after: str
    citations: list[Quote] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "before": self.before,
            "after": self.after,
            "citations": [q.to_json() for q in self.citations],
        }


FINDING_STATUSES = ("persisting", "improved", "new", "recommendation")


@dataclass
class Finding:
    """A finding of the comparison: its status, a topic line of the quotes' own words, and the quotes."""

    status: str  # one of FINDING_STATUSES
    text: str
    quotes: list[Quote] = field(default_factory=list)
    polarity: str = ""  # weakness or strength, as the earlier (or, for new, the newer) quote reads

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "text": self.text,
            "polarity": self.polarity,
            "quotes": [q.to_json() for q in self.quotes],
        }


@dataclass
class Comparison:
    """Two reports of one authority side by side: judgements that moved or held, findings, each quoted."""

    authority: str
    before: ReportRef | None
    after: ReportRef | None
    judgements: list[JudgementChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said plainly: one report only, a side with no grades

    def to_json(self) -> dict:
        return {
            "authority": self.authority,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
            "judgements": [j.to_json() for j in self.judgements],
            "findings": [f.to_json() for f in self.findings],
            "notes": self.notes,
        }

"""Fitting the query adapter (search/adapter.py) on questions whose answering sentence is known, and the ranking
it is fitted for: each question against every sentence of the files that answer it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.api import Assistant
from assistant.evaluation.devsets import Case, is_quoted
from assistant.ingest.chunking import encoded_sentences
from assistant.search.adapter import QueryAdapter
from assistant.search.question import read_question

TEMPERATURE = 0.05  # cosines differ by hundredths between close sentences; the softmax must see them apart


@dataclass
class Example:
    """A question's vector against the sentences of the files that answer it; `right` marks the answering ones."""

    question: str
    vector: np.ndarray
    sentences: np.ndarray  # one row per sentence
    right: np.ndarray  # bool per sentence
    passages: list[str]  # the chunk id of each sentence


def collect_examples(assistant: Assistant, cases: list[Case]) -> list[Example]:
    """Two examples per answerable case with its evidence among the stored sentences (the whole question's vector
    and its topic's, as search encodes them); follow-ups are left out, their wording is the conversation's."""
    examples = []
    for case in cases:
        if not case.answerable or case.history or not case.evidence:
            continue
        found = _sentences(assistant, case)
        if found is None:
            continue
        sentences, right, passages = found
        for vector in assistant.retriever.question_vectors(read_question(case.question)):
            examples.append(Example(case.question, vector, sentences, right, passages))
    return examples


def _sentences(assistant: Assistant, case: Case) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """The stored sentence vectors of the case's answering files, which of them answer, and their passages."""
    ids = assistant.store.chunk_ids(list(dict.fromkeys([case.source, *(source for source, _ in case.also)]))) or []
    vectors, rows = assistant.store.sentence_vectors(ids), assistant.store.chunk_rows(ids)
    kept, right, passages = [], [], []
    for cid in ids:
        if cid not in vectors or cid not in rows:
            continue
        texts = encoded_sentences(rows[cid].text)
        if not texts or vectors[cid].size % len(texts):
            continue  # stored by another version of the sentence splitter
        for text, vector in zip(texts, vectors[cid].reshape(len(texts), -1), strict=True):
            kept.append(vector)
            right.append(is_quoted(case, rows[cid].source, text))  # the sentence a right quote would be
            passages.append(cid)
    return (np.array(kept), np.array(right), passages) if any(right) else None


def fit(examples: list[Example], strength: float, steps: int = 300, seed: int = 0) -> np.ndarray:
    """The matrix I + A that ranks each example's answering sentences first (softmax over its sentences), with
    `strength` * |A|² keeping it near the identity, so questions like none it was fitted on move little."""
    import torch  # installed with sentence-transformers; only fitting needs it

    torch.manual_seed(seed)
    size = examples[0].vector.shape[0]
    change = torch.zeros(size, size, requires_grad=True)
    optimiser = torch.optim.Adam([change], lr=1e-3)
    data = [(torch.tensor(e.vector), torch.tensor(e.sentences), torch.tensor(e.right)) for e in examples]
    for _ in range(steps):
        optimiser.zero_grad()
        loss = strength * (change**2).sum()
        for vector, sentences, right in data:
            mapped = vector + change @ vector
            logits = sentences @ (mapped / mapped.norm()) / TEMPERATURE
            loss = loss + (torch.logsumexp(logits, 0) - torch.logsumexp(logits[right], 0)) / len(data)
        loss.backward()
        optimiser.step()
    return (torch.eye(size) + change).detach().numpy()


@dataclass
class Ranking:
    sentence_mrr: float
    passage_mrr: float
    passage_hit5: float

    def __str__(self) -> str:
        return f"{self.sentence_mrr:.3f} {self.passage_mrr:.3f} {self.passage_hit5:.3f}"


def ranking(examples: list[Example], adapter: QueryAdapter) -> Ranking:
    """MRR of the first answering sentence among the files' sentences; MRR and hit@5 of its passage, passages
    ranked by their closest sentence."""
    sentence, passage = [], []
    for example in examples:
        scores = example.sentences @ adapter(example.vector)
        order = np.argsort(-scores)
        sentence.append(next(n for n, i in enumerate(order, start=1) if example.right[i]))
        best: dict[str, tuple[float, bool]] = {}
        for score, cid, right in zip(scores, example.passages, example.right, strict=True):
            held = best.get(cid, (-2.0, False))
            best[cid] = (max(held[0], float(score)), held[1] or bool(right))
        ordered = sorted(best.values(), key=lambda item: -item[0])
        passage.append(next(n for n, (_, right) in enumerate(ordered, start=1) if right))
    return Ranking(
        float(np.mean([1 / r for r in sentence])),
        float(np.mean([1 / r for r in passage])),
        float(np.mean([r <= 5 for r in passage])),
    )

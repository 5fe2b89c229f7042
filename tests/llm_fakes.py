"""A deterministic chat model for the tests: the only fake, standing exactly at the LLM boundary."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from assistant.llm.prompting import CONDENSE

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)


def passages(messages: list[BaseMessage]) -> dict[int, str]:
    """The numbered passages as the prompt gives them to the model."""
    return {int(n): text for n, text in _PASSAGE.findall(messages[-1].text)}


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip())[0].rstrip(".")


def is_condense(messages: list[BaseMessage]) -> bool:
    return messages[0].text == CONDENSE


class ScriptedChatModel(BaseChatModel):
    """Replies with respond(messages); streams the reply word by word; records every call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    respond: Callable[[list[BaseMessage]], str]
    calls: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.calls.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.respond(messages)))])

    def _stream(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> Iterator:
        self.calls.append(list(messages))
        for piece in re.findall(r"\S+\s*", self.respond(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def failing(exc: Exception) -> Callable[[list[BaseMessage]], str]:
    def respond(messages: list[BaseMessage]) -> str:
        raise exc

    return respond

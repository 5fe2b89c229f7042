"""One settings object, read from the environment when asked for (never at import)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

LLM_CHOICES = ("extractive", "openai", "ollama", "local")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Where things live and the knobs of each stage."""

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    chroma_url: str = ""  # empty: the embedded store in index_dir
    collection: str = "reports"
    lock_wait: float = 0.0  # seconds an indexing run waits for another process's run on the same server
    max_file_mb: float = 20.0
    chunk_chars: int = 900  # MiniLM reads 256 word pieces, about 1,000 characters
    embed_batch: int = 64
    encoder: str = "auto"  # auto (ONNX int8 when it works, else torch), onnx-int8, onnx or torch
    query_adapter: str = "fitted"  # the questions' encoder changes: fitted (shipped), none, or a .npz file
    parse_workers: int = max(1, (os.cpu_count() or 2) - 1)  # PDF parsing processes beside the encoder
    encode_group: int = 512  # chunks gathered from several files before one encode
    catalogue_names: tuple[str, ...] = field(default=("catalogue.csv",))
    llm: str = "extractive"  # extractive (no LLM), openai (any OpenAI-compatible endpoint), ollama, local
    llm_model: str = ""  # the model's name on the endpoint; for local, a GGUF file (default: SmolLM2)
    llm_timeout: float = 60.0  # seconds one call to the language model may take
    llm_max_tokens: int = 400

    @property
    def db_path(self) -> Path:
        return self.index_dir / "manifest.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced, ignoring the ones left as None."""
        kept = {k: v for k, v in changes.items() if v is not None}
        for key in ("corpus_dir", "index_dir"):
            if key in kept:
                kept[key] = Path(kept[key])  # type: ignore[arg-type]
        return replace(self, **kept)  # type: ignore[arg-type]


def load_settings() -> Settings:
    """Settings from ASSISTANT_* variables and CHROMA_URL, with defaults for the rest."""
    return Settings(
        corpus_dir=Path(_env("ASSISTANT_CORPUS", "corpus")),
        index_dir=Path(_env("ASSISTANT_INDEX", "index")),
        chroma_url=_env("CHROMA_URL", ""),
        collection=_env("ASSISTANT_COLLECTION", "reports"),
        lock_wait=float(_env("ASSISTANT_LOCK_WAIT", "0")),
        max_file_mb=float(_env("ASSISTANT_MAX_FILE_MB", "20")),
        encode_group=int(_env("ASSISTANT_ENCODE_GROUP", "512")),
        encoder=_env("ASSISTANT_ENCODER", "auto"),
        query_adapter=_env("ASSISTANT_QUERY_ADAPTER", "fitted"),
        parse_workers=int(_env("ASSISTANT_PARSE_WORKERS", str(max(1, (os.cpu_count() or 2) - 1)))),
        llm=_env("ASSISTANT_LLM", "extractive").lower(),
        llm_model=_env("ASSISTANT_LLM_MODEL", ""),
        llm_timeout=float(_env("ASSISTANT_LLM_TIMEOUT", "60")),
        llm_max_tokens=int(_env("ASSISTANT_LLM_MAX_TOKENS", "400")),
    )


def add_location_options(parser: argparse.ArgumentParser) -> None:
    """--corpus, --index and --chroma-url: where the reports and the index live (CLI and web chat alike)."""
    parser.add_argument("--corpus", help="folder of reports (default: corpus/, or ASSISTANT_CORPUS)")
    parser.add_argument("--index", help="folder of the index (default: index/, or ASSISTANT_INDEX)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (or CHROMA_URL)")


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    """--llm, --llm-model and --llm-timeout: who writes the answer."""
    parser.add_argument(
        "--llm",
        choices=LLM_CHOICES,
        help="who writes the answer: extractive quotes (default, or ASSISTANT_LLM), an OpenAI-compatible endpoint "
        "(OPENAI_BASE_URL, OPENAI_API_KEY), Ollama (OLLAMA_HOST) or a local GGUF model (SmolLM2 by default)",
    )
    parser.add_argument("--llm-model", help="the model's name (or ASSISTANT_LLM_MODEL); for local, a GGUF file")
    parser.add_argument("--llm-timeout", type=float, help="seconds one model call may take (or ASSISTANT_LLM_TIMEOUT)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The environment's settings with what the command line gave on top."""
    return load_settings().with_overrides(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
        chroma_url=getattr(args, "chroma_url", None),
        llm=getattr(args, "llm", None),
        llm_model=getattr(args, "llm_model", None),
        llm_timeout=getattr(args, "llm_timeout", None),
    )

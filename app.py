"""The web chat: a thin Gradio shell over assistant.Assistant (python app.py --help)."""

from __future__ import annotations

import argparse
import logging

from assistant.api import Assistant
from assistant.cli import add_llm_options
from assistant.config import load_settings
from assistant.render import answer_markdown


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Ask questions about the inspection reports in a browser.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, or ASSISTANT_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860, or ASSISTANT_PORT)")
    parser.add_argument("--corpus", help="folder of reports (default corpus/, or ASSISTANT_CORPUS)")
    parser.add_argument("--index", help="folder of the index (default index/, or ASSISTANT_INDEX)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store (or CHROMA_URL)")
    add_llm_options(parser)
    return parser.parse_args(argv)


def build_ui(assistant: Assistant):
    import gradio as gr

    def respond(message: str, history: list[dict]) -> str:
        return answer_markdown(assistant.ask(message, history=history))

    return gr.ChatInterface(
        respond,
        title="Inspection reports assistant",
        description="Answers in the reports' own words, every quote with its source.",
        examples=[
            "What did Ofsted say about agency staff in Doncaster?",
            "How many child protection conferences were postponed in Darlington?",
            "How did Devon County Council respond to the report?",
        ],
    )


def main(argv: list[str] | None = None) -> None:
    import os

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = load_settings().with_overrides(
        corpus_dir=args.corpus,
        index_dir=args.index,
        chroma_url=args.chroma_url,
        llm=args.llm,
        llm_model=args.llm_model,
        llm_timeout=args.llm_timeout,
    )
    assistant = Assistant(settings)
    print(assistant.index(show_bar=True).summary(), flush=True)
    host = args.host or os.environ.get("ASSISTANT_HOST") or "127.0.0.1"
    port = args.port or int(os.environ.get("ASSISTANT_PORT") or 7860)
    build_ui(assistant).launch(server_name=host, server_port=port, share=False)


if __name__ == "__main__":
    main()

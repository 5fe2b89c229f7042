"""Start the web chat: settings from the command line and the environment, the index caught up in the
background, the page served on localhost unless told otherwise (python app.py --help)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import threading

from assistant.api import Assistant
from assistant.config import add_llm_options, add_location_options, settings_from_args
from assistant.search.adapter import AdapterError
from assistant.web.background import BackgroundIndexer
from assistant.web.handlers import ChatHandlers
from assistant.web.page import CSS, HEAD, build_page


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Ask questions about the inspection reports in a browser.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, or ASSISTANT_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860, or ASSISTANT_PORT)")
    add_location_options(parser)
    add_llm_options(parser)
    return parser.parse_args(argv)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def may_manage(host: str, auth: tuple[str, str] | None) -> bool:
    """Adding and removing reports needs a password unless only this computer can reach the app."""
    return bool(auth) or is_loopback(host)


def credentials() -> tuple[str, str] | None:
    """ASSISTANT_USER and ASSISTANT_PASSWORD, when both are set."""
    user, password = os.environ.get("ASSISTANT_USER", ""), os.environ.get("ASSISTANT_PASSWORD", "")
    return (user, password) if user and password else None


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("httpx", "sentence_transformers", "chromadb", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = settings_from_args(args)
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    host = args.host or os.environ.get("ASSISTANT_HOST") or "127.0.0.1"
    port = args.port or int(os.environ.get("ASSISTANT_PORT") or 7860)
    auth = credentials()
    try:
        assistant = Assistant(settings)
    except AdapterError as exc:  # a setting, not a bug: said in one line, as the command line says it
        raise SystemExit(f"error: {exc}") from None
    indexing = BackgroundIndexer(assistant)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        indexing.request()  # catch up with the corpus; the page shows progress and questions are answered meanwhile
        threading.Thread(target=assistant.warm_up, daemon=True).start()
        page = build_page(ChatHandlers(assistant, indexing, can_manage=may_manage(host, auth)))
        serve(page, host, port, auth, settings.max_file_mb)
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM before the server took over: the ordinary way to stop, not an error
    finally:
        # Ctrl-C or SIGTERM: indexing ends after the files being written, the parse workers with it, so the
        # index is left committed rather than cut off mid-file (the next start takes the rest).
        if not indexing.stop():
            logging.warning("indexing did not stop in time; the next start redoes the file it was writing")
    # Status 0 said outright: Python 3.11 ends a process by SIGINT when an interrupt landed inside exec()'d
    # code (a dataclass being made while gradio is imported), even one caught above.
    raise SystemExit(0)


def serve(demo, host: str, port: int, auth: tuple[str, str] | None, max_mb: float) -> None:
    """Serve the page until stopped; never a public share link."""
    demo.queue(default_concurrency_limit=8).launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        max_file_size=f"{max_mb:g}mb",
        css=CSS,
        head=HEAD,
        footer_links=["api"],
    )


def _interrupt(signum: int, frame) -> None:
    """SIGTERM (a service manager's stop) ends the app the way Ctrl-C does, so the cleanup above runs."""
    raise KeyboardInterrupt

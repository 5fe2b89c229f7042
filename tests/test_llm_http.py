"""An OpenAI-compatible endpoint served on loopback inside the test, used through ChatOpenAI over real HTTP."""

from __future__ import annotations

import copy
import json
import re
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import PYTHON, cli_env

AGENCY = "What did Ofsted say about agency staff in Doncaster?"
_PASSAGE_1 = re.compile(r'<passage n="1"[^>]*>\n(.*?)\n</passage>', re.DOTALL)


def grounded_reply(body: dict) -> str:
    """What the endpoint answers: passage 1's first sentence with [1], then an invented sentence."""
    prompt = body["messages"][-1]["content"]
    first = re.split(r"(?<=[.!?])\s+", _PASSAGE_1.search(prompt).group(1).strip())[0].lstrip("- ").rstrip(".")
    return f"{first} [1]. The council also built a new swimming pool for children in care [1]."


class Endpoint(ThreadingHTTPServer):
    """/v1/chat/completions, streamed as server-sent events when asked; records every request."""

    daemon_threads = True

    def __init__(self, reply: Callable[[dict], str], hold: threading.Event | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reply, self.hold, self.requests = reply, hold, []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: Endpoint

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.server.hold is not None:
            self.server.hold.wait(timeout=30)  # a server that does not answer until the test ends
            return
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        text = self.server.reply(body)
        if body.get("stream"):
            self._stream(body["model"], text)
        else:
            self._json({"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"], **_choice(text)})

    def _json(self, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _stream(self, model: str, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for event in _events(model, text):
            self.wfile.write(f"data: {event}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


def _choice(text: str) -> dict:
    message = {"role": "assistant", "content": text}
    return {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


def _events(model: str, text: str) -> Iterator[str]:
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model}
    for piece in re.findall(r"\S+\s*", text):
        yield json.dumps({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    yield json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})


@pytest.fixture
def serve():
    servers: list[tuple[Endpoint, threading.Thread]] = []

    def start(reply: Callable[[dict], str] = grounded_reply, hold: threading.Event | None = None) -> Endpoint:
        server = Endpoint(reply, hold)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        if server.hold is not None:
            server.hold.set()
        server.shutdown()
        server.server_close()
        thread.join()


def openai_assistant(sample_assistant, monkeypatch, url: str, timeout: float = 30.0):
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    assistant = copy.copy(sample_assistant)
    assistant.settings = sample_assistant.settings.with_overrides(
        llm="openai", llm_model="loopback-model", llm_timeout=timeout
    )
    assistant.chat_model, assistant._generative = None, None
    return assistant


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_openai_compatible_endpoint_streams_a_checked_answer(sample_assistant, monkeypatch, serve):
    server = serve()
    assistant = openai_assistant(sample_assistant, monkeypatch, server.url)
    *pieces, answer = [event.text or event.answer for event in assistant.ask_stream(AGENCY)]
    request = server.requests[-1]
    assert request["path"] == "/v1/chat/completions" and request["body"]["stream"] is True
    assert request["body"]["model"] == "loopback-model"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["authorization"] == "Bearer test-key"
    system, human = request["body"]["messages"]
    assert system["role"] == "system" and '<passage n="1"' in human["content"]
    assert [s["verdict"] for s in answer.sentences] == ["kept", "removed"]
    assert "".join(pieces).strip() == answer.text and "swimming" not in answer.text
    assert "(The language model" not in answer.text and [c.n for c in answer.citations] == [1]


def test_an_unreachable_endpoint_gives_the_passages_with_a_note(sample_assistant, monkeypatch):
    assistant = openai_assistant(sample_assistant, monkeypatch, f"http://127.0.0.1:{closed_port()}/v1")
    answer = assistant.ask(AGENCY)
    assert re.match(r"\(The language model could not be reached: \w*ConnectionError: Connection error\.", answer.text)
    assert "Showing the passages instead.)\n\nOfsted's letter of 16 February 2012" in answer.text
    assert answer.citations and not answer.no_answer


@pytest.mark.slow
def test_an_endpoint_that_never_answers_times_out_within_the_bound(sample_assistant, monkeypatch, serve):
    server = serve(hold=threading.Event())
    assistant = openai_assistant(sample_assistant, monkeypatch, server.url, timeout=1.0)
    answer = assistant.ask(AGENCY)
    assert answer.text.startswith("(The language model could not be reached: no reply within the time limit")
    assert len(server.requests) == 2  # one retry, then the fallback


@pytest.mark.slow
def test_cli_json_adds_sentences_from_the_endpoint(sample_assistant, serve):
    server = serve()
    env = cli_env(sample_assistant.settings)
    env.update(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="test-key")
    args = ["-m", "assistant", "-q", "ask", "--json", "--llm", "openai", "--llm-model", "loopback-model", AGENCY]
    result = subprocess.run([PYTHON, *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["verdict"] for s in data["sentences"]] == ["kept", "removed"]
    assert data["sentences"][1]["reason"].startswith("not supported") and "swimming" not in data["answer"]
    assert server.requests and server.requests[-1]["body"]["stream"] is True
    assert "Traceback" not in result.stderr

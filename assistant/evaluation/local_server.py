"""A `chroma run` server on this machine's loopback, for the tests and benchmarks of several processes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chroma_server(path: Path, ready_within: float = 60.0) -> Iterator[str]:
    """`chroma run` on a free loopback port, yielded as its URL once its heartbeat answers; stopped on leaving."""
    chroma = shutil.which("chroma")
    if chroma is None:
        raise RuntimeError("the chroma command from the chromadb package is not on PATH")
    port = free_port()
    server = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + ready_within
        while True:  # the server's own heartbeat says when it is ready
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)  # polling the condition above, with a deadline
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)

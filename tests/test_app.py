"""The web app's shell: arguments, who may change the corpus, the page builds without a browser."""

from __future__ import annotations

import pytest

import app


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("192.168.1.5", False)],
)
def test_is_loopback(host, loopback):
    assert app.is_loopback(host) is loopback


def test_managing_reports_beyond_localhost_needs_credentials(monkeypatch):
    monkeypatch.delenv("ASSISTANT_USER", raising=False)
    monkeypatch.delenv("ASSISTANT_PASSWORD", raising=False)
    assert app.credentials() is None
    assert app.may_manage("127.0.0.1", None) and not app.may_manage("0.0.0.0", None)
    monkeypatch.setenv("ASSISTANT_USER", "inspector")
    monkeypatch.setenv("ASSISTANT_PASSWORD", "s3cret")
    assert app.credentials() == ("inspector", "s3cret")
    assert app.may_manage("0.0.0.0", app.credentials())


def test_arguments():
    args = app.parse_args(["--host", "0.0.0.0", "--port", "8000", "--corpus", "c", "--index", "i", "--chroma-url", "u"])
    assert (args.host, args.port, args.corpus, args.index, args.chroma_url) == ("0.0.0.0", 8000, "c", "i", "u")


def test_page_builds_and_exposes_ask(sample_assistant):
    from assistant.background import BackgroundIndexer

    demo = app.build_ui(sample_assistant, BackgroundIndexer(sample_assistant), can_manage=False)
    api_names = {dep.api_name for dep in demo.fns.values() if dep.api_name and dep.api_visibility == "public"}
    assert api_names == {"ask"}

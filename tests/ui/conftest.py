"""A live `shopassist serve` on loopback over the dialogue tests' shop home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.assistant.conftest import shop_home  # noqa: F401  (session fixture reused)

AGENT = ("agent", "test-password-123")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(shop_home, llm_dir):  # noqa: F811
    port = _free_port()
    env = {**os.environ, "SHOPASSIST_HOME": str(shop_home), "SHOPASSIST_LLM": llm_dir,
           "SHOPASSIST_AGENT_USER": AGENT[0], "SHOPASSIST_AGENT_PASSWORD": AGENT[1], "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("shopassist")), "serve", "--port", str(port), "--collection",
                             "online-retail"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            urllib.request.urlopen(url + "/config", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        proc.kill()
        raise RuntimeError("server did not start in time")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()

"""The shipped HAProxy configuration ends TLS with a self-signed certificate, redirects plain
HTTP, tells the replicas the scheme, and can keep the console to the shop's network (real
HAProxy and openssl; two stand-in replicas that echo what reached them)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the stdlib's name)
        body = json.dumps({"path": self.path, "proto": self.headers.get("X-Forwarded-Proto")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def balancer(tmp_path):
    if not shutil.which("haproxy") or not shutil.which("openssl"):
        pytest.skip("haproxy and openssl are needed (apt-get install haproxy openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    pem = tmp_path / "tls.pem"
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    replicas = [ThreadingHTTPServer(("127.0.0.1", 0), Echo) for _ in range(2)]
    for server in replicas:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    plain, tls = _free_port(), _free_port()
    env = {**os.environ, "SHOPASSIST_LB_BIND": f"127.0.0.1:{plain}", "SHOPASSIST_TLS_BIND": f"127.0.0.1:{tls}",
           "SHOPASSIST_TLS_PEM": str(pem), "SHOPASSIST_CONSOLE_NETWORK": "10.0.0.0/8",
           **{f"SHOPASSIST_REPLICA_{i + 1}": f"127.0.0.1:{s.server_port}" for i, s in enumerate(replicas)}}
    proc = subprocess.Popen(["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # until both replicas pass their health checks
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{tls}/healthz", context=context, timeout=2)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    yield plain, tls, context
    proc.terminate()
    proc.wait(5)
    for server in replicas:
        server.shutdown()


def test_tls_is_ended_at_the_balancer_with_the_scheme_passed_on(balancer):
    plain, tls, context = balancer
    answer = json.load(urllib.request.urlopen(f"https://127.0.0.1:{tls}/healthz", context=context, timeout=5))
    assert answer == {"path": "/healthz", "proto": "https"}


def test_plain_http_is_redirected_to_https(balancer):
    plain, _, _ = balancer

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(Stay).open(f"http://127.0.0.1:{plain}/", timeout=5)
    assert moved.value.code == 301 and moved.value.headers["Location"].startswith("https://")


def test_the_console_answers_only_the_shops_network(balancer):
    _, tls, context = balancer
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"https://127.0.0.1:{tls}/agent/", context=context, timeout=5)
    assert refused.value.code == 403
    assert json.load(urllib.request.urlopen(f"https://127.0.0.1:{tls}/", context=context, timeout=5))["path"] == "/"

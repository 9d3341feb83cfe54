"""The shipped load-balancer configurations parse, as the tools themselves read them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_haproxy_config_is_valid():
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    done = subprocess.run(["haproxy", "-c", "-q", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_nginx_config_is_valid():
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    done = subprocess.run([nginx, "-t", "-c", str(DEPLOY / "nginx.conf")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

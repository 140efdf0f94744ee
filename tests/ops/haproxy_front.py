"""haproxy in front of test replicas, configured from deploy/haproxy-replicas.cfg (the replica tests' helper)."""

from __future__ import annotations

import os
import re
import shutil

from tests.conftest import ROOT

# Debian installs haproxy in /usr/sbin, which a user's PATH may leave out (.ci/run runs as root or as a user who may sudo).
HAPROXY = shutil.which("haproxy", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def haproxy_config(port: int, servers: list[tuple[str, str]]) -> str:
    """deploy/haproxy-replicas.cfg listening on 127.0.0.1:``port``, its replicas ``servers`` ((name, address:port))."""
    text = (ROOT / "deploy" / "haproxy-replicas.cfg").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*)bind .*$", rf"\1bind 127.0.0.1:{port}", text)
    text = re.sub(r"(?m)^\s*server .*\n", "", text)
    assert "backend readers" in text
    return text.rstrip("\n") + "\n" + "".join(f"    server {name} {address} check\n" for name, address in servers)

"""The load balancer: HAProxy's configuration, and its runtime API for taking servers out.

Round robin over the replicas, with a health check every second: two failed checks take
a replica out, two good ones put it back. A Rasa replica answers one message at a time
(its model runs on one event loop), so it gets at most `maxconn` requests at once and
the rest wait in HAProxy's queue, for whichever replica frees up first. Without that,
a burst queues inside the replica, its health check waits behind the burst, and the
load balancer takes a busy replica out, and then the other: the first `make bench` run
with 50 conversations on one replica did exactly that. A request that cannot connect to a replica is
sent to another (`retry-on conn-failure`); one that reached a replica is never sent twice,
since a chat message must not be processed twice. HAProxy logs nothing: no line ties a
client address to a time or a conversation.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

# Rasa waits for a conversation's lock (Redis) before a turn; a turn waits at most that
# long plus its own time, so the server timeout is above Rasa's ticket lifetime.
SERVER_TIMEOUT_SECONDS = 90


@dataclass(frozen=True)
class Backend:
    """One group of replicas behind one address.

    Attributes:
        name: the backend's name (`rasa`, `actions`, `web`); servers are `<name>-<n>`.
        bind: the address the load balancer listens on (`host:port`).
        servers: the replicas' addresses (`host:port`).
        health_path: what a health check requests.
        maxconn: the most requests one replica gets at once (None: no limit).
    """

    name: str
    bind: str
    servers: tuple[str, ...]
    health_path: str
    maxconn: int | None = None


def render(backends: list[Backend], state_dir: Path) -> str:
    """HAProxy's configuration for `backends`, with its admin socket in `state_dir`."""
    lines = [
        "# Written by `python -m cluster` (cluster/haproxy.py): edit that, not this file.",
        "global",
        f"    stats socket {state_dir / 'haproxy.sock'} mode 600 level admin",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 120s",
        f"    timeout server {SERVER_TIMEOUT_SECONDS}s",
        "    timeout check 5s",
        "    timeout queue 60s",
        "    timeout http-request 10s",
        "    retries 3",
        "    option redispatch",
        "    retry-on conn-failure",
        "    default-server inter 1s fall 2 rise 2",
    ]
    for backend in backends:
        lines += [
            "",
            f"frontend {backend.name}",
            f"    bind {backend.bind}",
            # The web replicas take the client's address from here (TRUSTED_PROXIES).
            "    option forwardfor",
            f"    default_backend {backend.name}",
            "",
            f"backend {backend.name}",
            "    balance roundrobin",
            f"    option httpchk GET {backend.health_path}",
            # Which replica answered: for the operators and the tests.
            "    http-response set-header X-Served-By %[srv_name]",
        ]
        limit = f" maxconn {backend.maxconn}" if backend.maxconn else ""
        lines += [
            f"    server {backend.name}-{n} {address} check{limit}"
            for n, address in enumerate(backend.servers, start=1)
        ]
    return "\n".join(lines) + "\n"


class RuntimeApi:
    """HAProxy's admin socket: take a server out of rotation and put it back."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path

    def command(self, line: str) -> str:
        """Send one command; return HAProxy's answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def set_enabled(self, backend: str, server: str, enabled: bool) -> None:
        """Put `backend/server` in or out of rotation (maintenance)."""
        state = "ready" if enabled else "maint"
        answer = self.command(f"set server {backend}/{server} state {state}")
        if answer.strip():
            raise RuntimeError(f"HAProxy refused to set {backend}/{server} {state}: {answer}")

    def server_states(self) -> dict[str, str]:
        """`backend/server` → its status as HAProxy sees it (UP, DOWN, MAINT, ...)."""
        rows = self.command("show stat").splitlines()
        header = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            values = dict(zip(header, row.split(","), strict=False))
            if values.get("svname") not in ("FRONTEND", "BACKEND", None):
                states[f"{values['pxname']}/{values['svname']}"] = values["status"]
        return states

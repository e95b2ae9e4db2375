"""A stand-in for Rasa's HTTP API where no model is needed: status, model loads, chat.

It answers GET /status and PUT /model like Rasa (remembering every request), and every
REST webhook message with one line. Tests of the deploy pipeline and of the web app's
shared state use it; the tests in tests/e2e that need Rasa's answers start the real one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHAT_REPLY = [{"recipient_id": "x", "text": "Hello from Rasa."}]


class FakeRasa(ThreadingHTTPServer):
    """The server; `requests` lists (method, path, body) of each status or model request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, object]] = []
        self.model_file = "assistant.tar.gz"

    @property
    def url(self) -> str:
        """Its address."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeRasa

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: object = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.server.requests.append(("GET", self.path, None))
        self._reply(200, {"model_file": self.server.model_file})

    def do_PUT(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(("PUT", self.path, body))
        self.server.model_file = Path(body["model_file"]).name
        self._reply(204)

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply(200, CHAT_REPLY)


@contextmanager
def running_fake_rasa() -> Iterator[FakeRasa]:
    """Serve a FakeRasa in a thread; stop it on leaving."""
    server = FakeRasa()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()

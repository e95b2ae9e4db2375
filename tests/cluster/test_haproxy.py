"""HAProxy's configuration as the launcher writes it."""

from __future__ import annotations

from pathlib import Path

from cluster.haproxy import Backend, render


def test_round_robin_health_checks_and_a_queue_in_front_of_rasa(tmp_path: Path) -> None:
    config = render(
        [
            Backend("rasa", "127.0.0.1:5005", ("127.0.0.1:5006", "127.0.0.1:5007"), "/", 4),
            Backend("web", "127.0.0.1:8000", ("127.0.0.1:8001", "127.0.0.1:8002"), "/healthz"),
        ],
        tmp_path,
    )
    lines = [line.strip() for line in config.splitlines()]
    assert "server rasa-1 127.0.0.1:5006 check maxconn 4" in lines
    assert "server web-2 127.0.0.1:8002 check" in lines  # no limit on the web app
    assert lines.count("balance roundrobin") == 2
    assert "option httpchk GET /healthz" in lines
    # Only a refused connection is retried: a message that reached Rasa is never sent twice.
    assert "retry-on conn-failure" in lines
    assert not any(line.startswith("log ") for line in lines)  # no access log
    assert f"stats socket {tmp_path / 'haproxy.sock'} mode 600 level admin" in lines

"""What an earlier launcher left running is found, and stopped on request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cluster.launcher import Cluster, leftovers, stop_leftovers
from cluster.layout import Layout
from cluster.processes import NotReady


def test_a_leftover_process_blocks_a_new_start_until_stopped(tmp_path: Path) -> None:
    layout = Layout.from_env({"SECRET_KEY": "k" * 64, "CLUSTER_DIR": str(tmp_path / "run")})
    layout.state_dir.mkdir()
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    layout.pid_file("rasa-1").write_text(f"{orphan.pid}\n")
    layout.pid_file("web-2").write_text("999999999\n")  # long gone: forgotten
    try:
        assert leftovers(layout) == {"rasa-1": orphan.pid}
        assert not layout.pid_file("web-2").exists()
        with pytest.raises(NotReady, match=r"rasa-1 \(PID \d+\).*python -m cluster stop"):
            Cluster(layout, say=lambda line: None).start(tmp_path / "model.tar.gz")
        stop_leftovers(layout, say=lambda line: None)
        assert orphan.wait(timeout=10) != 0  # terminated
        assert leftovers(layout) == {}
    finally:
        orphan.kill()

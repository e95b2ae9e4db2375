"""Child processes: start with a log and a PID file, wait until ready, stop in order."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

STOP_SECONDS = 15.0  # after SIGTERM, before SIGKILL


class NotReady(RuntimeError):
    """A process ended, or did not become ready in time; the message names its log."""


@dataclass
class Child:
    """One started process, known by its name (`rasa-1`, `redis`, ...)."""

    name: str
    process: subprocess.Popen[bytes]
    pid_file: Path
    log: Path
    stop_signal: signal.Signals = signal.SIGTERM

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines of its log, to say why it stopped."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Its stop signal, then SIGKILL if it has not ended after STOP_SECONDS."""
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.pid_file.unlink(missing_ok=True)


def start(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    pid_file: Path,
    log: Path,
    stop_signal: signal.Signals = signal.SIGTERM,
    **popen_options: object,
) -> Child:
    """Start `argv` with its output in `log`, and write its PID to `pid_file`.

    The child gets its own process group, so a Ctrl-C in the terminal reaches only the
    launcher, which then stops the children in order.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen_options,  # type: ignore[arg-type]
        )
    pid_file.write_text(f"{process.pid}\n", encoding="utf-8")
    return Child(name, process, pid_file, log, stop_signal)


def wait_until(child: Child, ready: Callable[[], bool], seconds: float) -> None:
    """Poll `ready` until it is true.

    Raises:
        NotReady: the child ended, or `seconds` passed.
    """
    deadline = time.monotonic() + seconds
    while True:
        if child.process.poll() is not None:
            raise NotReady(
                f"{child.name} stopped (exit {child.process.returncode}); its log "
                f"{child.log} ends with:\n{child.log_tail()}"
            )
        if ready():
            return
        if time.monotonic() > deadline:
            raise NotReady(
                f"{child.name} was not ready after {seconds:.0f} s; its log {child.log} "
                f"ends with:\n{child.log_tail()}"
            )
        time.sleep(0.5)


def answers(url: str, params: Mapping[str, str] | None = None) -> Callable[[], bool]:
    """A readiness check: `url` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, params=params, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    return check

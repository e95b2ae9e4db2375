"""Wait until every Rasa replica serves a model (the deploy stage with several replicas).

The replicas pull the model themselves (`bot.training.serving`, Rasa's model server);
the deploy stage only watches each replica's `/status` until all report the new file.
A replica busy loading a model does not answer for a few seconds, so "not reachable"
is only final when the time is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.errors import Refused
from bot.training.rasa_server import RasaServer, RasaServerError

POLL_SECONDS = 1.0
UNREACHABLE = "could not be reached"


class RolloutTimedOut(Refused):
    """Some replicas did not serve the model in time; the message names them."""


def _report(replica: RasaServer) -> str | None:
    """The model file `replica` serves, or None when it does not answer."""
    try:
        return str(replica.status().get("model_file"))
    except RasaServerError:
        return None


def _late(url: str, served: str | None) -> str:
    return f"{url} {UNREACHABLE}" if served is None else f"{url} still serves {served}"


def wait_for_replicas(
    replicas: Sequence[RasaServer],
    model_name: str,
    seconds: float,
    say: Callable[[str], None],
    *,
    poll_seconds: float | None = None,
) -> float:
    """Poll every replica until each reports `model_name`; return the seconds it took.

    Args:
        replicas: every Rasa replica, each by its own address.
        model_name: the file name the replicas report once they serve the model.
        seconds: the most to wait.
        say: writes one line to the run's log (each switch, then the total).
        poll_seconds: the pause between two rounds of `/status` requests (default
            POLL_SECONDS).

    Raises:
        RolloutTimedOut: the time ran out; the message says what each late replica did.
    """
    started = time.monotonic()
    waiting = {replica.url: replica for replica in replicas}
    last: dict[str, str | None] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(replicas))) as pool:
        while True:
            reports = dict(zip(waiting, pool.map(_report, waiting.values()), strict=True))
            elapsed = time.monotonic() - started
            for url, served in reports.items():
                last[url] = served
                if served == model_name:
                    del waiting[url]
                    say(f"{url} serves {model_name} after {elapsed:.0f} s")
            if not waiting:
                say(f"all {len(replicas)} replicas serve {model_name} after {elapsed:.0f} s")
                return elapsed
            if elapsed >= seconds:
                late = "; ".join(_late(url, last[url]) for url in waiting)
                raise RolloutTimedOut(
                    f"{len(waiting)} of {len(replicas)} Rasa replicas did not serve "
                    f"{model_name} within {seconds:.0f} s: {late}."
                )
            time.sleep(POLL_SECONDS if poll_seconds is None else poll_seconds)

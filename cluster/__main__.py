"""`python -m cluster [MODEL]`: start the cluster, print its addresses, stop it on Ctrl-C.

`python -m cluster stop` stops what a launcher that was killed left running.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from cluster.launcher import Cluster, stop_leftovers, wait_for_ctrl_c
from cluster.layout import Layout
from cluster.processes import NotReady
from cluster.services import MissingProgram


def main(argv: list[str]) -> int:
    """Start the cluster with the model in `argv` (default the trained one); 0 when stopped."""
    os.umask(0o077)  # conversations, keys and logs are for this user only
    # Ctrl-C stops everything, even when started where SIGINT was ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    layout = Layout.from_env()
    if argv == ["stop"]:
        stop_leftovers(layout)
        return 0
    model = Path(argv[0] if argv else layout.root / "models" / "assistant.tar.gz")
    cluster = Cluster(layout)
    try:
        cluster.start(model)
        url = layout.url
        print(
            f"Ready: every replica passed its health check.\n"
            f"  Patient chat:     {url(layout.web_port)}/   (staff: /admin)\n"
            f"  Rasa REST and API: {url(layout.rasa_port)}\n"
            f"  Action servers:   {url(layout.actions_port)}\n"
            f"  PostgreSQL {layout.host}:{layout.postgres_port}, "
            f"Redis {layout.host}:{layout.redis_port}\n"
            f"  Logs and PID files: {layout.state_dir}\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        wait_for_ctrl_c(cluster)
        return 0
    except (NotReady, MissingProgram) as problem:
        print(f"The cluster did not start: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopping...")
        return 130
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

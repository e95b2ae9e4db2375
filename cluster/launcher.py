"""Start the whole cluster in order, wait until every replica is ready, stop it in reverse.

Order: PostgreSQL and Redis; the database's migrations and starter content; the web
replicas (they also serve the live model); the action servers; the load balancer; the
Rasa replicas, which pull their model through it. Stopping goes the other way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.settings import Settings
from bot.training import rasa_commands
from cluster import services
from cluster.haproxy import Backend, RuntimeApi, render
from cluster.layout import Layout
from cluster.processes import Child, NotReady, answers, start, wait_until

# Rasa lets another replica take a conversation's lock when the ticket of a replica that
# died is this old (TICKET_LOCK_LIFETIME); a turn of this assistant takes about a second.
TICKET_LOCK_LIFETIME_SECONDS = 20
# Loading a model takes tens of seconds when two replicas load at once on two cores.
RASA_READY_SECONDS = 600.0
# Requests one Rasa replica gets at once; the load balancer queues the rest (haproxy.py).
RASA_MAXCONN = 4
# What the load balancer's health checks (and the launcher's readiness) request.
HEALTH_PATHS = {"rasa": "/", "actions": "/health", "web": "/healthz"}
READY_SECONDS = 120.0


class Cluster:
    """Every process of the cluster, started by `start()` and stopped by `stop()`.

    Args:
        layout: the ports, folders and secrets.
        say: where progress lines go.
    """

    def __init__(self, layout: Layout, say: Callable[[str], None] = print) -> None:
        self.layout = layout
        self.say = say
        self.children: dict[str, Child] = {}
        self.env = layout.app_environment()
        self.settings = Settings.from_env(self.env, root=layout.root)

    # -- the parts ------------------------------------------------------------------------

    def _start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, **options: object
    ) -> Child:
        child = start(
            name,
            argv,
            env=self.env if env is None else env,
            cwd=self.layout.root,
            pid_file=self.layout.pid_file(name),
            log=self.layout.log_file(name),
            **options,  # type: ignore[arg-type]
        )
        self.children[name] = child
        return child

    def _backends(self) -> list[Backend]:
        host, layout = self.layout.host, self.layout
        fronts = {
            "rasa": (layout.rasa_port, layout.rasa_replica_ports, RASA_MAXCONN),
            "actions": (layout.actions_port, layout.actions_replica_ports, None),
            "web": (layout.web_port, layout.web_replica_ports, None),
        }
        return [
            Backend(name, f"{host}:{port}", tuple(f"{host}:{p}" for p in replicas),
                    HEALTH_PATHS[name], maxconn)
            for name, (port, replicas, maxconn) in fronts.items()
        ]  # fmt: skip

    @property
    def load_balancer(self) -> RuntimeApi:
        """HAProxy's admin socket."""
        return RuntimeApi(self.layout.state_dir / "haproxy.sock")

    def _databases(self) -> None:
        services.init_postgres(self.layout)
        postgres = self._start(
            "postgres",
            services.postgres_argv(self.layout),
            stop_signal=signal.SIGINT,  # "fast" shutdown: do not wait for clients
            **services.postgres_process_options(),
        )
        wait_until(postgres, lambda: services.postgres_ready(self.layout), READY_SECONDS)
        services.create_databases(self.layout)
        config = services.write_redis_config(self.layout)
        redis_server = self._start("redis", services.redis_argv(config))
        wait_until(redis_server, lambda: services.redis_ready(self.layout), READY_SECONDS)

    def _content(self) -> None:
        """Migrate the application database and load the starter articles and trials."""
        python = [sys.executable, "-m", "bot"]
        trials = sorted(str(p) for p in (self.layout.root / "data" / "trials").glob("*.json"))
        log = self.layout.log_file("setup")
        with log.open("ab") as out:
            for argv in (
                [*python, "db", "upgrade"],
                [*python, "kb", "load"],
                [*python, "trials", "import", *trials],
            ):
                code = subprocess.run(
                    argv, cwd=self.layout.root, env=self.env, stdout=out, stderr=out
                ).returncode
                if code != 0:
                    raise NotReady(f"`{' '.join(argv[2:4])}` failed; see {log}")

    def _replicas(
        self,
        kind: str,
        ports: tuple[int, ...],
        argv: Callable[[int], list[str]],
        env: dict[str, str] | None = None,
    ) -> None:
        """Start one `kind` process per port, then wait until each passes its health check."""
        for n, port in enumerate(ports, start=1):
            self._start(f"{kind}-{n}", argv(port), env)
        for n, port in enumerate(ports, start=1):
            health = answers(self.layout.url(port, HEALTH_PATHS[kind]))
            wait_until(self.children[f"{kind}-{n}"], health, READY_SECONDS)

    def _web(self) -> None:
        host = self.layout.host
        self._replicas("web", self.layout.web_replica_ports, lambda port: web_argv(host, port))

    def _actions(self) -> None:
        host = self.layout.host
        self._replicas(
            "actions",
            self.layout.actions_replica_ports,
            lambda port: rasa_commands.run_actions(port, interface=host),
            rasa_commands.environment(base=self.env),
        )

    def _load_balancer(self) -> None:
        config = self.layout.state_dir / "haproxy.cfg"
        config.write_text(render(self._backends(), self.layout.state_dir), encoding="utf-8")
        haproxy = self._start("haproxy", [services.program("haproxy"), "-db", "-f", str(config)])
        front = answers(self.layout.url(self.layout.web_port, HEALTH_PATHS["web"]))
        wait_until(haproxy, front, READY_SECONDS)

    def _rasa(self, model: Path) -> None:
        env = rasa_commands.environment(
            {"TICKET_LOCK_LIFETIME": str(TICKET_LOCK_LIFETIME_SECONDS)}, base=self.env
        )
        for n, port in enumerate(self.layout.rasa_replica_ports, start=1):
            argv = rasa_commands.serve(
                str(model),
                port,
                interface=self.layout.host,
                cors=self.layout.url(self.layout.web_port),
                endpoints=rasa_commands.CLUSTER_ENDPOINTS,
            )
            child = self._start(f"rasa-{n}", argv, env)
            if n == 1:  # it creates the tracker store's table; two at once would collide
                wait_until(child, lambda: services.tracker_store_ready(self.layout), READY_SECONDS)
        token = {"token": self.settings.rasa_token or ""}
        for n, port in enumerate(self.layout.rasa_replica_ports, start=1):
            wait_until(
                self.children[f"rasa-{n}"],
                lambda port=port: _serves_a_model(self.layout.url(port, "/status"), token),
                RASA_READY_SECONDS,
            )

    def _all_up(self) -> bool:
        states = self.load_balancer.server_states()
        return bool(states) and all(state.startswith("UP") for state in states.values())

    # -- the whole ------------------------------------------------------------------------

    def start(self, model: Path) -> None:
        """Start everything and return once every replica passes its health check.

        Args:
            model: what the Rasa replicas load first. They then pull the live model from
                the web app, which serves this file until the staff workspace deploys one.

        Raises:
            NotReady: a part stopped or was not ready in time (the message names its log).
        """
        self.layout.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        running = leftovers(self.layout)
        if running:
            names = ", ".join(f"{name} (PID {pid})" for name, pid in running.items())
            raise NotReady(
                f"Processes of an earlier cluster are still running: {names}. "
                "Stop them with `.venv/bin/python -m cluster stop`."
            )
        self.say("Starting PostgreSQL and Redis...")
        self._databases()
        self._content()
        self.say("Starting the web and action servers and the load balancer...")
        self._web()
        self._actions()
        self._load_balancer()
        self.say("Starting the Rasa servers (loading a model takes a minute)...")
        self._rasa(model)
        wait_until(self.children["haproxy"], self._all_up, READY_SECONDS)

    def stop(self) -> None:
        """Stop every process, the last started first, whatever happens meanwhile."""
        # A second Ctrl-C must not cut this short and leave servers running.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for child in reversed(list(self.children.values())):
                try:
                    child.stop()
                except OSError as error:  # already gone, or its PID file is
                    self.say(f"{child.name}: {error}")
            self.children.clear()
        finally:
            signal.signal(signal.SIGINT, previous)

    def check_children(self) -> list[str]:
        """The names of processes that have ended since the last call (and forget them)."""
        ended = [name for name, c in self.children.items() if c.process.poll() is not None]
        for name in ended:
            self.children.pop(name).pid_file.unlink(missing_ok=True)
        return ended


def leftovers(layout: Layout) -> dict[str, int]:
    """The processes named by PID files in the state folder that are still running."""
    running = {}
    for pid_file in sorted(layout.state_dir.glob("*.pid")):
        try:
            pid = int(pid_file.read_text(encoding="utf-8"))
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            pid_file.unlink(missing_ok=True)  # stale: that process is gone
            continue
        except PermissionError:
            pass  # it exists, under another user
        running[pid_file.stem] = pid
    return running


def stop_leftovers(layout: Layout, say: Callable[[str], None] = print) -> None:
    """Stop what an earlier launcher left running (it was killed before it could)."""
    for name, pid in leftovers(layout).items():
        # PostgreSQL's "fast" shutdown is SIGINT; its SIGTERM waits for every client.
        os.kill(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
        say(f"stopped {name} (PID {pid})")
        layout.pid_file(name).unlink(missing_ok=True)


def web_argv(host: str, port: int) -> list[str]:
    """One web replica, run as `make run` runs the web app (see scripts/run_servers)."""
    return [sys.executable, "-m", "uvicorn", "web.app:app_from_env", "--factory",
            "--host", host, "--port", str(port), "--ws", "none", "--no-server-header",
            "--no-proxy-headers", "--no-access-log"]  # fmt: skip


def _serves_a_model(status_url: str, token: dict[str, str]) -> bool:
    try:
        response = httpx.get(status_url, params=token, timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and bool(response.json().get("model_file"))


def wait_for_ctrl_c(cluster: Cluster) -> None:
    """Report processes that end, until Ctrl-C (or SIGTERM)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for name in cluster.check_children():
                cluster.say(f"{name} stopped; the load balancer sends its work to the others.")
            time.sleep(1)
    except KeyboardInterrupt:
        cluster.say("Stopping...")

"""`make bench`, cluster part: the cluster of `make cluster`, measured through its load balancer.

Throughput and latency for 1, 10 and 50 conversations at once, with one replica of each
server in rotation and then two; the memory of each process; and how long a new model
takes to reach every Rasa replica (a deploy and a rollback, the training skipped).
Messages go through the web app, as the chat page sends them. The results go to
var/results/bench_cluster.json.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT as ROOT
from bot.settings import Settings
from bot.training.pipeline import start_rollback
from cluster.launcher import Cluster
from scripts.bench import OUR_MESSAGES, WebChat, conversation, percentile
from tests.support.cluster import running_cluster
from tests.support.deploy import deploy_a_copy

OUT = ROOT / "var" / "results"
LOADS = ((1, 40), (10, 12), (50, 4))  # conversations at once, messages in each
BACKENDS = ("rasa", "actions", "web")


def load(chat: WebChat, conversations: int, turns: int) -> dict[str, float]:
    """`conversations` at once; requests per second over the whole run, p50 and p95."""
    started = time.perf_counter()
    with ThreadPoolExecutor(conversations) as pool:
        runs = list(
            pool.map(lambda _: conversation(chat, OUR_MESSAGES, turns), range(conversations))
        )
    seconds = time.perf_counter() - started
    times = [t for run in runs for t in run]
    return {
        "requests": len(times),
        "per_second": round(len(times) / seconds, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
    }


def use_replicas(cluster: Cluster, count: int) -> None:
    """Keep the first `count` replicas of each server in rotation, the others out."""
    api = cluster.load_balancer
    for backend in BACKENDS:
        for n in (1, 2):
            api.set_enabled(backend, f"{backend}-{n}", n <= count)
    wanted = {f"{b}/{b}-{n}": "UP" if n <= count else "MAINT" for b in BACKENDS for n in (1, 2)}
    deadline = time.monotonic() + 60
    while api.server_states() != wanted:
        assert time.monotonic() < deadline, api.server_states()
        time.sleep(0.5)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants (PostgreSQL's backends), in MB."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total_kb = 0
    for member in family:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines()
                          if line.startswith("VmRSS:")), 0)  # fmt: skip
    return round(total_kb / 1024, 1)


def memory(cluster: Cluster) -> dict[str, float]:
    """Resident memory of each process of the cluster, in MB."""
    return {name: tree_rss_mb(child.pid) for name, child in sorted(cluster.children.items())}


def rollout_seconds(cluster: Cluster, times: int = 3) -> list[dict[str, float]]:
    """Deploy a new model (the training stages skipped) and roll it back, `times` times."""
    settings = Settings.from_env(cluster.layout.app_environment(), root=ROOT)
    factory = make_session_factory(make_engine(settings.database_url))
    measured = []
    for _ in range(times):
        job, run = deploy_a_copy(settings, factory)
        assert run.state == "deployed", run.error
        rollback = start_rollback(factory, settings, "bench")
        assert rollback.run() == "deployed"
        measured.append(
            {
                "deploy_s": round(job.durations["deploy"], 1),
                "rollback_s": round(rollback.durations["deploy"], 1),
            }  # fmt: skip
        )
    return measured


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"machine": f"{os.cpu_count()} cores"}
    env = {"WEB_RATE_LIMIT": "100000"}  # every bench conversation comes from one address
    with running_cluster(ROOT / "models" / "assistant.tar.gz", env) as cluster:
        chat = WebChat(cluster.layout.url(cluster.layout.web_port))
        conversation(chat, OUR_MESSAGES, len(OUR_MESSAGES))  # warm-up
        for replicas in (1, 2):
            use_replicas(cluster, replicas)
            conversation(chat, OUR_MESSAGES, len(OUR_MESSAGES))
            results[f"{replicas} replica(s)"] = {
                f"{c} conversation(s)": load(chat, c, turns) for c, turns in LOADS
            }
        results["memory_mb"] = memory(cluster)
        results["new model on every replica"] = rollout_seconds(cluster)
    (OUT / "bench_cluster.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

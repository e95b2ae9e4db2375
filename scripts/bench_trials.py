"""`make bench` (part 2): trial import and search time as the list of trials grows.

The list is the 17 shipped records, copied under new NCT ids to reach each size, in a
fresh SQLite database with the starter knowledge base loaded (for the tags).
"""

from __future__ import annotations

import copy
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.db import make_engine, make_session_factory, upgrade
from bot.kb.files import read_kb
from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.store import load_articles
from bot.settings import PROJECT_ROOT as ROOT
from bot.trials.ctgov_import import import_studies, read_studies
from bot.trials.finder import sites_from, tagger_from
from bot.trials.search import TrialQuery, find_trials

SIZES = (17, 1_000, 5_000)
QUERIES = (
    TrialQuery(cancer="Lung cancer", age=60),
    TrialQuery(cancer="Leukaemia", age=30, kind="cell-therapy", place="country"),
)
OUT = ROOT / "var" / "results" / "bench_trials.json"


def studies(size: int) -> list[tuple[str, Any]]:
    shipped = [
        s for p in sorted((ROOT / "data" / "trials").glob("*.json")) for s in read_studies(p)
    ]
    copies = []
    for i in range(size):
        where, study = shipped[i % len(shipped)]
        study = copy.deepcopy(study)
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT{90000000 + i:08d}"
        copies.append((where, study))
    return copies


def measure(size: int, workdir: Path) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{workdir / f'bench-{size}.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_articles(session, read_kb(ROOT / "data" / "kb").articles)
    records = studies(size)
    started = time.perf_counter()
    with factory.begin() as session:
        import_studies(session, records, tagger_from(session))
    imported = time.perf_counter() - started
    sites = sites_from(dict(HOSPITAL_DEFAULTS))
    times = []
    for _ in range(5):
        for query in QUERIES:
            started = time.perf_counter()
            with factory() as session:
                find_trials(session, query, sites)
            times.append((time.perf_counter() - started) * 1000)
    return {
        "records": size,
        "import_s": round(imported, 2),
        "search_p50_ms": round(statistics.median(times), 1),
        "search_max_ms": round(max(times), 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(size, Path(tmp)) for size in SIZES]
    for row in results:
        print(
            f"{row['records']:>6} records: import {row['import_s']} s, "
            f"search p50 {row['search_p50_ms']} ms (max {row['search_max_ms']} ms)"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

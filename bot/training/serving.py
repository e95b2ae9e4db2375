"""Which model the Rasa replicas should serve now, and its fingerprint (the model server).

With several Rasa replicas (`RASA_REPLICA_URLS`), each one pulls its model from the web
app (Rasa's model server, `endpoints-cluster.yml`) every few seconds. The model given out
is the one being deployed while a run is in its deploy stage, else the live model, else
the starting model. So a run that fails (or dies) during its deploy stage puts the live
model back on every replica by itself, and a replica that starts later loads the live one.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.training.runs import RUNNING, live_model
from bot.training.tables import ModelRun

DEPLOY_STAGE = "deploy"
_CHUNK = 1 << 20


def deploying_model(session: Session) -> Path | None:
    """The model of the train or rollback run in its deploy stage right now, or None."""
    stmt = (
        select(ModelRun)
        .where(ModelRun.state == RUNNING, ModelRun.stage == DEPLOY_STAGE)
        .where(ModelRun.model_path.is_not(None))
        .order_by(ModelRun.id.desc())
    )
    run = session.scalars(stmt).first()
    return Path(run.model_path) if run is not None and run.model_path else None


def served_model(session: Session, models_dir: Path) -> Path | None:
    """The model every replica should serve: being deployed, else live, else the baseline.

    None when there is no model at all (no run deployed and no `assistant.tar.gz`).
    """
    deploying = deploying_model(session)
    if deploying is not None and deploying.is_file():
        return deploying
    live = live_model(session, models_dir)
    return live if live is not None and live.is_file() else None


@dataclass(frozen=True)
class _Stamp:
    size: int
    mtime_ns: int


class Fingerprints:
    """The fingerprint of each model file, computed once per file version.

    Each replica asks every few seconds; hashing a model (megabytes) each time would be
    waste, so the result is kept until the file's size or modification time changes.
    """

    def __init__(self) -> None:
        self._known: dict[Path, tuple[_Stamp, str]] = {}
        self._lock = threading.Lock()  # the route hashes in a worker thread

    def of(self, path: Path) -> str:
        """The fingerprint of `path`: sha256 of its name and content, as hex.

        The name is in it because the replicas report the name (`/status` `model_file`):
        the same bytes under another name are another deployment.

        Raises:
            OSError: the file cannot be read.
        """
        info = path.stat()
        stamp = _Stamp(info.st_size, info.st_mtime_ns)
        with self._lock:
            known = self._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        fingerprint = digest.hexdigest()
        with self._lock:
            self._known[path] = (stamp, fingerprint)
        return fingerprint

"""`GET /internal/model`: the model the Rasa replicas pull (Rasa's model server protocol).

Each replica started with `endpoints-cluster.yml` asks every 10 seconds, sending the
fingerprint of the model it has in `If-None-Match`: it gets `304` while that is still
the model to serve, else the file with its fingerprint in `ETag` and its name in the
`filename` header (Rasa names the download with it, so its `/status` reports that name).
Which model is served is decided in `bot.training.serving`. Only the replicas know the
token (`MODELS_TOKEN`); the answer is never stored by a cache.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from bot.settings import Settings
from bot.training.runs import settle_stale_runs
from bot.training.serving import Fingerprints, served_model
from web.admin.common import session_factory

TOKEN_HEADER = "X-Models-Token"
NO_STORE = {"Cache-Control": "no-store"}
FINGERPRINTS = Fingerprints()  # one per process: each file is hashed once


def _token_ok(sent: str | None, expected: str) -> bool:
    # As bytes: `compare_digest` raises on non-ASCII `str`, which is just a wrong token.
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


def _etag(fingerprint: str) -> str:
    return f'"{fingerprint}"'


def _matches(if_none_match: str | None, fingerprint: str) -> bool:
    """Whether the client already has this fingerprint (Rasa echoes the ETag it got)."""
    if not if_none_match:
        return False
    sent = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
    return fingerprint in sent


def _find(request: Request) -> tuple[Path, str] | None:
    """The model to serve and its fingerprint (database and hashing: run in a thread)."""
    settings: Settings = request.app.state.settings
    with session_factory(request).begin() as session:
        # A run whose process died in its deploy stage must not stay "being deployed".
        settle_stale_runs(session, settings)
        path = served_model(session, settings.models_dir)
    return None if path is None else (path, FINGERPRINTS.of(path))


async def model_file(request: Request) -> Response:
    """GET: the served model (200), `304` if the replica has it, `401` without the token."""
    settings: Settings = request.app.state.settings
    if not _token_ok(request.headers.get(TOKEN_HEADER), settings.models_token):
        return PlainTextResponse("A models token is required.", 401, headers=NO_STORE)
    found = await run_in_threadpool(_find, request)
    if found is None:  # Rasa waits and asks again
        return PlainTextResponse("There is no model yet.", 404, headers=NO_STORE)
    path, fingerprint = found
    headers = {**NO_STORE, "ETag": _etag(fingerprint)}
    if _matches(request.headers.get("if-none-match"), fingerprint):
        return Response(status_code=304, headers=headers)
    headers["filename"] = path.name
    return FileResponse(path, media_type="application/gzip", headers=headers)

"""The running Rasa server's HTTP API, as far as deploying models needs it."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.errors import Refused

# Loading a model (spaCy, TensorFlow) takes tens of seconds on a busy machine.
LOAD_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
STATUS_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class RasaServerError(Refused):
    """The server could not be reached or refused the request; the message says which."""


class RasaServer:
    """One Rasa server started with `--enable-api --auth-token <token>`."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def check_token(self) -> None:
        """Fail unless a token is set (the server refuses model changes without one).

        Raises:
            RasaServerError: no token.
        """
        if not self.token:
            raise RasaServerError(
                "No Rasa API token is set: set RASA_AUTH_TOKEN (or var/rasa_auth_token) "
                "to the token the Rasa server was started with."
            )

    def _params(self) -> dict[str, str]:
        self.check_token()
        return {"token": str(self.token)}

    def status(self) -> dict[str, object]:
        """GET /status: `model_file` (the file name only), `model_id`, training jobs.

        Raises:
            RasaServerError: the server is down or refused the token.
        """
        try:
            response = httpx.get(
                f"{self.url}/status", params=self._params(), timeout=STATUS_TIMEOUT
            )
        except httpx.HTTPError as error:
            raise RasaServerError(f"The Rasa server at {self.url} is not reachable.") from error
        if response.status_code != 200:
            raise RasaServerError(
                f"The Rasa server refused the status request ({response.status_code}); "
                "check the token."
            )
        return dict(response.json())

    def load_model(self, model: Path) -> None:
        """PUT /model: the server loads `model` (a path it can read) and swaps it in.

        Raises:
            RasaServerError: the server did not load it; nothing changed there.
        """
        try:
            response = httpx.put(
                f"{self.url}/model",
                params=self._params(),
                json={"model_file": str(model.resolve())},
                timeout=LOAD_TIMEOUT,
            )
        except httpx.HTTPError as error:
            raise RasaServerError(
                f"The Rasa server at {self.url} did not answer while loading the model."
            ) from error
        if response.status_code != 204:
            raise RasaServerError(
                f"The Rasa server did not load the model ({response.status_code}): "
                f"{response.text[:300]}"
            )

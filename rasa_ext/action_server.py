"""The action server (`rasa run actions`), answering only the Rasa server.

`rasa run actions` has no interface flag (it reads `SANIC_HOST`, default 0.0.0.0) and
answers anyone: any client could list the actions and run them on a tracker it made up.
This launcher builds the same rasa_sdk app, listens on the given interface (loopback by
default) and refuses `/webhook` and `/actions` without the shared secret that Rasa sends
in the `X-Actions-Token` header (`endpoints.yml`); `/health` stays open.

Usage: `python -m rasa_ext.action_server --actions actions --port 5055 --interface 127.0.0.1`.
"""

from __future__ import annotations

import argparse
import hmac
import logging
from collections.abc import Sequence

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings

TOKEN_HEADER = "X-Actions-Token"
OPEN_PATHS = ("/health",)
logger = logging.getLogger(__name__)


def guarded_app(actions: str, token: str) -> Sanic:
    """The rasa_sdk app for `actions`, refusing requests without `token` (401)."""
    app = create_app(actions, cors_origins=None)  # no browser calls it: no CORS
    expected = token.encode()

    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        sent = request.headers.get(TOKEN_HEADER, "").encode()
        if not hmac.compare_digest(sent, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    app.register_middleware(check_token, "request")
    return app


def main(args: Sequence[str] | None = None) -> None:
    """Run the action server until it stops."""
    parser = argparse.ArgumentParser(prog="python -m rasa_ext.action_server")
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--interface", default="127.0.0.1")
    options = parser.parse_args(args)
    settings = Settings.from_env()
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    app = guarded_app(options.actions, settings.actions_token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("action server on http://%s:%d", options.interface, options.port)
    app.run(options.interface, options.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()

"""The one settings object, read from a mapping (the environment by default).

Only this module reads the environment. Tests pass a plain dict instead.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import Refused
from bot.privacy import read_or_create_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Refused):
    """A setting is present but unusable."""


@dataclass(frozen=True)
class Settings:
    """Where the assistant keeps its data, and how it logs.

    Attributes:
        database_url: SQLAlchemy URL of the knowledge-base database.
        kb_dir: folder of the starter knowledge base (`<slug>.yml` files).
        domain_file: Rasa domain, read to know which intents exist.
        spacy_dir: where the spaCy pipeline built from the knowledge base is saved.
        log_level: level for the assistant's own loggers.
        rasa_url: the Rasa server the web app forwards chat messages to.
        public_url: the web app's address as patients see it (nurse links, QR codes).
        embed_origins: other sites allowed to show the chat in a frame (embed snippet).
        rate_limit_per_minute: chat messages one client may send to the web app per minute.
        trusted_proxies: `TRUSTED_PROXIES`, space-separated addresses (or networks) of the
            reverse proxies whose `X-Forwarded-For` the web app believes; default none.
        tracker_store_url: Rasa's conversation store, read by the staff inbox.
        rasa_token: the Rasa HTTP API token (hot-swapping the model); None if not set.
        project_dir: the Rasa project trained by "train and deploy" (domain, data, tests).
        models_dir: where trained models are kept, one file per run.
        staff_examples_file: the generated NLU file of the examples staff added.
        secret_key: signs conversation ids and keys the references logs use for them;
            `SECRET_KEY`, else `var/secret_key` (created on first use, mode 600).
        conversation_retention_days: conversations (and inbox items) idle longer than
            this are purged, at the web app's start and daily; `CONVERSATION_RETENTION_DAYS`.
        staff_idle_minutes: a staff session ends after this many minutes without a
            request (`STAFF_IDLE_MINUTES`, default 30; at most 600, the 10 h cap).
        actions_token: the shared secret Rasa sends the action server in a header;
            `ACTIONS_TOKEN`, else derived from `secret_key` (both servers derive the same).
        redis_url: `REDIS_URL` (`redis://:PASSWORD@HOST:PORT/DB`), shared by several
            processes: the web app's rate limits and sign-in throttle, the training lock
            and Rasa's lock store. None (the default): each process keeps its own state.
        rasa_replica_urls: `RASA_REPLICA_URLS`, space-separated addresses of every Rasa
            replica (each one directly, not the load balancer). Set: the replicas pull
            the live model from the web app and a deploy waits until each serves it.
            Empty (the default): one server, at `rasa_url`, which a deploy loads directly.
        model_rollout_seconds: how long a deploy waits for every replica to serve the new
            model before it gives up and goes back (`MODEL_ROLLOUT_SECONDS`, default 120).
        models_token: the secret Rasa replicas send to fetch the live model;
            `MODELS_TOKEN`, else derived from `secret_key`.
    """

    # Every default is written once, in `from_env`, which is the only way to build these.
    database_url: str
    kb_dir: Path
    domain_file: Path
    spacy_dir: Path
    log_level: str
    # The web app (web/).
    rasa_url: str
    public_url: str
    embed_origins: tuple[str, ...]
    rate_limit_per_minute: int
    trusted_proxies: tuple[str, ...]
    # The staff workspace (/admin).
    tracker_store_url: str
    rasa_token: str | None
    project_dir: Path
    models_dir: Path
    staff_examples_file: Path
    staff_idle_minutes: int
    # Privacy.
    secret_key: str
    conversation_retention_days: int
    actions_token: str
    # Several replicas (make cluster).
    redis_url: str | None
    rasa_replica_urls: tuple[str, ...]
    model_rollout_seconds: int
    models_token: str

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT
    ) -> Settings:
        """Build settings from `environ` (default `os.environ`), failing loudly.

        Args:
            environ: the variables to read; tests pass a dict.
            root: the project folder that relative defaults are resolved against.

        Returns:
            The settings.

        Raises:
            SettingsError: a variable has a value that cannot be used.
        """
        env = os.environ if environ is None else environ
        default_db = f"sqlite:///{root / 'var' / 'kb.db'}"
        database_url = env.get("DATABASE_URL", default_db).strip()
        if "://" not in database_url:
            raise SettingsError(f"DATABASE_URL is not a database URL: {database_url!r}")
        if database_url.startswith("postgres://"):
            # Heroku-style URLs are refused by SQLAlchemy 1.4+; say so plainly.
            raise SettingsError("DATABASE_URL must start with postgresql://, not postgres://")
        log_level = env.get("LOG_LEVEL", "INFO").strip().upper()
        if log_level not in _LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
        web = _web_settings(env)
        token_file = root / "var" / "rasa_auth_token"  # written by scripts/auth_token
        token = env.get("RASA_AUTH_TOKEN", "").strip() or (
            token_file.read_text(encoding="utf-8").strip() if token_file.is_file() else ""
        )
        secret_key = env.get("SECRET_KEY", "").strip() or read_or_create_key(
            root / "var" / "secret_key"
        )
        if len(secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters (64 hex digits)")
        tracker_store_url = env.get(
            "TRACKER_STORE_URL", f"sqlite:///{root / 'var' / 'conversations.db'}"
        ).strip()
        if "://" not in tracker_store_url:
            raise SettingsError(f"TRACKER_STORE_URL is not a database URL: {tracker_store_url!r}")
        return cls(
            database_url=database_url,
            kb_dir=Path(env.get("KB_DIR", root / "data" / "kb")),
            domain_file=Path(env.get("DOMAIN_FILE", root / "domain.yml")),
            spacy_dir=Path(env.get("SPACY_PIPELINE_DIR", root / "var" / "spacy" / "kb")),
            log_level=log_level,
            **web,
            tracker_store_url=tracker_store_url,
            rasa_token=token or None,
            project_dir=root,
            models_dir=Path(env.get("MODELS_DIR", root / "models")),
            staff_examples_file=Path(
                env.get("STAFF_EXAMPLES_FILE", root / "data" / "nlu" / "staff_examples.yml")
            ),
            secret_key=secret_key,
            conversation_retention_days=_whole_number(
                env, "CONVERSATION_RETENTION_DAYS", 90, 1, 36_500
            ),
            # A staff session ends after 10 hours anyway.
            staff_idle_minutes=_whole_number(env, "STAFF_IDLE_MINUTES", 30, 1, 600),
            actions_token=_actions_token(env, secret_key),
            **_replica_settings(env, secret_key),
        )


# Rasa and action servers (rasa_ext/).
def _actions_token(env: Mapping[str, str], secret_key: str) -> str:
    """ACTIONS_TOKEN (at least 32 characters), else one derived from the secret key."""
    token = env.get("ACTIONS_TOKEN", "").strip()
    if token and len(token) < 32:
        raise SettingsError("ACTIONS_TOKEN must be at least 32 characters (64 hex digits)")
    return token or derived_key(secret_key, "actions")


def _replica_settings(env: Mapping[str, str], secret_key: str) -> dict[str, object]:
    """Read REDIS_URL, RASA_REPLICA_URLS, MODEL_ROLLOUT_SECONDS and MODELS_TOKEN."""
    redis_url = env.get("REDIS_URL", "").strip()
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")
    models_token = env.get("MODELS_TOKEN", "").strip()
    if models_token and len(models_token) < 32:
        raise SettingsError("MODELS_TOKEN must be at least 32 characters (64 hex digits)")
    return {
        "redis_url": redis_url or None,
        "rasa_replica_urls": tuple(
            _origin("RASA_REPLICA_URLS", url) for url in env.get("RASA_REPLICA_URLS", "").split()
        ),
        "model_rollout_seconds": _whole_number(env, "MODEL_ROLLOUT_SECONDS", 120, 10, 3600),
        "models_token": models_token or derived_key(secret_key, "models"),
    }


def derived_key(secret_key: str, purpose: str) -> str:
    """A secret for one `purpose`, derived from the secret key (64 hex digits)."""
    return hmac.new(secret_key.encode(), b"derive:" + purpose.encode(), hashlib.sha256).hexdigest()


def _origin(name: str, value: str) -> str:
    """Return `value` without a trailing slash, or fail if it is no http(s) address."""
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or " " in value:
        raise SettingsError(f"{name} must be an http:// or https:// address: {value!r}")
    return value


def _trusted_proxies(value: str) -> tuple[str, ...]:
    """Read TRUSTED_PROXIES: IP addresses or networks, each checked and normalised."""
    proxies = []
    for item in value.split():
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(f"TRUSTED_PROXIES must list IP addresses: {item!r}") from None
    return tuple(proxies)


def _web_settings(env: Mapping[str, str]) -> dict[str, object]:
    """Read the web app's settings (RASA_URL, PUBLIC_URL, EMBED_ORIGINS, WEB_RATE_LIMIT)."""
    return {
        "rasa_url": _origin("RASA_URL", env.get("RASA_URL", "http://localhost:5005")),
        "public_url": _origin("PUBLIC_URL", env.get("PUBLIC_URL", "http://localhost:8000")),
        "embed_origins": tuple(
            _origin("EMBED_ORIGINS", o) for o in env.get("EMBED_ORIGINS", "").split()
        ),
        "rate_limit_per_minute": _whole_number(env, "WEB_RATE_LIMIT", 20, 1, 100_000),
        "trusted_proxies": _trusted_proxies(env.get("TRUSTED_PROXIES", "")),
    }


def _whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Read `name` as a whole number from `low` to `high`, or fail naming the variable."""
    value = env.get(name, str(default)).strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}: {value!r}")
    return int(value)

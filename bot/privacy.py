"""Pseudonymous references to conversations, for logs, the page and staff commands.

A conversation id is a credential (whoever holds it can read the conversation), so it
never appears in a log or on paper. A short keyed hash of it does: the same id always
gives the same reference, and the reference cannot be turned back into the id without
the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

REF_CHARS = 12  # 48 bits: collisions are negligible at a hospital's volume


def conversation_ref(sender_id: str, key: str) -> str:
    """The short, keyed reference of conversation `sender_id`."""
    digest = hmac.new(key.encode(), b"ref:" + sender_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:REF_CHARS]


def read_or_create_key(path: Path) -> str:
    """The secret in `path`, written first (random, readable by its owner only) if missing."""
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()

"""Pseudonymous conversation ids: a keyed hash of the Telegram id, never the id itself."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Optional


class Pseudonymiser:
    """HMAC-SHA256 of the user id with a secret key (SANCTUARY_PSEUDONYM_KEY).

    Without a key a random one is made per process: ids are then stable only
    until restart, which is the safe default for a demo.
    """

    def __init__(self, key: Optional[str]) -> None:
        self._key = (key or secrets.token_hex(32)).encode()

    def __call__(self, user_id: object) -> str:
        digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()
        return "u" + digest[:32]

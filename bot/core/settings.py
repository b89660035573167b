"""Settings, read once from the environment into one object (secrets never logged)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    return REPO_ROOT


def content_dir() -> Path:
    return Path(os.environ.get("SANCTUARY_CONTENT_DIR") or REPO_ROOT / "content")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the front end reads from the environment. See README's table."""

    telegram_token: Optional[str] = field(default=None, repr=False)
    telegram_base_url: Optional[str] = None
    telegram_file_url: Optional[str] = None
    pseudonym_key: Optional[str] = field(default=None, repr=False)
    log_message_text: bool = False
    conversation_ttl_hours: float = 24.0
    worker_urls: Tuple[str, ...] = ()
    model_dir: Path = REPO_ROOT / "models"
    flood_limit_per_minute: int = 20

    @classmethod
    def from_env(cls) -> "Settings":
        urls = tuple(u.strip() for u in os.environ.get("SANCTUARY_WORKER_URLS", "").split(",") if u.strip())
        return cls(
            telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=os.environ.get("TELEGRAM_API_BASE_URL") or None,
            telegram_file_url=os.environ.get("TELEGRAM_API_FILE_URL") or None,
            pseudonym_key=os.environ.get("SANCTUARY_PSEUDONYM_KEY") or None,
            log_message_text=_flag("SANCTUARY_LOG_MESSAGE_TEXT"),
            conversation_ttl_hours=float(os.environ.get("SANCTUARY_CONVERSATION_TTL_HOURS", "24")),
            worker_urls=urls,
            model_dir=Path(os.environ.get("SANCTUARY_MODEL_DIR") or REPO_ROOT / "models"),
            flood_limit_per_minute=int(os.environ.get("SANCTUARY_FLOOD_LIMIT_PER_MINUTE", "20")),
        )

    def redacted(self) -> dict:
        """For `sanctuary doctor`: every setting, secrets shown only as set/unset."""
        return {
            "TELEGRAM_BOT_TOKEN": "set" if self.telegram_token else "unset",
            "TELEGRAM_API_BASE_URL": self.telegram_base_url or "(PTB default)",
            "TELEGRAM_API_FILE_URL": self.telegram_file_url or "(PTB default)",
            "SANCTUARY_PSEUDONYM_KEY": "set" if self.pseudonym_key else "unset (a random key per process)",
            "SANCTUARY_LOG_MESSAGE_TEXT": self.log_message_text,
            "SANCTUARY_CONVERSATION_TTL_HOURS": self.conversation_ttl_hours,
            "SANCTUARY_WORKER_URLS": ",".join(self.worker_urls) or "(embedded worker)",
            "SANCTUARY_MODEL_DIR": str(self.model_dir),
            "SANCTUARY_FLOOD_LIMIT_PER_MINUTE": self.flood_limit_per_minute,
        }

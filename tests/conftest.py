"""Shared fixtures: the real Rasa model is trained (or reused) once per test session,
and one embedded runtime (action server + Rasa worker) serves every end-to-end test."""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SANCTUARY_PSEUDONYM_KEY", "test-pseudonym-key")
# Child processes of this test session log to a fresh folder, which the privacy test reads.
os.environ["SANCTUARY_LOG_DIR"] = tempfile.mkdtemp(prefix="sanctuary-test-logs-")

from bot.core.settings import Settings, repo_root  # noqa: E402

ROOT = repo_root()


class RecordingHandler(logging.Handler):
    """Keeps every log line of the session, to prove no message text is logged."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # pragma: no cover
            self.lines.append(str(record.msg))


SESSION_LOG = RecordingHandler()
logging.getLogger().addHandler(SESSION_LOG)
logging.getLogger("sanctuary").setLevel(logging.DEBUG)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return replace(Settings.from_env(), worker_urls=(), telegram_token=None, pseudonym_key="test-pseudonym-key")


@pytest.fixture(scope="session")
def trained_model(settings: Settings) -> Path:
    """Train once per session (Rasa's cache and our fingerprint make a no-change run quick)."""
    from bot.training import train

    return train(settings.model_dir)


@pytest.fixture(scope="session")
async def runtime(settings: Settings, trained_model: Path):
    from bot.runtime import Runtime

    rt = Runtime(settings)
    await rt.start(timeout=300)
    yield rt
    await rt.stop()


@pytest.fixture(scope="session")
def engine(runtime):
    return runtime.engine


@pytest.fixture(scope="session")
def session_log() -> RecordingHandler:
    return SESSION_LOG

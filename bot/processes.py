"""Child processes the front end starts and stops: the action server and Rasa workers.

Nobody starts a second process by hand: `sanctuary chat|ask|telegram` start what
they need on free loopback ports and stop it on exit. Each child's output goes
to a log file under var/logs (Rasa runs with --quiet: no message text).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import httpx

from bot.core.settings import repo_root

log = logging.getLogger("sanctuary.processes")


def log_dir() -> Path:
    """Where child processes write their logs (SANCTUARY_LOG_DIR, default var/logs)."""
    return Path(os.environ.get("SANCTUARY_LOG_DIR") or repo_root() / "var" / "logs")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("DISABLE_UVLOOP", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra)
    return env


class ChildProcess:
    """A subprocess with a health URL; started, waited for, and stopped cleanly."""

    name = "child"

    def __init__(self, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.process: Optional[subprocess.Popen] = None
        self._log_file = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> List[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def env(self) -> dict:
        return child_env()

    def health_url(self) -> str:
        return self.base_url + "/"

    def start(self) -> "ChildProcess":
        logs = log_dir()
        logs.mkdir(parents=True, exist_ok=True)
        self._log_file = open(logs / f"{self.name}-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            self.command(), cwd=repo_root(), env=self.env(), stdout=self._log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.info("started %s on port %s (pid %s)", self.name, self.port, self.process.pid)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self, timeout: float = 1.0) -> bool:
        try:
            return httpx.get(self.health_url(), timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited during start-up; see {log_dir()}/{self.name}-{self.port}.log")
            if self.healthy():
                return
            time.sleep(0.25)
        raise TimeoutError(f"{self.name} was not ready after {timeout:.0f} s; see {log_dir()}/{self.name}-{self.port}.log")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def kill(self) -> None:
        """Hard kill, as a crash would (tests use it)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class ActionServer(ChildProcess):
    name = "actions"

    def command(self) -> List[str]:
        return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.port)]

    def health_url(self) -> str:
        return self.base_url + "/health"

    @property
    def webhook(self) -> str:
        return self.base_url + "/webhook"


class RasaWorker(ChildProcess):
    """`rasa run` serving one trained model over the REST channel in credentials.yml."""

    name = "rasa"

    def __init__(self, model: Path, action_url: str, endpoints: str = "endpoints.yml",
                 port: Optional[int] = None, extra_env: Optional[dict] = None, interface: str = "127.0.0.1") -> None:
        super().__init__(port)
        self.interface = interface
        self.model = model
        self.action_url = action_url
        self.endpoints = endpoints
        self.extra_env = extra_env or {}

    def command(self) -> List[str]:
        return [
            sys.executable, "-m", "bot.rasa_ext.worker_main", "run", "--model", str(self.model),
            "--endpoints", self.endpoints, "--credentials", "credentials.yml",
            "--port", str(self.port), "--interface", self.interface, "--enable-api", "--quiet",
        ]

    def env(self) -> dict:
        return child_env(ACTION_ENDPOINT_URL=self.action_url, **self.extra_env)


def latest_model(model_dir: Path) -> Optional[Path]:
    models = sorted(Path(model_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None

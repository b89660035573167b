"""Putting the parts together: the engine plus the processes it talks to.

Embedded (default): this process starts an action server and one Rasa worker on
loopback and stops them on exit. Scaled: SANCTUARY_WORKER_URLS names workers
started elsewhere (`sanctuary worker`), see docs/DEPLOY.md.
"""
from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

from bot.core import safety
from bot.core.knowledge import KnowledgeStore
from bot.core.language import LanguageDetector
from bot.core.privacy import Pseudonymiser
from bot.core.settings import Settings, content_dir, repo_root
from bot.engine import Engine
from bot.processes import ActionServer, ChildProcess, RasaWorker
from bot.training import model_path
from bot.workers import WorkerPool

log = logging.getLogger("sanctuary.runtime")


class ModelMissing(RuntimeError):
    pass


class Runtime:
    """Owns the engine and, in embedded mode, the child processes."""

    def __init__(self, settings: Settings, workers: int = 1) -> None:
        self.settings = settings
        self.children: List[ChildProcess] = []
        self.local_workers: List[RasaWorker] = []
        self.action_server: Optional[ActionServer] = None
        self.workers = workers
        safety.warm_up()  # compile the crisis patterns now (~0.5 s), not on someone's first message
        knowledge = KnowledgeStore(content_dir())
        detector = LanguageDetector.cached(repo_root() / "nlu", settings.model_dir)
        self.pool: Optional[WorkerPool] = None
        self.engine = Engine(None, knowledge, detector, Pseudonymiser(settings.pseudonym_key),
                             ttl_hours=settings.conversation_ttl_hours)
        self._ready_task: Optional[asyncio.Task] = None

    def start_processes(self) -> None:
        """Start the children (returns at once; the model loads in the background)."""
        if self.settings.worker_urls:
            self.pool = WorkerPool(self.settings.worker_urls)
        else:
            model = model_path(self.settings.model_dir)
            if not model.exists():
                raise ModelMissing(f"No trained model at {model}. Run `sanctuary train` (or `make run`).")
            self.action_server = ActionServer().start()
            self.children.append(self.action_server)
            for _ in range(self.workers):
                worker = RasaWorker(model, self.action_server.webhook).start()
                self.local_workers.append(worker)
                self.children.append(worker)
            self.pool = WorkerPool([w.base_url for w in self.local_workers])
        self.engine.pool = self.pool

    async def wait_ready(self, timeout: float = 300.0) -> None:
        loop = asyncio.get_running_loop()
        for child in self.children:
            await loop.run_in_executor(None, child.wait_ready, timeout)
        if not self.children:
            deadline = loop.time() + timeout
            while not await self.pool.ready():
                if loop.time() > deadline:
                    raise TimeoutError("no Rasa worker answered at SANCTUARY_WORKER_URLS")
                await asyncio.sleep(0.5)
        self.engine.worker_ready = True
        log.info("Rasa is ready")

    def start_in_background(self) -> None:
        """For the Telegram bot: answer the picker and safety at once, full answers when loaded."""
        self.start_processes()

        async def _wait() -> None:
            try:
                await self.wait_ready()
            except Exception:
                log.exception("Rasa did not start; answering safety and menu only")

        self._ready_task = asyncio.get_running_loop().create_task(_wait())

    async def start(self, timeout: float = 300.0) -> "Runtime":
        self.start_processes()
        await self.wait_ready(timeout)
        return self

    async def stop(self) -> None:
        if self._ready_task:
            self._ready_task.cancel()
        if self.pool:
            await self.pool.close()
        for child in reversed(self.children):
            child.stop()
        self.children.clear()

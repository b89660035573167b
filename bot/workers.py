"""Routing conversations to Rasa workers over HTTP (Rasa's REST channel).

Each conversation goes, by a stable hash of its pseudonymous id, to the same
worker, so one worker handles a chat's messages in order (Rasa's open-source
lock store does not protect against two workers taking one conversation). If
that worker is down, the next one in the ring takes over; with a shared Redis
tracker store the conversation continues where it was.
"""
from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Dict, List, Sequence

import httpx

log = logging.getLogger("sanctuary.workers")
CHANNEL_PATH = "/webhooks/sanctuary/webhook"


class WorkersUnavailable(Exception):
    """No worker answered: the front end says something kind instead."""


def stable_index(key: str, n: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) % n


class WorkerPool:
    def __init__(self, urls: Sequence[str], timeout: float = 30.0, retry_down_after: float = 3.0,
                 max_connections: int = 32) -> None:
        if not urls:
            raise ValueError("WorkerPool needs at least one worker URL")
        self.urls = [u.rstrip("/") for u in urls]
        self.timeout = timeout
        self.retry_down_after = retry_down_after
        self._down_until: Dict[str, float] = {}
        # As many idle connections kept as may be in use, so none is reopened per message.
        self._client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections))

    def order_for(self, conversation_id: str) -> List[str]:
        """The preferred worker first, then the others in ring order."""
        start = stable_index(conversation_id, len(self.urls))
        return self.urls[start:] + self.urls[:start]

    async def ready(self) -> bool:
        for url in self.urls:
            try:
                if (await self._client.get(url + "/", timeout=1.0)).status_code == 200:
                    return True
            except httpx.HTTPError:
                continue
        return False

    async def send(self, conversation_id: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        now = time.monotonic()
        candidates = self.order_for(conversation_id)
        # Skip workers seen down a moment ago, unless every worker is.
        live = [u for u in candidates if self._down_until.get(u, 0) <= now] or candidates
        for url in live:
            try:
                response = await self._client.post(url + CHANNEL_PATH, json=body)
                if response.status_code >= 500:
                    raise httpx.HTTPStatusError("worker error", request=response.request, response=response)
                response.raise_for_status()
                self._down_until.pop(url, None)
                return response.json() or []
            except (httpx.HTTPError, ValueError) as error:
                log.warning("worker %s failed (%s); trying the next", url, type(error).__name__)
                self._down_until[url] = time.monotonic() + self.retry_down_after
        raise WorkersUnavailable()

    async def forget(self, conversation_id: str) -> None:
        """Delete the conversation on every worker (an empty tracker is deleted by the store)."""
        for url in self.urls:
            try:
                await self._client.put(f"{url}/conversations/{conversation_id}/tracker/events", json=[])
            except httpx.HTTPError:
                log.warning("could not reach %s to forget a conversation", url)

    async def close(self) -> None:
        await self._client.aclose()

"""Tracker stores that keep no message text and forget conversations after a while.

Privacy by default: what a person wrote is removed from every stored user event
(the intent, its confidence and the language stay, which is all the dialogue needs).
An operator can keep text by setting SANCTUARY_STORE_MESSAGE_TEXT=1. Conversations
expire SANCTUARY_CONVERSATION_TTL_HOURS after the last message (default 24).
A tracker saved with no events (what /forget sends) is deleted outright.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


def _ttl_seconds() -> int:
    return int(float(os.environ.get("SANCTUARY_CONVERSATION_TTL_HOURS", "24")) * 3600)


def _keep_text() -> bool:
    return os.environ.get("SANCTUARY_STORE_MESSAGE_TEXT", "0") == "1"


def scrub(dialogue: Dict[Text, Any]) -> Dict[Text, Any]:
    """Remove user-written text from a serialised dialogue, in place."""
    for event in dialogue.get("events", []):
        if event.get("event") == "user":
            event["text"] = None
            parse_data = event.get("parse_data") or {}
            parse_data.pop("text", None)
            for entity in parse_data.get("entities", []) or []:
                entity.pop("value", None)
    return dialogue


def serialise_private(tracker: DialogueStateTracker) -> Text:
    dialogue = tracker.as_dialogue().as_dict()
    if not _keep_text():
        scrub(dialogue)
    return json.dumps(dialogue)


class PrivateInMemoryTrackerStore(InMemoryTrackerStore):
    """The default one-process store: in memory, text-free, expiring."""

    def __init__(self, domain, host: Optional[Text] = None, event_broker=None, **kwargs) -> None:
        super().__init__(domain, event_broker)
        self.ttl = _ttl_seconds()
        self.last_seen: Dict[Text, float] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._expire()
        if not tracker.events:
            self.store.pop(tracker.sender_id, None)
            self.last_seen.pop(tracker.sender_id, None)
            return
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = serialise_private(tracker)
        self.last_seen[tracker.sender_id] = time.monotonic()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._expire()
        return await super().retrieve(sender_id)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl
        for sender_id in [s for s, seen in self.last_seen.items() if seen < cutoff]:
            self.store.pop(sender_id, None)
            self.last_seen.pop(sender_id, None)


class PrivateRedisTrackerStore(RedisTrackerStore):
    """The scaled store shared by several workers: Redis keys expire after the TTL."""

    def __init__(self, domain, host: Text = "localhost", event_broker=None, **kwargs) -> None:
        kwargs.setdefault("record_exp", _ttl_seconds())
        kwargs.setdefault("key_prefix", "sanctuary")
        super().__init__(domain, host=host, event_broker=event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        key = self.key_prefix + tracker.sender_id
        if not tracker.events:
            self.red.delete(key)
            return
        await self.stream_events(tracker)
        stored = self.red.get(key)
        if stored is not None:
            prior = self.deserialise_tracker(tracker.sender_id, stored)
            if prior is not None:
                tracker = self._merge_trackers(prior, tracker)
        self.red.set(key, serialise_private(tracker), ex=timeout or self.record_exp)

"""What every action needs: the knowledge store, the conversation language, the topic tag."""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.core.knowledge import LANGUAGES, KnowledgeStore
from bot.core.settings import content_dir

META_KEY = "sanctuary"  # custom payload the front end reads and never shows


@functools.lru_cache(maxsize=1)
def knowledge_store() -> KnowledgeStore:
    """One store per action-server process; it reloads edited content by itself."""
    return KnowledgeStore(content_dir())


def conversation_language(tracker: Tracker) -> Text:
    """The front end's choice (message metadata) wins; then the slot; then English."""
    metadata = tracker.latest_message.get("metadata") or {}
    lang = metadata.get("language") or tracker.get_slot("language") or "en"
    return lang if lang in LANGUAGES else "en"


def latest_intent(tracker: Tracker) -> tuple[Optional[Text], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def utter_messages(dispatcher: CollectingDispatcher, messages: List[Text], buttons: List[Dict[Text, Any]]) -> None:
    """Send the messages; buttons go under the last one."""
    for index, text in enumerate(messages):
        last = index == len(messages) - 1
        dispatcher.utter_message(text=text, buttons=buttons if last and buttons else None)
    if not messages and buttons:
        dispatcher.utter_message(buttons=buttons)


def tag(dispatcher: CollectingDispatcher, **info: Any) -> None:
    """Tell the front end which topic, intent and language this answer is (never shown)."""
    dispatcher.utter_message(json_message={META_KEY: info})

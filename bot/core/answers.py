"""How a topic answer is put together for a user: notices, messages and buttons.

Shared by the Rasa answer action and the front end (which shows an answer itself
for deep links, "show English" and when Rasa is unavailable).
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from bot.core.knowledge import KnowledgeBase


def topic_messages(kb: KnowledgeBase, topic: str, lang: str, show_draft_notice: bool = True) -> Tuple[List[str], str, str]:
    """Return (messages, status, language answered in) for a topic.

    A machine-drafted translation says so once per conversation; a missing one says
    the answer is in English.
    """
    answer = kb.answer(topic, lang)
    messages = list(answer.messages)
    if answer.status == "english_fallback" and lang != "en":
        messages.insert(0, kb.string("translation_missing", lang))
    elif answer.status == "draft" and show_draft_notice:
        messages.insert(0, kb.string("draft_notice", lang))
    return messages, answer.status, answer.language


def topic_buttons(kb: KnowledgeBase, topic: str, lang: str, status: str) -> List[Dict[str, Any]]:
    """Follow-up buttons: related topics, cards, English text for a draft, the menu."""
    answer = kb.answer(topic, lang)
    buttons: List[Dict[str, Any]] = [{"title": title, "payload": f"/{related}"} for related, title in answer.related]
    for name in ("reception", "interpreter"):
        if kb.card(topic, name, lang) is not None:
            buttons.append({"title": kb.string(f"{name}_card_button", lang), "payload": f"card:{topic}:{name}"})
    if status == "draft":
        buttons.append({"title": kb.string("show_english", lang), "payload": f"english:{topic}"})
    buttons.append({"title": kb.string("menu_button", lang), "payload": "menu"})
    return buttons

"""action_clarify: "Did you mean ...?" when the NLU is unsure.

A low confidence never drops a crisis: if crisis or emergency is the likeliest
intent, the safety answer goes out even below the threshold.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, knowledge_store, tag, utter_messages
from bot.core import safety


def _ranking(tracker: Tracker) -> List[Dict[Text, Any]]:
    return [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]


def _fallbacks_in_a_row(tracker: Tracker) -> int:
    """How many user turns in a row (this one included) ended in a fallback."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if name != "nlu_fallback":
                break
            count += 1
    return count


class ActionClarify(Action):
    def name(self) -> Text:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        ranking = _ranking(tracker)
        top = ranking[0] if ranking else {}
        if top.get("name") in safety.KINDS:
            utter_messages(dispatcher, safety.safety_messages(top["name"], lang), [])
            tag(dispatcher, topic=top["name"], intent=top["name"], confidence=float(top.get("confidence", 0)), language=lang, status="reviewed")
            return []

        kb = knowledge_store().current()
        menu = {"title": kb.string("menu_button", lang), "payload": "menu"}
        confidence = float(top.get("confidence", 0.0))
        if _fallbacks_in_a_row(tracker) >= 2:
            utter_messages(dispatcher, [kb.string("fallback_second", lang)], [menu])
        else:
            guesses = [r["name"] for r in ranking if kb.has_topic(r["name"])][:3]
            buttons = [{"title": kb.title(t, lang), "payload": f"/{t}"} for t in guesses] + [menu]
            utter_messages(dispatcher, [kb.string("did_you_mean", lang)], buttons)
        tag(dispatcher, topic="fallback", intent="nlu_fallback", confidence=confidence, language=lang, status="reviewed",
            candidates=[r["name"] for r in ranking[:3]])
        return []

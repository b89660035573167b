"""action_answer: answers every topic and conversation move from the knowledge file."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, knowledge_store, latest_intent, tag, utter_messages
from bot.core import safety
from bot.core.answers import topic_buttons, topic_messages


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        intent, confidence = latest_intent(tracker)
        events: List[Dict[Text, Any]] = [SlotSet("language", lang)]

        if intent in safety.KINDS:
            # The safety text lives in code, not in content/, so a broken edit cannot remove it.
            utter_messages(dispatcher, safety.safety_messages(intent, lang), [])
            tag(dispatcher, topic=intent, intent=intent, confidence=confidence, language=lang, status="reviewed")
            return events

        kb = knowledge_store().current()
        if intent and kb.has_topic(intent):
            show_notice = not tracker.get_slot("draft_notice_shown")
            messages, status, answered_in = topic_messages(kb, intent, lang, show_draft_notice=show_notice)
            utter_messages(dispatcher, messages, topic_buttons(kb, intent, lang, status))
            if status == "draft":
                events.append(SlotSet("draft_notice_shown", True))
            events.append(SlotSet("last_topic", intent))
            tag(dispatcher, topic=intent, intent=intent, confidence=confidence, language=answered_in, status=status)
            return events

        # A conversation move (greet, thanks, help, ...) or out_of_scope.
        move = intent or "out_of_scope"
        utter_messages(dispatcher, kb.move(move, lang), [{"title": kb.string("menu_button", lang), "payload": "menu"}])
        topic = "fallback" if move == "out_of_scope" else move
        tag(dispatcher, topic=topic, intent=move, confidence=confidence, language=lang, status="reviewed")
        return events

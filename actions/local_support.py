"""The local support finder: a town or postcode (BD3, LS6 1AA, Halifax) to nearby help.

location_form asks for the place (action_ask_place); action_local_support_answer lists
the local organisations and NHS routes for that area, each with its last-verified
date, then national services. A place outside the covered regions gets the national
services and an honest word about local ones.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, knowledge_store, tag, utter_messages
from bot.core.directory_text import describe


class ActionAskPlace(Action):
    def name(self) -> Text:
        return "action_ask_place"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        kb = knowledge_store().current()
        utter_messages(dispatcher, [kb.string("ask_location", lang)], [{"title": kb.string("skip", lang), "payload": "/deny"}])
        dispatcher.utter_message(json_message={"sanctuary_expects": "place"})
        return []


class ActionLocalSupportAnswer(Action):
    def name(self) -> Text:
        return "action_local_support_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        kb = knowledge_store().current()
        place = tracker.get_slot("place") or ""
        messages = describe(kb, place, lang)
        utter_messages(dispatcher, messages, [{"title": kb.string("menu_button", lang), "payload": "menu"}])
        tag(dispatcher, topic="local_support", intent="inform_place", confidence=1.0, language=lang, status="reviewed")
        return [SlotSet("place", None)]

"""The entitlement checker: which care is free depends on the person's situation.

entitlement_form asks one question with five buttons (action_ask_asylum_situation);
action_entitlement_answer answers from the knowledge file's interface strings. The
answer is kept in a slot for this conversation only (and /forget deletes it).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, knowledge_store, tag, utter_messages

SITUATIONS = ("claim_pending", "refused_supported", "refused_unsupported", "refugee", "not_sure")


def situation_buttons(kb, lang: str) -> List[Dict[str, str]]:
    buttons = [{"title": kb.string(f"situation_{s}", lang),
                "payload": "/inform_situation" + json.dumps({"asylum_situation": s})} for s in SITUATIONS]
    return buttons + [{"title": kb.string("skip", lang), "payload": "/deny"}]


class ActionAskAsylumSituation(Action):
    def name(self) -> Text:
        return "action_ask_asylum_situation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        kb = knowledge_store().current()
        utter_messages(dispatcher, [kb.string("ask_situation", lang)], situation_buttons(kb, lang))
        return []


class ActionEntitlementAnswer(Action):
    def name(self) -> Text:
        return "action_entitlement_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = conversation_language(tracker)
        kb = knowledge_store().current()
        situation = tracker.get_slot("asylum_situation") or "not_sure"
        buttons = [{"title": kb.title(t, lang), "payload": f"/{t}"} for t in ("help_with_costs", "maternity", "gp_registration")]
        buttons.append({"title": kb.string("menu_button", lang), "payload": "menu"})
        utter_messages(dispatcher, [kb.string(f"entitlement_{situation}", lang), kb.string("entitlement_kept", lang)], buttons)
        tag(dispatcher, topic="hospital_charges", intent="inform_situation", confidence=1.0, language=lang,
            status="reviewed", situation=situation)
        return []

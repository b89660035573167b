"""Unit tests for the custom actions, with rasa_sdk trackers built from events."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.common import knowledge_store
from actions.fallback import ActionClarify


def tracker(intent: str, confidence: float = 0.9, language: str = "en", ranking=None, previous_intents=()) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranking or [],
              "metadata": {"language": language}, "text": None}
    events = [{"event": "user", "parse_data": {"intent": {"name": name}}} for name in previous_intents]
    events.append({"event": "user", "parse_data": latest})
    return Tracker("t", {}, latest, events, False, None, {}, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def tags(dispatcher: CollectingDispatcher) -> list[dict]:
    return [m["custom"]["sanctuary"] for m in dispatcher.messages if (m.get("custom") or {}).get("sanctuary")]


def test_answer_action_answers_a_topic_in_the_conversation_language():
    kb = knowledge_store().current()
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, tracker("gp_registration", language="ar"), {})
    answer = kb.answer("gp_registration", "ar")
    assert texts(dispatcher)[1:] == answer.messages  # after the one-line machine-translation notice
    assert texts(dispatcher)[0] == kb.string("draft_notice", "ar")
    assert tags(dispatcher)[0]["topic"] == "gp_registration"
    assert {"event": "slot", "timestamp": None, "name": "draft_notice_shown", "value": True} in events


def test_answer_action_gives_the_safety_answer_for_crisis():
    dispatcher = CollectingDispatcher()
    ActionAnswer().run(dispatcher, tracker("crisis", language="fr"), {})
    assert "116 123" in texts(dispatcher)[0]
    assert tags(dispatcher)[0]["topic"] == "crisis"


def test_out_of_scope_is_reported_as_fallback_with_the_menu():
    dispatcher = CollectingDispatcher()
    ActionAnswer().run(dispatcher, tracker("out_of_scope"), {})
    assert tags(dispatcher)[0]["topic"] == "fallback"
    assert any(b["payload"] == "menu" for m in dispatcher.messages for b in (m.get("buttons") or []))


def test_clarify_offers_the_three_likeliest_topics_then_a_person():
    kb = knowledge_store().current()
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "dental_routine", "confidence": 0.25},
               {"name": "greet", "confidence": 0.2}, {"name": "dental_urgent", "confidence": 0.2},
               {"name": "prescriptions", "confidence": 0.1}, {"name": "pharmacy", "confidence": 0.05}]
    first = CollectingDispatcher()
    ActionClarify().run(first, tracker("nlu_fallback", 0.3, ranking=ranking), {})
    assert texts(first) == [kb.string("did_you_mean", "en")]
    buttons = [b["payload"] for m in first.messages for b in (m.get("buttons") or [])]
    assert buttons == ["/dental_routine", "/dental_urgent", "/prescriptions", "menu"]
    second = CollectingDispatcher()
    ActionClarify().run(second, tracker("nlu_fallback", 0.3, ranking=ranking, previous_intents=["nlu_fallback"]), {})
    assert texts(second) == [kb.string("fallback_second", "en")]


def test_clarify_never_drops_a_likely_crisis():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "crisis", "confidence": 0.28},
               {"name": "mental_health", "confidence": 0.25}]
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, tracker("nlu_fallback", 0.3, ranking=ranking), {})
    assert "116 123" in texts(dispatcher)[0]
    assert tags(dispatcher)[0]["topic"] == "crisis"

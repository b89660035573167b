"""End to end through the real trained model, the action server and the knowledge file."""
from __future__ import annotations

import itertools

import pytest

_users = itertools.count(1)


def user() -> str:
    return f"e2e-{next(_users)}"


@pytest.mark.parametrize("text, topic", [
    ("how do I register with a GP", "gp_registration"),
    ("the receptionist said I need a passport to register and sent me away", "gp_refused"),
    ("I have terrible toothache and my face is swollen", "dental_urgent"),
    ("I feel very low and cannot sleep since I arrived", "mental_health"),
])
async def test_english_questions_reach_their_topic(engine, text, topic):
    reply = await engine.handle(user(), text, lang="en")
    assert reply.topic == topic, reply.as_json()
    assert reply.language == "en"
    assert reply.messages and all(m.text for m in reply.messages)


async def test_arabic_question_is_answered_in_arabic(engine):
    reply = await engine.handle(user(), "كيف أسجل عند طبيب عام؟", lang="ar")
    assert reply.topic == "gp_registration", reply.as_json()
    assert reply.language == "ar"
    text = " ".join(m.text for m in reply.messages)
    assert sum("\u0600" <= c <= "\u06ff" for c in text) > 20, text


async def test_language_is_detected_without_a_choice(engine):
    reply = await engine.handle(user(), "كيف أسجل عند طبيب عام؟")
    assert reply.language == "ar"


async def test_crisis_is_answered_before_the_nlu(engine):
    reply = await engine.handle(user(), "I want to kill myself", lang="en")
    assert reply.topic == "crisis"
    first = reply.messages[0].text
    for number in ("999", "111", "116 123"):
        assert number in first


async def test_nonsense_gets_the_fallback_not_a_topic(engine):
    reply = await engine.handle(user(), "blah blah qwerty asdf", lang="en")
    assert reply.topic == "fallback", reply.as_json()


async def test_a_button_payload_goes_through_rasa(engine):
    key = user()
    reply = await engine.handle_payload(key, "/dental_urgent")
    assert reply.topic == "dental_urgent"
    assert reply.confidence == 1.0


async def test_follow_up_buttons_point_at_topics(engine):
    reply = await engine.handle(user(), "how do I register with a GP", lang="en")
    payloads = [b["payload"] for m in reply.messages for b in m.buttons]
    assert any(p.startswith("/") for p in payloads)
    assert "menu" in payloads


async def test_a_message_in_another_language_gets_an_offer_to_switch(engine):
    key = user()
    engine.set_language(key, "en")
    reply = await engine.handle(key, "كيف يمكنني التسجيل عند طبيب عام؟")
    assert reply.language == "en"  # the explicit choice wins
    offer = reply.messages[-1]
    assert [b["payload"] for b in offer.buttons] == ["lang:ar", "keep"]
    switched = await engine.handle_payload(key, "lang:ar")
    assert switched.language == "ar"
    assert switched.messages[1].text.startswith(engine.kb().string("welcome", "ar")[:20])


async def test_latin_letter_arabic_is_answered_in_arabic(engine):
    reply = await engine.handle(user(), "kifak, baddi sajjel 3and doctor GP, shu lazem a3mel?")
    assert reply.language == "ar", reply.as_json()

"""Guided conversations through the real model and actions, with a repeated sender:
the entitlement checker, the local support finder, fallbacks and interruptions."""
from __future__ import annotations

import itertools
import json

_users = itertools.count(1)


def user() -> str:
    return f"conv-{next(_users)}"


def payloads(reply) -> list[str]:
    return [b["payload"] for m in reply.messages for b in m.buttons]


def situation(value: str) -> str:
    return "/inform_situation" + json.dumps({"asylum_situation": value})


async def test_free_text_about_charges_starts_the_entitlement_checker(engine):
    u = user()
    first = await engine.handle(u, "will I have to pay at the hospital?", lang="en")
    assert first.topic == "hospital_charges"
    assert first.messages[-1].text == engine.kb().string("ask_situation", "en")
    assert situation("refused_unsupported") in payloads(first)
    answer = await engine.handle_payload(u, situation("refused_unsupported"))
    text = "\n".join(m.text for m in answer.messages)
    assert answer.topic == "hospital_charges"
    assert "must never be refused or delayed" in text and "0808 1647 686" in text


async def test_each_situation_has_its_own_answer(engine):
    answers = set()
    for value in ("claim_pending", "refused_supported", "refused_unsupported", "refugee", "not_sure"):
        u = user()
        await engine.handle_payload(u, "/hospital_charges")
        reply = await engine.handle_payload(u, situation(value))
        answers.add(reply.messages[0].text)
        assert reply.messages[0].text == engine.kb().string(f"entitlement_{value}", "en")
    assert len(answers) == 5


async def test_a_crisis_during_the_form_is_answered_first_and_the_form_resumes(engine):
    u = user()
    await engine.handle(u, "is NHS care free for asylum seekers", lang="en")
    crisis = await engine.handle(u, "I want to end my life", lang="en")
    assert crisis.topic == "crisis" and "116 123" in crisis.messages[0].text
    resumed = await engine.handle_payload(u, situation("refugee"))
    assert resumed.messages[0].text == engine.kb().string("entitlement_refugee", "en")


async def test_another_question_during_the_form_closes_it_and_is_answered(engine):
    u = user()
    await engine.handle(u, "will the hospital charge me", lang="en")
    other = await engine.handle(u, "I have terrible toothache", lang="en")
    assert other.topic == "dental_urgent"
    after = await engine.handle(u, "how do I register with a GP", lang="en")
    assert after.topic == "gp_registration"


async def test_switching_language_mid_form(engine):
    u = user()
    await engine.handle(u, "will I have to pay at the hospital?", lang="en")
    switched = await engine.handle_payload(u, "lang:ar")
    assert switched.language == "ar"
    answer = await engine.handle_payload(u, situation("claim_pending"))
    assert answer.language == "ar"
    assert answer.messages[0].text == engine.kb().string("entitlement_claim_pending", "ar")


async def test_local_support_finder_with_a_postcode_district(engine):
    u = user()
    first = await engine.handle(u, "are there charities near me that help refugees", lang="en")
    assert first.topic == "local_support"
    assert first.expects == "place"
    found = await engine.handle(u, "BD3", lang="en")
    text = "\n".join(m.text for m in found.messages)
    assert found.topic == "local_support"
    assert "Bradford" in text and "Bevan" in text
    assert engine.kb().string("verified_on", "en", date="")[:5] in text


async def test_local_support_finder_outside_the_region_is_honest(engine):
    u = user()
    await engine.handle(u, "any local groups that can help me", lang="en")
    reply = await engine.handle(u, "Manchester", lang="en")
    assert reply.messages[0].text == engine.kb().string("support_outside", "en")
    assert "0808 1647 686" in "\n".join(m.text for m in reply.messages)


async def test_a_bare_town_name_finds_local_support(engine):
    reply = await engine.handle(user(), "Huddersfield", lang="en")
    assert reply.topic == "local_support"
    assert "Kirklees" in reply.messages[0].text

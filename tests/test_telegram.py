"""The real python-telegram-bot Application, polling a fake Bot API server on loopback."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace

import pytest

from bot.core import safety
from bot.core.knowledge import LANGUAGES
from bot.telegram_bot.app import build_application
from bot.devtools.fake_telegram import TOKEN, FakeBotAPI

_ids = itertools.count(5000)


def new_user() -> int:
    return next(_ids)


def arabic_letters(text: str) -> int:
    return sum("\u0600" <= c <= "\u06ff" for c in text)


def buttons(message) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture(scope="module")
async def telegram(engine, settings):
    api = await FakeBotAPI().start()
    app = build_application(engine, replace(settings, telegram_token=TOKEN, telegram_base_url=api.base_url))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    yield api
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    await api.stop()


async def test_start_shows_the_language_picker_with_native_names(telegram):
    user = new_user()
    telegram.push_message(user, "/start")
    (picker,) = await telegram.wait_for(user, 1)
    assert buttons(picker) == [f"lang:{code}" for code in LANGUAGES]
    titles = [b["text"] for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert "العربية" in titles and "ትግርኛ" in titles


async def test_choosing_arabic_then_asking_in_arabic_answers_in_arabic(telegram, engine):
    user = new_user()
    telegram.push_button(user, "lang:ar")
    picked = len((await engine.handle_payload("someone-else", "lang:ar")).messages)  # language set, welcome, menu
    sent = await telegram.wait_for(user, picked)
    assert all(arabic_letters(m["text"]) > 5 for m in sent)
    telegram.push_message(user, "كيف أسجل عند طبيب عام؟", language_code="ar")
    expected = len(engine.topic_answer("gp_registration", "ar").messages)
    sent = await telegram.wait_for(user, picked + expected)
    answer = " ".join(m["text"] for m in sent[picked:])
    assert arabic_letters(answer) > 100, answer


async def test_deep_link_opens_the_topic_in_that_language(telegram, engine):
    user = new_user()
    expected = engine.topic_answer("gp_registration", "ar").messages
    telegram.push_message(user, "/start gp_registration-ar")
    sent = await telegram.wait_for(user, len(expected))
    assert arabic_letters(sent[0]["text"]) > 20
    assert len(sent) >= len(expected)


@pytest.mark.parametrize("kind, payload", [
    ("voice", {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3}}),
    ("audio", {"audio": {"file_id": "a1", "file_unique_id": "a1", "duration": 3}}),
    ("video", {"video": {"file_id": "d1", "file_unique_id": "d1", "width": 1, "height": 1, "duration": 1}}),
    ("photo", {"photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}]}),
    ("sticker", {"sticker": {"file_id": "s1", "file_unique_id": "s1", "width": 1, "height": 1, "is_animated": False,
                             "is_video": False, "type": "regular"}}),
    ("document", {"document": {"file_id": "f1", "file_unique_id": "f1"}}),
    ("contact", {"contact": {"phone_number": "+440000000000", "first_name": "A"}}),
])
async def test_non_text_messages_get_a_kind_reply_with_the_menu(telegram, engine, kind, payload):
    user = new_user()
    telegram.push_message(user, None, **payload)
    (reply,) = await telegram.wait_for(user, 1)
    assert reply["text"] == engine.text("not_text", "en")
    assert "menu" in buttons(reply)


async def test_a_shared_location_finds_the_nearest_support(telegram, engine):
    user = new_user()
    telegram.push_message(user, None, location={"latitude": 53.79, "longitude": -1.75})  # central Bradford
    sent = await telegram.wait_for(user, 1)
    assert sent[0]["text"].startswith(engine.kb().string("support_near", "en", place="Bradford"))


async def test_a_location_outside_the_region_gets_national_services(telegram, engine):
    user = new_user()
    telegram.push_message(user, None, location={"latitude": 53.48, "longitude": -2.24})  # Manchester
    sent = await telegram.wait_for(user, 1)
    assert sent[0]["text"] == engine.kb().string("support_outside", "en")


async def test_a_5000_character_message_is_answered_within_limits(telegram):
    user = new_user()
    telegram.push_message(user, ("I need to register with a GP please. " * 140)[:5000])
    sent = await telegram.wait_for(user, 2)
    assert all(0 < len(m["text"]) <= 4096 for m in sent)


async def test_unknown_command_gets_help(telegram, engine):
    user = new_user()
    telegram.push_message(user, "/frobnicate")
    (reply,) = await telegram.wait_for(user, 1)
    assert reply["text"] == engine.text("unknown_command", "en")


@pytest.mark.parametrize("status", [429, 502])
async def test_transient_bot_api_errors_are_retried(telegram, status):
    user = new_user()
    telegram.fail_next = [(status, 1)]
    telegram.push_message(user, "/menu")
    (reply,) = await telegram.wait_for(user, 1, timeout=20)
    assert buttons(reply)
    assert not telegram.fail_next


async def test_crisis_message_gets_emergency_numbers_first(telegram):
    user = new_user()
    telegram.push_message(user, "i dont want to live anymore")
    sent = await telegram.wait_for(user, 1)
    assert "999" in sent[0]["text"] and "116 123" in sent[0]["text"]


async def test_forty_users_at_once_nothing_lost_and_each_chat_in_order(telegram, engine):
    users = [new_user() for _ in range(40)]
    sequence = ["/menu", "I want to kill myself", "/help"]
    for text in sequence:
        for user in users:
            telegram.push_message(user, text)
    menu_title = engine.text("menu_title", "en")
    expected = 1 + len(safety.safety_messages("crisis", "en")) + len(engine.kb().move("help", "en"))
    for user in users:
        sent = await telegram.wait_for(user, expected, timeout=60)
        assert len(sent) == expected
        texts = [m["text"] for m in sent]
        menu_at = texts.index(menu_title)
        crisis_at = next(i for i, t in enumerate(texts) if "116 123" in t)
        help_at = max(i for i, m in enumerate(sent) if "menu" in buttons(m))
        assert menu_at < crisis_at < help_at, texts


async def test_flood_limit_answers_politely_once(telegram, engine, settings):
    user = new_user()
    limit = settings.flood_limit_per_minute
    for _ in range(limit + 3):
        telegram.push_message(user, "thanks")
    polite = engine.text("rate_limited", "en")
    per_answer = len(engine.kb().move("thanks", "en"))
    await telegram.wait_for(user, limit * per_answer + 1, timeout=60)
    await asyncio.sleep(1.0)
    texts = [m["text"] for m in telegram.by_chat[user]]
    assert texts.count(polite) == 1
    assert len(texts) == limit * per_answer + 1  # every allowed message answered, then one notice, then quiet

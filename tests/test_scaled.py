"""Scaled mode: one front end routing conversations to two Rasa workers on a shared Redis."""
from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from bot.core.knowledge import KnowledgeStore
from bot.core.language import LanguageDetector
from bot.core.privacy import Pseudonymiser
from bot.core.settings import content_dir, repo_root
from bot.engine import Engine
from bot.processes import ActionServer, RasaWorker
from bot.workers import WorkerPool, stable_index
from tests.redis_server import RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None and not os.environ.get("CI"),
                                reason="redis-server is installed by .ci/run; install it to run these tests")


@pytest.fixture(scope="module")
async def cluster(trained_model):
    server = RedisServer().start()
    actions = ActionServer().start()
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(server.port)}
    workers = [RasaWorker(trained_model, actions.webhook, endpoints="endpoints.redis.yml", extra_env=env).start()
               for _ in range(2)]
    loop = asyncio.get_running_loop()
    for child in [actions, *workers]:
        await loop.run_in_executor(None, child.wait_ready, 300)
    pool = WorkerPool([w.base_url for w in workers], timeout=20)
    engine = Engine(pool, KnowledgeStore(content_dir()), LanguageDetector.from_nlu_dir(repo_root() / "nlu"),
                    Pseudonymiser("scaled-test-key"))
    engine.worker_ready = True
    yield engine, workers, server
    await pool.close()
    for child in [*workers, actions]:
        child.stop()
    server.stop()


async def test_many_users_two_workers_nothing_lost_and_in_order(cluster):
    engine, workers, server = cluster
    questions = ["how do I register with a GP", "I have bad toothache", "where can I get free prescriptions"]
    expected = ["gp_registration", "dental_urgent", "help_with_costs"]

    async def conversation(n: int) -> list[str]:
        return [(await engine.handle(f"scaled-{n}", q, lang="en")).topic for q in questions]

    results = await asyncio.gather(*(conversation(n) for n in range(30)))
    assert all(topics == expected for topics in results), results
    routed = {stable_index(engine.conversation_id(f"scaled-{n}"), 2) for n in range(30)}
    assert routed == {0, 1}  # both workers took conversations
    keys = server.client().keys("*")
    assert len(keys) == 30


async def test_a_killed_worker_hands_its_conversations_over_with_their_history(cluster):
    engine, workers, server = cluster
    user = next(f"handover-{n}" for n in range(100) if stable_index(engine.conversation_id(f"handover-{n}"), 2) == 0)
    notice = engine.kb().string("draft_notice", "ar")
    first = await engine.handle(user, "كيف أسجل عند طبيب عام؟", lang="ar")
    assert first.topic == "gp_registration"
    assert first.messages[0].text == notice  # machine-drafted Arabic: said once per conversation
    workers[0].kill()
    second = await engine.handle(user, "عندي ألم شديد في ضرسي", lang="ar")
    # The other worker read the conversation (notice already shown) from Redis.
    assert second.topic == "dental_urgent"
    assert notice not in [m.text for m in second.messages]
    workers[0].start()
    await asyncio.get_running_loop().run_in_executor(None, workers[0].wait_ready, 300)


async def test_redis_restart_is_survived(cluster):
    engine, workers, server = cluster
    port = server.port
    server.stop()
    # Rasa's fail-safe store keeps the worker answering from memory while Redis is away.
    during = await engine.handle("redis-outage", "how do I register with a GP", lang="en")
    assert during.topic == "gp_registration" or during.messages[0].text == engine.text("store_unavailable", "en")
    crisis = await engine.handle("redis-outage", "I want to kill myself", lang="en")
    assert crisis.topic == "crisis" and "116 123" in crisis.messages[0].text
    server.port = port
    server.start()
    after = await engine.handle("redis-outage", "I have bad toothache", lang="en")
    assert after.topic == "dental_urgent"
    keys = server.client().keys("*")
    assert any(engine.conversation_id("redis-outage") in key for key in keys)  # stored in Redis again


async def test_stored_conversations_hold_no_text_no_raw_id_and_forget_deletes_them(cluster):
    engine, workers, server = cluster
    secret_text = "my neighbour Fatima has toothache"
    telegram_id = 987654321
    await engine.handle(telegram_id, secret_text, lang="en")
    client = server.client()
    stored = {key: client.get(key) for key in client.keys("*")}
    assert stored
    for key, value in stored.items():
        assert str(telegram_id) not in key and str(telegram_id) not in value
        assert "Fatima" not in value and "toothache" not in value
    conversation_keys = [k for k in stored if engine.conversation_id(telegram_id) in k]
    assert len(conversation_keys) == 1
    await engine.forget(telegram_id)
    assert client.get(conversation_keys[0]) is None
    assert engine.conversation_id(telegram_id) not in engine.users

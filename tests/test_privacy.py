"""Privacy by default in the embedded setup: pseudonymous ids, /forget, no text anywhere."""
from __future__ import annotations

import httpx

from bot.core.privacy import Pseudonymiser


def test_pseudonyms_are_keyed_stable_and_not_the_id():
    a, b = Pseudonymiser("key-1"), Pseudonymiser("key-2")
    assert a(12345) == a(12345)
    assert a(12345) != b(12345)
    assert "12345" not in a(12345)


async def test_forget_leaves_nothing_of_the_user_in_the_tracker_store(engine, runtime):
    user = 424242
    await engine.handle(user, "how do I register with a GP", lang="en")
    worker = runtime.local_workers[0]
    conversation = engine.conversation_id(user)
    async with httpx.AsyncClient() as client:
        before = (await client.get(f"{worker.base_url}/conversations/{conversation}/tracker")).json()
        assert any(e["event"] == "user" for e in before["events"])
        assert all(e.get("text") is None for e in before["events"] if e["event"] == "user")
        await engine.forget(user)
        after = (await client.get(f"{worker.base_url}/conversations/{conversation}/tracker")).json()
    assert not any(e["event"] == "user" for e in after["events"])
    assert conversation not in engine.users

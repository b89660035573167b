"""A fake Telegram Bot API server on loopback, for driving the real PTB Application.

It speaks enough of the Bot API for polling and replies: getMe, getUpdates (long
poll from a queue), sendMessage, sendChatAction, answerCallbackQuery,
setMyCommands, deleteWebhook and friends. Tests push updates with the helpers
and read what the bot sent. Failures can be injected: the next N sendMessage
calls answer 429 (with retry_after) or 502.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional

from aiohttp import web

TOKEN = "123456:TEST-TOKEN-for-fake-bot-api-server"


class FakeBotAPI:
    def __init__(self) -> None:
        self.updates: asyncio.Queue = asyncio.Queue()
        self.sent: List[Dict[str, Any]] = []
        self.calls: List[str] = []
        self.by_chat: Dict[int, List[Dict[str, Any]]] = defaultdict(list)
        self.fail_next: List[tuple] = []  # (status, retry_after)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._runner: Optional[web.AppRunner] = None
        self.port: Optional[int] = None
        self.new_message = asyncio.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> "FakeBotAPI":
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # ----- requests --------------------------------------------------------------
    async def _params(self, request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        data = await request.post()
        params: Dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
        return params

    def _ok(self, result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(method)
        if method == "getMe":
            return self._ok({"id": 123456, "is_bot": True, "first_name": "Sanctuary", "username": "sanctuary_test_bot",
                             "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False})
        if method == "getUpdates":
            timeout = float(params.get("timeout", 0) or 0)
            batch = []
            try:
                batch.append(await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.05)))
                while not self.updates.empty():
                    batch.append(self.updates.get_nowait())
            except asyncio.TimeoutError:
                pass
            return self._ok(batch)
        if method == "sendMessage":
            if self.fail_next:
                status, retry_after = self.fail_next.pop(0)
                if status == 429:
                    return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry later",
                                              "parameters": {"retry_after": retry_after}}, status=429)
                return web.json_response({"ok": False, "error_code": status, "description": "Bad Gateway"}, status=status)
            chat_id = int(params["chat_id"])
            record = {"chat_id": chat_id, "text": params.get("text", ""), "reply_markup": params.get("reply_markup"),
                      "time": time.monotonic()}
            self.sent.append(record)
            self.by_chat[chat_id].append(record)
            self.new_message.set()
            return self._ok({"message_id": next(self._message_ids), "date": int(time.time()),
                             "chat": {"id": chat_id, "type": "private"}, "text": record["text"]})
        # sendChatAction, answerCallbackQuery, setMyCommands, deleteWebhook, ...
        return self._ok(True)

    # ----- updates tests push ------------------------------------------------------
    def _user(self, user_id: int, language_code: str = "en") -> Dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": language_code}

    def push_message(self, user_id: int, text: Optional[str] = None, language_code: str = "en", **extra: Any) -> None:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id, language_code)}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        self.updates.put_nowait({"update_id": next(self._update_ids), "message": message})

    def push_button(self, user_id: int, data: str, language_code: str = "en") -> None:
        self.updates.put_nowait({"update_id": next(self._update_ids), "callback_query": {
            "id": str(next(self._message_ids)), "from": self._user(user_id, language_code), "chat_instance": "1",
            "data": data, "message": {"message_id": 1, "date": int(time.time()),
                                      "chat": {"id": user_id, "type": "private"}, "text": "..."}}})

    async def wait_for(self, chat_id: int, count: int, timeout: float = 30.0) -> List[Dict[str, Any]]:
        """Wait until the bot has sent `count` messages to `chat_id` in all."""
        deadline = time.monotonic() + timeout
        while len(self.by_chat[chat_id]) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"chat {chat_id}: expected {count} messages, got {len(self.by_chat[chat_id])}: "
                                     f"{[m['text'][:60] for m in self.by_chat[chat_id]]}")
            self.new_message.clear()
            try:
                await asyncio.wait_for(self.new_message.wait(), timeout=0.2)
            except asyncio.TimeoutError:
                pass
        return self.by_chat[chat_id]

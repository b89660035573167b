"""`sanctuary chat`: the same engine as Telegram, in a terminal.

Buttons are shown as numbers: type the number to press one. Commands:
/menu, /language xx, /forget, /quit.
"""
from __future__ import annotations

import asyncio
import sys
from typing import Dict, List, Optional

from bot.core.knowledge import LANGUAGES
from bot.core.settings import Settings
from bot.engine import Reply
from bot.runtime import ModelMissing, Runtime

USER = "terminal"


def show(reply: Reply) -> List[Dict[str, str]]:
    buttons: List[Dict[str, str]] = []
    for message in reply.messages:
        print(f"\nbot> {message.text}")
        for button in message.buttons:
            buttons.append(button)
            print(f"   [{len(buttons)}] {button['title']}")
    print()
    return buttons


async def _input(prompt: str) -> Optional[str]:
    try:
        return await asyncio.get_running_loop().run_in_executor(None, input, prompt)
    except EOFError:
        return None


async def run_chat(settings: Settings, lang: Optional[str]) -> int:
    runtime = Runtime(settings)
    try:
        runtime.start_in_background()
    except ModelMissing as error:
        print(error, file=sys.stderr)
        return 2
    engine = runtime.engine
    if lang:
        engine.set_language(USER, lang)
    if not settings.telegram_token:
        print("Terminal chat. (To run the Telegram bot instead, set TELEGRAM_BOT_TOKEN: see README.)")
    print("Type a question. Numbers press buttons. /menu, /language xx, /forget, /quit.")
    print("The language model loads in a few seconds; safety answers and the menu work already.\n")
    buttons = show(engine.menu(lang or "en"))
    try:
        while True:
            line = await _input("you> ")
            if line is None or line.strip() in ("/quit", "/exit"):
                break
            line = line.strip()
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                reply = await engine.handle_payload(USER, buttons[int(line) - 1]["payload"])
            elif line == "/menu":
                reply = await engine.handle_payload(USER, "menu")
            elif line.startswith("/language"):
                code = line.partition(" ")[2].strip()
                if code in LANGUAGES:
                    reply = await engine.handle_payload(USER, f"lang:{code}")
                else:
                    print("Languages: " + ", ".join(LANGUAGES))
                    continue
            elif line == "/forget":
                await engine.forget(USER)
                print(engine.text("forget_done", "en"))
                continue
            else:
                reply = await engine.handle(USER, line)
            buttons = show(reply)
    finally:
        await runtime.stop()
    return 0

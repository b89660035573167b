"""Turning engine replies into Telegram messages: splitting, right-to-left, keyboards."""
from __future__ import annotations

import re
from typing import Dict, List, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.locales import is_rtl

TELEGRAM_LIMIT = 4096
RLM = "\u200f"
_SENTENCE_END = re.compile(r"(?<=[.!?؟።။\n])\s+")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> List[str]:
    """Split at sentence (then word) boundaries so no part exceeds Telegram's limit."""
    if len(text) <= limit:
        return [text]
    parts: List[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:  # one enormous "sentence": cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        candidate = f"{current} {sentence}".strip() if current else sentence
        if len(candidate) > limit:
            parts.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


_SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d)")
NBSP = "\u00a0"


def directional(text: str, lang: str) -> str:
    """Lay out right-to-left text so it reads right and numbers stay in order.

    Telegram picks a paragraph's direction from its first strong character, so a
    line that starts with "NHS 111" or a digit would lay out left to right: each
    line starts with a right-to-left mark. In right-to-left text a phone number's
    groups ("116 123") would show reversed ("123 116"), because a plain space
    separates two number runs; a no-break space is a common separator in the
    Unicode bidi algorithm, so "116 123" stays one number in its own order.
    """
    if not is_rtl(lang):
        return text
    text = _SPACE_IN_NUMBER.sub(NBSP, text)
    return "\n".join(RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n"))


def keyboard(buttons: Sequence[Dict[str, str]], extra_rows: Sequence[Sequence[Dict[str, str]]] = ()) -> InlineKeyboardMarkup | None:
    """One button per row when titles are long, two when they are short."""
    rows: List[List[InlineKeyboardButton]] = []
    pending: List[InlineKeyboardButton] = []
    for button in buttons:
        item = InlineKeyboardButton(button["title"][:64] or "…", callback_data=button["payload"][:64])
        if len(button["title"]) > 18:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([item])
        else:
            pending.append(item)
            if len(pending) == 2:
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending)
    for row in extra_rows:
        rows.append([InlineKeyboardButton(b["title"], callback_data=b["payload"][:64]) for b in row])
    return InlineKeyboardMarkup(rows) if rows else None

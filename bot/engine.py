"""The conversation engine every front end shares (Telegram, terminal chat, `ask`).

For each message: pseudonymise the user, decide the language, run the safety
layer (before any NLU, so crisis and emergency answers never depend on Rasa or on
the knowledge file), then ask a Rasa worker and turn its reply into a `Reply`.
Front-end payloads (menu pages, cards, language buttons, feedback) are answered
here from the knowledge file without a round trip to Rasa.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.core import safety
from bot.core.answers import topic_buttons, topic_messages
from bot.core.knowledge import LANGUAGES, KnowledgeBase, KnowledgeStore
from bot.core.language import LanguageDetector
from bot.core.locales import autonym
from bot.core.normalize import strip_invisible
from bot.core.privacy import Pseudonymiser
from bot.core.settings import repo_root
from bot.workers import WorkerPool, WorkersUnavailable

log = logging.getLogger("sanctuary.engine")

MAX_NLU_CHARS = 1000  # Rasa sees at most this much of a message; the rest is noted, not lost
MENU_PAGE_SIZE = 8
META_KEY = "sanctuary"

# Used only when the knowledge file itself cannot be read.
FALLBACK_STRINGS = {
    "error": "Sorry, something went wrong. Please try again, or open the menu.",
    "one_moment": "I am still starting up. Full answers will follow in a moment. If someone is in danger, call 999.",
    "menu_title": "Menu",
    "menu_button": "☰ Menu",
    "choose_language": "Choose your language",
    "language_set": "I will answer in {language}.",
    "not_text": "I can only read text messages. Please type your question in a few words.",
    "unknown_command": "I do not know that command. Try /menu.",
    "rate_limited": "You are sending messages very fast. Please wait a minute.",
    "forget_done": "Done: I have deleted our conversation and your settings.",
    "store_unavailable": "Sorry, I cannot answer fully right now. Please try again soon. In an emergency, call 999.",
    "long_message": "Your message was very long, so I answered the start of it.",
    "feedback_thanks": "Thank you.",
}


@dataclass
class BotMessage:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass
class Reply:
    topic: str
    intent: Optional[str]
    confidence: float
    language: str
    messages: List[BotMessage]
    status: str = "reviewed"
    expects: Optional[str] = None  # what the bot just asked for ("place"), not shown

    def as_json(self) -> Dict[str, Any]:
        return {
            "topic": self.topic,
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "language": self.language,
            "messages": [m.text for m in self.messages],
            "buttons": [b for m in self.messages for b in m.buttons],
        }


@dataclass
class UserState:
    language: Optional[str] = None
    chosen: bool = False  # an explicit choice (button, command, --lang) wins over detection
    offered: set = field(default_factory=set)
    expects: Optional[str] = None
    last_seen: float = field(default_factory=time.monotonic)


class Engine:
    def __init__(self, pool: Optional[WorkerPool], knowledge: KnowledgeStore, detector: LanguageDetector,
                 pseudonymise: Pseudonymiser, ttl_hours: float = 24.0, feedback_path: Optional[Path] = None) -> None:
        self.pool = pool
        self.knowledge = knowledge
        self.detector = detector
        self.pseudonymise = pseudonymise
        self.ttl = ttl_hours * 3600
        self.users: Dict[str, UserState] = {}
        self._last_sweep = float("-inf")
        self._locks: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.worker_ready = False
        self.feedback_path = feedback_path or repo_root() / "var" / "feedback.json"

    # ----- helpers -------------------------------------------------------
    def kb(self) -> Optional[KnowledgeBase]:
        try:
            return self.knowledge.current()
        except Exception:  # the knowledge file is broken and there is no last good copy
            log.warning("knowledge file unavailable: answering from built-in text")
            return None

    def text(self, key: str, lang: str, **fmt: Any) -> str:
        kb = self.kb()
        if kb is not None:
            return kb.string(key, lang, **fmt)
        try:
            return FALLBACK_STRINGS.get(key, FALLBACK_STRINGS["error"]).format(**fmt)
        except (KeyError, IndexError):
            return FALLBACK_STRINGS["error"]

    def menu_button(self, lang: str) -> Dict[str, str]:
        return {"title": self.text("menu_button", lang), "payload": "menu"}

    def state(self, conversation_id: str) -> UserState:
        self._expire()
        state = self.users.setdefault(conversation_id, UserState())
        state.last_seen = time.monotonic()
        return state

    def _expire(self) -> None:
        """Forget idle users' settings; a sweep at most once a minute, not on every message."""
        now = time.monotonic()
        if now - self._last_sweep < 60:
            return
        self._last_sweep = now
        cutoff = now - self.ttl
        for key in [k for k, s in self.users.items() if s.last_seen < cutoff]:
            self.users.pop(key, None)

    def conversation_id(self, user_key: object) -> str:
        return self.pseudonymise(user_key)

    # ----- language ------------------------------------------------------
    def set_language(self, user_key: object, lang: str) -> None:
        state = self.state(self.conversation_id(user_key))
        state.language, state.chosen = lang, True

    def language_for(self, state: UserState, text: str, hint: Optional[str]) -> tuple[str, Optional[str]]:
        """Return (language to answer in, language to offer switching to)."""
        detection = self.detector.detect(text) if text else None
        detected = detection.language if detection and detection.language in LANGUAGES else None
        confident = bool(detection and detected and detection.confidence >= 0.9 and len(text) >= 8)
        if state.chosen and state.language:
            offer = detected if confident and detected != state.language and detected not in state.offered else None
            return state.language, offer
        if detected and (confident or not state.language):
            if detection.confidence >= 0.6 or not (hint or state.language):
                state.language = detected
        if not state.language:
            state.language = hint if hint in LANGUAGES else "en"
        return state.language, None

    # ----- the message path ----------------------------------------------
    async def handle(self, user_key: object, text: str, lang: Optional[str] = None,
                     hint: Optional[str] = None) -> Reply:
        """Answer one text message. `lang` is an explicit choice; `hint` e.g. Telegram's language_code."""
        conversation_id = self.conversation_id(user_key)
        async with self._locks[conversation_id]:
            state = self.state(conversation_id)
            if lang in LANGUAGES:
                state.language, state.chosen = lang, True
            text = strip_invisible(text or "").strip()
            too_long = len(text) > MAX_NLU_CHARS
            nlu_text = text[:MAX_NLU_CHARS]
            language, offer = self.language_for(state, nlu_text, hint)

            match = safety.detect(text)
            if match is not None:
                log.info("safety answer (%s, rule %s)", match.kind, match.rule_id)
                messages = [BotMessage(t) for t in safety.safety_messages(match.kind, language)]
                return Reply(match.kind, match.kind, 1.0, language, messages)

            if not nlu_text:
                reply = self._move_reply("help", language)
            elif nlu_text.startswith("/") and not nlu_text[1:2].isalpha():
                reply = self._move_reply("help", language)
            else:
                reply = await self._ask_rasa(conversation_id, self._as_place_answer(state, nlu_text) or nlu_text, language)
            state.expects = reply.expects
            if too_long:
                reply.messages.insert(0, BotMessage(self.text("long_message", language)))
            if offer:
                state.offered.add(offer)
                reply.messages.append(self._switch_offer(offer))
            return reply

    def _as_place_answer(self, state: UserState, text: str) -> Optional[str]:
        """A town or postcode, when the bot asked for one (or a message that is just a
        known place), goes to the local support finder as a place answer, not the NLU."""
        kb = self.kb()
        if kb is None:
            return None
        words = len(text.split())
        known_place = kb.directory().lookup_place(text) is not None
        if (state.expects == "place" and words <= 4) or (known_place and words <= 3):
            return "/inform_place" + json.dumps({"place": text[:100]}, ensure_ascii=False)
        return None

    async def _ask_rasa(self, conversation_id: str, text: str, language: str) -> Reply:
        if self.pool is None or not self.worker_ready:
            return Reply("loading", None, 0.0, language, [BotMessage(self.text("one_moment", language), [self.menu_button(language)])])
        try:
            data = await self.pool.send(conversation_id, text, {"language": language})
        except WorkersUnavailable:
            return Reply("unavailable", None, 0.0, language,
                         [BotMessage(self.text("error", language), [self.menu_button(language)])])
        return self._reply_from_rasa(data, language)

    def _reply_from_rasa(self, data: List[Dict[str, Any]], language: str) -> Reply:
        messages: List[BotMessage] = []
        info: Dict[str, Any] = {}
        expects = None
        for item in data:
            custom = item.get("custom")
            if isinstance(custom, dict) and META_KEY in custom:
                info = custom[META_KEY]
                continue
            if isinstance(custom, dict) and "sanctuary_expects" in custom:
                expects = custom["sanctuary_expects"]
                continue
            text = item.get("text")
            buttons = [{"title": b.get("title", ""), "payload": b.get("payload", "")} for b in item.get("buttons") or []]
            if text:
                messages.append(BotMessage(text, buttons))
            elif buttons and messages:
                messages[-1].buttons.extend(buttons)
        if not messages:
            # Rasa answered nothing: its tracker store (Redis), the action server or the
            # knowledge file failed. Say so kindly; the safety layer has already run.
            messages = [BotMessage(self.text("store_unavailable", language), [self.menu_button(language)])]
            return Reply("error", info.get("intent"), float(info.get("confidence", 0.0)), language, messages)
        return Reply(
            topic=info.get("topic", "fallback"), intent=info.get("intent"),
            confidence=float(info.get("confidence", 0.0)), language=info.get("language", language),
            messages=messages, status=info.get("status", "reviewed"), expects=expects,
        )

    async def handle_location(self, user_key: object, latitude: float, longitude: float,
                              hint: Optional[str] = None) -> Reply:
        """A shared location goes to the local support finder as the nearest area's name
        (or "outside"); the coordinates are never passed on or stored."""
        kb = self.kb()
        hit = kb.directory().nearest(latitude, longitude) if kb else None
        place = hit[1] if hit else "outside the covered areas"
        return await self.handle_payload(user_key, "/inform_place" + json.dumps({"place": place}), hint=hint)

    # ----- front-end payloads (buttons) ------------------------------------
    async def handle_payload(self, user_key: object, payload: str, hint: Optional[str] = None) -> Reply:
        conversation_id = self.conversation_id(user_key)
        state = self.state(conversation_id)
        language = state.language or (hint if hint in LANGUAGES else "en")
        kind, _, rest = payload.partition(":")
        if payload.startswith("/"):
            async with self._locks[conversation_id]:
                return await self._ask_rasa(conversation_id, payload, language)
        if kind == "menu":
            return self.menu(language, int(rest or 0))
        if kind == "lang" and rest in LANGUAGES:
            # First contact or a switch: a short welcome, one line on privacy, then the menu.
            state.language, state.chosen = rest, True
            reply = self.menu(rest, 0)
            reply.messages[0:0] = [BotMessage(self.text("language_set", rest, language=self.language_name(rest))),
                                   BotMessage(self.text("welcome", rest) + "\n\n" + self.text("privacy_short", rest))]
            reply.topic = "language"
            return reply
        if kind == "keep":
            return Reply("language", None, 1.0, language, [BotMessage(self.text("language_set", language, language=self.language_name(language)))])
        if kind == "card":
            topic, _, name = rest.partition(":")
            return self.card(topic, name, language)
        if kind == "english":
            return self.topic_answer(rest, "en")
        if kind == "feedback":
            vote, _, topic = rest.partition(":")
            self.record_feedback(topic, language, vote == "yes")
            return Reply("feedback", None, 1.0, language, [BotMessage(self.text("feedback_thanks", language), [self.menu_button(language)])])
        return self.menu(language, 0)

    def language_name(self, lang: str) -> str:
        return autonym(lang)

    def _switch_offer(self, lang: str) -> BotMessage:
        name = self.language_name(lang)
        return BotMessage(self.text("switch_language_offer", lang, language=name), [
            {"title": self.text("switch_yes", lang), "payload": f"lang:{lang}"},
            {"title": self.text("switch_no", lang), "payload": "keep"},
        ])

    def _move_reply(self, move: str, language: str) -> Reply:
        kb = self.kb()
        texts = kb.move(move, language) if kb else [FALLBACK_STRINGS["error"]]
        return Reply(move, move, 1.0, language, [BotMessage(t) for t in texts[:-1]] + [BotMessage(texts[-1], [self.menu_button(language)])])

    def menu(self, language: str, page: int = 0) -> Reply:
        kb = self.kb()
        if kb is None:
            return Reply("menu", None, 1.0, language, [BotMessage(FALLBACK_STRINGS["error"])])
        topics = [t for t in kb.topic_ids if t not in safety.KINDS]
        pages = max(1, -(-len(topics) // MENU_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        chunk = topics[page * MENU_PAGE_SIZE:(page + 1) * MENU_PAGE_SIZE]
        buttons = [{"title": kb.title(t, language), "payload": f"/{t}"} for t in chunk]
        if page + 1 < pages:
            buttons.append({"title": kb.string("menu_more", language), "payload": f"menu:{page + 1}"})
        if page > 0:
            buttons.append({"title": kb.string("menu_back", language), "payload": f"menu:{page - 1}"})
        return Reply("menu", None, 1.0, language, [BotMessage(kb.string("menu_title", language), buttons)])

    def topic_answer(self, topic: str, language: str, show_draft_notice: bool = True) -> Reply:
        """An answer straight from the knowledge file (deep links, 'show English')."""
        kb = self.kb()
        if kb is None or not kb.has_topic(topic):
            return self.menu(language)
        if topic in safety.KINDS:
            return Reply(topic, topic, 1.0, language, [BotMessage(t) for t in safety.safety_messages(topic, language)])
        texts, status, answered_in = topic_messages(kb, topic, language, show_draft_notice)
        buttons = topic_buttons(kb, topic, language, status)
        messages = [BotMessage(t) for t in texts]
        messages[-1].buttons = buttons
        return Reply(topic, topic, 1.0, answered_in, messages, status)

    def card(self, topic: str, name: str, language: str) -> Reply:
        kb = self.kb()
        card = kb.card(topic, name, language) if kb else None
        if card is None:
            return self.menu(language)
        own, english = card
        texts = [own] if language == "en" else [own, english]
        messages = [BotMessage(t) for t in texts]
        messages[-1].buttons = [self.menu_button(language)]
        return Reply(topic, None, 1.0, language, messages)

    def record_feedback(self, topic: str, language: str, helpful: bool) -> None:
        """Counts per topic and language; no text, no identity."""
        path = self.feedback_path
        try:
            counts = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            counts = {}
        cell = counts.setdefault(topic or "unknown", {}).setdefault(language, {"yes": 0, "no": 0})
        cell["yes" if helpful else "no"] += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(counts, indent=1, sort_keys=True))

    async def forget(self, user_key: object) -> None:
        conversation_id = self.conversation_id(user_key)
        self.users.pop(conversation_id, None)
        if self.pool is not None:
            await self.pool.forget(conversation_id)

"""The Telegram bot: handlers, commands, error handler, start-up.

Updates are processed concurrently; a per-chat lock taken before any other await
keeps each chat's replies in the order its messages arrived.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Dict, List, Optional

import httpx
from telegram import BotCommand, Update
from telegram.constants import ChatAction
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)
from telegram.request import HTTPXRequest

from bot.core.knowledge import LANGUAGES
from bot.core.locales import autonym
from bot.core.settings import Settings
from bot.engine import BotMessage, Engine, Reply
from bot.telegram_bot.formatting import directional, keyboard, split_message
from bot.telegram_bot.limits import FloodLimiter, with_retries

log = logging.getLogger("sanctuary.telegram")

COMMANDS = ("start", "language", "menu", "help", "privacy", "forget")
COMMAND_DEFAULTS = {
    "start": "Start again",
    "language": "Change language",
    "menu": "Topics",
    "help": "What this bot can do",
    "privacy": "What is kept about you",
    "forget": "Delete my data now",
}
TYPING_AFTER = 0.3  # seconds before a "typing..." indicator is worth sending
CONCURRENT_UPDATES = 64
# A few long-lived connections to the Bot API instead of PTB's pool of 256 (of which
# httpx keeps only 20 alive): httpcore looks at every pooled connection on each request.
# 16 kept-alive connections carry Telegram's 30 messages per second with room to spare;
# measured under load the saving is small. A send waits up to POOL_WAIT for one.
SEND_CONNECTIONS = 16
POOL_WAIT = 30.0
NO_FEEDBACK_TOPICS = {"menu", "language", "feedback", "loading", "unavailable", "error", "crisis", "emergency", "fallback"}


class SanctuaryBot:
    """Holds the engine and the per-chat state the handlers share."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.flood = FloodLimiter(settings.flood_limit_per_minute)
        self.locks: Dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # ----- sending ------------------------------------------------------------
    async def send_reply(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
        feedback = reply.topic not in NO_FEEDBACK_TOPICS and reply.intent is not None and reply.topic in self._topics()
        for index, message in enumerate(reply.messages):
            last = index == len(reply.messages) - 1
            extra = []
            if last and feedback:
                extra = [[{"title": "👍", "payload": f"feedback:yes:{reply.topic}"},
                          {"title": "👎", "payload": f"feedback:no:{reply.topic}"}]]
            await self.send_text(context, chat_id, message, reply.language, extra)

    async def send_text(self, context, chat_id: int, message: BotMessage, lang: str, extra_rows=()) -> None:
        parts = split_message(directional(message.text, lang))
        for index, part in enumerate(parts):
            markup = keyboard(message.buttons, extra_rows) if index == len(parts) - 1 else None
            await with_retries(lambda: context.bot.send_message(chat_id=chat_id, text=part, reply_markup=markup))

    def _topics(self) -> List[str]:
        kb = self.engine.kb()
        return kb.topic_ids if kb else []

    def _lang(self, update: Update) -> str:
        state = self.engine.users.get(self.engine.conversation_id(update.effective_user.id))
        if state and state.language:
            return state.language
        code = (update.effective_user.language_code or "en").split("-")[0].lower()
        return code if code in LANGUAGES else "en"

    def _flood(self, update: Update) -> str:
        return self.flood.check(self.engine.conversation_id(update.effective_user.id))

    # ----- handlers -------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        async with self.locks[chat_id]:
            verdict = self._flood(update)
            if verdict != "ok":
                if verdict == "warn":
                    await self.send_text(context, chat_id, BotMessage(self.engine.text("rate_limited", self._lang(update))), self._lang(update))
                return
            # Show "typing..." only if the answer is not ready at once (most are in ~25 ms).
            typing = asyncio.create_task(self._typing(context, chat_id, delay=TYPING_AFTER))
            hint = update.effective_user.language_code
            try:
                reply = await self.engine.handle(update.effective_user.id, update.effective_message.text or "", hint=hint)
            finally:
                typing.cancel()
            await self.send_reply(context, chat_id, reply)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat_id = update.effective_chat.id
        async with self.locks[chat_id]:
            try:
                await query.answer()
            except Exception:  # an expired query is harmless
                log.debug("answerCallbackQuery failed")
            if self._flood(update) == "drop":
                return
            typing = asyncio.create_task(self._typing(context, chat_id, delay=TYPING_AFTER))
            try:
                reply = await self.engine.handle_payload(update.effective_user.id, query.data or "menu",
                                                         hint=update.effective_user.language_code)
            finally:
                typing.cancel()
            await self.send_reply(context, chat_id, reply)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        async with self.locks[chat_id]:
            payload = context.args[0] if context.args else ""
            topic, _, lang = payload.rpartition("-") if "-" in payload else (payload, "", "")
            user = update.effective_user.id
            if lang in LANGUAGES:
                self.engine.set_language(user, lang)
            if topic:
                # Deep link: open that answer at once, in that language.
                reply = self.engine.topic_answer(topic, lang if lang in LANGUAGES else self._lang(update))
                await self.send_reply(context, chat_id, reply)
                return
            await self.send_language_picker(context, chat_id, self._lang(update))

    async def send_language_picker(self, context, chat_id: int, lang: str) -> None:
        buttons = [{"title": autonym(code), "payload": f"lang:{code}"} for code in LANGUAGES]
        await self.send_text(context, chat_id, BotMessage(self._choose_language_text(lang), buttons), lang)

    def _choose_language_text(self, lang: str) -> str:
        text = self.engine.text("choose_language", lang)
        english = self.engine.text("choose_language", "en")
        return text if text == english else f"{text}\n{english}"

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            await self.send_language_picker(context, update.effective_chat.id, self._lang(update))

    async def on_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            await self.send_reply(context, update.effective_chat.id, self.engine.menu(self._lang(update)))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            lang = self._lang(update)
            kb = self.engine.kb()
            texts = kb.move("help", lang) if kb else [self.engine.text("error", lang)]
            messages = [BotMessage(t) for t in texts]
            messages[-1].buttons = [self.engine.menu_button(lang)]
            await self.send_reply(context, update.effective_chat.id, Reply("help", None, 1.0, lang, messages))

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            lang = self._lang(update)
            messages = [BotMessage(self.engine.text(key, lang)) for key in ("privacy_what", "privacy_how_long", "privacy_why")]
            messages[-1].buttons = [self.engine.menu_button(lang)]
            await self.send_reply(context, update.effective_chat.id, Reply("privacy", None, 1.0, lang, messages))

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            lang = self._lang(update)
            await self.engine.forget(update.effective_user.id)
            self.flood.seen.pop(self.engine.conversation_id(update.effective_user.id), None)
            await self.send_text(context, update.effective_chat.id, BotMessage(self.engine.text("forget_done", lang)), lang)

    async def on_demo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tour for VCSE workers across languages and topics; nothing is stored."""
        chat_id = update.effective_chat.id
        async with self.locks[chat_id]:
            lang = self._lang(update)
            await self.send_text(context, chat_id, BotMessage(self.engine.text("demo_intro", lang)), lang)
            for topic, code in (("gp_registration", "en"), ("gp_registration", "ar"), ("urgent_care", "fa"), ("crisis", "ti")):
                reply = self.engine.topic_answer(topic, code, show_draft_notice=False)
                reply.messages = reply.messages[:1]
                reply.messages[0].buttons = []
                await self.send_reply(context, chat_id, reply)
            await self.send_language_picker(context, chat_id, lang)

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            location = update.effective_message.location
            reply = await self.engine.handle_location(update.effective_user.id, location.latitude, location.longitude,
                                                      hint=update.effective_user.language_code)
            await self.send_reply(context, update.effective_chat.id, reply)

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            lang = self._lang(update)
            message = BotMessage(self.engine.text("not_text", lang), [self.engine.menu_button(lang)])
            await self.send_text(context, update.effective_chat.id, message, lang)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.locks[update.effective_chat.id]:
            lang = self._lang(update)
            message = BotMessage(self.engine.text("unknown_command", lang), [self.engine.menu_button(lang)])
            await self.send_text(context, update.effective_chat.id, message, lang)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error's type only (never message text) and tell the user, with the menu."""
        log.error("error while handling an update: %s", type(context.error).__name__,
                  exc_info=(type(context.error), context.error, context.error.__traceback__) if self.settings.log_message_text else None)
        if isinstance(update, Update) and update.effective_chat:
            lang = self._lang(update) if update.effective_user else "en"
            try:
                await context.bot.send_message(chat_id=update.effective_chat.id, text=self.engine.text("error", lang),
                                               reply_markup=keyboard([self.engine.menu_button(lang)]))
            except Exception:
                log.error("could not tell the user about the error")

    async def _typing(self, context, chat_id: int, delay: float = 0.0) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
        except asyncio.CancelledError:
            raise
        except Exception:
            pass  # a typing indicator is a nicety, never a reason to fail

    async def register_commands(self, application: Application) -> None:
        """setMyCommands once per language, in that language."""
        kb = self.engine.kb()
        for lang in LANGUAGES:
            commands = []
            for name in COMMANDS:
                text = kb.string(f"command_{name}", lang) if kb else COMMAND_DEFAULTS[name]
                if text == f"command_{name}":
                    text = COMMAND_DEFAULTS[name]
                commands.append(BotCommand(name, text[:256]))
            try:
                await application.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
            except Exception:
                log.warning("setMyCommands failed for %s", lang)


def build_application(engine: Engine, settings: Settings) -> Application:
    bot = SanctuaryBot(engine, settings)
    requests = HTTPXRequest(connection_pool_size=SEND_CONNECTIONS, pool_timeout=POOL_WAIT, httpx_kwargs={
        "limits": httpx.Limits(max_connections=SEND_CONNECTIONS, max_keepalive_connections=SEND_CONNECTIONS)})
    builder = (ApplicationBuilder().token(settings.telegram_token).concurrent_updates(CONCURRENT_UPDATES)
               .request(requests))
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    application = builder.build()
    application.bot_data["sanctuary"] = bot
    application.add_handler(CommandHandler("start", bot.on_start))
    application.add_handler(CommandHandler("language", bot.on_language))
    application.add_handler(CommandHandler("menu", bot.on_menu))
    application.add_handler(CommandHandler("help", bot.on_help))
    application.add_handler(CommandHandler("privacy", bot.on_privacy))
    application.add_handler(CommandHandler("forget", bot.on_forget))
    application.add_handler(CommandHandler("demo", bot.on_demo))
    application.add_handler(CallbackQueryHandler(bot.on_button))
    application.add_handler(MessageHandler(filters.LOCATION, bot.on_location))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, bot.on_text))
    application.add_handler(MessageHandler(filters.COMMAND, bot.on_unknown_command))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.LOCATION & ~filters.StatusUpdate.ALL, bot.on_not_text))
    application.add_error_handler(bot.on_error)
    return application


def run_telegram(settings: Settings, webhook_url: Optional[str] = None, port: int = 8443) -> int:
    from bot.runtime import ModelMissing, Runtime

    runtime = Runtime(settings)

    async def post_init(application: Application) -> None:
        try:
            runtime.start_in_background()  # the picker and safety answers work while the model loads
        except ModelMissing as error:
            log.error("%s", error)
        await application.bot_data["sanctuary"].register_commands(application)

    async def post_shutdown(application: Application) -> None:
        await runtime.stop()

    application = build_application(runtime.engine, settings)
    application.post_init = post_init
    application.post_shutdown = post_shutdown
    log.info("Telegram bot starting (%s)", "webhook" if webhook_url else "long polling")
    if webhook_url:
        application.run_webhook(listen="0.0.0.0", port=port, webhook_url=webhook_url, allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0

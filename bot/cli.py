"""The `sanctuary` command: train, chat, ask, telegram, content, eval, doctor, worker.

Run `sanctuary --help` or `sanctuary COMMAND --help` for each command's options.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import uuid
from typing import List, Optional

from bot.core.knowledge import LANGUAGES
from bot.core.settings import Settings


def setup_logging(verbose: bool = False) -> None:
    """Our loggers at INFO on stderr; Rasa, TensorFlow and HTTP clients quieter. No message text is logged."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("sanctuary").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _ensure_model(settings: Settings, auto_train: bool = True) -> Optional[int]:
    from bot.training import model_is_current, model_path, train

    if settings.worker_urls or model_is_current(settings.model_dir):
        return None
    if not auto_train and model_path(settings.model_dir).exists():
        return None
    if not auto_train:
        print("No trained model in models/. Run `sanctuary train` first.", file=sys.stderr)
        return 2
    print("Training the model first (the training data changed or there is no model yet)...", file=sys.stderr)
    try:
        train(settings.model_dir)
    except RuntimeError as error:
        print(f"{error}", file=sys.stderr)
        return 2
    return None


# ----- train ---------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    from bot.training import train

    settings = Settings.from_env()
    try:
        path = train(settings.model_dir, force=args.force)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Model ready: {path}", file=sys.stderr)
    return 0


# ----- ask -----------------------------------------------------------------
async def _ask_batch(runtime, lines: List[str], default_lang: Optional[str], out) -> None:
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text", ""), str):
                raise ValueError("each line must be a JSON object with a string \"text\"")
            lang = item.get("lang") or default_lang
            if lang is not None and lang not in LANGUAGES:
                raise ValueError(f"unknown lang {lang!r}; use one of {', '.join(LANGUAGES)}")
            sender = item.get("sender")
            key = f"ask:{sender}" if sender is not None else f"ask:line{number}:{uuid.uuid4().hex}"
            reply = await runtime.engine.handle(key, item.get("text", ""), lang=lang)
            result = reply.as_json()
        except ValueError as error:
            result = {"error": f"line {number + 1}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.runtime import ModelMissing, Runtime

    settings = Settings.from_env()
    code = _ensure_model(settings)
    if code:
        return code
    lines = [json.dumps({"text": args.text, "lang": args.lang})] if args.text is not None else sys.stdin.read().splitlines()

    async def run() -> int:
        runtime = Runtime(settings)
        try:
            await runtime.start()
            if args.text is not None and not args.json:
                reply = await runtime.engine.handle("ask:cli", args.text, lang=args.lang)
                for message in reply.messages:
                    print(message.text)
                    for button in message.buttons:
                        print(f"  [{button['title']}]")
                    print()
            else:
                await _ask_batch(runtime, lines, args.lang, sys.stdout)
            return 0
        except ModelMissing as error:
            print(error, file=sys.stderr)
            return 2
        finally:
            await runtime.stop()

    return asyncio.run(run())


# ----- chat ----------------------------------------------------------------
def cmd_chat(args: argparse.Namespace) -> int:
    from bot.terminal_chat import run_chat

    settings = Settings.from_env()
    code = _ensure_model(settings)
    if code:
        return code
    return asyncio.run(run_chat(settings, args.lang))


# ----- telegram ------------------------------------------------------------
def cmd_telegram(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.telegram_token:
        print("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and run "
              "`export TELEGRAM_BOT_TOKEN=...` (see README, 'Telegram').", file=sys.stderr)
        return 2
    code = _ensure_model(settings)
    if code:
        return code
    from bot.telegram_bot.app import run_telegram

    return run_telegram(settings, webhook_url=args.webhook, port=args.port)


# ----- worker (scaled mode) --------------------------------------------------
def cmd_worker(args: argparse.Namespace) -> int:
    """Run one Rasa worker in the foreground (scaled mode; see docs/DEPLOY.md)."""
    from bot.processes import RasaWorker
    from bot.training import model_path

    settings = Settings.from_env()
    action_url = os.environ.get("ACTION_ENDPOINT_URL")
    if not action_url:
        print("ACTION_ENDPOINT_URL is not set: start `sanctuary actions --port 5055` and set it to http://HOST:5055/webhook", file=sys.stderr)
        return 2
    worker = RasaWorker(model_path(settings.model_dir), action_url, endpoints=args.endpoints, port=args.port)
    os.execvpe(worker.command()[0], worker.command(), worker.env())


def cmd_actions(args: argparse.Namespace) -> int:
    """Run the action server in the foreground (scaled mode)."""
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(args.port)]
    os.execvp(command[0], command)


# ----- doctor --------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.training import model_is_current, model_path

    settings = Settings.from_env()
    print(f"Python: {sys.version.split()[0]}")
    for key, value in settings.redacted().items():
        print(f"{key}: {value}")
    model = model_path(settings.model_dir)
    print(f"model: {model} ({'current' if model_is_current(settings.model_dir) else 'missing or out of date: run sanctuary train'})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sanctuary", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output (never message text)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", help="train the Rasa model into models/ (skipped when nothing changed)")
    p.add_argument("--force", action="store_true", help="retrain even if nothing changed")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("chat", help="talk to the bot in this terminal")
    p.add_argument("--lang", choices=LANGUAGES, help="answer in this language")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("ask", help="one answer for TEXT, or JSON lines from stdin")
    p.add_argument("--lang", choices=LANGUAGES, help="the user's chosen language")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.add_argument("text", nargs="?", help="the message; without it, read JSON lines from stdin")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    p.add_argument("--webhook", metavar="URL", help="use a webhook at URL instead of long polling")
    p.add_argument("--port", type=int, default=8443, help="port for the webhook server")
    p.set_defaults(func=cmd_telegram)

    p = sub.add_parser("worker", help="scaled mode: run one Rasa worker in the foreground")
    p.add_argument("--port", type=int, default=5005)
    p.add_argument("--endpoints", default="endpoints.redis.yml")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("actions", help="scaled mode: run the action server in the foreground")
    p.add_argument("--port", type=int, default=5055)
    p.set_defaults(func=cmd_actions)

    p = sub.add_parser("doctor", help="print the resolved settings (secrets redacted) and the model state")
    p.set_defaults(func=cmd_doctor)

    try:
        from bot.content.cli import register as register_content
    except ImportError:  # pragma: no cover - during early development only
        register_content = None
    if register_content:
        register_content(sub)
    from bot.benchmark import register as register_bench
    from bot.evaluation import register as register_eval
    from bot.poster import register as register_poster

    register_eval(sub)
    register_bench(sub)
    register_poster(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(getattr(args, "verbose", False))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""The plain core never imports Rasa, TensorFlow or Telegram (like rasa/shared), so the
front end can answer the picker and safety messages without them."""
from __future__ import annotations

import ast
from pathlib import Path

from bot.core.settings import repo_root

FORBIDDEN = ("rasa", "rasa_sdk", "tensorflow", "telegram", "sanic")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_imports_nothing_heavy():
    for path in (repo_root() / "bot" / "core").glob("*.py"):
        for module in imported_modules(path):
            assert module.split(".")[0] not in FORBIDDEN, f"{path.name} imports {module}"


def test_front_end_modules_do_not_import_rasa():
    for name in ("engine.py", "workers.py", "runtime.py", "processes.py", "training.py", "terminal_chat.py"):
        for module in imported_modules(repo_root() / "bot" / name):
            assert module.split(".")[0] not in ("rasa", "tensorflow"), f"{name} imports {module}"
    for path in (repo_root() / "bot" / "telegram_bot").glob("*.py"):
        for module in imported_modules(path):
            assert module.split(".")[0] not in ("rasa", "tensorflow"), f"{path.name} imports {module}"

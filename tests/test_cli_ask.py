"""`sanctuary ask --json` as evaluators use it: JSON lines in, JSON lines out, one model load."""
from __future__ import annotations

import json
import subprocess
import sys

from bot.core.settings import repo_root


def run_ask(stdin: str, *args: str) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", *args], input=stdin,
                            capture_output=True, text=True, cwd=repo_root(), timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_batch_keeps_order_reports_errors_and_continues(trained_model):
    lines = [
        json.dumps({"text": "how do I register with a GP"}),
        "this is not json",
        json.dumps({"text": "كيف أسجل عند طبيب عام؟", "lang": "ar"}),
        json.dumps({"text": "I want to end my life"}),
        json.dumps({"text": "hello", "sender": "s1"}),
        json.dumps({"text": "my tooth is broken and it hurts a lot", "sender": "s1"}),
    ]
    out = run_ask("\n".join(lines) + "\n")
    assert len(out) == 6
    assert out[0]["topic"] == "gp_registration" and out[0]["language"] == "en"
    assert "error" in out[1]
    assert out[2]["topic"] == "gp_registration" and out[2]["language"] == "ar"
    assert out[3]["topic"] == "crisis" and "999" in out[3]["messages"][0]
    assert out[5]["topic"] == "dental_urgent"
    for item in out[:1] + out[2:]:
        assert set(item) >= {"topic", "intent", "confidence", "language", "messages"}


def test_telegram_without_token_says_how_and_exits_2():
    env = {k: v for k, v in __import__("os").environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "telegram"], capture_output=True, text=True,
                            cwd=repo_root(), env=env, timeout=60)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

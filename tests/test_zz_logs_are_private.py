"""Runs last (file name): nothing logged during the whole test run holds message text or a raw Telegram id."""
from __future__ import annotations

from bot.processes import log_dir

# Texts and ids the other tests send; none may appear in any log line.
SENT_TEXTS = ["kill myself", "register with a GP", "كيف أسجل", "toothache", "Fatima", "dont want to live"]
RAW_IDS = ["987654321", "424242"]


def test_no_message_text_or_raw_id_in_any_log(session_log):
    worker_logs = [p.read_text(errors="replace") for p in log_dir().glob("*.log")]
    lines = session_log.lines + [line for text in worker_logs for line in text.splitlines()]
    assert lines, "expected some log output to check"
    for needle in SENT_TEXTS + RAW_IDS:
        offending = [line for line in lines if needle in line]
        assert not offending, (needle, offending[:2])

"""Message formatting for Telegram: splitting under the limit, right-to-left layout."""
from __future__ import annotations

import unicodedata

from bot.telegram_bot.formatting import NBSP, RLM, directional, keyboard, split_message


def test_long_text_splits_at_sentences_under_the_limit():
    text = "This is one sentence. " * 400
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_one_enormous_word_is_still_split():
    parts = split_message("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_rtl_lines_start_with_a_mark_and_phone_numbers_stay_whole():
    text = "اتصل بالسامريين 116 123\nNHS 111 مجاني"
    out = directional(text, "ar")
    assert all(line.startswith(RLM) for line in out.split("\n"))
    assert f"116{NBSP}123" in out
    # A no-break space is a common separator (CS) in the bidi algorithm; a plain space is not.
    assert unicodedata.bidirectional(NBSP) == "CS"


def test_ltr_text_is_untouched():
    assert directional("Call 116 123", "en") == "Call 116 123"


def test_keyboard_puts_long_titles_on_their_own_row():
    markup = keyboard([{"title": "A very long button title here", "payload": "a"},
                       {"title": "Short", "payload": "b"}, {"title": "Tiny", "payload": "c"}])
    rows = [[b.callback_data for b in row] for row in markup.inline_keyboard]
    assert rows == [["a"], ["b", "c"]]

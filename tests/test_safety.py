"""Tests for the safety layer (bot/core/safety.py) and its data.

The safety layer answers messages about suicide, self-harm and medical
emergencies before any NLU runs, so these tests hold it to:
  - recall 1.00 on tests/safety_data/positive.yml in every language;
  - at most 5% false alarms per language on tests/safety_data/lookalike.yml;
  - both answers in all 13 languages, each with 999, 111, 116 123 and 85258;
  - never raising, and staying fast, on any input.
"""
from __future__ import annotations

import ast
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from bot.core.nlu_data import read_file
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import safety
from bot.core.normalize import normalize
from bot.core.safety import (
    KINDS,
    SAFETY_LANGUAGES,
    SafetyConfigError,
    SafetyMatch,
    detect,
    evaluate_safety,
    load_answers,
    load_lexicon,
    load_safety_sets,
    safety_messages,
)

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "tests" / "safety_data"
NUMBERS = ("999", "111", "116 123", "85258")
LATIN_NAMES = ("NHS 111", "A&E", "Samaritans", "Shout")
TRANSLITERATED_REQUIRED = ("ar", "fa", "ur")


@pytest.fixture(scope="module")
def report():
    return evaluate_safety()


@pytest.fixture(scope="module")
def sets():
    return load_safety_sets()


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


# ------------------------------------------------------------------ the lexicon


def test_lexicon_covers_every_language(lexicon):
    for lang in SAFETY_LANGUAGES:
        for section in (lexicon.crisis, lexicon.emergency, lexicon.exclusions):
            assert any(rule.lang == lang for rule in section), f"{lang} has an empty section"


def test_rule_ids_are_stable_names(lexicon):
    pattern = re.compile(r"^(?P<lang>[a-z]{2,3})\.(?P<kind>crisis|emergency|not)\.[a-z0-9_]+$")
    for rule in (*lexicon.crisis, *lexicon.emergency, *lexicon.exclusions):
        match = pattern.match(rule.rule_id)
        assert match, rule.rule_id
        assert match["lang"] == rule.lang
        assert {"crisis": "crisis", "emergency": "emergency", "not_crisis": "not"}[rule.kind] == match["kind"]


_ESCAPE = re.compile(r"\\.")


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_patterns_are_written_in_normalised_form(lexicon, lang):
    """A pattern with ي, ك, ئ, upper case or an accent can never match normalised text."""
    problems = []
    for rule in (*lexicon.crisis, *lexicon.emergency, *lexicon.exclusions):
        if rule.lang != lang or rule.raw:
            continue
        literal = _ESCAPE.sub("", rule.regex.pattern)
        for char in literal:
            if (char.isalnum() or unicodedata.category(char).startswith("M")) and normalize(char) != char:
                problems.append(f"{rule.rule_id}: {char!r} (U+{ord(char):04X}) normalises to {normalize(char)!r}")
        # normalize() cuts runs of 3+ equal characters to 2 ("999" -> "99").
        run = re.search(r"(\w)\1\1", literal)
        if run:
            problems.append(f"{rule.rule_id}: {run.group()!r} can never appear in normalised text")
    assert not problems, "\n".join(problems)


def test_patterns_bound_their_repeats(lexicon):
    """\\S+ or .* after a short, frequent prefix makes a long message quadratic.

    (\\s* is fine: normalize() collapses whitespace to single spaces.)
    """
    unbounded = re.compile(r"(?:\\[SWwd]|(?<!\\)\.|\[\^[^\]]*\])[+*]")
    offenders = [
        rule.rule_id
        for rule in (*lexicon.crisis, *lexicon.emergency, *lexicon.exclusions)
        if unbounded.search(rule.regex.pattern)
    ]
    assert not offenders, f"use {{1,30}} / {{0,30}} instead of + / * in: {offenders}"


def _write_lexicon(tmp_path, body: str) -> Path:
    path = tmp_path / "lexicon.yml"
    path.write_text(body, encoding="utf-8")
    return path


def _minimal_lexicon(extra_rule: str = "") -> str:
    rows = ["version: 1", "languages:"]
    for lang in SAFETY_LANGUAGES:
        rows += [
            f"  {lang}:",
            "    crisis:",
            f"      - {{id: {lang}.crisis.a, pattern: 'zzz{lang}'}}",
            "    emergency:",
            f"      - {{id: {lang}.emergency.a, pattern: 'yyy{lang}'}}",
        ]
        if lang == "en" and extra_rule:
            rows.append(extra_rule)
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    "extra_rule, message",
    [
        ("      - {id: en.emergency.b, on: raw, pattern: 'x'}", "unknown key"),  # YAML 1.1: on -> True
        ("      - {id: en.emergency.a, pattern: 'x'}", "duplicate id"),
        ("      - {id: en.emergency.b, pattern: '(unclosed'}", "bad regex"),
        ("      - {id: en.emergency.b, pattern: 'x?'}", "matches empty text"),
        ("      - {id: ar.emergency.b, pattern: 'x'}", "must start with"),
        ("      - {id: en.emergency.b, match: rawish, pattern: 'x'}", "'match' must be"),
    ],
)
def test_loader_rejects_broken_rules(tmp_path, extra_rule, message):
    path = _write_lexicon(tmp_path, _minimal_lexicon(extra_rule))
    with pytest.raises(SafetyConfigError, match=message):
        load_lexicon(path)


def test_loader_rejects_missing_language(tmp_path):
    body = _minimal_lexicon().replace("  vi:", "  xx:").replace("vi.", "xx.")
    with pytest.raises(SafetyConfigError, match="no patterns for vi"):
        load_lexicon(_write_lexicon(tmp_path, body))


def test_minimal_lexicon_loads(tmp_path):
    lexicon = load_lexicon(_write_lexicon(tmp_path, _minimal_lexicon()))
    assert len(lexicon.crisis) == len(SAFETY_LANGUAGES)


# ---------------------------------------------------------------- the data sets


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_positive_set_is_big_enough(sets, lang):
    positive, _ = sets
    rows = positive.get(lang, [])
    crisis = [r for r in rows if r["kind"] == "crisis"]
    emergency = [r for r in rows if r["kind"] == "emergency"]
    assert len(crisis) >= 12, f"{lang}: {len(crisis)} crisis lines"
    assert len(emergency) >= 10, f"{lang}: {len(emergency)} emergency lines"
    styles = {r["style"] for r in rows}
    assert {"direct", "indirect"} <= styles, f"{lang}: styles {styles}"
    if lang in TRANSLITERATED_REQUIRED:
        assert "transliterated" in styles, f"{lang}: needs Latin-letter lines"
    texts = [r["text"] for r in rows]
    assert len(texts) == len(set(texts)), f"{lang}: duplicate lines"


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_lookalike_set_is_big_enough(sets, lang):
    _, lookalike = sets
    texts = [r["text"] for r in lookalike.get(lang, [])]
    assert len(texts) >= 12, f"{lang}: {len(texts)} look-alikes"
    assert len(texts) == len(set(texts))


def test_no_line_is_both_positive_and_lookalike(sets):
    positive, lookalike = sets
    pos = {normalize(r["text"]) for rows in positive.values() for r in rows}
    look = {normalize(r["text"]) for rows in lookalike.values() for r in rows}
    assert not pos & look


# ---------------------------------------------------------------- the figures


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_recall_is_one_in_every_language(report, lang):
    row = report["per_language"][lang]
    missed = "\n".join(f"  [{m['kind']}/{m['style']}] {m['text']}" for m in row["missed"])
    assert row["recall"] == 1.0, f"{lang}: recall {row['recall']}, missed:\n{missed}"


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_false_alarms_at_most_five_percent(report, lang):
    row = report["per_language"][lang]
    alarms = "\n".join(f"  [{a['rule_id']}] {a['text']}" for a in row["false_alarms"])
    assert row["false_alarm_rate"] <= 0.05, f"{lang}: {row['false_alarm_rate']}:\n{alarms}"


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_detected_kind_mostly_matches_label(report, lang):
    # Both answers carry 999, so a wrong kind is not dangerous; it still should be rare.
    row = report["per_language"][lang]
    assert row["kind_agreement"] >= 0.9, row["wrong_kind"]


def test_report_shape(report):
    assert set(report) >= {"recall", "false_alarm_rate", "per_language"}
    assert set(report["per_language"]) == set(SAFETY_LANGUAGES)
    assert 0.0 <= report["false_alarm_rate"] <= 1.0
    assert report["recall"] == 1.0


def test_evaluate_safety_takes_a_data_directory(tmp_path):
    (tmp_path / "positive.yml").write_text(
        yaml.safe_dump(
            {
                "en": [
                    {"text": "I want to kill myself", "kind": "crisis", "style": "direct"},
                    {"text": "what a lovely day", "kind": "crisis", "style": "direct"},
                ]
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "lookalike.yml").write_text(
        yaml.safe_dump({"en": [{"text": "my battery is dead"}, {"text": "he is not breathing"}]}),
        encoding="utf-8",
    )
    result = evaluate_safety(tmp_path)
    assert result["recall"] == 0.5
    assert result["false_alarm_rate"] == 0.5
    assert result["per_language"]["en"]["missed"][0]["text"] == "what a lovely day"


def test_evaluate_safety_rejects_unlabelled_positive(tmp_path):
    (tmp_path / "positive.yml").write_text("en:\n  - {text: hi, kind: sad, style: direct}\n", encoding="utf-8")
    (tmp_path / "lookalike.yml").write_text("en: []\n", encoding="utf-8")
    with pytest.raises(SafetyConfigError, match="kind"):
        evaluate_safety(tmp_path)


def test_cli_prints_the_table():
    out = subprocess.run(
        [sys.executable, "-m", "bot.core.safety", "--quiet"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[0].split()[:2] == ["lang", "recall"]
    assert any(line.startswith("all") for line in out.splitlines())


# ------------------------------------------------------- behaviour of detect()


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_an_idiom_never_hides_a_real_message(sets, lang):
    """Exclusions cut idioms out of the text; a crisis in the same message must survive."""
    positive, lookalike = sets
    missed = []
    for idiom in (r["text"] for r in lookalike[lang]):
        for row in positive[lang]:
            for text in (f"{idiom} {row['text']}", f"{row['text']}. {idiom}"):
                if detect(text) is None:
                    missed.append(text)
    assert not missed, "\n".join(missed[:20])


def test_crisis_wins_when_both_match():
    match = detect("I took all my tablets and now I can't breathe")
    assert match == SafetyMatch("crisis", "en.crisis.overdose")


def test_rule_id_names_the_rule_not_the_text(lexicon):
    ids = lexicon.rule_ids
    for text in ("I want to kill myself tonight", "بدي انتحر", "my baby wont wake up"):
        match = detect(text)
        assert match is not None and match.rule_id in ids and text not in match.rule_id


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t\r",
        "\u202e\u202d\u200f\u200e\u2066\u2069\u061c\ufeff\u200b\u200c\u200d",
        "😀" * 2000,
        "a" * 5000,
        "ما " * 2000,
        "ماما" * 2000,
        "\x00\x01\x02\x7f",
        "\ud800" if False else "\U0010ffff",
        "I" + "\u0301" * 500,
    ],
)
def test_detect_survives_odd_input(text):
    result = detect(text)
    assert result is None or result.kind in KINDS


@pytest.mark.parametrize("value", [None, 123, b"I want to die", ["I want to die"]])
def test_detect_ignores_non_text(value):
    assert detect(value) is None  # type: ignore[arg-type]


def test_detect_sees_through_bidi_and_zero_width_characters():
    assert detect("\u202bبدي\u200f \u200cانتحر\u202c") is not None
    assert detect("I want to k\u200bill myself") is not None


_BIDI = st.sampled_from(list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.text(max_size=6000), st.lists(st.one_of(st.text(max_size=20), _BIDI)).map("".join)))
def test_detect_never_raises_on_any_unicode(text):
    result = detect(text)
    assert result is None or (result.kind in KINDS and isinstance(result.rule_id, str))


def test_detect_returns_none_and_logs_if_the_lexicon_breaks(monkeypatch, caplog):
    def broken():
        raise SafetyConfigError("broken for the test")

    monkeypatch.setattr(safety, "_lexicon", broken)
    with caplog.at_level("ERROR"):
        assert detect("I want to kill myself") is None
    assert "safety.detect failed" in caplog.text
    assert "kill myself" not in caplog.text  # never log the user's words


def test_detect_is_fast_on_typical_messages(sets):
    positive, lookalike = sets
    texts = [r["text"] for rows in positive.values() for r in rows]
    texts += [r["text"] for rows in lookalike.values() for r in rows]
    for text in texts:  # warm up
        detect(text)
    timings = []
    for text in texts:
        start = time.perf_counter()
        detect(text)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.001, f"median {statistics.median(timings) * 1000:.2f} ms"


def test_detect_stays_fast_on_long_adversarial_text():
    texts = ["ماما" * 2500, "ما " * 3300, "i want to not " * 700, "ርእሰይ ክ " * 1400, "ሀ" * 10_000]
    for text in texts:
        start = time.perf_counter()
        detect(text)
        assert time.perf_counter() - start < 0.5, f"{text[:10]!r}... took too long"


# ------------------------------------------------------------------ the answers


@pytest.fixture(scope="module")
def answers_file():
    return load_answers()


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_language_has_both_answers_with_every_number(answers_file, lang, kind):
    assert lang in answers_file["answers"], f"no safety answers for {lang}"
    messages = safety_messages(kind, lang)
    assert messages == [m.strip() for m in answers_file["answers"][lang][kind]]
    assert 1 <= len(messages) <= 2
    joined = "\n".join(messages)
    lines = [line.strip() for line in joined.splitlines()]
    for number in NUMBERS:
        assert number in joined, f"{lang}/{kind}: no {number}"
        # Each number on its own line: renders correctly in right-to-left text.
        assert number in lines, f"{lang}/{kind}: {number} is not on its own line"
    for name in LATIN_NAMES:
        assert name in joined, f"{lang}/{kind}: {name!r} missing in Latin letters"
    for message in messages:
        assert len(message) < 600, f"{lang}/{kind}: {len(message)} characters"
    # 999 comes first: it is the first number the reader meets.
    assert lines.index("999") < lines.index("111") < lines.index("116 123") < lines.index("85258")
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", joined), "numbers must be ASCII digits"


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_translations_are_marked_draft(answers_file, lang):
    status = answers_file["answers"][lang]["status"]
    assert status == ("source" if lang == "en" else "draft")


def test_safety_messages_falls_back_to_english():
    english = safety_messages("crisis", "en")
    assert safety_messages("crisis", "xx") == english
    assert safety_messages("crisis", "") == english
    assert safety_messages("crisis", None) == english  # type: ignore[arg-type]
    assert safety_messages("crisis", "ar-SD") == safety_messages("crisis", "ar")
    assert safety_messages("crisis", "fa_AF") == safety_messages("crisis", "fa")
    assert safety_messages("crisis", "prs") == safety_messages("crisis", "fa")
    assert safety_messages("emergency", "UK") == safety_messages("emergency", "uk")


def test_unknown_kind_gets_the_crisis_answer():
    assert safety_messages("panic", "fr") == safety_messages("crisis", "fr")


def test_safety_messages_returns_a_copy():
    messages = safety_messages("crisis", "en")
    messages.clear()
    assert safety_messages("crisis", "en")


def test_built_in_answer_when_the_answers_file_is_broken(monkeypatch):
    monkeypatch.setattr(safety, "_answers", lambda: None)
    for kind in KINDS:
        joined = "\n".join(safety_messages(kind, "ar"))
        for number in NUMBERS:
            assert number in joined


def test_warm_up_succeeds():
    safety.warm_up()


# ------------------------------------------------- independence from the runtime


def test_safety_imports_neither_rasa_nor_telegram():
    allowed_roots = {"__future__", "functools", "logging", "re", "unicodedata", "dataclasses",
                     "pathlib", "typing", "yaml", "bot", "argparse"}
    for module in ("bot/core/safety.py", "bot/core/normalize.py"):
        tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed_roots, f"{module} imports {roots - allowed_roots}"


def test_importing_safety_loads_no_heavy_runtime():
    code = (
        "import sys, bot.core.safety as s; s.warm_up(); s.detect('I want to die'); "
        "heavy=[m for m in sys.modules if m.split('.')[0] in ('rasa','rasa_sdk','telegram','tensorflow')]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True)


# --------------------------------------------- cross-check with the NLU data
# The NLU training files are written by other people in the project; every crisis
# and emergency example there must also reach the safety layer, because a confident
# NLU guess must never be the only thing standing between a person and 999.


def _nlu_examples(path: Path):
    for example in read_file(path):
        yield example.intent, example.text


@pytest.mark.parametrize("lang", SAFETY_LANGUAGES)
def test_nlu_training_examples_agree_with_the_safety_layer(lang):
    path = REPO / "nlu" / f"{lang}.yml"
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    missed, alarms, positives, others = [], [], 0, 0
    for intent, text in _nlu_examples(path):
        match = detect(text)
        if intent in KINDS:
            positives += 1
            if match is None:
                missed.append(text)
        else:
            others += 1
            if match is not None:
                alarms.append(f"[{intent} -> {match.rule_id}] {text}")
    assert positives and len(missed) <= 0.05 * positives, "missed crisis/emergency lines:\n" + "\n".join(missed)
    assert len(alarms) <= 0.01 * max(others, 1), "false alarms:\n" + "\n".join(alarms)

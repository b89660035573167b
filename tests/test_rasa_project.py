"""Rasa's own checks plus consistency between topics, domain, rules and NLU data."""
from __future__ import annotations

import subprocess
import sys

import yaml

from bot.core.nlu_data import read_file
from bot.core.settings import repo_root

ROOT = repo_root()
TOPICS = list(yaml.safe_load((ROOT / "content" / "topics.yml").read_text())["topics"])
LANGS = list(yaml.safe_load((ROOT / "content" / "topics.yml").read_text())["languages"])


def test_rasa_data_validate_is_clean():
    result = subprocess.run([sys.executable, "-m", "rasa", "data", "validate", "--data", "nlu", "stories", "--fail-on-warnings"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_every_topic_is_an_intent_with_a_rule():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    rules = yaml.safe_load((ROOT / "stories" / "rules.yml").read_text())["rules"]
    ruled = {step["intent"] for rule in rules for step in rule["steps"] if "intent" in step}
    for topic in TOPICS:
        assert topic in domain["intents"]
        assert topic in ruled


def _examples(path):
    out = {}
    for example in read_file(path):
        out.setdefault(example.intent, []).append(example.text)
    return out


def test_every_language_has_training_and_held_out_examples_for_every_topic():
    for lang in LANGS:
        train = _examples(ROOT / "nlu" / f"{lang}.yml")
        held_out = _examples(ROOT / "tests" / "nlu_heldout" / f"{lang}.yml")
        for topic in TOPICS:
            assert len(train.get(topic, [])) >= 15, (lang, topic)
            assert held_out.get(topic), (lang, topic)
        overlap = {t for ex in held_out.values() for t in ex} & {t for ex in train.values() for t in ex}
        assert not overlap, (lang, sorted(overlap)[:5])


def test_rules_file_is_generated_from_the_domain():
    from bot.devtools.generate_rules import rules_text

    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert (ROOT / "stories" / "rules.yml").read_text() == rules_text(domain["intents"]), \
        "run: python -m bot.devtools.generate_rules"


def test_rasa_test_stories_pass(trained_model, tmp_path):
    result = subprocess.run([sys.executable, "-m", "rasa", "test", "core", "--stories", "tests/stories",
                             "--model", str(trained_model), "--out", str(tmp_path), "--fail-on-prediction-errors"],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]

"""`sanctuary eval`: held-out NLU accuracy per language and topic, language detection,
a TF-IDF baseline, and the safety layer's recall and false alarms, in one run.

The held-out files (tests/nlu_heldout/<lang>.yml) are never trained on. Accuracy is
measured on what a user gets: the safety layer first, then the model; a fallback
("did you mean...?") counts as wrong.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.core.nlu_data import Example, read_examples
from bot.core.settings import Settings, repo_root

LATIN_LETTER = re.compile(r"[A-Za-z]")
NON_LATIN = re.compile(r"[^\x00-\x7f\u00c0-\u024f\u1e00-\u1eff]")
NATIVE_LATIN_LANGS = {"en", "fr", "so", "sq", "vi"}


def transliterated(example: Example) -> bool:
    """A Latin-letter line in a language that has its own script (Arabizi, Finglish, Roman Urdu)."""
    return (example.lang not in NATIVE_LATIN_LANGS and bool(LATIN_LETTER.search(example.text))
            and not NON_LATIN.search(example.text))


def baseline_accuracy(train: List[Example], test: List[Example]) -> Tuple[float, Dict[str, float]]:
    """TF-IDF character n-grams (1-4) with logistic regression, on the same training data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=1)
    x = vectorizer.fit_transform([e.text for e in train])
    model = LogisticRegression(max_iter=1000, C=10.0, random_state=42)
    model.fit(x, [e.intent for e in train])
    predicted = model.predict(vectorizer.transform([e.text for e in test]))
    right = [p == e.intent for p, e in zip(predicted, test)]
    per_lang: Dict[str, List[bool]] = defaultdict(list)
    for ok, e in zip(right, test):
        per_lang[e.lang].append(ok)
    return sum(right) / len(right), {k: sum(v) / len(v) for k, v in per_lang.items()}


async def _predict(model_path: Path, texts: List[str]) -> List[Tuple[str, float, Optional[str]]]:
    """(intent, confidence, likeliest intent other than the fallback) for each text."""
    import os

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug log would print every message's text
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model_path))
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranked = [r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        out.append((parsed["intent"]["name"], float(parsed["intent"]["confidence"]), ranked[0] if ranked else None))
    return out


def evaluate(model_path: Path, root: Optional[Path] = None) -> dict:
    from bot.core import safety
    from bot.core.language import LanguageDetector

    root = root or repo_root()
    train = read_examples(root / "nlu")
    test = read_examples(root / "tests" / "nlu_heldout")
    started = time.monotonic()
    predictions = asyncio.run(_predict(model_path, [e.text for e in test]))
    nlu_seconds = time.monotonic() - started

    detector = LanguageDetector.from_nlu_dir(root / "nlu")
    by_lang: Dict[str, List[bool]] = defaultdict(list)
    by_topic: Dict[str, List[bool]] = defaultdict(list)
    translit: Dict[str, List[bool]] = defaultdict(list)
    confusions: Counter = Counter()
    lang_right: Dict[str, List[bool]] = defaultdict(list)
    for example, (intent, _confidence, _top) in zip(test, predictions):
        match = safety.detect(example.text)
        predicted = match.kind if match else intent
        ok = predicted == example.intent
        by_lang[example.lang].append(ok)
        by_topic[example.intent].append(ok)
        if transliterated(example):
            translit[example.lang].append(ok)
        if not ok:
            confusions[(example.intent, predicted)] += 1
        detected = detector.detect(example.text).language or "en"
        lang_right[example.lang].append(detected == example.lang)

    def rate(values: List[bool]) -> float:
        return sum(values) / len(values) if values else float("nan")

    all_results = [ok for values in by_lang.values() for ok in values]
    # What a person in crisis gets: the safety answer comes from the lexicon or from the NLU.
    # (action_clarify also sends it when crisis or emergency is the likeliest intent below the threshold.)
    safety_lines = [(e, top) for e, (_i, _c, top) in zip(test, predictions) if e.intent in safety.KINDS]
    caught = sum(1 for e, top in safety_lines if safety.detect(e.text) or top in safety.KINDS)
    safety_heldout = {"caught": caught, "total": len(safety_lines), "recall": caught / max(len(safety_lines), 1)}
    base_overall, base_by_lang = baseline_accuracy(train, test)
    return {
        "examples": len(test),
        "train_examples": len(train),
        "overall": rate(all_results),
        "by_language": {k: rate(v) for k, v in sorted(by_lang.items())},
        "transliterated": {k: (rate(v), len(v)) for k, v in sorted(translit.items())},
        "by_topic": {k: rate(v) for k, v in sorted(by_topic.items())},
        "confusions": confusions.most_common(15),
        "language_detection": rate([ok for v in lang_right.values() for ok in v]),
        "language_detection_by_language": {k: rate(v) for k, v in sorted(lang_right.items())},
        "baseline_overall": base_overall,
        "baseline_by_language": base_by_lang,
        "safety": safety.evaluate_safety(),
        "safety_on_heldout": safety_heldout,
        "nlu_ms_per_message": 1000 * nlu_seconds / max(len(test), 1),
    }


def format_report(r: dict) -> str:
    lines = [f"Held-out examples: {r['examples']} (training examples: {r['train_examples']})",
             f"Topic accuracy overall: {r['overall']:.3f}   baseline (TF-IDF char n-grams + LR): {r['baseline_overall']:.3f}",
             f"Language detection accuracy: {r['language_detection']:.3f}", "",
             "lang  accuracy  baseline  lang-detect  latin-letter lines"]
    for lang, acc in r["by_language"].items():
        tl = r["transliterated"].get(lang)
        tl_text = f"{tl[0]:.3f} (n={tl[1]})" if tl else "-"
        lines.append(f"{lang:<5} {acc:8.3f}  {r['baseline_by_language'].get(lang, float('nan')):8.3f}  "
                     f"{r['language_detection_by_language'].get(lang, float('nan')):11.3f}  {tl_text}")
    lines += ["", "topic accuracy:"]
    lines += [f"  {topic:<20} {acc:.3f}" for topic, acc in r["by_topic"].items()]
    lines += ["", "main confusions (expected -> predicted: count):"]
    lines += [f"  {a} -> {b}: {n}" for (a, b), n in r["confusions"]]
    s = r["safety"]
    lines += ["", "Safety layer on tests/safety_data (direct, indirect, transliterated; look-alikes):",
              f"  recall {s['recall']:.3f}, false alarms {s['false_alarm_rate']:.3f}",
              "  lang  recall  false-alarms  (positives / look-alikes)"]
    for lang, f in sorted(s.get("per_language", {}).items()):
        lines.append(f"  {lang:<5} {f['recall']:.3f}   {f['false_alarm_rate']:.3f}         ({f['positives']} / {f['lookalikes']})")
    held = r.get("safety_on_heldout")
    if held:
        lines.append(f"  crisis/emergency lines of the NLU held-out set answered with the safety answer "
                     f"(safety layer or NLU): {held['caught']}/{held['total']} = {held['recall']:.3f}")
    lines.append(f"\nNLU time per message: {r['nlu_ms_per_message']:.1f} ms")
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.training import train

    settings = Settings.from_env()
    model = train(settings.model_dir)
    report = format_report(evaluate(model))
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n", encoding="utf-8")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("eval", help="NLU, language-detection and safety figures on the held-out sets")
    p.add_argument("--out", help="also write the report to this file")
    p.set_defaults(func=cmd_eval)


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    register(sub)
    sys.exit(cmd_eval(parser.parse_args(["eval"] + sys.argv[1:])))

"""Crisis and emergency detection that runs BEFORE the NLU.

A message about suicide, self-harm or a medical emergency must get the emergency
numbers in the first reply, in the user's language, even when the Rasa model, the
action server or the knowledge file has failed. So this module is plain Python:
it imports neither Rasa, Telegram nor TensorFlow, and its patterns
(``safety_lexicon.yml``) and answers (``safety_answers.yml``) ship inside the
package, next to this file.

    match = detect(text)                       # SafetyMatch | None, never raises
    if match:
        for message in safety_messages(match.kind, user_language):
            send(message)
        log.info("safety rule %s", match.rule_id)   # the rule id, never the user's text

How detection works is described at the top of ``safety_lexicon.yml``. In short:
normalise the text, cut out the idioms ("dying to know", "my battery is dead"),
then try the crisis patterns and the emergency patterns of every language. Crisis
wins when both match: both answers give 999, and the crisis answer adds the
mental health lines. A confident NLU guess never overrides this layer.

``evaluate_safety()`` measures recall and false alarms on ``tests/safety_data``;
the tests and ``sanctuary eval`` both use it. ``python -m bot.core.safety`` prints
the figures.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from bot.core.normalize import normalize, strip_invisible

logger = logging.getLogger(__name__)

SAFETY_LANGUAGES: tuple[str, ...] = (
    "en", "ar", "fa", "ps", "ckb", "ti", "am", "so", "sq", "ur", "fr", "uk", "vi",
)
KINDS: tuple[str, ...] = ("crisis", "emergency")  # in priority order
STYLES: tuple[str, ...] = ("direct", "indirect", "transliterated")

PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_PATH = PACKAGE_DIR / "safety_lexicon.yml"
ANSWERS_PATH = PACKAGE_DIR / "safety_answers.yml"
REPO_ROOT = PACKAGE_DIR.parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "tests" / "safety_data"

# Telegram caps a message at 4,096 characters; anything longer is pasted text.
MAX_CHARS = 10_000

# Region and variant codes people's phones send, mapped to our answer languages.
_LANGUAGE_ALIASES = {
    "prs": "fa",  # Dari
    "pes": "fa",
    "pus": "ps", "pbt": "ps", "pbu": "ps", "pst": "ps",
    "ara": "ar", "arb": "ar", "apc": "ar", "arz": "ar", "apd": "ar", "acm": "ar",
    "urd": "ur", "som": "so", "sqi": "sq", "alb": "sq", "tir": "ti", "amh": "am",
    "fra": "fr", "fre": "fr", "ukr": "uk", "vie": "vi", "eng": "en",
}

# If safety_answers.yml cannot be read, this is still sent: the numbers must go out.
_FALLBACK_EN = {
    "crisis": [
        "If you are in danger now, call:\n999\nor go to A&E. A&E is free for everyone.\n\n"
        "Talk to someone now, free, day or night:\nNHS 111, then choose option 2 (mental health):\n111\n"
        "Samaritans (free, even with no phone credit):\n116 123\nShout, free text service. Text:\n85258",
    ],
    "emergency": [
        "This may be an emergency. Call now:\n999\nThe call is free. Or go to A&E now. "
        "A&E is free for everyone.\n\nIf you are not sure, call NHS 111 (free, day or night):\n111\n\n"
        "If you need to talk to someone:\nSamaritans:\n116 123\nShout, free text service. Text:\n85258",
    ],
}


class SafetyConfigError(ValueError):
    """The lexicon or the answers file is malformed (raised at load, never by detect)."""


@dataclass(frozen=True)
class SafetyMatch:
    kind: str  # "crisis" or "emergency"
    rule_id: str  # the lexicon pattern id (never the user's text)


# --------------------------------------------------------------------------- lexicon

# Scripts a pattern or a text can use. A rule runs only when the text contains a
# letter of a script the pattern is written in, so an Arabic message never pays for
# the Ethiopic patterns.
_SCRIPT_PROBES = {
    "latin": re.compile("[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]"),
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "cyrillic": re.compile("[\u0400-\u052f]"),
    "ethiopic": re.compile("[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f]"),
}
_ESCAPE = re.compile(r"\\.")


def _pattern_scripts(pattern: str) -> frozenset[str]:
    """The scripts of the literal letters in a regex (escapes like \\s ignored)."""
    scripts = set()
    for char in _ESCAPE.sub("", pattern):
        if not char.isalpha():
            continue
        for script, probe in _SCRIPT_PROBES.items():
            if probe.match(char):
                scripts.add(script)
                break
        else:
            scripts.add("other")
    return frozenset(scripts)


def _text_scripts(text: str) -> frozenset[str]:
    return frozenset(script for script, probe in _SCRIPT_PROBES.items() if probe.search(text))


@dataclass(frozen=True)
class Rule:
    rule_id: str
    lang: str
    kind: str  # crisis | emergency | not_crisis
    regex: re.Pattern[str]
    raw: bool  # `match: raw`: matched against the accented text, not the normalised one
    scripts: frozenset[str]

    def applies(self, text_scripts: frozenset[str]) -> bool:
        # A pattern with no letters, or with a letter outside the four probes, always runs.
        if not self.scripts or "other" in self.scripts:
            return True
        return not self.scripts.isdisjoint(text_scripts)


@dataclass(frozen=True)
class Lexicon:
    crisis: tuple[Rule, ...]
    emergency: tuple[Rule, ...]
    exclusions: tuple[Rule, ...]

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(r.rule_id for r in (*self.crisis, *self.emergency, *self.exclusions))


_SECTION_PREFIX = {"crisis": "crisis", "emergency": "emergency", "not_crisis": "not"}


def load_lexicon(path: Path | str = LEXICON_PATH) -> Lexicon:
    """Read, check and compile the lexicon. Raises SafetyConfigError on any problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SafetyConfigError(f"{path}: cannot read the safety lexicon: {error}") from error
    if not isinstance(data, Mapping) or data.get("version") != 1:
        raise SafetyConfigError(f"{path}: expected a mapping with 'version: 1'")
    languages = data.get("languages")
    if not isinstance(languages, Mapping):
        raise SafetyConfigError(f"{path}: 'languages' must be a mapping")
    missing = [lang for lang in SAFETY_LANGUAGES if lang not in languages]
    if missing:
        raise SafetyConfigError(f"{path}: no patterns for {', '.join(missing)}")

    sections: dict[str, list[Rule]] = {"crisis": [], "emergency": [], "not_crisis": []}
    seen: set[str] = set()
    for lang, entry in languages.items():
        if not isinstance(entry, Mapping):
            raise SafetyConfigError(f"{path}: languages.{lang} must be a mapping")
        unknown = set(entry) - set(sections)
        if unknown:
            raise SafetyConfigError(f"{path}: languages.{lang}: unknown section(s) {sorted(unknown)}")
        for section in ("crisis", "emergency"):
            if not entry.get(section):
                raise SafetyConfigError(f"{path}: languages.{lang}.{section} is empty")
        for section, rules in entry.items():
            for index, item in enumerate(rules or []):
                where = f"{path}: languages.{lang}.{section}[{index}]"
                if not isinstance(item, Mapping) or "id" not in item or "pattern" not in item:
                    raise SafetyConfigError(f"{where}: needs 'id' and 'pattern'")
                extra = set(item) - {"id", "pattern", "match"}
                if extra:  # e.g. `on: raw` silently becomes the boolean key True in YAML 1.1
                    raise SafetyConfigError(f"{where}: unknown key(s) {sorted(map(str, extra))}")
                rule_id, pattern = str(item["id"]), str(item["pattern"])
                expected = f"{lang}.{_SECTION_PREFIX[section]}."
                if not rule_id.startswith(expected):
                    raise SafetyConfigError(f"{where}: id {rule_id!r} must start with {expected!r}")
                if rule_id in seen:
                    raise SafetyConfigError(f"{where}: duplicate id {rule_id!r}")
                seen.add(rule_id)
                on = item.get("match", "normalized")
                if on not in ("normalized", "raw"):
                    raise SafetyConfigError(f"{where}: 'match' must be 'normalized' or 'raw'")
                if on == "raw" and section == "not_crisis":
                    raise SafetyConfigError(f"{where}: exclusions always match the normalised text")
                try:
                    regex = re.compile(pattern)
                except re.error as error:
                    raise SafetyConfigError(f"{where} ({rule_id}): bad regex: {error}") from error
                if regex.search(""):
                    raise SafetyConfigError(f"{where} ({rule_id}): pattern matches empty text")
                sections[section].append(
                    Rule(rule_id, lang, section, regex, on == "raw", _pattern_scripts(pattern))
                )
    return Lexicon(tuple(sections["crisis"]), tuple(sections["emergency"]), tuple(sections["not_crisis"]))


@functools.lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return load_lexicon(LEXICON_PATH)


def warm_up() -> None:
    """Compile the lexicon and load the answers now; raise if either is broken.

    Call this at start-up so a broken file stops the deploy instead of silently
    switching the safety layer off.
    """
    _lexicon()
    answers = _answers()
    if answers is None:
        raise SafetyConfigError(f"{ANSWERS_PATH}: cannot load the safety answers")


# ------------------------------------------------------------------------- detection

_SPACES = re.compile(r"\s+")


def _raw_form(text: str) -> str:
    """Lower case with accents kept, for `match: raw` patterns."""
    text = unicodedata.normalize("NFC", strip_invisible(text)).casefold()
    return _SPACES.sub(" ", text).strip()


def _detect(text: str, lexicon: Lexicon) -> SafetyMatch | None:
    if not isinstance(text, str) or not text:
        return None
    text = text[:MAX_CHARS]
    normalized = normalize(text)
    if not normalized:
        return None
    scripts = _text_scripts(normalized)
    cleaned = normalized
    for rule in lexicon.exclusions:
        if rule.applies(scripts):
            cleaned = rule.regex.sub(" ", cleaned)
    raw: str | None = None
    for kind, rules in (("crisis", lexicon.crisis), ("emergency", lexicon.emergency)):
        for rule in rules:
            if not rule.applies(scripts):
                continue
            if rule.raw:
                if raw is None:
                    raw = _raw_form(text)
                target = raw
            else:
                target = cleaned
            if rule.regex.search(target):
                return SafetyMatch(kind, rule.rule_id)
    return None


def detect(text: str) -> SafetyMatch | None:
    """Return the crisis or emergency rule a message matches, or None.

    Never raises: on any internal error it logs (without the text) and returns None.
    """
    try:
        return _detect(text, _lexicon())
    except Exception:  # noqa: BLE001 - the safety layer must never break a reply
        logger.exception("safety.detect failed; message passed through undetected")
        return None


# --------------------------------------------------------------------------- answers


def _check_answers(data: Any, path: Path) -> dict[str, dict[str, list[str]]]:
    if not isinstance(data, Mapping) or data.get("version") != 1:
        raise SafetyConfigError(f"{path}: expected a mapping with 'version: 1'")
    answers = data.get("answers")
    if not isinstance(answers, Mapping) or "en" not in answers:
        raise SafetyConfigError(f"{path}: 'answers' must be a mapping with at least 'en'")
    checked: dict[str, dict[str, list[str]]] = {}
    for lang, entry in answers.items():
        if not isinstance(entry, Mapping):
            raise SafetyConfigError(f"{path}: answers.{lang} must be a mapping")
        checked[lang] = {}
        for kind in KINDS:
            messages = entry.get(kind)
            if (
                not isinstance(messages, list)
                or not 1 <= len(messages) <= 2
                or not all(isinstance(m, str) and m.strip() for m in messages)
            ):
                raise SafetyConfigError(f"{path}: answers.{lang}.{kind} must be 1 or 2 non-empty messages")
            checked[lang][kind] = [m.strip() for m in messages]
    return checked


def load_answers(path: Path | str = ANSWERS_PATH) -> dict[str, Any]:
    """Read the answers file as written (with each language's status)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SafetyConfigError(f"{path}: cannot read the safety answers: {error}") from error
    _check_answers(data, path)
    return data


@functools.lru_cache(maxsize=1)
def _answers() -> dict[str, dict[str, list[str]]] | None:
    try:
        return _check_answers(load_answers(ANSWERS_PATH), ANSWERS_PATH)
    except Exception:  # noqa: BLE001 - fall back to the built-in English answer
        logger.exception("safety answers unavailable; using the built-in English answer")
        return None


def answer_language(lang: str | None) -> str:
    """Map a language code as phones send it ("ar-SD", "fa_AF", "prs") to an answer language."""
    if not isinstance(lang, str):
        return "en"
    code = lang.strip().lower().replace("_", "-")
    if code in SAFETY_LANGUAGES:
        return code
    base = code.split("-", 1)[0]
    base = _LANGUAGE_ALIASES.get(base, base)
    return base if base in SAFETY_LANGUAGES else "en"


def safety_messages(kind: str, lang: str) -> list[str]:
    """The safety answer for `kind` in `lang` (English when the language is missing).

    An unknown kind gets the crisis answer, which carries every number.
    """
    if kind not in KINDS:
        logger.warning("safety_messages: unknown kind %r, sending the crisis answer", kind)
        kind = "crisis"
    answers = _answers()
    if answers is None:
        return list(_FALLBACK_EN[kind])
    lang = answer_language(lang)
    entry = answers.get(lang) or answers["en"]
    return list(entry[kind])


# ------------------------------------------------------------------------ evaluation


def _load_set(path: Path, *, labelled: bool) -> dict[str, list[dict[str, str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise SafetyConfigError(f"{path}: expected a mapping of language -> list")
    out: dict[str, list[dict[str, str]]] = {}
    for lang, items in data.items():
        rows = []
        for index, item in enumerate(items or []):
            where = f"{path}: {lang}[{index}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
                raise SafetyConfigError(f"{where}: needs a 'text'")
            if labelled:
                if item.get("kind") not in KINDS:
                    raise SafetyConfigError(f"{where}: 'kind' must be one of {KINDS}")
                if item.get("style") not in STYLES:
                    raise SafetyConfigError(f"{where}: 'style' must be one of {STYLES}")
            rows.append(dict(item))
        out[str(lang)] = rows
    return out


def load_safety_sets(data_dir: Path | str = DEFAULT_DATA_DIR) -> tuple[dict, dict]:
    """(positive, lookalike) sets from `data_dir`, each {lang: [{text, kind?, style?}]}."""
    data_dir = Path(data_dir)
    return (
        _load_set(data_dir / "positive.yml", labelled=True),
        _load_set(data_dir / "lookalike.yml", labelled=False),
    )


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def evaluate_safety(data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, Any]:
    """Recall and false alarms of `detect` on the safety sets in `data_dir`.

    Returns {"recall", "false_alarm_rate", "kind_agreement", "positives",
    "lookalikes", "per_language": {lang: {...}}}. Recall counts a positive as found
    when detect() fires at all (both answers give 999); kind_agreement is the share
    of found positives whose kind matches the label. Missed and falsely flagged
    lines are listed per language (they are test lines, not user messages).
    """
    positive, lookalike = load_safety_sets(data_dir)
    per_language: dict[str, dict[str, Any]] = {}
    totals = {"positives": 0, "found": 0, "same_kind": 0, "lookalikes": 0, "false_alarms": 0}
    for lang in sorted(set(positive) | set(lookalike), key=_language_order):
        found = same_kind = 0
        missed, wrong_kind = [], []
        by_style: dict[str, list[int]] = {}
        by_kind: dict[str, list[int]] = {}
        for item in positive.get(lang, []):
            match = detect(item["text"])
            hit = match is not None
            found += hit
            for bucket, key in ((by_style, item["style"]), (by_kind, item["kind"])):
                bucket.setdefault(key, [0, 0])
                bucket[key][0] += hit
                bucket[key][1] += 1
            if not hit:
                missed.append({"text": item["text"], "kind": item["kind"], "style": item["style"]})
            elif match.kind == item["kind"]:
                same_kind += 1
            else:
                wrong_kind.append({"text": item["text"], "kind": item["kind"], "got": match.rule_id})
        false_alarms = []
        for item in lookalike.get(lang, []):
            match = detect(item["text"])
            if match is not None:
                false_alarms.append({"text": item["text"], "rule_id": match.rule_id})
        n_pos, n_look = len(positive.get(lang, [])), len(lookalike.get(lang, []))
        per_language[lang] = {
            "positives": n_pos,
            "recall": _rate(found, n_pos),
            "kind_agreement": _rate(same_kind, found),
            "recall_by_kind": {k: _rate(v[0], v[1]) for k, v in sorted(by_kind.items())},
            "recall_by_style": {k: _rate(v[0], v[1]) for k, v in sorted(by_style.items())},
            "lookalikes": n_look,
            "false_alarm_rate": _rate(len(false_alarms), n_look),
            "missed": missed,
            "wrong_kind": wrong_kind,
            "false_alarms": false_alarms,
        }
        totals["positives"] += n_pos
        totals["found"] += found
        totals["same_kind"] += same_kind
        totals["lookalikes"] += n_look
        totals["false_alarms"] += len(false_alarms)
    return {
        "recall": _rate(totals["found"], totals["positives"]),
        "false_alarm_rate": _rate(totals["false_alarms"], totals["lookalikes"]),
        "kind_agreement": _rate(totals["same_kind"], totals["found"]),
        "positives": totals["positives"],
        "lookalikes": totals["lookalikes"],
        "per_language": per_language,
    }


def _language_order(lang: str) -> tuple[int, str]:
    return (SAFETY_LANGUAGES.index(lang) if lang in SAFETY_LANGUAGES else len(SAFETY_LANGUAGES), lang)


def format_report(report: Mapping[str, Any], *, details: bool = True) -> str:
    """A plain-text table of an evaluate_safety() result."""
    lines = [
        f"{'lang':<5} {'recall':>7} {'kind':>6} {'false alarms':>14}",
    ]
    for lang, row in report["per_language"].items():
        lines.append(
            f"{lang:<5} {row['recall']:>7.2f} {row['kind_agreement']:>6.2f} "
            f"{row['false_alarm_rate']:>6.2f} ({len(row['false_alarms'])}/{row['lookalikes']})"
        )
    lines.append(
        f"{'all':<5} {report['recall']:>7.2f} {report['kind_agreement']:>6.2f} "
        f"{report['false_alarm_rate']:>6.2f}   positives={report['positives']} lookalikes={report['lookalikes']}"
    )
    if details:
        for lang, row in report["per_language"].items():
            for item in row["missed"]:
                lines.append(f"  MISSED       {lang} [{item['kind']}/{item['style']}] {item['text']}")
            for item in row["false_alarms"]:
                lines.append(f"  FALSE ALARM  {lang} [{item['rule_id']}] {item['text']}")
            for item in row["wrong_kind"]:
                lines.append(f"  OTHER KIND   {lang} [{item['kind']} -> {item['got']}] {item['text']}")
    return "\n".join(lines)


def _main(argv: Iterable[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Measure the safety layer on tests/safety_data.")
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-line details")
    args = parser.parse_args(list(argv) if argv is not None else None)
    print(format_report(evaluate_safety(args.data_dir), details=not args.quiet))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())

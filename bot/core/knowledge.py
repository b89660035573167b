"""The knowledge base: every answer the bot gives, read from ``content/`` at run time.

Plain core: imports only the standard library and PyYAML (no Rasa, no Telegram).

    kb = KnowledgeBase.load(Path("content"))
    kb.answer("gp_registration", "ar")      # Answer(language="ar", status="draft", ...)

    store = KnowledgeStore(Path("content"))  # hot reload: edits are served within seconds
    store.current().answer(...)

Files (see docs/KNOWLEDGE_SCHEMA.md)::

    content/topics.yml               verbatim copy of the topic contract (../shared/topics.yml)
    content/knowledge.yml            English answers
    content/ui.yml                   English interface strings and conversation moves
    content/translations/<lang>.yml  one file per language
    content/directory/*.yml          organisations by region, postcode map

Loading rules
-------------
* A problem in ``knowledge.yml``, ``ui.yml``, ``topics.yml`` or ``directory/`` makes
  :meth:`KnowledgeBase.load` raise :class:`ContentError`: nothing half-checked is served.
* A problem in a translation only makes that part of the translation unusable: the
  bot answers that topic (or string) in English until it is fixed, and the problem is
  kept in :attr:`KnowledgeBase.problems` and logged. ``sanctuary content check`` reports
  the same problems as errors, so CI still refuses them.
* Nothing that depends on today's date (an answer past its review date) ever stops
  loading: it is a warning.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import math
import re
import threading
import time
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

__all__ = [
    "LANGUAGES",
    "RTL_LANGUAGES",
    "Answer",
    "Organisation",
    "Directory",
    "KnowledgeBase",
    "KnowledgeStore",
    "ContentError",
    "Problem",
    "default_content_dir",
    "normalize_language",
    "find_problems",
]

log = logging.getLogger("sanctuary.content")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# --------------------------------------------------------------------------- languages

_FALLBACK_LANGUAGES = ("en", "ar", "fa", "ps", "ckb", "ti", "am", "so", "sq", "ur", "fr", "uk", "vi")
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "fa", "ps", "ckb", "ur"})


def default_content_dir() -> Path:
    """``$SANCTUARY_CONTENT_DIR`` if set, else ``<repo>/content`` (the repo holds the ``bot`` package)."""
    env = os.environ.get("SANCTUARY_CONTENT_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "content"


def _read_languages() -> tuple[str, ...]:
    try:
        with open(default_content_dir() / "topics.yml", encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_Loader)
        langs = tuple(str(k) for k in (data or {}).get("languages") or ())
        if "en" in langs and len(langs) >= 2:
            return langs
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    return _FALLBACK_LANGUAGES


LANGUAGES: tuple[str, ...] = _read_languages()

# Codes people's phones send that mean one of our languages.
_LANGUAGE_ALIASES = {"prs": "fa", "pes": "fa", "fas": "fa", "per": "fa", "pbu": "ps", "pus": "ps",
                     "tir": "ti", "amh": "am", "som": "so", "sqi": "sq", "alb": "sq", "urd": "ur",
                     "ara": "ar", "fra": "fr", "fre": "fr", "ukr": "uk", "vie": "vi", "eng": "en"}


def normalize_language(code: str | None) -> str:
    """A code we serve (``"ar-SA"`` -> ``"ar"``, ``"prs"`` -> ``"fa"``); English when unknown."""
    if not code:
        return "en"
    code = str(code).strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    base = code.split("-", 1)[0]
    base = _LANGUAGE_ALIASES.get(base, base)
    return base if base in LANGUAGES else "en"


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the content, written for editors.

    Iterates (and unpacks) as ``(file, line, message, fix)``; ``severity`` is
    ``"error"`` or ``"warning"``.
    """

    file: str
    line: int | None
    message: str
    fix: str
    severity: str = "error"

    def __iter__(self) -> Iterator[Any]:
        return iter((self.file, self.line, self.message, self.fix))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text}\n    Fix: {self.fix}" if self.fix else text


class ContentError(Exception):
    """The content cannot be served. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error] or self.problems
        head = "; ".join(str(p).replace("\n    ", " ") for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{len(errors)} content problem(s): {head}{more}")


# --------------------------------------------------------------------------- YAML files with line numbers


class _File:
    """A parsed YAML file; line numbers are found on demand by composing the YAML again."""

    def __init__(self, path: Path, rel: str):
        self.path = path
        self.rel = rel
        self.data: Any = None
        self.error: Problem | None = None
        self._root: yaml.Node | None = None
        self._composed = False
        try:
            with open(path, encoding="utf-8") as fh:
                self.text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.text = ""
            self.error = Problem(rel, None, f"cannot read the file ({exc.__class__.__name__})",
                                 "Save the file as UTF-8 text.")
            return
        try:
            self.data = yaml.load(self.text, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else None
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.error = Problem(
                rel, line, f"the YAML cannot be read: {what}",
                "Check the indentation (spaces, not tabs) and quotes on this line and the one above. "
                "Text that contains ': ' or starts with a quote, '-', '[' or '{' must be in quotes or after '|'.")

    def line(self, *path: Any) -> int | None:
        """Line (1-based) of the key or item at ``path``; the deepest line found if the path is incomplete."""
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                self._root = None
        node = self._root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if str(key.value) == str(step):
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


YamlFile = _File  # public name for the editors' tools

# --------------------------------------------------------------------------- text rules

MAX_TELEGRAM = 4096
MAX_MESSAGE = 600
MAX_TITLE = 40
SHORT_NUMBERS = {"111", "999", "116123", "85258", "18001111", "112"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DIGIT_RUN = re.compile(r"\+?\d+(?:[ \u00a0\u202f-]\d+)*")
_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"']+", re.I)
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_STATUSES = ("draft", "reviewed")
CONTACT_TYPES = ("web", "phone", "text", "textphone", "whatsapp", "email", "address", "referral", "other")


@lru_cache(maxsize=8192)
def placeholders(text: str) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(text or ""))


def _digits(text: str) -> str:
    out = []
    for ch in text:
        d = unicodedata.digit(ch, None)
        if d is not None:
            out.append(str(d))
    return "".join(out)


@lru_cache(maxsize=8192)
def phone_numbers(text: str) -> tuple[tuple[str, str, bool], ...]:
    """Phone-like numbers in ``text``: (as written, digits, well formed).

    UK numbers are 0 + 10 digits (``+44`` counts as 0); the short numbers 111, 999,
    116 123, 85258 and 18001 111 are recognised too. Other digit runs (years, amounts,
    NHS numbers) are ignored.
    """
    found = []
    for m in _DIGIT_RUN.finditer(text or ""):
        written = m.group(0).strip(" -\u00a0\u202f")
        digits = _digits(written)
        if written.startswith("+"):
            if not digits.startswith("44"):
                continue
            digits = "0" + digits[2:]
        if digits in SHORT_NUMBERS:
            found.append((written, digits, True))
        elif digits.startswith("0") and len(digits) >= 9:
            found.append((written, digits, len(digits) == 11))
    return tuple(found)


def valid_phone(value: str) -> bool:
    digits = _digits(value)
    if value.strip().startswith("+44"):
        digits = "0" + digits[2:]
    if re.search(r"[^\d\s+()\u00a0-]", value):
        return False
    return digits in SHORT_NUMBERS or (digits.startswith("0") and len(digits) == 11)


def valid_url(url: Any) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (parts.scheme in ("http", "https") and "." in host and not host.startswith(".")
            and not host.endswith(".") and re.fullmatch(r"[A-Za-z0-9.-]+", host) is not None)


def urls_in_text(text: str) -> list[str]:
    return [u.rstrip(".,;:!?)]}'\"") for u in _URL_IN_TEXT.findall(text or "")]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_partial_date(value: Any) -> dt.date | None:
    """A full date, or a year-month ("2024-08") or a year ("2016") as the first day of that period:
    some sources show only a month or a year."""
    if isinstance(value, int) and 1900 <= value <= 2100:
        return dt.date(value, 1, 1)
    day = _as_date(value)
    if day is not None or not isinstance(value, str):
        return day
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value.strip())
    if m and 1 <= int(m.group(2) or 1) <= 12:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), 1)
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# --------------------------------------------------------------------------- the checker


def _where(path: tuple) -> str:
    """Editors' name for a place in a file: ("topics", "crisis", "messages", 1) -> "crisis, message 2"."""
    parts: list[str] = []
    items = list(path)
    i = 0
    while i < len(items):
        step = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if step == "topics" and nxt is not None:
            parts.append(str(nxt))
            i += 2
        elif step == "strings" and nxt is not None:
            parts.append(f"string '{nxt}'")
            i += 2
        elif step == "moves" and nxt is not None:
            parts.append(f"reply to '{nxt}'")
            i += 2
        elif step == "cards" and nxt is not None:
            parts.append(f"card '{nxt}'")
            i += 2
        elif step == "messages" and isinstance(nxt, int):
            parts.append(f"message {nxt + 1}")
            i += 2
        elif step in ("messages", "text"):
            i += 1
        else:
            parts.append(f"item {step + 1}" if isinstance(step, int) else str(step))
            i += 1
    return ", ".join(parts) or "the file"



class _Checker:
    """Collects problems across all content files. Shared by the loader and ``content check``."""

    def __init__(self, content_dir: Path, today: dt.date | None = None):
        self.dir = Path(content_dir)
        self.today = today or dt.date.today()
        self.problems: list[Problem] = []
        self.files: dict[str, _File] = {}
        # translation parts made unusable by a problem: (lang,), (lang, kind, key) or (lang, kind, key, part)
        self.unusable: set[tuple[str, ...]] = set()
        self.contract_topics: dict[str, dict] = {}
        self.contract_languages: tuple[str, ...] = LANGUAGES
        self.topics: dict[str, dict] = {}
        self.ui_strings: dict[str, str] = {}
        self.ui_moves: dict[str, list[str]] = {}
        self.translations: dict[str, dict] = {}
        self.directory_files: list[_File] = []

    # -- helpers
    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.dir.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def open(self, path: Path) -> _File:
        f = _File(path, self.rel(path))
        self.files[f.rel] = f
        if f.error:
            self.problems.append(f.error)
        return f

    def add(self, f: _File, path: tuple, message: str, fix: str, severity: str = "error",
            unusable: tuple[str, ...] | None = None) -> None:
        self.problems.append(Problem(f.rel, f.line(*path), message, fix, severity))
        if unusable is not None and severity == "error":
            self.unusable.add(unusable)

    # -- entry point
    def run(self) -> "_Checker":
        if not self.dir.is_dir():
            self.problems.append(Problem(self.rel(self.dir), None, "the content folder does not exist",
                                         "Set SANCTUARY_CONTENT_DIR to the content folder, or create it."))
            return self
        self.check_contract()
        self.check_knowledge()
        self.check_ui()
        self.check_translations()
        self.check_directory()
        return self

    # -- content/topics.yml
    def check_contract(self) -> None:
        path = self.dir / "topics.yml"
        if not path.exists():
            self.problems.append(Problem(self.rel(path), None, "the topic list is missing",
                                         "Copy ../shared/topics.yml to content/topics.yml.", "warning"))
            return
        f = self.open(path)
        if f.error:
            return
        data = f.data if isinstance(f.data, dict) else {}
        topics = data.get("topics")
        if not isinstance(topics, dict) or not topics:
            self.add(f, ("topics",), "there is no 'topics:' list", "Copy ../shared/topics.yml again.")
            return
        self.contract_topics = {str(k): (v if isinstance(v, dict) else {}) for k, v in topics.items()}
        langs = data.get("languages")
        if isinstance(langs, dict) and "en" in langs:
            self.contract_languages = tuple(str(k) for k in langs)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.contract_languages

    # -- content/knowledge.yml
    def check_knowledge(self) -> None:
        path = self.dir / "knowledge.yml"
        if not path.exists():
            self.problems.append(Problem(self.rel(path), None, "the English answers file is missing",
                                         "Create content/knowledge.yml (see docs/KNOWLEDGE_SCHEMA.md)."))
            return
        f = self.open(path)
        if f.error:
            return
        if not isinstance(f.data, dict) or not isinstance(f.data.get("topics"), dict):
            self.add(f, (), "the file must start with 'version: 1' and a 'topics:' section",
                     "Put every answer under 'topics:', each under its topic id.")
            return
        self.check_version(f)
        topics = f.data["topics"]
        for tid, entry in topics.items():
            tid_s = str(tid)
            if not isinstance(tid, str) or not _TOPIC_ID.match(tid):
                self.add(f, ("topics", tid), f"'{tid}' is not a valid topic id",
                         "Topic ids are lower-case words joined by '_', e.g. gp_registration.")
                continue
            if not isinstance(entry, dict):
                self.add(f, ("topics", tid), f"topic '{tid}' has no fields",
                         "Give it title, last_reviewed, review_by, sources, related and messages.")
                continue
            if self.check_topic(f, tid_s, entry):
                self.topics[tid_s] = entry
        for tid in self.contract_topics:
            if tid not in topics:
                self.add(f, ("topics",), f"topic '{tid}' has no English answer",
                         f"Add '{tid}:' under 'topics:' (its scope is in content/topics.yml).")
        extra = [t for t in self.topics if self.contract_topics and t not in self.contract_topics]
        for tid in extra:
            self.add(f, ("topics", tid), f"topic '{tid}' is not in content/topics.yml",
                     "New topics must be added to the shared topic list first (../shared/topics.yml), "
                     "then copied to content/topics.yml.", "warning")
        known = set(topics)
        for tid, entry in self.topics.items():
            related = entry.get("related") if isinstance(entry.get("related"), list) else []
            for i, rid in enumerate(related):
                if rid not in known:
                    self.add(f, ("topics", tid, "related", i), f"topic '{tid}' has a button to '{rid}', "
                             "which is not a topic", "Use one of the topic ids in content/knowledge.yml.")
                elif rid == tid:
                    self.add(f, ("topics", tid, "related", i), f"topic '{tid}' has a button to itself",
                             "Remove it from 'related'.", "warning")

    def check_version(self, f: _File) -> None:
        version = f.data.get("version")
        if version != 1:
            self.add(f, ("version",), f"version: '{version}' is not allowed" if version is not None
                     else "the file has no 'version: 1' line",
                     "This bot reads version 1: write 'version: 1' at the top (see docs/KNOWLEDGE_SCHEMA.md).")

    def check_messages(self, f: _File, path: tuple, messages: Any, *, english: list[str] | None = None,
                       unusable: tuple[str, ...] | None = None, min_items: int = 1,
                       max_items: int | None = 3) -> bool:
        what = _where(path)
        if isinstance(messages, str):
            messages = [messages]
        if not isinstance(messages, list) or not messages or not all(isinstance(m, str) and m.strip()
                                                                        for m in messages):
            self.add(f, path, f"{what}: 'messages' must be a list of texts",
                     "Write each message as '- |' followed by the text, indented, on the next lines.",
                     unusable=unusable)
            return False
        ok = True
        if english is None and (len(messages) < min_items or (max_items and len(messages) > max_items)):
            self.add(f, path, f"{what}: {len(messages)} messages; use {min_items} to {max_items}",
                     "Merge or split messages so there are at most 3: people read one idea at a time.",
                     "warning")
        if english is not None and len(messages) != len(english):
            self.add(f, path, f"{what}: {len(messages)} messages, but the English has {len(english)}",
                     "Translate each English message as one message, in the same order.", unusable=unusable)
            ok = False
        for i, text in enumerate(messages):
            ok &= self.check_text(f, path + (i,), text, english=english[i] if english and i < len(english)
                                  else None, unusable=unusable)
        return ok

    def check_text(self, f: _File, path: tuple, text: str, *, english: str | None = None,
                   unusable: tuple[str, ...] | None = None, limit: int | None = MAX_MESSAGE) -> bool:
        ok = True
        what = _where(path)
        if len(text) > MAX_TELEGRAM:
            self.add(f, path, f"{what}: the text is {len(text)} characters; Telegram refuses more than "
                     f"{MAX_TELEGRAM}", "Split it into two messages.", unusable=unusable)
            ok = False
        elif limit and len(text) > limit:
            self.add(f, path, f"{what}: the text is {len(text)} characters (more than {limit})",
                     "Shorter messages are easier to read on a phone: split it or cut it.", "warning")
        for written, digits, good in phone_numbers(text):
            if not good:
                self.add(f, path, f"{what}: '{written}' looks like a phone number but has {len(digits)} digits",
                         "UK phone numbers have 11 digits starting with 0 (or are 111, 999, 116 123, "
                         "85258, 18001 111). Copy the number exactly from the source page.",
                         unusable=unusable)
                ok = False
        for url in urls_in_text(text):
            if not valid_url(url):
                self.add(f, path, f"{what}: the link '{url}' is not a well-formed web address",
                         "Links start with https:// and contain no spaces.", unusable=unusable)
                ok = False
        if english is not None:
            missing = placeholders(english) - placeholders(text)
            added = placeholders(text) - placeholders(english)
            if missing:
                names = ", ".join("{" + n + "}" for n in sorted(missing))
                self.add(f, path, f"{what}: the translation lost {names}",
                         f"Copy {names} into the translation exactly as in the English (do not translate "
                         "the word inside the braces).", unusable=unusable)
                ok = False
            if added:
                names = ", ".join("{" + n + "}" for n in sorted(added))
                self.add(f, path, f"{what}: {names} is not in the English text",
                         "Use only the {names} the English text has, spelled the same way.",
                         unusable=unusable)
                ok = False
            en_numbers = {d for _, d, good in phone_numbers(english) if good}
            tr_runs = [_digits(m.group(0)) for m in _DIGIT_RUN.finditer(text)]
            tr_runs = ["0" + r[2:] if r.startswith("44") else r for r in tr_runs]
            for number in sorted(en_numbers):
                if not any(number == r or number in r for r in tr_runs):
                    self.add(f, path, f"{what}: the phone number {number} from the English is missing",
                             "Copy every phone number from the English text exactly, in the digits 0-9.",
                             unusable=unusable)
                    ok = False
            if re.search(r"[^\x00-\x7f]", "".join(re.findall(r"\d", text))) and en_numbers:
                self.add(f, path, f"{what}: numbers are written in non-Latin digits",
                         "Write phone numbers with the digits 0-9 so that phones can dial them.", "warning")
        return ok

    def check_topic(self, f: _File, tid: str, e: dict) -> bool:
        p = ("topics", tid)
        ok = True
        title = e.get("title")
        if not isinstance(title, str) or not title.strip():
            self.add(f, p, f"topic '{tid}' has no title", "Add 'title:' with a short name for the button.")
            ok = False
        elif len(title) > MAX_TITLE:
            self.add(f, p + ("title",), f"the title of '{tid}' is {len(title)} characters",
                     f"Button titles should be at most {MAX_TITLE} characters.", "warning")
        if not self.check_messages(f, p + ("messages",), e.get("messages")):
            ok = False
        last = self.check_date(f, p + ("last_reviewed",), e.get("last_reviewed"), f"'{tid}' last_reviewed")
        review = self.check_date(f, p + ("review_by",), e.get("review_by"), f"'{tid}' review_by")
        if last and review:
            text = " ".join(m for m in (e.get("messages") or []) if isinstance(m, str))
            for card in (e.get("cards") or {}).values() if isinstance(e.get("cards"), dict) else ():
                if isinstance(card, dict):
                    text += " " + str(card.get("text") or "")
            months = 6 if "£" in text else 12
            if review <= last:
                self.add(f, p + ("review_by",), f"'{tid}': review_by is not after last_reviewed",
                         "Set review_by to a date after last_reviewed.")
            elif review > add_months(last, months):
                why = " because the answer quotes an amount in £" if months == 6 else ""
                self.add(f, p + ("review_by",), f"'{tid}': review_by is more than {months} months after "
                         f"last_reviewed{why}", f"Set review_by to {add_months(last, months).isoformat()} "
                         "or earlier.")
            if review < self.today:
                self.add(f, p + ("review_by",), f"'{tid}' was due for review on {review.isoformat()}",
                         "Check the answer against its sources, then update last_reviewed and review_by.",
                         "warning")
        sources = e.get("sources")
        if not isinstance(sources, list) or not sources:
            self.add(f, p + ("sources",), f"topic '{tid}' has no sources",
                     "Add at least one source: url, title and date (or 'undated').")
        else:
            for i, src in enumerate(sources):
                self.check_source(f, p + ("sources", i), src, f"'{tid}' source {i + 1}")
        related = e.get("related")
        if related is not None and (not isinstance(related, list) or not all(isinstance(r, str) for r in related)):
            self.add(f, p + ("related",), f"'{tid}': related must be a list of topic ids",
                     "Write it like: related: [gp_refused, interpreter]")
        elif related is not None and len(related) > 4:
            self.add(f, p + ("related",), f"'{tid}' has {len(related)} follow-up buttons",
                     "Keep at most 4: more do not fit on a phone screen.", "warning")
        cards = e.get("cards")
        if cards is not None:
            if not isinstance(cards, dict):
                self.add(f, p + ("cards",), f"'{tid}': cards must be a list of named cards",
                         "Write it like: cards: {reception: {title: ..., text: ...}}")
                ok = False
            else:
                for name, card in cards.items():
                    if not isinstance(card, dict) or not isinstance(card.get("text"), str) or \
                            not isinstance(card.get("title"), str):
                        self.add(f, p + ("cards", name), f"card '{name}' of '{tid}' needs a title and a text",
                                 "Give the card 'title:' and 'text:'.")
                        ok = False
                    else:
                        self.check_text(f, p + ("cards", name, "text"), card["text"], limit=1000)
        return ok

    def check_date(self, f: _File, path: tuple, value: Any, what: str, *, allow_undated: bool = False,
                   required: bool = True, partial: bool = False) -> dt.date | None:
        if value is None and not required:
            return None
        if allow_undated and value == "undated":
            return None
        day = _as_partial_date(value) if partial else _as_date(value)
        if day is None:
            forms = "YYYY-MM-DD (or YYYY-MM or YYYY if the source shows no day)" if partial else "YYYY-MM-DD"
            extra = " or 'undated'" if allow_undated else ""
            self.add(f, path, f"{what}: '{value}' is not a date", f"Write the date as {forms}{extra}, "
                     "e.g. 2026-11-23.")
        return day

    def check_source(self, f: _File, path: tuple, src: Any, what: str) -> None:
        if not isinstance(src, dict):
            self.add(f, path, f"{what} must have url, title and date", "Write it like: {url: https://..., "
                     "title: ..., date: 2024-06-28}")
            return
        if not valid_url(src.get("url")):
            self.add(f, path + ("url",), f"{what}: '{src.get('url')}' is not a web address",
                     "Copy the full address from the browser, starting with https://.")
        if not isinstance(src.get("title"), str) or not src.get("title"):
            self.add(f, path, f"{what} has no title", "Add 'title:' with the page's name.", "warning")
        self.check_date(f, path + ("date",), src.get("date"), f"{what} date", allow_undated=True, partial=True)

    # -- content/ui.yml
    def check_ui(self) -> None:
        path = self.dir / "ui.yml"
        if not path.exists():
            self.problems.append(Problem(self.rel(path), None, "the interface strings file is missing",
                                         "Create content/ui.yml (see docs/KNOWLEDGE_SCHEMA.md)."))
            return
        f = self.open(path)
        if f.error:
            return
        data = f.data if isinstance(f.data, dict) else None
        if data is None or not isinstance(data.get("strings"), dict):
            self.add(f, (), "the file must have a 'strings:' section", "Put each interface text under "
                     "'strings:' as key: text.")
            return
        self.check_version(f)
        for key, text in data["strings"].items():
            if not isinstance(key, str):
                self.add(f, ("strings", key), f"the key '{key}' is not a word",
                         "Put the key in quotes, e.g. 'yes': ..., or choose another key.")
            elif not isinstance(text, str):
                self.add(f, ("strings", key), f"string '{key}' is not a text",
                         "Put the text in quotes.")
            else:
                if self.check_text(f, ("strings", key), text, limit=None):
                    self.ui_strings[key] = text
        moves = data.get("moves") or {}
        if not isinstance(moves, dict):
            self.add(f, ("moves",), "'moves' must list answers by intent", "Write it like: greet: ['Hello!']")
            moves = {}
        for intent, messages in moves.items():
            if self.check_messages(f, ("moves", intent), messages, max_items=None):
                self.ui_moves[str(intent)] = [messages] if isinstance(messages, str) else list(messages)
        for key in ("menu", "buttons"):
            value = data.get(key)
            if value is None:
                continue
            items = value if isinstance(value, list) else []
            for i, tid in enumerate(items):
                if isinstance(tid, str) and tid not in self.topics and tid not in self.ui_strings:
                    self.add(f, (key, i), f"the {key} button '{tid}' is not a topic",
                             "Use a topic id from content/knowledge.yml.")

    # -- content/translations/<lang>.yml
    def check_translations(self) -> None:
        folder = self.dir / "translations"
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.yml")):
            lang = path.stem
            f = self.open(path)
            if lang not in self.languages or lang == "en":
                self.add(f, (), f"'{lang}' is not one of the bot's languages",
                         "Name the file after a language code in content/topics.yml, e.g. ar.yml.")
                continue
            if f.error:
                self.unusable.add((lang,))
                continue
            data = f.data
            if data is None:
                continue
            if not isinstance(data, dict):
                self.add(f, (), "the file must have 'language:', 'topics:' and 'strings:'",
                         "Start from the template in docs/KNOWLEDGE_SCHEMA.md.", unusable=(lang,))
                continue
            if data.get("language") != lang:
                self.add(f, ("language",), f"the file says language '{data.get('language')}' but is named "
                         f"{path.name}", f"Write 'language: {lang}' at the top.", unusable=(lang,))
                continue
            self.translations[lang] = data
            self.check_translation(f, lang, data)

    def _status(self, f: _File, path: tuple, entry: dict, what: str, unusable: tuple) -> None:
        status = entry.get("status", "draft")
        if status not in _STATUSES:
            self.add(f, path + ("status",), f"{what}: status '{status}' is unknown",
                     "Use 'draft' (not checked by a person) or 'reviewed'.", unusable=unusable)
        elif status == "reviewed" and "reviewed_by" in entry and not entry.get("reviewed_by"):
            self.add(f, path + ("status",), f"{what} is marked reviewed but has no reviewer",
                     "Write the reviewer's name in 'reviewed_by', or set status: draft.", "warning")
        if entry.get("reviewed_on") is not None:
            self.check_date(f, path + ("reviewed_on",), entry.get("reviewed_on"), f"{what} reviewed_on")

    def check_translation(self, f: _File, lang: str, data: dict) -> None:
        topics = data.get("topics") or {}
        if not isinstance(topics, dict):
            self.add(f, ("topics",), "'topics' must list translations by topic id",
                     "See docs/KNOWLEDGE_SCHEMA.md.", unusable=(lang, "topic"))
            topics = {}
        for tid, entry in topics.items():
            key = (lang, "topic", str(tid))
            p = ("topics", tid)
            en = self.topics.get(str(tid))
            if en is None:
                self.add(f, p, f"'{tid}' is not a topic in content/knowledge.yml",
                         "Check the spelling of the topic id, or remove this translation.", "warning")
                continue
            if not isinstance(entry, dict):
                self.add(f, p, f"translation of '{tid}' has no fields", "Give it status, title and messages.",
                         unusable=key)
                continue
            self._status(f, p, entry, f"'{tid}'", key)
            title = entry.get("title")
            if title is not None and (not isinstance(title, str) or not title.strip()):
                self.add(f, p + ("title",), f"the title of '{tid}' is empty", "Translate the title.",
                         unusable=key + ("title",))
            elif isinstance(title, str) and len(title) > MAX_TITLE + 10:
                self.add(f, p + ("title",), f"the title of '{tid}' is {len(title)} characters",
                         "Shorter titles fit on buttons.", "warning")
            if "messages" in entry:
                self.check_messages(f, p + ("messages",), entry.get("messages"), english=en["messages"],
                                    unusable=key + ("messages",))
            cards = entry.get("cards") or {}
            en_cards = en.get("cards") or {}
            if isinstance(cards, dict):
                for name, card in cards.items():
                    cp = p + ("cards", name)
                    if name not in en_cards:
                        self.add(f, cp, f"'{tid}' has no English card '{name}'", "Remove it or fix the name.",
                                 "warning")
                    elif not isinstance(card, dict) or not isinstance(card.get("text"), str):
                        self.add(f, cp, f"card '{name}' of '{tid}' needs a text", "Translate 'text:'.",
                                 unusable=key + ("card", str(name)))
                    else:
                        self.check_text(f, cp + ("text",), card["text"], english=en_cards[name]["text"],
                                        unusable=key + ("card", str(name)), limit=1000)
        strings = data.get("strings") or {}
        if isinstance(strings, dict):
            for skey, entry in strings.items():
                p = ("strings", skey)
                ukey = (lang, "string", str(skey))
                if skey not in self.ui_strings:
                    self.add(f, p, f"'{skey}' is not a string in content/ui.yml", "Remove it or fix the key.",
                             "warning")
                    continue
                if isinstance(entry, str):
                    entry = {"text": entry}
                if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"]:
                    self.add(f, p, f"string '{skey}' has no text", "Write it as {text: \"...\", status: draft}.",
                             unusable=ukey)
                    continue
                self._status(f, p, entry, f"string '{skey}'", ukey)
                self.check_text(f, p + ("text",), entry["text"], english=self.ui_strings[skey],
                                unusable=ukey, limit=None)
        moves = data.get("moves") or {}
        if isinstance(moves, dict):
            for intent, entry in moves.items():
                p = ("moves", intent)
                ukey = (lang, "move", str(intent))
                if intent not in self.ui_moves:
                    self.add(f, p, f"'{intent}' is not a move in content/ui.yml", "Remove it or fix the name.",
                             "warning")
                    continue
                if isinstance(entry, list):
                    entry = {"messages": entry}
                if not isinstance(entry, dict):
                    self.add(f, p, f"move '{intent}' has no messages", "Write it as {messages: [...], status: "
                             "draft}.", unusable=ukey)
                    continue
                self._status(f, p, entry, f"move '{intent}'", ukey)
                self.check_messages(f, p + ("messages",), entry.get("messages"), english=self.ui_moves[intent],
                                    unusable=ukey)

    # -- content/directory/*.yml
    def check_directory(self) -> None:
        folder = self.dir / "directory"
        if not folder.is_dir():
            return
        seen: dict[str, str] = {}
        for path in sorted(folder.glob("*.yml")):
            f = self.open(path)
            if f.error:
                continue
            data = f.data
            if not isinstance(data, dict):
                self.add(f, (), "the file must have region, name and organisations",
                         "See docs/KNOWLEDGE_SCHEMA.md.")
                continue
            if data.get("region") != path.stem:
                self.add(f, ("region",), f"region '{data.get('region')}' does not match the file name",
                         f"Write 'region: {path.stem}'.")
            if not isinstance(data.get("name"), str):
                self.add(f, ("name",), "the region has no name", "Add 'name:' with the region's name.")
            pc = data.get("postcodes") or {}
            authorities: set[str] = set()
            if not isinstance(pc, dict):
                self.add(f, ("postcodes",), "'postcodes' must have areas, districts and towns",
                         "See docs/KNOWLEDGE_SCHEMA.md.")
                pc = {}
            for section, pattern, hint in (("areas", r"[A-Z]{1,2}", "1 or 2 capital letters, e.g. LS"),
                                           ("districts", r"[A-Z]{1,2}[0-9][0-9A-Z]?", "like LS29 or BD1"),
                                           ("towns", r"[^A-Z]+", "in lower case, e.g. leeds")):
                part = pc.get(section) or {}
                if not isinstance(part, dict):
                    self.add(f, ("postcodes", section), f"postcodes/{section} must map keys to local authorities",
                             "Write it like: {LS: Leeds}")
                    continue
                for k, v in part.items():
                    if not isinstance(k, str) or not re.fullmatch(pattern, k):
                        self.add(f, ("postcodes", section, k), f"'{k}' in postcodes/{section} is not {hint}",
                                 f"Write it {hint}.")
                    if not isinstance(v, str) or not v:
                        self.add(f, ("postcodes", section, k), f"'{k}' has no local authority",
                                 "Write the local authority name, e.g. Leeds.")
                    else:
                        authorities.add(v)
            orgs = data.get("organisations") or []
            if not isinstance(orgs, list):
                self.add(f, ("organisations",), "'organisations' must be a list", "Start each with '- id: ...'.")
                orgs = []
            for i, org in enumerate(orgs):
                self.check_org(f, ("organisations", i), org, seen, authorities, path.stem)
            routes = data.get("nhs_routes") or []
            if not isinstance(routes, list):
                self.add(f, ("nhs_routes",), "'nhs_routes' must be a list", "Start each with '- id: ...'.")
                routes = []
            for i, org in enumerate(routes):
                self.check_org(f, ("nhs_routes", i), org, seen, authorities, path.stem)
            self.directory_files.append(f)

    def check_org(self, f: _File, p: tuple, org: Any, seen: dict, authorities: set, region: str) -> None:
        if not isinstance(org, dict) or not isinstance(org.get("id"), str):
            self.add(f, p, "an organisation needs an id", "Add 'id:' with a short name in lower case.")
            return
        oid = org["id"]
        what = f"organisation '{oid}'"
        if oid in seen:
            self.add(f, p + ("id",), f"{what} is also in {seen[oid]}", "Give each organisation one id, once.")
        seen[oid] = f.rel
        if not isinstance(org.get("name"), str) or not org.get("name"):
            self.add(f, p, f"{what} has no name", "Add 'name:'.")
        areas = org.get("areas")
        if not isinstance(areas, list) or not areas:
            self.add(f, p + ("areas",), f"{what} has no areas", "List the local authorities it serves, or [England].")
        elif authorities:
            for j, area in enumerate(areas):
                if area not in authorities and area not in ("England", "UK") and area != region:
                    self.add(f, p + ("areas", j), f"{what}: area '{area}' is not a local authority in this "
                             "file's postcode map", "Use the local authority names used under 'postcodes'.",
                             "warning")
        for j, tid in enumerate(org.get("helps_with") or []):
            if tid not in self.topics and tid not in self.contract_topics:
                self.add(f, p + ("helps_with", j), f"{what}: '{tid}' is not a topic",
                         "Use topic ids from content/topics.yml.")
        contacts = org.get("contacts") or []
        if not isinstance(contacts, list):
            self.add(f, p + ("contacts",), f"{what}: contacts must be a list", "Write each as {type: web, value: ...}.")
            contacts = []
        for j, c in enumerate(contacts):
            cp = p + ("contacts", j)
            if not isinstance(c, dict) or not isinstance(c.get("value"), (str, int)):
                self.add(f, cp, f"{what}: a contact needs a type and a value", "Write it as {type: web, value: ...}.")
                continue
            kind, value = c.get("type"), str(c.get("value"))
            if kind == "web" and not valid_url(value):
                self.add(f, cp, f"{what}: '{value}' is not a web address", "Start it with https://.")
            elif kind in ("phone", "text", "textphone", "whatsapp") and not valid_phone(value):
                self.add(f, cp, f"{what}: '{value}' is not a UK phone number",
                         "Write the number in quotes as the source shows it: 11 digits starting with 0 "
                         "(or 111, 999, 116 123, 85258, 18001 111).")
            elif kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                self.add(f, cp, f"{what}: '{value}' is not an email address", "Check the address.")
            elif kind not in CONTACT_TYPES:
                self.add(f, cp, f"{what}: contact type '{kind}' is unknown",
                         f"Use one of: {', '.join(CONTACT_TYPES)}.", "warning")
        src = org.get("source")
        if src is None:
            self.add(f, p, f"{what} has no source", "Add source: {url: https://..., date: undated}.")
        else:
            self.check_source(f, p + ("source",), src if not isinstance(src, dict) or "title" in src
                              else {**src, "title": org.get("name")}, f"{what} source")
        status = org.get("status", "verified")
        if status not in ("verified", "partial"):
            self.add(f, p + ("status",), f"{what}: status '{status}' is unknown",
                     "Use 'verified' (a source confirms the details) or 'partial' (some details unconfirmed).")
        verified = self.check_date(f, p + ("last_verified",), org.get("last_verified"), f"{what} last_verified",
                                   required=False, partial=True)
        if org.get("last_verified") is None:
            self.add(f, p + ("last_verified",), f"{what} has never been verified",
                     "Check its details on the source page, then write today's date in last_verified.",
                     "warning")
        elif verified and verified < add_months(self.today, -6):
            self.add(f, p + ("last_verified",), f"{what} was last checked on {org.get('last_verified')}",
                     "Check its details on the source page, then update last_verified.", "warning")


def find_problems(content_dir: Path | str | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every problem in the content (errors and warnings), in file order."""
    return _Checker(Path(content_dir) if content_dir else default_content_dir(), today).run().problems


# --------------------------------------------------------------------------- answers and the directory


@dataclass(frozen=True)
class Answer:
    topic: str
    language: str  # the language the text is actually in
    messages: list[str]
    title: str
    related: list[tuple[str, str]]  # (topic id, title in the user's language, English if untranslated)
    status: str  # "reviewed" | "draft" | "english_fallback"
    sources: list[dict]


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    region: str
    areas: tuple[str, ...]
    helps_with: tuple[str, ...]
    description: str
    contacts: tuple[dict, ...]
    languages: tuple[str, ...]
    source: dict
    last_verified: dt.date | None
    status: str = "verified"  # "verified" | "partial" (some details unconfirmed)
    kind: str = "organisation"  # "organisation" | "nhs" (an NHS route: NHS 111, an ICB)

    @property
    def national(self) -> bool:
        return any(a in ("England", "UK") for a in self.areas)


_POSTCODE = re.compile(r"\b([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d[A-Z]{2})?\b")


@dataclass
class Directory:
    """Organisations by region and a postcode / town lookup."""

    regions: dict[str, str] = field(default_factory=dict)  # region id -> name
    organisations: list[Organisation] = field(default_factory=list)
    nhs_routes: list[Organisation] = field(default_factory=list)
    areas: dict[str, tuple[str, str]] = field(default_factory=dict)  # "LS" -> (region, local authority)
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # "LS29" -> ...
    towns: dict[str, tuple[str, str]] = field(default_factory=dict)  # "leeds" -> ...
    nhs: dict[str, str] = field(default_factory=dict)  # local authority -> ICB
    centres: list[tuple[float, float, str, str, float]] = field(default_factory=list)  # lat, lon, region, LA, km

    def nearest(self, lat: float, lon: float) -> tuple[str, str] | None:
        """(region, local authority) of the nearest town centre within its region's radius.

        Used for a shared Telegram location; the coordinates themselves are never kept.
        """
        best = None
        for c_lat, c_lon, region, authority, radius in self.centres:
            # Equirectangular distance: plenty for matching within a region.
            x = math.radians(lon - c_lon) * math.cos(math.radians((lat + c_lat) / 2))
            km = 6371.0 * math.hypot(x, math.radians(lat - c_lat))
            if km <= radius and (best is None or km < best[0]):
                best = (km, region, authority)
        return (best[1], best[2]) if best else None

    def lookup_place(self, text: str) -> tuple[str, str] | None:
        """(region, local authority) for a postcode, postcode district or town name in ``text``."""
        if not text:
            return None
        upper = unicodedata.normalize("NFKC", text).upper()
        for m in _POSTCODE.finditer(upper):
            district = m.group(1) + m.group(2)
            if district in self.districts:
                return self.districts[district]
            if m.group(1) in self.areas:
                return self.areas[m.group(1)]
        lower = re.sub(r"[^\w\s'-]", " ", unicodedata.normalize("NFKC", text).casefold())
        words = lower.split()
        # longest town names first ("sutton in craven" before "sutton")
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                hit = self.towns.get(" ".join(words[i:i + n]))
                if hit:
                    return hit
        bare = upper.strip()
        if re.fullmatch(r"[A-Z]{1,2}", bare) and bare in self.areas:
            return self.areas[bare]
        return None

    def nhs_body(self, local_authority: str) -> str | None:
        return self.nhs.get(local_authority)

    def organisations_for(self, local_authority: str | None, topic: str | None = None, *,
                          include_national: bool = True) -> list[Organisation]:
        """Organisations serving ``local_authority`` (then national ones), optionally for one topic."""
        local, national = [], []
        for org in self.organisations:
            if topic and topic not in org.helps_with:
                continue
            if local_authority and local_authority in org.areas:
                local.append(org)
            elif include_national and org.national:
                national.append(org)
        return local + national

    def nhs_routes_for(self, local_authority: str | None, topic: str | None = None) -> list[Organisation]:
        """NHS routes (NHS 111, the local ICB, ...) for ``local_authority``: local ones first."""
        local, national = [], []
        for org in self.nhs_routes:
            if topic and topic not in org.helps_with:
                continue
            if local_authority and local_authority in org.areas:
                local.append(org)
            elif org.national:
                national.append(org)
        return local + national


# --------------------------------------------------------------------------- the knowledge base


def _fmt(text: str, fmt: dict) -> str:
    if not fmt:
        return text

    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return text.format_map(_Keep(fmt))
    except (ValueError, IndexError, AttributeError, KeyError):
        out = text
        for k, v in fmt.items():
            out = out.replace("{" + k + "}", str(v))
        return out


class KnowledgeBase:
    """Checked content, ready to answer. Build it with :meth:`load`."""

    def __init__(self) -> None:
        self.content_dir: Path = Path()
        self.topic_ids: list[str] = []
        self.problems: list[Problem] = []  # warnings, and translation errors served in English
        self.contract: dict[str, dict] = {}  # topic id -> {scope, safety} from content/topics.yml
        self._topics: dict[str, dict] = {}
        self._strings: dict[str, str] = {}
        self._moves: dict[str, list[str]] = {}
        # lang -> kind -> key -> {"text"/"messages"/"title"/"cards", "status"}
        self._tr: dict[str, dict[str, dict[str, dict]]] = {}
        self._directory = Directory()
        # translation parts refused because of an error: (lang,), (lang, kind, key) or (lang, kind, key, part)
        self.unusable: frozenset[tuple[str, ...]] = frozenset()

    # -- loading
    @classmethod
    def load(cls, content_dir: Path | str | None = None) -> "KnowledgeBase":
        """Read and check ``content_dir``; raises :class:`ContentError` if it cannot be served."""
        content_dir = Path(content_dir) if content_dir else default_content_dir()
        checker = _Checker(content_dir).run()
        tr_prefix = checker.rel(content_dir / "translations") + "/"
        fatal = [p for p in checker.problems if p.is_error and not p.file.startswith(tr_prefix)]
        if fatal:
            raise ContentError(fatal)
        kb = cls()
        kb.content_dir = content_dir
        kb.problems = checker.problems
        kb.contract = checker.contract_topics
        kb._topics = checker.topics
        kb.topic_ids = list(checker.topics)
        kb._strings = checker.ui_strings
        kb._moves = checker.ui_moves
        kb.unusable = frozenset(checker.unusable)
        kb._build_translations(checker)
        kb._build_directory(checker)
        return kb

    def _build_translations(self, c: _Checker) -> None:
        bad = c.unusable
        for lang, data in c.translations.items():
            if (lang,) in bad:
                continue
            tr: dict[str, dict[str, dict]] = {"topic": {}, "string": {}, "move": {}}
            for tid, e in (data.get("topics") or {}).items():
                tid = str(tid)
                if tid not in self._topics or not isinstance(e, dict) or (lang, "topic", tid) in bad:
                    continue
                status = e.get("status", "draft")
                item: dict[str, Any] = {"status": status}
                if isinstance(e.get("title"), str) and e["title"].strip() and \
                        (lang, "topic", tid, "title") not in bad:
                    item["title"] = e["title"].strip()
                msgs = e.get("messages")
                if isinstance(msgs, str):
                    msgs = [msgs]
                if isinstance(msgs, list) and (lang, "topic", tid, "messages") not in bad and \
                        len(msgs) == len(self._topics[tid]["messages"]) and all(isinstance(m, str) for m in msgs):
                    item["messages"] = list(msgs)
                cards = {}
                for name, card in (e.get("cards") or {}).items() if isinstance(e.get("cards"), dict) else ():
                    if isinstance(card, dict) and isinstance(card.get("text"), str) and \
                            (lang, "topic", tid, "card", str(name)) not in bad:
                        cards[str(name)] = card
                item["cards"] = cards
                tr["topic"][tid] = item
            for key, e in (data.get("strings") or {}).items() if isinstance(data.get("strings"), dict) else ():
                if isinstance(e, str):
                    e = {"text": e}
                if key in self._strings and isinstance(e, dict) and isinstance(e.get("text"), str) and \
                        e["text"] and (lang, "string", str(key)) not in bad:
                    tr["string"][str(key)] = {"text": e["text"], "status": e.get("status", "draft")}
            for intent, e in (data.get("moves") or {}).items() if isinstance(data.get("moves"), dict) else ():
                if isinstance(e, list):
                    e = {"messages": e}
                if intent in self._moves and isinstance(e, dict) and (lang, "move", str(intent)) not in bad:
                    msgs = e.get("messages")
                    msgs = [msgs] if isinstance(msgs, str) else msgs
                    if isinstance(msgs, list) and len(msgs) == len(self._moves[intent]):
                        tr["move"][str(intent)] = {"messages": list(msgs), "status": e.get("status", "draft")}
            self._tr[lang] = tr

    def _build_directory(self, c: _Checker) -> None:
        d = Directory()
        for f in c.directory_files:
            data = f.data
            region = str(data.get("region") or Path(f.rel).stem)
            d.regions[region] = str(data.get("name") or region)
            pc = data.get("postcodes") or {}
            for section, target in (("areas", d.areas), ("districts", d.districts), ("towns", d.towns)):
                for k, v in (pc.get(section) or {}).items():
                    key = str(k).casefold() if section == "towns" else str(k).upper()
                    target[key] = (region, str(v))
            for k, v in (pc.get("nhs") or {}).items() if isinstance(pc.get("nhs"), dict) else ():
                d.nhs[str(k)] = str(v)
            radius = float(pc.get("centre_radius_km") or 15)
            for centre in (pc.get("centres") or {}).values() if isinstance(pc.get("centres"), dict) else ():
                if isinstance(centre, dict) and {"lat", "lon", "local_authority"} <= set(centre):
                    d.centres.append((float(centre["lat"]), float(centre["lon"]), region,
                                      str(centre["local_authority"]), radius))
            for section, kind, target in (("organisations", "organisation", d.organisations),
                                          ("nhs_routes", "nhs", d.nhs_routes)):
                for org in data.get(section) or []:
                    if not isinstance(org, dict) or not isinstance(org.get("id"), str):
                        continue
                    target.append(Organisation(
                        id=org["id"], name=str(org.get("name") or org["id"]), region=region,
                        areas=tuple(str(a) for a in org.get("areas") or ()),
                        helps_with=tuple(str(t) for t in org.get("helps_with") or ()),
                        description=str(org.get("description") or "").strip(),
                        contacts=tuple(dict(x) for x in org.get("contacts") or () if isinstance(x, dict)),
                        languages=tuple(str(x) for x in org.get("languages") or ()),
                        source=dict(org.get("source") or {}),
                        last_verified=_as_partial_date(org.get("last_verified")),
                        status=str(org.get("status") or "verified"), kind=kind,
                    ))
        self._directory = d

    # -- queries
    def has_topic(self, topic: str) -> bool:
        return topic in self._topics

    def _topic_tr(self, topic: str, lang: str) -> dict | None:
        if lang == "en":
            return None
        return self._tr.get(lang, {}).get("topic", {}).get(topic)

    def title(self, topic: str, lang: str) -> str:
        """The topic's title in ``lang`` (English if not translated; the id if the topic is unknown)."""
        en = self._topics.get(topic)
        if en is None:
            return topic
        tr = self._topic_tr(topic, normalize_language(lang))
        return (tr or {}).get("title") or en["title"].strip()

    def answer(self, topic: str, lang: str) -> Answer:
        """The answer to ``topic`` in ``lang``; English (status "english_fallback") when the translation
        is missing or unusable. Raises KeyError for a topic that is not in the content."""
        en = self._topics.get(topic)
        if en is None:
            raise KeyError(f"no answer for topic {topic!r}")
        lang = normalize_language(lang)
        tr = self._topic_tr(topic, lang)
        sources = [dict(s) for s in en.get("sources") or [] if isinstance(s, dict)]
        for s in sources:
            if isinstance(s.get("date"), dt.date):
                s["date"] = s["date"].isoformat()
        related_ids = en.get("related") if isinstance(en.get("related"), list) else []
        related = [(r, self.title(r, lang)) for r in related_ids if isinstance(r, str) and r in self._topics
                   and r != topic]
        if tr and "messages" in tr:
            return Answer(topic, lang, [m.strip() for m in tr["messages"]], tr.get("title") or en["title"].strip(), related,
                          tr["status"], sources)
        return Answer(topic, "en", [m.strip() for m in en["messages"]], en["title"].strip(), related,
                      "reviewed" if lang == "en" else "english_fallback", sources)

    def string(self, key: str, lang: str, **fmt: Any) -> str:
        """Interface string ``key`` in ``lang``, then English, then the key itself; never raises."""
        try:
            lang = normalize_language(lang)
            text = None
            if lang != "en":
                text = (self._tr.get(lang, {}).get("string", {}).get(key) or {}).get("text")
            if text is None:
                text = self._strings.get(key)
            if text is None:
                return key
            return _fmt(text.strip(), fmt)
        except Exception:  # noqa: BLE001 - a missing string must never break a reply
            log.exception("string %r failed", key)
            return key

    def string_status(self, key: str, lang: str) -> str:
        lang = normalize_language(lang)
        if lang == "en":
            return "reviewed" if key in self._strings else "missing"
        entry = self._tr.get(lang, {}).get("string", {}).get(key)
        return entry["status"] if entry else "english_fallback"

    def move(self, intent: str, lang: str) -> list[str]:
        """Answer to a conversation move (greet, help, ...) in ``lang``, English fallback; [] if unknown."""
        lang = normalize_language(lang)
        if lang != "en":
            entry = self._tr.get(lang, {}).get("move", {}).get(intent)
            if entry:
                return [m.strip() for m in entry["messages"]]
        return [m.strip() for m in self._moves.get(intent, [])]

    def card(self, topic: str, name: str, lang: str) -> tuple[str, str] | None:
        """(text in ``lang``, text in English) for a bilingual "show this at reception" card, or None."""
        en = self._topics.get(topic)
        cards = (en or {}).get("cards") or {}
        if name not in cards:
            return None
        en_text = cards[name]["text"].strip()
        tr = self._topic_tr(topic, normalize_language(lang)) or {}
        tr_card = tr.get("cards", {}).get(name)
        return ((tr_card["text"].strip() if tr_card else en_text), en_text)

    def card_title(self, topic: str, name: str, lang: str) -> str | None:
        en = ((self._topics.get(topic) or {}).get("cards") or {}).get(name)
        if not en:
            return None
        tr = (self._topic_tr(topic, normalize_language(lang)) or {}).get("cards", {}).get(name) or {}
        return str(tr.get("title") or en["title"]).strip()

    def directory(self) -> Directory:
        return self._directory

    # -- for the editors' tools
    @property
    def english_topics(self) -> dict[str, dict]:
        return self._topics

    @property
    def english_strings(self) -> dict[str, str]:
        return self._strings

    @property
    def english_moves(self) -> dict[str, list[str]]:
        return self._moves

    def topic_status(self, topic: str, lang: str) -> str:
        """"reviewed" | "draft" | "missing" for the answer text of ``topic`` in ``lang``."""
        lang = normalize_language(lang)
        if lang == "en":
            return "reviewed" if topic in self._topics else "missing"
        tr = self._topic_tr(topic, lang)
        return tr["status"] if tr and "messages" in tr else "missing"

    def translation_broken(self, topic: str, lang: str) -> bool:
        """True if a translation of ``topic`` exists but is refused because of an error (English is served)."""
        bad = self.unusable
        return bool({(lang,), (lang, "topic", topic), (lang, "topic", topic, "messages")} & bad)


# --------------------------------------------------------------------------- hot reload


def _signature(content_dir: Path) -> tuple:
    out = []
    stack = [str(content_dir)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=True):
                        stack.append(entry.path)
                    elif entry.name.endswith((".yml", ".yaml")):
                        try:
                            st = entry.stat()
                        except OSError:
                            continue
                        out.append((entry.path, st.st_mtime_ns, st.st_size))
        except OSError:
            continue
    return tuple(sorted(out))


class KnowledgeStore:
    """Hot reload: current() re-reads content/ when any file's mtime changed (checked at most every
    `interval` seconds, default 2). An invalid edit is refused and logged (logger 'sanctuary.content',
    with the check's message, never user data); the last good KnowledgeBase keeps serving."""

    def __init__(self, content_dir: Path | str | None = None, interval: float = 2.0):
        self.content_dir = Path(content_dir) if content_dir else default_content_dir()
        self.interval = interval
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._kb: KnowledgeBase | None = None
        self._refused: tuple | None = None
        self.last_error: ContentError | None = None
        # A broken content folder at start-up does not stop the bot: safety answers and
        # the language picker live in code; current() raises until a valid edit arrives.
        self.reload()
        self._checked = time.monotonic()

    def current(self) -> KnowledgeBase:
        """The last good content; raises ContentError if there has never been any."""
        kb = self._current()
        if kb is None:
            raise self.last_error or ContentError([])
        return kb

    def _current(self) -> KnowledgeBase | None:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return self._kb
        if not self._lock.acquire(blocking=False):
            return self._kb  # another thread is reloading: serve the last good version meanwhile
        try:
            self._checked = time.monotonic()
            sig = _signature(self.content_dir)
            if sig != self._signature and sig != self._refused:
                self.reload(sig)
        finally:
            self._lock.release()
        return self._kb

    def reload(self, sig: tuple | None = None) -> bool:
        """Re-read the content now. Returns True if the new content is served."""
        sig = sig if sig is not None else _signature(self.content_dir)
        started = time.perf_counter()
        try:
            kb = KnowledgeBase.load(self.content_dir)
        except ContentError as exc:
            self._refused = sig
            self.last_error = exc
            errors = [p for p in exc.problems if p.is_error]
            log.error("content edit refused (%d problem(s)); %s", len(errors),
                      "still serving the last good version" if self._kb else "no content to serve: safety answers only")
            for p in errors:
                log.error("%s:%s: %s. Fix: %s", p.file, p.line or "?", p.message, p.fix)
            return False
        except Exception:  # noqa: BLE001 - never let a reload take the bot down
            self._refused = sig
            log.exception("content reload failed; still serving the last good version")
            return False
        old = {str(p) for p in self._kb.problems} if self._kb else set()
        self._kb = kb
        self._signature = sig
        self._refused = None
        self.last_error = None
        log.info("content reloaded in %.0f ms (%d topics)", (time.perf_counter() - started) * 1000,
                 len(kb.topic_ids))
        self._log_translation_problems(kb, old)
        return True

    @staticmethod
    def _log_translation_problems(kb: KnowledgeBase, already: set[str]) -> None:
        for p in kb.problems:
            if p.is_error and str(p) not in already:
                log.warning("%s:%s: %s (served in English until fixed). Fix: %s", p.file, p.line or "?",
                            p.message, p.fix)

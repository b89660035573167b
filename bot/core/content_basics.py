"""What the content loader and checker share: the language list, problems, YAML files
read with line numbers (so a problem names file:line), and the rules for values
(phone numbers, URLs, dates, placeholders).

Plain core: the standard library and PyYAML only.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import yaml

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


class YamlFile:
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



# --------------------------------------------------------------------------- text rules

MAX_TELEGRAM = 4096
MAX_MESSAGE = 600
MAX_TITLE = 40
SHORT_NUMBERS = {"111", "999", "116123", "85258", "18001111", "112"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
DIGIT_RUN = re.compile(r"\+?\d+(?:[ \u00a0\u202f-]\d+)*")
_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"']+", re.I)
TOPIC_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
STATUSES = ("draft", "reviewed")
CONTACT_TYPES = ("web", "phone", "text", "textphone", "whatsapp", "email", "address", "referral", "other")


@lru_cache(maxsize=8192)
def placeholders(text: str) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(text or ""))


def digits_only(text: str) -> str:
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
    for m in DIGIT_RUN.finditer(text or ""):
        written = m.group(0).strip(" -\u00a0\u202f")
        digits = digits_only(written)
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
    digits = digits_only(value)
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


def as_date(value: Any) -> dt.date | None:
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


def as_partial_date(value: Any) -> dt.date | None:
    """A full date, or a year-month ("2024-08") or a year ("2016") as the first day of that period:
    some sources show only a month or a year."""
    if isinstance(value, int) and 1900 <= value <= 2100:
        return dt.date(value, 1, 1)
    day = as_date(value)
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

"""The knowledge base: every answer the bot gives, read from ``content/`` at run time.

Plain core: imports only the standard library and PyYAML (no Rasa, no Telegram).
The rules an edit must pass are in ``content_checker.py`` (shared with
``sanctuary content check``); the local support directory is ``directory.py``.

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
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.content_basics import (
    LANGUAGES, RTL_LANGUAGES, ContentError, Problem, YamlFile, as_partial_date, add_months, default_content_dir,
    normalize_language,
)
from bot.core.content_checker import ContentChecker, find_problems
from bot.core.directory import Directory, Organisation

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
    "YamlFile",
    "add_months",
    "default_content_dir",
    "normalize_language",
    "find_problems",
]

log = logging.getLogger("sanctuary.content")


# --------------------------------------------------------------------------- answers
@dataclass(frozen=True)
class Answer:
    topic: str
    language: str  # the language the text is actually in
    messages: list[str]
    title: str
    related: list[tuple[str, str]]  # (topic id, title in the user's language, English if untranslated)
    status: str  # "reviewed" | "draft" | "english_fallback"
    sources: list[dict]



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
        checker = ContentChecker(content_dir).run()
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

    def _build_translations(self, c: ContentChecker) -> None:
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

    def _build_directory(self, c: ContentChecker) -> None:
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
                        last_verified=as_partial_date(org.get("last_verified")),
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

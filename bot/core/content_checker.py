"""The content checker: every rule an edit must pass before the bot serves it.

Shared by the loader (KnowledgeBase.load refuses what it finds) and by
`sanctuary content check`, so editors see exactly what the bot would refuse.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.core.content_basics import (
    CONTACT_TYPES, LANGUAGES, MAX_MESSAGE, MAX_TELEGRAM, MAX_TITLE, Problem, DIGIT_RUN, YamlFile,
    STATUSES, TOPIC_ID_PATTERN, as_date, as_partial_date, digits_only, add_months, default_content_dir,
    phone_numbers, placeholders, urls_in_text, valid_phone, valid_url,
)

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



class ContentChecker:
    """Collects problems across all content files. Shared by the loader and ``content check``."""

    def __init__(self, content_dir: Path, today: dt.date | None = None):
        self.dir = Path(content_dir)
        self.today = today or dt.date.today()
        self.problems: list[Problem] = []
        self.files: dict[str, YamlFile] = {}
        # translation parts made unusable by a problem: (lang,), (lang, kind, key) or (lang, kind, key, part)
        self.unusable: set[tuple[str, ...]] = set()
        self.contract_topics: dict[str, dict] = {}
        self.contract_languages: tuple[str, ...] = LANGUAGES
        self.topics: dict[str, dict] = {}
        self.ui_strings: dict[str, str] = {}
        self.ui_moves: dict[str, list[str]] = {}
        self.translations: dict[str, dict] = {}
        self.directory_files: list[YamlFile] = []

    # -- helpers
    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.dir.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def open(self, path: Path) -> YamlFile:
        f = YamlFile(path, self.rel(path))
        self.files[f.rel] = f
        if f.error:
            self.problems.append(f.error)
        return f

    def add(self, f: YamlFile, path: tuple, message: str, fix: str, severity: str = "error",
            unusable: tuple[str, ...] | None = None) -> None:
        self.problems.append(Problem(f.rel, f.line(*path), message, fix, severity))
        if unusable is not None and severity == "error":
            self.unusable.add(unusable)

    # -- entry point
    def run(self) -> "ContentChecker":
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
            if not isinstance(tid, str) or not TOPIC_ID_PATTERN.match(tid):
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

    def check_version(self, f: YamlFile) -> None:
        version = f.data.get("version")
        if version != 1:
            self.add(f, ("version",), f"version: '{version}' is not allowed" if version is not None
                     else "the file has no 'version: 1' line",
                     "This bot reads version 1: write 'version: 1' at the top (see docs/KNOWLEDGE_SCHEMA.md).")

    def check_messages(self, f: YamlFile, path: tuple, messages: Any, *, english: list[str] | None = None,
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

    def check_text(self, f: YamlFile, path: tuple, text: str, *, english: str | None = None,
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
            tr_runs = [digits_only(m.group(0)) for m in DIGIT_RUN.finditer(text)]
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

    def check_topic(self, f: YamlFile, tid: str, e: dict) -> bool:
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

    def check_date(self, f: YamlFile, path: tuple, value: Any, what: str, *, allow_undated: bool = False,
                   required: bool = True, partial: bool = False) -> dt.date | None:
        if value is None and not required:
            return None
        if allow_undated and value == "undated":
            return None
        day = as_partial_date(value) if partial else as_date(value)
        if day is None:
            forms = "YYYY-MM-DD (or YYYY-MM or YYYY if the source shows no day)" if partial else "YYYY-MM-DD"
            extra = " or 'undated'" if allow_undated else ""
            self.add(f, path, f"{what}: '{value}' is not a date", f"Write the date as {forms}{extra}, "
                     "e.g. 2026-11-23.")
        return day

    def check_source(self, f: YamlFile, path: tuple, src: Any, what: str) -> None:
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

    def _status(self, f: YamlFile, path: tuple, entry: dict, what: str, unusable: tuple) -> None:
        status = entry.get("status", "draft")
        if status not in STATUSES:
            self.add(f, path + ("status",), f"{what}: status '{status}' is unknown",
                     "Use 'draft' (not checked by a person) or 'reviewed'.", unusable=unusable)
        elif status == "reviewed" and "reviewed_by" in entry and not entry.get("reviewed_by"):
            self.add(f, path + ("status",), f"{what} is marked reviewed but has no reviewer",
                     "Write the reviewer's name in 'reviewed_by', or set status: draft.", "warning")
        if entry.get("reviewed_on") is not None:
            self.check_date(f, path + ("reviewed_on",), entry.get("reviewed_on"), f"{what} reviewed_on")

    def check_translation(self, f: YamlFile, lang: str, data: dict) -> None:
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

    def check_org(self, f: YamlFile, p: tuple, org: Any, seen: dict, authorities: set, region: str) -> None:
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
    return ContentChecker(Path(content_dir) if content_dir else default_content_dir(), today).run().problems

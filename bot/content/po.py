"""The translators' round trip: content -> .po file -> content, with Babel.

``export_po(lang, out_path)`` writes every English text as a ``msgid`` with the current
translation as ``msgstr``. Each entry's ``msgctxt`` says where the text lives:

    topic:<id>:title              the topic's button title
    topic:<id>:message:<n>        message n (1, 2, 3) of the answer
    card:<topic>:<name>           the text of a "show this at reception" card
    card:<topic>:<name>:title     the card's title
    ui:<key>                      an interface string
    move:<intent>:<n>             message n of a conversation move (greet, help, ...)

The extracted comment (``#.``) gives the topic's scope from content/topics.yml, so the
translator knows what the text is about. Draft translations are exported with the
``fuzzy`` flag; reviewed ones carry ``# reviewed-by: NAME`` and ``# reviewed-on: DATE``.

``import_po(path)`` merges the file back into ``content/translations/<lang>.yml``.

The review rule (also in docs/CONTENT_GUIDE.md):

* Only entries that have a translation and are **not** marked fuzzy are imported.
* An imported entry is saved as **draft**, unless it is marked reviewed: a translator
  comment ``reviewed-by: NAME`` on the entry (optionally ``reviewed-on: YYYY-MM-DD``),
  or a ``Reviewed-By: NAME`` line in the .po header, which marks every imported entry.
* A topic becomes **reviewed** only when every part of it (title, every message, every
  card) is translated, not fuzzy and marked reviewed; otherwise it is draft.
* An entry whose text did not change keeps its current status, so exporting and importing
  again without edits changes nothing (the file is not even rewritten).
* A topic is only written when it ends up with a title and all its messages: half a
  translation is never served. Incomplete topics are listed as skipped.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
from copy import deepcopy
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.core.knowledge import LANGUAGES, default_content_dir

_REVIEWED_BY = re.compile(r"^\s*reviewed[-_ ]by\s*:\s*(.+?)\s*$", re.I)
_REVIEWED_ON = re.compile(r"^\s*reviewed[-_ ]on\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.I)
_HEADER_REVIEWED_BY = re.compile(r'^"Reviewed-By:\s*(.*?)\s*(?:\\n)?"\s*$', re.M | re.I)

HEADER_COMMENT = """\
# Sanctuary: NHS help for people seeking asylum and refugees in England. {name} ({lang}).
#
# How to translate: write your translation under each English text (msgstr).
# Keep {{words in braces}} and phone numbers exactly as they are. Keep NHS words people
# will hear at reception (GP, A&E, NHS 111, HC2) in English beside your translation.
# "fuzzy" means the translation is an unchecked draft: remove the flag when it is right.
# If you are the reviewer, add a comment line "reviewed-by: YOUR NAME" to the entries
# you checked, or write "Reviewed-By: YOUR NAME" in the header to mark all of them.
#"""


def _load(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _date_str(value: Any) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value) if value else None


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)


# --------------------------------------------------------------------------- export


def _english(content_dir: Path) -> tuple[dict, dict, dict, dict]:
    knowledge = _load(content_dir / "knowledge.yml") or {}
    ui = _load(content_dir / "ui.yml") if (content_dir / "ui.yml").exists() else {}
    contract = _load(content_dir / "topics.yml") if (content_dir / "topics.yml").exists() else {}
    topics = (knowledge or {}).get("topics") or {}
    scopes = {str(k): (v or {}).get("scope", "") for k, v in ((contract or {}).get("topics") or {}).items()}
    names = {str(k): (v or {}).get("name", k) for k, v in ((contract or {}).get("languages") or {}).items()}
    return topics, ui or {}, scopes, names


def _translation_path(content_dir: Path, lang: str) -> Path:
    return content_dir / "translations" / f"{lang}.yml"


def export_po(lang: str, out_path: Path | str, content_dir: Path | str | None = None) -> int:
    """Write the .po file for ``lang``; returns the number of entries."""
    content_dir = Path(content_dir) if content_dir else default_content_dir()
    if lang == "en" or lang not in LANGUAGES:
        raise ValueError(f"'{lang}' is not a language to translate into; use one of "
                         f"{', '.join(x for x in LANGUAGES if x != 'en')}")
    topics, ui, scopes, names = _english(content_dir)
    tpath = _translation_path(content_dir, lang)
    tr = (_load(tpath) if tpath.exists() else None) or {}
    tr_topics = tr.get("topics") or {}
    tr_strings = tr.get("strings") or {}
    tr_moves = tr.get("moves") or {}

    try:
        catalog = Catalog(locale=lang, project="Sanctuary", fuzzy=False,
                          header_comment=HEADER_COMMENT.format(name=names.get(lang, lang), lang=lang))
    except Exception:  # an unknown locale for Babel: still write the file
        catalog = Catalog(project="Sanctuary", fuzzy=False,
                          header_comment=HEADER_COMMENT.format(name=names.get(lang, lang), lang=lang))
        catalog.language_team = lang

    def add(msgid: str, ctx: str, msgstr: Any, comment: str, entry: dict | None) -> None:
        status = (entry or {}).get("status", "draft")
        translated = isinstance(msgstr, str) and msgstr != ""
        flags, user = [], []
        if translated and status != "reviewed":
            flags.append("fuzzy")
        if translated and status == "reviewed" and (entry or {}).get("reviewed_by"):
            user.append(f"reviewed-by: {entry['reviewed_by']}")
            if entry.get("reviewed_on"):
                user.append(f"reviewed-on: {_date_str(entry['reviewed_on'])}")
        catalog.add(msgid, msgstr if translated else "", context=ctx,
                    auto_comments=[c for c in [comment] if c], user_comments=user, flags=flags)

    for tid, en in topics.items():
        if not isinstance(en, dict):
            continue
        tid = str(tid)
        scope = scopes.get(tid, "")
        t = tr_topics.get(tid) if isinstance(tr_topics.get(tid), dict) else None
        add(str(en.get("title", "")), f"topic:{tid}:title", (t or {}).get("title"),
            f"{tid} (button title, short): {scope}".strip(), t)
        tr_msgs = (t or {}).get("messages") or []
        for n, text in enumerate(en.get("messages") or [], start=1):
            add(text, f"topic:{tid}:message:{n}", tr_msgs[n - 1] if n - 1 < len(tr_msgs) else None,
                f"{tid}: {scope}".strip(), t)
        tr_cards = (t or {}).get("cards") or {}
        for name, card in (en.get("cards") or {}).items():
            tc = tr_cards.get(name) if isinstance(tr_cards.get(name), dict) else {}
            add(str(card.get("title", "")), f"card:{tid}:{name}:title", tc.get("title"),
                f"{tid}: title of a card people show at reception", t)
            add(str(card.get("text", "")), f"card:{tid}:{name}", tc.get("text"),
                f"{tid}: a card people show at reception; staff read the English beside it", t)

    for key, text in (ui.get("strings") or {}).items():
        e = tr_strings.get(key)
        e = {"text": e} if isinstance(e, str) else e
        add(str(text), f"ui:{key}", (e or {}).get("text"), "interface text", e)
    for intent, msgs in (ui.get("moves") or {}).items():
        e = tr_moves.get(intent)
        e = {"messages": e} if isinstance(e, list) else e
        tr_msgs = (e or {}).get("messages") or []
        for n, text in enumerate(msgs if isinstance(msgs, list) else [msgs], start=1):
            add(str(text), f"move:{intent}:{n}", tr_msgs[n - 1] if n - 1 < len(tr_msgs) else None,
                f"reply to: {intent}", e)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, include_previous=False)
    out_path.write_bytes(buf.getvalue())
    return len(catalog)


# --------------------------------------------------------------------------- import


class ImportResult(dict):
    """Counts of what an import did: written, reviewed, unchanged, skipped (with reasons)."""

    @property
    def changed(self) -> bool:
        return bool(self.get("changed"))


def _entry_review(msg, header_reviewer: str | None) -> tuple[str | None, str | None]:
    who = when = None
    for c in msg.user_comments:
        if m := _REVIEWED_BY.match(c):
            who = m.group(1)
        if m := _REVIEWED_ON.match(c):
            when = m.group(1)
    return who or header_reviewer, when


def _section(data: dict, name: str) -> dict:
    """The translation file's mapping `name`, created (or replaced, if it is not a mapping)."""
    if not isinstance(data.get(name), dict):
        data[name] = {}
    return data[name]

def import_po(path: Path | str, content_dir: Path | str | None = None, *, lang: str | None = None,
              dry_run: bool = False, today: dt.date | None = None) -> ImportResult:
    """Merge a .po file into content/translations/<lang>.yml. See the module docstring for the rules."""
    content_dir = Path(content_dir) if content_dir else default_content_dir()
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    catalog = read_po(io.StringIO(raw), ignore_obsolete=True)
    lang = lang or (str(catalog.locale) if catalog.locale else None) or path.stem
    lang = lang.replace("-", "_").split("_")[0].lower() if lang not in LANGUAGES else lang
    if lang not in LANGUAGES or lang == "en":
        raise ValueError(f"{path}: the language '{lang}' is not one of the bot's languages")
    header_reviewer = None
    if m := _HEADER_REVIEWED_BY.search(raw.split("\n\n", 1)[0]):
        header_reviewer = m.group(1).strip() or None
    today_s = (today or dt.date.today()).isoformat()

    topics, ui, _, _ = _english(content_dir)
    tpath = _translation_path(content_dir, lang)
    original = (_load(tpath) if tpath.exists() else None) or {}
    data = deepcopy(original) if original else {"language": lang, "topics": {}, "strings": {}, "moves": {}}
    data.setdefault("language", lang)

    # gather usable entries by context
    entries: dict[str, tuple[str, str | None, str | None]] = {}  # ctx -> (text, reviewer, reviewed_on)
    fuzzy: set[str] = set()  # translated, but marked as an unchecked draft
    for msg in catalog:
        if not msg.id or not msg.context:
            continue
        if not msg.string or msg.fuzzy:
            if msg.string:
                fuzzy.add(msg.context)
            continue
        who, when = _entry_review(msg, header_reviewer)
        entries[msg.context] = (msg.string, who, when)

    result = ImportResult(language=lang, topics_written=0, topics_reviewed=0, strings_written=0,
                          moves_written=0, skipped=[], changed=False)

    # -- topics
    tr_topics = _section(data, "topics")
    for tid, en in topics.items():
        if not isinstance(en, dict):
            continue
        tid = str(tid)
        parts = [f"topic:{tid}:title"] + [f"topic:{tid}:message:{n}" for n in
                                           range(1, len(en.get("messages") or []) + 1)]
        card_parts = []
        for name in (en.get("cards") or {}):
            card_parts += [f"card:{tid}:{name}:title", f"card:{tid}:{name}"]
        if not any(p in entries for p in parts + card_parts):
            continue
        old = tr_topics.get(tid) if isinstance(tr_topics.get(tid), dict) else {}
        old_msgs = list(old.get("messages") or [])
        new = deepcopy(old)
        changed = False

        def pick(ctx: str, current: Any) -> Any:
            nonlocal changed
            if ctx in entries:
                text = entries[ctx][0]
                if not _same(text, current):
                    changed = True
                    return text
            return current

        new["title"] = pick(f"topic:{tid}:title", old.get("title"))
        msgs = []
        for n in range(1, len(en.get("messages") or []) + 1):
            msgs.append(pick(f"topic:{tid}:message:{n}", old_msgs[n - 1] if n - 1 < len(old_msgs) else None))
        new["messages"] = msgs
        cards = deepcopy(old.get("cards") or {})
        for name in (en.get("cards") or {}):
            c = dict(cards.get(name) or {})
            title = pick(f"card:{tid}:{name}:title", c.get("title"))
            text = pick(f"card:{tid}:{name}", c.get("text"))
            if text:
                c["text"] = text
                if title:
                    c["title"] = title
                cards[name] = {"title": c["title"], "text": c["text"]} if "title" in c else {"text": c["text"]}
        if cards:
            new["cards"] = cards
        if not isinstance(new.get("title"), str) or not all(isinstance(m, str) and m for m in msgs):
            result["skipped"].append(f"{tid}: not every message is translated (and not fuzzy); kept as it was")
            continue
        all_parts = parts + [p for p in card_parts if p in entries]
        reviewers = [entries[p][1] for p in parts + card_parts if p in entries]
        # reviewed = title and every message reviewed, and no part of it (a card) left as a fuzzy draft
        fully_reviewed = (all(p in entries and entries[p][1] for p in all_parts)
                          and not any(p in fuzzy for p in parts + card_parts))
        if not changed and not (fully_reviewed and old.get("status") != "reviewed"):
            continue  # nothing new: keep the status and reviewer as they are
        if fully_reviewed:
            who = next(r for r in reviewers if r)
            when = next((entries[p][2] for p in all_parts if p in entries and entries[p][2]), None)
            status = {"status": "reviewed", "reviewed_by": who,
                      "reviewed_on": dt.date.fromisoformat(when or today_s)}
            result["topics_reviewed"] += 1
        else:
            status = {"status": "draft", "reviewed_by": None, "reviewed_on": None}
        ordered = {**status, "title": new["title"], "messages": new["messages"]}
        if new.get("cards"):
            ordered["cards"] = new["cards"]
        for k, v in new.items():
            if k not in ordered and k not in ("status", "reviewed_by", "reviewed_on"):
                ordered[k] = v
        tr_topics[tid] = ordered
        result["topics_written"] += 1
        result["changed"] = True

    # -- interface strings
    strings = _section(data, "strings")
    for key in (ui.get("strings") or {}):
        ctx = f"ui:{key}"
        if ctx not in entries:
            continue
        text, who, when = entries[ctx]
        old = strings.get(key)
        old = {"text": old} if isinstance(old, str) else (old or {})
        if _same(text, old.get("text")) and not (who and old.get("status") != "reviewed"):
            continue
        entry: dict[str, Any] = {"text": text, "status": "reviewed" if who else "draft"}
        if who:
            entry["reviewed_by"] = who
            entry["reviewed_on"] = dt.date.fromisoformat(when or today_s)
        strings[key] = entry
        result["strings_written"] += 1
        result["changed"] = True

    # -- conversation moves
    moves = _section(data, "moves")
    for intent, en_msgs in (ui.get("moves") or {}).items():
        en_msgs = en_msgs if isinstance(en_msgs, list) else [en_msgs]
        ctxs = [f"move:{intent}:{n}" for n in range(1, len(en_msgs) + 1)]
        if not any(c in entries for c in ctxs):
            continue
        old = moves.get(intent)
        old = {"messages": old} if isinstance(old, list) else (old or {})
        old_msgs = list(old.get("messages") or [])
        msgs, changed = [], False
        for n, c in enumerate(ctxs):
            cur = old_msgs[n] if n < len(old_msgs) else None
            if c in entries and not _same(entries[c][0], cur):
                msgs.append(entries[c][0])
                changed = True
            else:
                msgs.append(cur)
        if not all(isinstance(m, str) and m for m in msgs):
            result["skipped"].append(f"move {intent}: not every message is translated; kept as it was")
            continue
        who_all = all(c in entries and entries[c][1] for c in ctxs)
        if not changed and not (who_all and old.get("status") != "reviewed"):
            continue
        entry = {"messages": msgs, "status": "reviewed" if who_all else "draft"}
        if who_all:
            entry["reviewed_by"] = entries[ctxs[0]][1]
            entry["reviewed_on"] = dt.date.fromisoformat(entries[ctxs[0]][2] or today_s)
        moves[intent] = entry
        result["moves_written"] += 1
        result["changed"] = True

    if result["changed"] and not dry_run:
        tpath.parent.mkdir(parents=True, exist_ok=True)
        header = f"# {lang}: translations for Sanctuary. Written by `sanctuary content import-po`; see docs/CONTENT_GUIDE.md.\n"
        body = dump_yaml(data)
        tmp = tpath.with_suffix(".yml.tmp")
        tmp.write_text(header + body, encoding="utf-8")
        tmp.replace(tpath)  # atomic: the bot's hot reload never sees half a file
    result["path"] = str(tpath)
    return result


# --------------------------------------------------------------------------- command line


def run_export(args: argparse.Namespace) -> int:
    lang = args.lang
    out = Path(args.out) if args.out else Path(f"{lang}.po")
    try:
        n = export_po(lang, out, getattr(args, "content_dir", None))
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {n} texts to {out}. Send it to the {lang} translator; bring it back with "
          f"`sanctuary content import-po {out}`.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        r = import_po(args.file, getattr(args, "content_dir", None), dry_run=args.dry_run)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verb = "Would write" if args.dry_run else "Wrote"
    if not r.changed:
        print(f"Nothing to change in {r['path']}: no new translated, non-fuzzy text.")
    else:
        print(f"{verb} {r['path']}: {r['topics_written']} topic(s) ({r['topics_reviewed']} reviewed), "
              f"{r['strings_written']} interface string(s), {r['moves_written']} conversation move(s).")
    for s in r["skipped"]:
        print(f"  skipped: {s}")
    if r.changed and not args.dry_run:
        print("Now run `sanctuary content check`.")
    return 0

"""``sanctuary content report``: what is translated, what needs a look.

Plain text to stdout:

1. a matrix of topics x languages: R reviewed, d draft, . missing (English is served),
   ! translated but broken (English is served until it is fixed; see ``content check``);
2. answers past their review date (and those due within 30 days);
3. directory entries not verified in the last 6 months;
4. feedback counts from ``var/feedback.json`` if it exists
   (``{"topic": {"lang": {"yes": n, "no": n}}}``).

``--html FILE`` also writes one self-contained page that shows every answer in every
language as a user would see it (right-to-left where the language is).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys
from pathlib import Path
from typing import Any

from bot.core.knowledge import (LANGUAGES, RTL_LANGUAGES, ContentError, KnowledgeBase, as_date, add_months,
                                default_content_dir)

REPO_ROOT = Path(__file__).resolve().parents[2]
SYMBOL = {"reviewed": "R", "draft": "d", "missing": ".", "broken": "!"}
# ui.yml keys that may hold the one-line "not yet in your language" notice, first found wins
FALLBACK_NOTICE_KEYS = ("translation_missing", "english_fallback", "fallback_notice", "english_fallback_notice", "not_translated")


def _status_matrix(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for tid in kb.topic_ids:
        row = {}
        for lang in LANGUAGES:
            status = kb.topic_status(tid, lang)
            row[lang] = "broken" if status == "missing" and kb.translation_broken(tid, lang) else status
        out[tid] = row
    return out


def _n(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _load_feedback(path: Path) -> dict[str, dict[str, dict[str, int]]] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def overdue(kb: KnowledgeBase, today: dt.date, soon_days: int = 30) -> list[tuple[str, dt.date, bool]]:
    """(topic, review_by, already past) for answers past or near their review date."""
    out = []
    for tid, e in kb.english_topics.items():
        due = as_date(e.get("review_by"))
        if due and due <= today + dt.timedelta(days=soon_days):
            out.append((tid, due, due < today))
    return sorted(out, key=lambda x: x[1])


def stale_directory(kb: KnowledgeBase, today: dt.date, months: int = 6):
    limit = add_months(today, -months)
    return [o for o in kb.directory().organisations if o.last_verified is None or o.last_verified < limit]


def text_report(kb: KnowledgeBase, today: dt.date, feedback: dict | None) -> str:
    lines: list[str] = []
    matrix = _status_matrix(kb)
    width = max([len(t) for t in kb.topic_ids] + [5])
    lines.append(f"Content report, {today.isoformat()} ({kb.content_dir})")
    lines.append("")
    lines.append("1. Translations: R reviewed, d draft (machine or unchecked), . missing (English is served),")
    lines.append("   ! translated but broken (English is served; run `sanctuary content check`)")
    lines.append("")
    lines.append(" " * width + "  " + " ".join(f"{lang:>3}" for lang in LANGUAGES))
    for tid, row in matrix.items():
        lines.append(f"{tid:<{width}}  " + " ".join(f"{SYMBOL[row[lang]]:>3}" for lang in LANGUAGES))
    lines.append("")
    lines.append(f"{'':<{width}}  reviewed / draft / missing per language:")
    for lang in LANGUAGES:
        counts = {s: sum(1 for row in matrix.values() if row[lang] == s) for s in SYMBOL}
        strings = sum(1 for k in kb.english_strings if kb.string_status(k, lang) in ("reviewed", "draft"))
        lines.append(f"  {lang:<4} {counts['reviewed']:>3} reviewed  {counts['draft']:>3} draft  "
                     f"{counts['missing'] + counts['broken']:>3} missing"
                     + (f" ({counts['broken']} broken)" if counts["broken"] else "")
                     + f"   interface strings {strings}/{len(kb.english_strings)}")
    lines.append("")
    lines.append("2. Review dates")
    due = overdue(kb, today)
    if not due:
        lines.append("   Every answer is within its review date.")
    for tid, day, past in due:
        lines.append(f"   {tid:<{width}}  review_by {day.isoformat()}  " + ("PAST: check it now" if past
                                                                            else "due soon"))
    lines.append("")
    lines.append("3. Directory entries not verified in the last 6 months")
    stale = stale_directory(kb, today)
    if not stale:
        lines.append("   All directory entries were verified in the last 6 months.")
    for org in stale:
        when = org.last_verified.isoformat() if org.last_verified else "never"
        lines.append(f"   {org.id} ({org.region}): last verified {when}")
    lines.append("")
    lines.append("4. Feedback (was this answer helpful?)")
    if feedback is None:
        lines.append("   No feedback file (var/feedback.json).")
    else:
        rows = []
        for tid, by_lang in sorted(feedback.items()):
            if not isinstance(by_lang, dict):
                continue
            yes = sum(_n(v.get("yes")) for v in by_lang.values() if isinstance(v, dict))
            no = sum(_n(v.get("no")) for v in by_lang.values() if isinstance(v, dict))
            worst = sorted(((lang, _n(v.get("no"))) for lang, v in by_lang.items()
                            if isinstance(v, dict) and _n(v.get("no"))), key=lambda x: -x[1])[:3]
            rows.append((tid, yes, no, worst))
        rows.sort(key=lambda r: (-(r[2] / max(1, r[1] + r[2])), -r[2]))
        if not rows:
            lines.append("   No feedback yet.")
        for tid, yes, no, worst in rows:
            share = f"{100 * yes / (yes + no):.0f}% helpful" if yes + no else "-"
            extra = ("  most 'no': " + ", ".join(f"{lang} {n}" for lang, n in worst)) if worst else ""
            lines.append(f"   {tid:<{width}}  yes {yes:>4}  no {no:>4}  {share}{extra}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans Ethiopic",sans-serif;
margin:0;background:#eef1f4;color:#1b1f23}
header{background:#005eb8;color:#fff;padding:1rem 1.5rem}header h1{margin:0;font-size:1.4rem}
main{padding:1rem 1.5rem;max-width:1400px}
table.matrix{border-collapse:collapse;background:#fff;font-size:.85rem}
.matrix th,.matrix td{border:1px solid #ccd;padding:.2rem .45rem;text-align:center}
.matrix td.t{text-align:left}
.s-reviewed{background:#c8ecd0}.s-draft{background:#fff2b3}.s-missing{background:#f3f3f3;color:#888}
.s-broken{background:#f8c4c4}
section.topic{margin:2rem 0}section.topic h2{font-size:1.15rem;border-bottom:2px solid #005eb8}
.scope{color:#555;font-size:.9rem;margin:.2rem 0 1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1rem}
.phone{background:#dfe6ec;border-radius:14px;padding:.6rem;font-size:.95rem}
.phone .lang{font-size:.75rem;color:#444;margin-bottom:.3rem;display:flex;justify-content:space-between}
.bubble{background:#fff;border-radius:10px;padding:.55rem .7rem;margin:.35rem 0;white-space:pre-wrap;
overflow-wrap:anywhere;box-shadow:0 1px 1px rgba(0,0,0,.12)}
.bubble.notice{background:#fff8e1;font-style:italic}
.buttons{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.3rem}
.buttons span{background:#f7f9fa;border:1px solid #b8c4ce;border-radius:8px;padding:.2rem .5rem;font-size:.85rem}
.badge{border-radius:6px;padding:0 .35rem}
.len{color:#a00}
ul.plain{padding-left:1.2rem}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def html_report(kb: KnowledgeBase, today: dt.date, feedback: dict | None) -> str:
    matrix = _status_matrix(kb)
    notice_key = next((k for k in FALLBACK_NOTICE_KEYS if k in kb.english_strings), None)
    out: list[str] = []
    out.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
               f"<title>Sanctuary content report {today.isoformat()}</title><style>{_CSS}</style></head><body>")
    out.append(f"<header><h1>Sanctuary: every answer as users see it</h1><div>{_e(today.isoformat())} &middot; "
               f"{len(kb.topic_ids)} topics &middot; {len(LANGUAGES)} languages</div></header><main>")
    # matrix
    out.append("<h2>Translations</h2><p>reviewed &middot; draft (unchecked) &middot; missing (English is served)"
               " &middot; broken (English is served until fixed)</p>")
    out.append("<table class=\"matrix\"><tr><th>topic</th>" + "".join(f"<th>{_e(lang)}</th>" for lang in LANGUAGES)
               + "</tr>")
    for tid, row in matrix.items():
        out.append(f"<tr><td class=\"t\"><a href=\"#{_e(tid)}\">{_e(tid)}</a></td>" + "".join(
            f"<td class=\"s-{row[lang]}\" title=\"{_e(row[lang])}\">{SYMBOL[row[lang]]}</td>" for lang in LANGUAGES)
            + "</tr>")
    out.append("</table>")
    due = overdue(kb, today)
    if due:
        out.append("<h2>Review dates</h2><ul class=\"plain\">" + "".join(
            f"<li><a href=\"#{_e(t)}\">{_e(t)}</a>: review by {_e(d.isoformat())}"
            f"{' <strong>(past)</strong>' if past else ' (soon)'}</li>" for t, d, past in due) + "</ul>")
    stale = stale_directory(kb, today)
    if stale:
        out.append("<h2>Directory entries to re-check</h2><ul class=\"plain\">" + "".join(
            f"<li>{_e(o.name)} ({_e(o.region)}): last verified "
            f"{_e(o.last_verified.isoformat() if o.last_verified else 'never')}</li>" for o in stale) + "</ul>")
    # answers
    for tid in kb.topic_ids:
        scope = (kb.contract.get(tid) or {}).get("scope", "")
        fb = (feedback or {}).get(tid) if isinstance(feedback, dict) else None
        out.append(f"<section class=\"topic\" id=\"{_e(tid)}\"><h2>{_e(kb.title(tid, 'en'))} "
                   f"<small>({_e(tid)})</small></h2><div class=\"scope\">{_e(scope)}</div><div class=\"grid\">")
        for lang in LANGUAGES:
            ans = kb.answer(tid, lang)
            rtl = lang in RTL_LANGUAGES
            text_dir = "rtl" if ans.language in RTL_LANGUAGES else "ltr"
            status = matrix[tid][lang] if lang != "en" else "reviewed"
            counts = ""
            if isinstance(fb, dict) and isinstance(fb.get(lang), dict):
                counts = f" &middot; yes {_n(fb[lang].get('yes'))} / no {_n(fb[lang].get('no'))}"
            out.append(f"<div class=\"phone\" lang=\"{_e(lang)}\" dir=\"{'rtl' if rtl else 'ltr'}\">"
                       f"<div class=\"lang\" dir=\"ltr\"><span>{_e(lang)}</span><span class=\"badge s-{status}\">"
                       f"{_e(ans.status)}</span>{counts}</div>")
            if ans.status == "english_fallback" and notice_key:
                out.append(f"<div class=\"bubble notice\">{_e(kb.string(notice_key, lang))}</div>")
            for msg in ans.messages:
                long = f" <span class=\"len\">({len(msg)} characters)</span>" if len(msg) > 600 else ""
                out.append(f"<div class=\"bubble\" lang=\"{_e(ans.language)}\" dir=\"{text_dir}\">{_e(msg)}"
                           f"{long}</div>")
            if ans.related:
                out.append("<div class=\"buttons\">" + "".join(f"<span>{_e(title)}</span>" for _, title in ans.related)
                           + "</div>")
            out.append("</div>")
        out.append("</div>")
        sources = kb.answer(tid, "en").sources
        if sources:
            out.append("<div class=\"scope\">Sources: " + "; ".join(
                f"{_e(s.get('title', ''))} ({_e(s.get('url', ''))}, {_e(s.get('date', ''))})" for s in sources)
                + "</div>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


# --------------------------------------------------------------------------- command line


def run(args: argparse.Namespace) -> int:
    content_dir = Path(args.content_dir) if getattr(args, "content_dir", None) else default_content_dir()
    today = dt.date.fromisoformat(args.today) if getattr(args, "today", None) else dt.date.today()
    try:
        kb = KnowledgeBase.load(content_dir)
    except ContentError as exc:
        print("The content has errors, so there is nothing to report on yet. Run `sanctuary content check`:",
              file=sys.stderr)
        for p in exc.problems[:10]:
            print(f"  {p}", file=sys.stderr)
        return 1
    fb_path = Path(args.feedback) if getattr(args, "feedback", None) else REPO_ROOT / "var" / "feedback.json"
    feedback = _load_feedback(fb_path)
    sys.stdout.write(text_report(kb, today, feedback))
    if getattr(args, "html", None):
        path = Path(args.html)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html_report(kb, today, feedback), encoding="utf-8")
        print(f"\nWrote {path}: open it in a browser.")
    return 0

"""Turning directory entries into short messages for the local support finder."""
from __future__ import annotations

from typing import List

from bot.core.knowledge import KnowledgeBase, Organisation

MAX_MESSAGE = 600
LOCAL_LIMIT = 4
NATIONAL_IDS_FIRST = ("doctors_of_the_world", "migrant_help")


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end == -1 else text[: end + 1]


def _contacts(org: Organisation) -> str:
    parts = []
    for contact in list(org.contacts)[:2]:
        value = contact.get("value", "")
        hours = contact.get("hours")
        parts.append(f"{value} ({hours})" if hours else value)
    return ", ".join(p for p in parts if p)


def _entry(kb: KnowledgeBase, org: Organisation, lang: str) -> str:
    checked = org.last_verified.isoformat() if org.last_verified else "?"
    lines = [f"• {org.name}: {_first_sentence(org.description)}".strip()]
    contacts = _contacts(org)
    if contacts:
        lines.append(f"  {contacts}")
    lines.append(f"  ({kb.string('verified_on', lang, date=checked)})")
    return "\n".join(lines)


def _pack(header: str, entries: List[str]) -> List[str]:
    """Group entries under a header into messages of at most about 600 characters."""
    messages, current = [], header
    for entry in entries:
        if len(current) + len(entry) + 2 > MAX_MESSAGE and current != header:
            messages.append(current)
            current = entry
        else:
            current = f"{current}\n\n{entry}"
    messages.append(current)
    return messages


def describe(kb: KnowledgeBase, place: str, lang: str) -> List[str]:
    directory = kb.directory()
    hit = directory.lookup_place(place)
    messages: List[str] = []
    if hit:
        _region, authority = hit
        local = [o for o in directory.organisations_for(authority, include_national=False)][:LOCAL_LIMIT]
        if local:
            messages += _pack(kb.string("support_near", lang, place=authority), [_entry(kb, o, lang) for o in local])
        routes = [o for o in directory.nhs_routes_for(authority) if authority in o.areas]
        if routes:
            messages += _pack(kb.string("support_nhs", lang, place=authority), [_entry(kb, o, lang) for o in routes])
    else:
        messages.append(kb.string("support_outside", lang))
    national = [o for o in directory.organisations_for(None) if o.national]
    national.sort(key=lambda o: (o.id not in NATIONAL_IDS_FIRST, o.id))
    messages += _pack(kb.string("support_national", lang), [_entry(kb, o, lang) for o in national[:2]])
    return messages

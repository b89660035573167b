"""Language names and directions from Babel (autonyms: العربية, ትግርኛ, ...)."""
from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

RTL = frozenset({"ar", "fa", "ps", "ckb", "ur"})


@functools.lru_cache(maxsize=None)
def autonym(code: str) -> str:
    """The language's own name for itself, capitalised; the code if Babel does not know it."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def is_rtl(code: str) -> bool:
    return code in RTL

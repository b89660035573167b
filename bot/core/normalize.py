"""Text normalisation shared by the NLU tokenizer, the safety layer and language detection.

Nothing in Rasa unifies Unicode: Arabic-script users type the same word with
Arabic or Persian letter forms, with or without short vowels, tatweel or ZWNJ;
Latin-script users drop diacritics. Training and prediction both pass through
``normalize`` so the model sees one spelling.
"""
from __future__ import annotations

import re
import unicodedata

# Bidirectional controls and zero-width characters that change nothing a reader sees.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c"),
    None,
)
# ZWNJ / ZWJ join or split Persian words; people type them inconsistently.
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d"), None)

_ARABIC_FORMS = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh -> Farsi yeh
        "ى": "ی",  # alef maksura
        "ې": "ی",  # Pashto ye: unified for matching only (detection reads the raw text)
        "ك": "ک",  # Arabic kaf -> keheh
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ئ": "ی",
        "ـ": None,  # tatweel
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
        "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4",
        "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "؟": "?", "،": ",", "؛": ";",
    }
)
# Arabic harakat, Quranic marks and superscript alef.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(.)\1{2,}")


def _strip_latin_diacritics(text: str) -> str:
    """Drop combining marks from Latin letters only (é -> e, ë -> e, ư -> u)."""
    decomposed = unicodedata.normalize("NFD", text)
    out = []
    previous_base_is_latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if previous_base_is_latin:
                continue
        else:
            previous_base_is_latin = "LATIN" in unicodedata.name(char, "")
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out)).replace("đ", "d").replace("ß", "ss")


def strip_invisible(text: str) -> str:
    """Remove bidi controls, zero-width characters and other control characters."""
    text = text.translate(_INVISIBLE)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def normalize(text: str) -> str:
    """Return the matching form of ``text``: lower case, one letter form, no marks.

    Used only for understanding (NLU, safety patterns); never shown to users.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = text.translate(_JOINERS)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FORMS)
    text = _strip_latin_diacritics(text.casefold())
    text = _REPEATS.sub(r"\1\1", text)  # "pleeeease" -> "pleease"
    return _SPACES.sub(" ", text).strip()

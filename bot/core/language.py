"""Which language a message is written in.

Two steps. The script narrows the candidates (Ge'ez: ti or am; Cyrillic: uk;
Arabic script: ar, fa, ps, ckb, ur, with letters only some of them use). Then a
character n-gram naive Bayes model, trained in well under a second from the NLU
training files (nlu/<lang>.yml), picks among them. Latin-letter Arabic, Persian
and Urdu are in those files under their own language, so "mujhe doctor chahiye"
is Urdu, not English. Nothing is downloaded.
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot.core.normalize import strip_invisible

ARABIC_SCRIPT = ("ar", "fa", "ps", "ckb", "ur")
ETHIOPIC = ("ti", "am")
LATIN = ("en", "fr", "so", "sq", "vi", "ar", "fa", "ur", "ps", "ckb")
CYRILLIC = ("uk",)

# Letters that only some Arabic-script languages use: seeing one rules the others out.
_ONLY_IN = {
    "ps": set("ټډړښږځڅګڼۍ"),
    "ckb": set("ڵڕۆێەڤ"),
    "ur": set("ٹڈڑںےۓ"),
}
_NOT_ARABIC = set("پچژگی")  # Persian letters Arabic does not use (Urdu, Pashto, Sorani do)
# Letters only Vietnamese uses (not â, ê, ô, which French has too).
_VIETNAMESE = set("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


@dataclass(frozen=True)
class Detection:
    language: Optional[str]
    confidence: float


def _script_of(char: str) -> Optional[str]:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("ETHIOPIC"):
        return "ethiopic"
    if name.startswith("ARABIC"):
        return "arabic"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("LATIN"):
        return "latin"
    return "other"


def dominant_script(text: str) -> Optional[str]:
    scripts = Counter(s for s in map(_script_of, text) if s)
    return scripts.most_common(1)[0][0] if scripts else None


def candidates(text: str) -> Tuple[str, ...]:
    """The languages the letters of `text` allow, most specific first."""
    script = dominant_script(text)
    if not script:
        return ()
    if script == "ethiopic":
        return ETHIOPIC
    if script == "cyrillic":
        return CYRILLIC
    if script == "arabic":
        letters = set(text)
        for lang, only in _ONLY_IN.items():
            if letters & only:
                return (lang,)
        if letters & _NOT_ARABIC:
            return ("fa", "ur", "ps", "ckb")
        return ARABIC_SCRIPT
    if script == "latin":
        if set(text.lower()) & _VIETNAMESE:
            return ("vi",)
        return LATIN
    return ()


def _features(text: str) -> List[str]:
    text = " ".join(strip_invisible(text).casefold().split())
    padded = f" {text} "
    feats = [padded[i : i + n] for n in (1, 2, 3, 4) for i in range(len(padded) - n + 1)]
    feats += ["w:" + w for w in text.split()]
    return feats


class LanguageDetector:
    """Multinomial naive Bayes over character n-grams, one model per script.

    Counting per (script, language) matters for Latin-letter Arabic, Persian and
    Urdu: their few Latin lines would otherwise drown in their native-script lines
    and lose to English.
    """

    def __init__(self, examples: Dict[str, Iterable[str]]) -> None:
        self.counts: Dict[Tuple[str, str], Counter] = defaultdict(Counter)
        for lang, texts in examples.items():
            for text in texts:
                script = dominant_script(text)
                if script:
                    self.counts[(script, lang)].update(_features(text))
        self.totals = {key: sum(counter.values()) for key, counter in self.counts.items()}
        self.vocabulary_size = max(len(set().union(*self.counts.values())) if self.counts else 0, 1)

    @classmethod
    def from_nlu_dir(cls, nlu_dir: Path) -> "LanguageDetector":
        examples: Dict[str, List[str]] = defaultdict(list)
        for path in sorted(Path(nlu_dir).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu", []):
                for line in str(block.get("examples", "")).splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        examples[path.stem].append(line[2:])
        return cls(examples)

    @property
    def languages(self) -> Tuple[str, ...]:
        return tuple(sorted({lang for _, lang in self.counts}))

    def scores(self, text: str, allowed: Iterable[str]) -> Dict[str, float]:
        feats = _features(text)
        script = dominant_script(text)
        out = {}
        for lang in allowed:
            counter = self.counts.get((script, lang))
            if not counter:
                continue
            denominator = math.log(self.totals[(script, lang)] + self.vocabulary_size)
            out[lang] = sum(math.log(counter.get(f, 0) + 1) - denominator for f in feats) / max(len(feats), 1)
        return out

    def detect(self, text: str) -> Detection:
        allowed = candidates(text)
        if not allowed:
            return Detection(None, 0.0)
        if len(allowed) == 1:
            return Detection(allowed[0], 0.99)
        scores = self.scores(text, allowed)
        if not scores:
            return Detection(allowed[0], 0.5)
        # A tempered softmax over per-feature log-likelihoods gives a usable confidence.
        top = max(scores.values())
        weights = {lang: math.exp((s - top) * 8.0) for lang, s in scores.items()}
        total = sum(weights.values())
        best = max(weights, key=weights.get)
        confidence = weights[best] / total
        # Very short Latin text ("ok", "GP?") says little: report low confidence.
        letters = sum(c.isalpha() for c in text)
        if letters < 6:
            confidence = min(confidence, 0.5)
        return Detection(best, round(confidence, 3))

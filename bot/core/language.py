"""Which language a message is written in.

Two steps. The script narrows the candidates (Ge'ez: ti or am; Cyrillic: uk;
Arabic script: ar, fa, ps, ckb, ur, with letters only some of them use). Then a
linear model over character and word n-grams, trained in about a second from the
NLU training files (nlu/<lang>.yml), picks among them. Latin-letter Arabic, Persian
and Urdu are in those files under their own language, so "mujhe doctor chahiye"
is Urdu, not English. Nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import math
import pickle
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from bot.core.nlu_data import texts_by_language
from bot.core.normalize import strip_invisible

ARABIC_SCRIPT = ("ar", "fa", "ps", "ckb", "ur")
ETHIOPIC = ("ti", "am")
LATIN = ("en", "fr", "so", "sq", "vi", "ar", "fa", "ur", "ps", "ckb")
CYRILLIC = ("uk",)
CACHE_FORMAT = b"detector-v2"  # change when the saved detector's layout changes

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


def _prepare(text: str) -> str:
    return " ".join(strip_invisible(text).casefold().split())


class LanguageDetector:
    """A linear SVM over character and word n-grams, restricted by script.

    Trained at start-up from the NLU training files (about a second for all 13
    languages). Measured against naive Bayes on the held-out sets it was far better
    on Latin-letter Arabic, Persian, Urdu, Pashto and Sorani (docs/NLU_REPORT.md).
    """

    def __init__(self, examples: Dict[str, Iterable[str]]) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.svm import LinearSVC

        from bot.core.fast_scoring import LinearTextScorer

        texts, labels = [], []
        for lang, lines in examples.items():
            for line in lines:
                texts.append(_prepare(line))
                labels.append(lang)
        # Hashed n-grams keep the front end small: no vocabulary held in memory.
        features = make_union(
            make_pipeline(HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=2**17,
                                            alternate_sign=False, norm=None), TfidfTransformer(sublinear_tf=True)),
            make_pipeline(HashingVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b", n_features=2**16,
                                            alternate_sign=False, norm=None), TfidfTransformer(sublinear_tf=True)),
        )
        self.model = None
        if texts:
            pipeline = make_pipeline(features, LinearSVC(C=0.5, random_state=0)).fit(texts, labels)
            self.model = LinearTextScorer(pipeline)
        self.classes: List[str] = list(self.model.classes_) if self.model is not None else []

    @classmethod
    def from_nlu_dir(cls, nlu_dir: Path) -> "LanguageDetector":
        return cls(texts_by_language(nlu_dir))

    @classmethod
    def cached(cls, nlu_dir: Path, cache_dir: Path) -> "LanguageDetector":
        """Load the detector trained on exactly these NLU files, or train and save it.

        Training briefly needs about 100 MB more memory than the trained model, so the
        front end loads a saved one (made by `sanctuary train`) when it can.
        """
        digest = hashlib.sha256(CACHE_FORMAT)
        for path in sorted(Path(nlu_dir).glob("*.yml")):
            digest.update(path.name.encode() + path.read_bytes())
        cache = Path(cache_dir) / f"language-detector-{digest.hexdigest()[:16]}.pkl"
        if cache.exists():
            try:
                with cache.open("rb") as handle:
                    detector = pickle.load(handle)  # our own file, written below
                if isinstance(detector, cls):
                    return detector
            except Exception:  # a damaged cache is rebuilt
                pass
        detector = cls.from_nlu_dir(nlu_dir)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            for old in cache.parent.glob("language-detector-*.pkl"):
                old.unlink()
            with cache.open("wb") as handle:
                pickle.dump(detector, handle)
        except OSError:
            pass
        return detector

    @property
    def languages(self) -> Tuple[str, ...]:
        return tuple(self.classes)

    def detect(self, text: str) -> Detection:
        allowed = [lang for lang in candidates(text) if lang in self.classes]
        if not allowed:
            return Detection(None, 0.0)
        if len(allowed) == 1:
            return Detection(allowed[0], 0.99)
        scores = self.model.decision_function([_prepare(text)])[0]
        allowed_scores = {lang: float(scores[self.classes.index(lang)]) for lang in allowed}
        top = max(allowed_scores.values())
        weights = {lang: math.exp((s - top) * 5.0) for lang, s in allowed_scores.items()}
        best = max(weights, key=weights.get)
        confidence = weights[best] / sum(weights.values())
        # Very short Latin text ("ok", "GP?") says little: report low confidence.
        if sum(c.isalpha() for c in text) < 6:
            confidence = min(confidence, 0.5)
        return Detection(best, round(confidence, 3))

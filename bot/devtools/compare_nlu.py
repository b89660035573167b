"""Compare intent-classifier designs on the held-out sets (docs/NLU_REPORT.md).

`python -m bot.devtools.compare_nlu` trains each design on nlu/*.yml and prints held-out
accuracy overall and per language, and training time. Scikit-learn only, so it runs in
a minute; the chosen design is the one in bot/rasa_ext/classifier.py.
"""
from __future__ import annotations

import time
from collections import defaultdict

from bot.core.normalize import normalize
from bot.core.settings import repo_root
from bot.core.nlu_data import read_examples


def designs():
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from bot.rasa_ext.classifier import SanctuaryIntentClassifier, build_pipeline

    yield ("baseline: TF-IDF char 1-4 + logistic regression (raw text)", False,
           make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
                         LogisticRegression(max_iter=1000, C=10.0)))
    yield ("Rasa-style counts (word + char_wb 1-4) + logistic regression, balanced", True,
           make_pipeline(make_union(CountVectorizer(), CountVectorizer(analyzer="char_wb", ngram_range=(1, 4))),
                         LogisticRegression(max_iter=300, class_weight="balanced")))
    yield ("chosen: TF-IDF word 1-2 + char 1-5, linear SVM, raw text", False,
           build_pipeline(SanctuaryIntentClassifier.get_default_config()))
    yield ("chosen: TF-IDF word 1-2 + char 1-5, linear SVM, normalised text", True,
           build_pipeline(SanctuaryIntentClassifier.get_default_config()))


def main() -> None:
    root = repo_root()
    train = read_examples(root / "nlu")
    test = read_examples(root / "tests" / "nlu_heldout")
    print(f"train {len(train)}, held-out {len(test)}")
    for name, normalised, model in designs():
        prep = normalize if normalised else (lambda t: t)
        started = time.monotonic()
        model.fit([prep(e.text) for e in train], [e.intent for e in train])
        seconds = time.monotonic() - started
        predicted = model.predict([prep(e.text) for e in test])
        per_lang = defaultdict(list)
        for p, e in zip(predicted, test):
            per_lang[e.lang].append(p == e.intent)
        overall = sum(p == e.intent for p, e in zip(predicted, test)) / len(test)
        worst = min(per_lang, key=lambda k: sum(per_lang[k]) / len(per_lang[k]))
        print(f"{overall:.3f}  worst {worst} {sum(per_lang[worst]) / len(per_lang[worst]):.3f}  "
              f"train {seconds:.0f} s  {name}")


if __name__ == "__main__":
    main()

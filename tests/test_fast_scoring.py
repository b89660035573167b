"""The fast scorer must give the scores scikit-learn gives, for both feature layouts we use."""
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from bot.core.fast_scoring import LinearTextScorer
from bot.core.nlu_data import read_examples
from bot.core.normalize import normalize
from bot.rasa_ext.classifier import SanctuaryIntentClassifier, build_pipeline

ROOT = Path(__file__).resolve().parents[1]


def _data():
    examples = [e for e in read_examples(ROOT / "nlu") if e.lang in ("en", "ar", "uk")]
    texts = [normalize(e.text) for e in examples]
    return texts[::2], [e.intent for e in examples][::2], texts[1::2]


def test_intent_classifier_scores_match_scikit_learn():
    train, labels, unseen = _data()
    pipeline = build_pipeline(SanctuaryIntentClassifier.get_default_config()).fit(train, labels)
    fast = LinearTextScorer(pipeline)
    expected, got = pipeline.decision_function(unseen), fast.decision_function(unseen)
    assert list(fast.classes_) == list(pipeline.classes_)
    assert np.allclose(expected, got, atol=1e-4)
    assert (expected.argmax(1) == got.argmax(1)).all()


def test_hashed_features_match_scikit_learn():
    train, labels, unseen = _data()
    features = make_union(
        make_pipeline(HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=2**16,
                                        alternate_sign=False, norm=None), TfidfTransformer(sublinear_tf=True)),
        make_pipeline(HashingVectorizer(analyzer="word", n_features=2**15, alternate_sign=False, norm=None),
                      TfidfTransformer(sublinear_tf=True)),
    )
    pipeline = make_pipeline(features, LinearSVC(C=0.5, random_state=0)).fit(train, labels)
    got = LinearTextScorer(pipeline).decision_function(unseen + ["", "🙂", "x" * 5000])
    expected = pipeline.decision_function(unseen + ["", "🙂", "x" * 5000])
    assert np.allclose(expected, got, atol=1e-4)

"""Scoring one short message with fitted TF-IDF features and a linear model, fast.

Both the intent classifier (in the Rasa worker) and the language detector (in the
front end) are scikit-learn pipelines: n-gram counts, TF-IDF weighting, a linear SVM.
scikit-learn 1.1 re-checks a fitted TfidfTransformer on every call, and that check
rebuilds the whole idf vector (hundreds of thousands of entries) each time: about
half the cost of scoring one message. `LinearTextScorer` takes the fitted parts once
and computes the same scores (tests compare them), with the SVM weights kept in
float32: half the memory of scikit-learn's float64 copy.
"""
from __future__ import annotations

from typing import List, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize


class _TfidfFeatures:
    """One fitted TF-IDF block: a TfidfVectorizer, or a (counter, TfidfTransformer) pipeline."""

    def __init__(self, fitted) -> None:
        if isinstance(fitted, TfidfVectorizer):
            self.counter, tfidf, self.own_vocabulary = fitted, fitted, True
        else:  # make_pipeline(HashingVectorizer(...), TfidfTransformer(...))
            self.counter, tfidf, self.own_vocabulary = fitted.steps[0][1], fitted.steps[-1][1], False
        self.idf = np.asarray(tfidf.idf_, dtype=np.float64) if tfidf.use_idf else None  # built once, here
        self.sublinear = tfidf.sublinear_tf
        self.norm = tfidf.norm

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.own_vocabulary:
            counts = CountVectorizer.transform(self.counter, texts)  # counts only; the weighting is below
        else:
            counts = self.counter.transform(texts)
        x = sp.csr_matrix(counts, dtype=np.float64)
        if self.sublinear:
            np.log(x.data, x.data)
            x.data += 1
        if self.idf is not None:
            x.data *= self.idf[x.indices]
        if self.norm:
            x = normalize(x, norm=self.norm, copy=False)
        return x


class LinearTextScorer:
    """`decision_function` and `classes_` of a fitted make_pipeline(make_union(tfidf, ...), linear model)."""

    def __init__(self, pipeline) -> None:
        union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.parts: List[_TfidfFeatures] = [_TfidfFeatures(t) for _, t in union.transformer_list]
        # (n-grams x classes), C-ordered: the layout a sparse row times a dense matrix reads.
        self.weights = np.ascontiguousarray(model.coef_.T, dtype=np.float32)
        self.intercept = np.asarray(model.intercept_, dtype=np.float32)
        self.classes_ = model.classes_

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        x = sp.hstack([part.transform(texts) for part in self.parts], format="csr").astype(np.float32)
        return np.asarray(x @ self.weights) + self.intercept

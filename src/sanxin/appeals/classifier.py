"""The appeal text classifier: jieba words and character n-grams, TF-IDF, a multinomial logistic
regression (scikit-learn), stored with skops (no pickle: a model file can name only the types we
trust, so a replaced file cannot run code).

The labelled set lives in ``data/`` with its provenance (``data/README.md``): ``train.tsv`` and the
frozen ``heldout.tsv`` (split once, before any tuning, stratified by category; never trained on).
Version 1 of the model is committed beside them; ``sanxin appeals train`` trains a new version from
``train.tsv`` plus the categories people chose for low-confidence appeals (``Label``), reports its
macro-F1 on the held-out split and stores it under the data directory with its SHA-256 recorded in
``ClassifierVersion``. The newest active version is the one used.

No Django at import time: the benchmark and the training command use these functions directly.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import threading
import zipfile
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
BASE_MODEL = DATA / "classifier-v1.skops"
TRAIN = DATA / "train.tsv"
HELDOUT = DATA / "heldout.tsv"
USERDICT = DATA / "userdict.txt"
SEED = 20261204

_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        if USERDICT.exists():
            tokenizer.load_userdict(str(USERDICT))
    return tokenizer


_PUNCT = set(" \t\r\n，。！？、；：“”‘’（）()《》【】…—·,.!?;:'\"-~～")


def tokenize(text: str) -> list[str]:
    """jieba's words of ``text`` (with the domain dictionary), without punctuation and spaces."""
    return [w for w in _jieba().lcut(text) if w.strip() and not set(w) <= _PUNCT]


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    """(texts, category codes) of a ``category<TAB>kind<TAB>text`` file."""
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 3 and row[0] and not row[0].startswith("#"):
                labels.append(row[0])
                texts.append(row[2])
    return texts, labels


def build_pipeline(*, c: float = 10.0):
    """jieba words (weight 0.5) and character uni- and bigrams, TF-IDF with sublinear counts, a
    logistic regression. Chosen by 5-fold cross-validation on ``train.tsv`` only (macro-F1: words and
    characters 0.798; characters alone 0.776 to 0.790; words alone 0.693); the held-out split was
    frozen before and played no part."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    words = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    return Pipeline(
        [
            (
                "features",
                FeatureUnion([("words", words), ("chars", chars)], transformer_weights={"words": 0.5}),
            ),
            ("model", LogisticRegression(C=c, max_iter=3000, random_state=SEED)),
        ]
    )


def train(texts: list[str], labels: list[str], *, c: float = 10.0):
    pipeline = build_pipeline(c=c)
    pipeline.fit(texts, labels)
    return pipeline


def macro_f1(pipeline, texts: list[str], labels: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(labels, pipeline.predict(texts), average="macro"))


# --- storage ---------------------------------------------------------------------------------------

TRUSTED = ["sanxin.appeals.classifier.tokenize"]


def save(pipeline, path: Path) -> str:
    """Write ``pipeline`` to ``path`` (skops, deflated); returns the file's SHA-256."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return sha256(path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path: Path):
    """Load a model file, refusing any type other than scikit-learn's, numpy's and our tokenizer."""
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    unexpected = [
        t for t in untrusted if t not in TRUSTED and not t.startswith(("sklearn.", "numpy.", "scipy."))
    ]
    if unexpected:
        raise ValueError(f"model file {path.name} names untrusted types: {unexpected}")
    return sio.load(path, trusted=untrusted)


@dataclasses.dataclass(frozen=True)
class Guess:
    code: str
    confidence: float
    ranked: list[tuple[str, float]]


def predict(pipeline, texts: list[str]) -> list[Guess]:
    probabilities = pipeline.predict_proba(texts)
    classes = [str(c) for c in pipeline.classes_]
    out = []
    for row in probabilities:
        ranked = sorted(zip(classes, (float(p) for p in row), strict=True), key=lambda cp: -cp[1])
        out.append(Guess(ranked[0][0], ranked[0][1], ranked[:3]))
    return out

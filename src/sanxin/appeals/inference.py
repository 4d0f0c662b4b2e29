"""The classifier in use: the newest active ``ClassifierVersion`` (its file checked against the
SHA-256 recorded when it was trained), else the committed version 1. Loaded once per process and
version; thread-safe."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from . import classifier

_lock = threading.Lock()
_loaded: dict[str, object] = {}


@dataclasses.dataclass(frozen=True)
class Result:
    code: str
    confidence: float
    version: str
    ranked: list[tuple[str, float]]


def _active() -> tuple[str, Path, str | None]:
    from .models import ClassifierVersion

    row = ClassifierVersion.objects.filter(active=True).order_by("-version").first()
    if row is None:
        return "v1", classifier.BASE_MODEL, None
    return f"v{row.version}", Path(row.file), row.sha256


def model():
    """(version label, pipeline) of the classifier in use."""
    version, path, digest = _active()
    with _lock:
        if version not in _loaded:
            if digest is not None and classifier.sha256(path) != digest:
                raise RuntimeError(f"classifier file {path.name} does not match its recorded SHA-256")
            _loaded.clear()
            _loaded[version] = classifier.load(path)
        return version, _loaded[version]


def classify(text: str) -> Result:
    version, pipeline = model()
    guess = classifier.predict(pipeline, [text])[0]
    return Result(guess.code, round(guess.confidence, 4), version, guess.ranked)


def classify_many(texts: list[str]) -> list[Result]:
    version, pipeline = model()
    return [
        Result(g.code, round(g.confidence, 4), version, g.ranked) for g in classifier.predict(pipeline, texts)
    ]

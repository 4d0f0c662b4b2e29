"""Training a new classifier version: the committed ``train.tsv`` plus the categories people chose
(``Label``), evaluated on the frozen ``heldout.tsv``, stored under the data directory with its
SHA-256 and recorded as the active ``ClassifierVersion``. ``base=True`` rebuilds the committed
version 1 from ``train.tsv`` alone (for the repository, not for a running installation)."""

from __future__ import annotations

import dataclasses
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxin.core import audit

from . import classifier
from .models import ClassifierVersion, Label


@dataclasses.dataclass(frozen=True)
class Report:
    version: int
    samples: int
    labels: int
    heldout_macro_f1: float
    path: str


def training_set() -> tuple[list[str], list[str], int]:
    texts, labels = classifier.read_tsv(classifier.TRAIN)
    heldout = set(classifier.read_tsv(classifier.HELDOUT)[0])
    people = [(t, c) for t, c in Label.objects.values_list("text", "category_id") if t not in heldout]
    return texts + [t for t, _ in people], labels + [c for _, c in people], len(people)


def train(*, actor=None, base: bool = False, progress=print) -> Report:
    if base:
        texts, labels = classifier.read_tsv(classifier.TRAIN)
        extra = 0
    else:
        texts, labels, extra = training_set()
    progress(f"训练样本 {len(texts)} 条（其中人工分类 {extra} 条），开始训练…")
    pipeline = classifier.train(texts, labels)
    held_texts, held_labels = classifier.read_tsv(classifier.HELDOUT)
    f1 = classifier.macro_f1(pipeline, held_texts, held_labels)
    progress(f"留出集（{len(held_texts)} 条）宏平均 F1 = {f1:.3f}")
    if base:
        digest = classifier.save(pipeline, classifier.BASE_MODEL)
        classifier.BASE_MODEL.with_suffix(".json").write_text(
            json.dumps(
                {"version": 1, "samples": len(texts), "heldout_macro_f1": round(f1, 4), "sha256": digest},
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        return Report(1, len(texts), 0, f1, str(classifier.BASE_MODEL))
    with transaction.atomic():
        latest = (
            ClassifierVersion.objects.select_for_update()
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        ) or 1
        version = latest + 1
        path = settings.DATA_DIR / "models" / f"appeals-classifier-v{version}.skops"
        digest = classifier.save(pipeline, path)
        row = ClassifierVersion.objects.create(
            version=version,
            trained_at=timezone.now(),
            samples=len(texts),
            heldout_macro_f1=round(f1, 4),
            file=str(path),
            sha256=digest,
        )
        audit.record(
            actor=actor,
            action="train",
            obj=row,
            after={
                "version": version,
                "samples": len(texts),
                "labels": extra,
                "heldout_macro_f1": round(f1, 4),
            },
        )
    progress(f"已保存为第 {version} 版：{path.name}")
    return Report(version, len(texts), extra, f1, str(path))

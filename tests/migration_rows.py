"""The rows that data migrations insert (the default meeting rules, the appeal categories and deadline
rules, …), kept from the freshly migrated test database and put back after a transactional test.

pytest-django ends a transactional test by flushing every table, and those rows went with it: a later
test of the same xdist worker that relies on them failed or passed depending on which files the worker
had run before. (Content types and permissions come back by themselves: the flush re-emits
``post_migrate``.)"""

from __future__ import annotations

from django.apps import apps
from django.core import serializers

_SKIP = {"contenttypes.contenttype", "auth.permission"}
_rows: list[tuple[type, str]] = []


def capture() -> None:
    """Remember every row the migrations left (call on the freshly migrated database)."""
    _rows.clear()
    by_app: dict = {}
    for model in apps.get_models():
        if model._meta.label_lower not in _SKIP and model._meta.managed and not model._meta.proxy:
            by_app.setdefault(model._meta.app_config, []).append(model)
    for model in serializers.sort_dependencies(by_app.items(), allow_cycles=True):
        rows = model._base_manager.order_by("pk")
        if rows.exists():
            _rows.append((model, serializers.serialize("json", rows)))


def restore() -> None:
    """Put back the remembered rows of every table that is empty now."""
    for model, data in _rows:
        if not model._base_manager.exists():
            for obj in serializers.deserialize("json", data):
                obj.save()

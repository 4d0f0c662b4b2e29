"""The world's objects of the later parts of a module, one file a part, so that parts built side by side
never edit the same lines of ``tests/world.py`` or ``tests/accounts/walker.py``.

Each module here has:

- ``build(world) -> dict``: creates that part's A-side and B-side objects (B's names carry
  ``LEAK_MARKER``) once every field of the world exists, and returns them by name (``activity_a``,
  ``activity_b``, …); they read as attributes of the world;
- ``targets() -> dict``: model class → name, so the walker uses ``world.<name>_a`` / ``<name>_b`` for
  routes whose permission names that model;
- ``PAYLOADS``: the walker's payload factories for that part's write routes, keyed like
  ``tests/accounts/walker.PAYLOADS``.
"""

from __future__ import annotations

import importlib

PARTS = ("activities", "awards", "affairs")


def _modules():
    return [importlib.import_module(f"tests.world_parts.{name}") for name in PARTS]


def build(world) -> dict:
    out: dict = {}
    for module in _modules():
        made = module.build(world)
        clash = set(made) & set(out)
        assert not clash, f"{module.__name__} reuses the world's names {sorted(clash)}"
        out |= made
    return out


def targets() -> dict:
    out: dict = {}
    for module in _modules():
        out |= module.targets()
    return out


def payloads() -> dict:
    out: dict = {}
    for module in _modules():
        out |= module.PAYLOADS
    return out

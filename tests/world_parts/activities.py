"""The world's objects of community activities (see tests/world_parts/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable


def build(world) -> dict:
    return {}


def targets() -> dict:
    return {}


PAYLOADS: dict[tuple[str, str], Callable] = {}

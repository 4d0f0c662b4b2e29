"""Wiring of community affairs, called from ``community.hooks.ready``."""

from __future__ import annotations


def ready() -> None:
    from . import demo  # noqa: F401  (the demo step)

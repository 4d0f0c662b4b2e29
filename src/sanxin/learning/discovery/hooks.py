"""Wiring of discovery, called from ``learning.hooks.ready``: the demo step, the nightly signals task,
the audit label of a member's choice."""

from __future__ import annotations


def ready() -> None:
    from sanxin.core import audit

    from . import demo, tasks  # noqa: F401  (the demo step and the periodic task register themselves)

    audit.label_actions({"recommend_preference": "设置个性化推荐"})

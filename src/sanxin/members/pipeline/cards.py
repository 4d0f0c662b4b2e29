"""The secretaries' home card: development cases with a step due, 公示 running, 发展对象 not yet
announced."""

from __future__ import annotations

from django.utils import timezone

from sanxin.core.scope import request_scope

from . import selectors


def to_follow(request) -> dict:
    return selectors.to_follow(request_scope(request, "people", "change"), timezone.localdate())

"""Query helpers shared by every selector."""

from __future__ import annotations

from django.db.models import Q


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    if not prefix:
        raise ValueError("empty prefix")
    last = prefix[-1]
    return prefix[:-1] + chr(ord(last) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written as a range so SQLite can use the index (its LIKE,
    which ``__startswith`` emits, cannot). Use for tree paths and region codes."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": next_prefix(prefix)})


def any_prefix_q(field: str, prefixes: list[str]) -> Q:
    """Union of several prefixes, dropping prefixes covered by shorter ones."""
    kept: list[str] = []
    for p in sorted(set(prefixes)):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    q = Q(pk__in=[])
    for p in kept:
        q |= prefix_q(field, p)
    return q

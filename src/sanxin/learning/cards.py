"""The home card of learning: a member's hours this year against the requirement, and what to continue."""

from __future__ import annotations

from . import selectors


def is_member(user) -> bool:
    return selectors.member_of(user) is not None


def mine(request) -> dict:
    member = selectors.member_of(request.user)
    return {
        "year": selectors.year_of(member),
        "continuing": list(selectors.continuing(member, request.user, limit=1)),
    }

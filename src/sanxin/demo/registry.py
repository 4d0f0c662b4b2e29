"""The built-in demo (新河市) is built in steps that modules register; ``sanxin demo`` runs them in
order. Each step must be idempotent (get-or-create by natural key) so a second run changes nothing.

    from sanxin.demo.registry import step

    @step(order=30, name="orgs")
    def build_orgs(ctx): ...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass
class DemoContext:
    """Shared between steps: what earlier steps built, and a progress printer."""

    data: dict = dataclasses.field(default_factory=dict)
    progress: Callable[[str], None] = print


@dataclasses.dataclass(frozen=True)
class Step:
    order: int
    name: str
    func: Callable[[DemoContext], None]


_steps: dict[str, Step] = {}
_logins: dict[str, str] = {}  # username -> role, for the README and `sanxin serve`


def register_login(username: str, role: str) -> None:
    _logins[username] = role


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts that exist in this database."""
    from django.contrib.auth import get_user_model

    existing = set(get_user_model().objects.filter(username__in=_logins).values_list("username", flat=True))
    return [(u, r) for u, r in _logins.items() if u in existing]


def step(*, order: int, name: str):
    def decorator(func):
        _steps[name] = Step(order, name, func)
        return func

    return decorator


def steps() -> list[Step]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))

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
    """Shared between steps: what earlier steps built, and the logins to print."""

    logins: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)  # (username, password, role)
    data: dict = dataclasses.field(default_factory=dict)
    progress: Callable[[str], None] = print


@dataclasses.dataclass(frozen=True)
class Step:
    order: int
    name: str
    func: Callable[[DemoContext], None]


_steps: dict[str, Step] = {}


def step(*, order: int, name: str):
    def decorator(func):
        _steps[name] = Step(order, name, func)
        return func

    return decorator


def steps() -> list[Step]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))

"""Region selectors and services: the GB/T 2260-style 12-digit code tree."""

from __future__ import annotations

from django.db.models import QuerySet

from .errors import InvalidInput
from .models import Region
from .models.regions import LEVEL_DIGITS
from .query import prefix_q

_LEVEL_BY_DIGITS = {v: k for k, v in LEVEL_DIGITS.items()}


def level_of(code: str) -> int:
    """The level of a 12-digit code by its trailing zeros (130000000000 -> 1, 130102000000 -> 3)."""
    if len(code) != 12 or not code.isdigit():
        raise InvalidInput("区划代码应为12位数字", field="code")
    for level in (1, 2, 3, 4):
        if code[LEVEL_DIGITS[level] :] == "0" * (12 - LEVEL_DIGITS[level]):
            return level
    return 5


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == 1:
        return None
    keep = LEVEL_DIGITS[level - 1]
    return code[:keep] + "0" * (12 - keep)


def normalize(code: str) -> str:
    code = (code or "").strip()
    if code.isdigit() and len(code) in LEVEL_DIGITS.values():
        return code.ljust(12, "0")
    return code


def region_prefix(code: str) -> str:
    return code[: LEVEL_DIGITS[level_of(code)]]


def subtree(code: str) -> QuerySet[Region]:
    return Region.objects.filter(prefix_q("code", region_prefix(code)))


def in_region_q(field: str, code: str):
    """Q for rows whose region-code column ``field`` lies in the region ``code``."""
    return prefix_q(field, region_prefix(code))


def ancestors(code: str) -> list[Region]:
    codes = []
    c: str | None = code
    while c:
        codes.append(c)
        c = parent_code(c)
    return list(Region.objects.filter(code__in=codes).order_by("level"))


def children(code: str | None) -> QuerySet[Region]:
    if code is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent_id=code)


def full_name(code: str) -> str:
    return "".join(r.name for r in ancestors(code))


def region_upsert(*, actor, code: str, name: str) -> tuple[Region, str]:
    """Create or rename one region; returns (region, "created" | "updated" | "unchanged")."""
    from .services import model_create, model_update

    code = normalize(code)
    level = level_of(code)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("名称不能为空", field="name")
    pcode = parent_code(code)
    if pcode and not Region.objects.filter(code=pcode).exists():
        raise InvalidInput(f"上级区划 {pcode} 不存在", field="code")
    existing = Region.objects.filter(code=code).first()
    if existing is None:
        return model_create(
            Region, actor=actor, code=code, name=name, level=level, parent_id=pcode
        ), "created"
    _, changed = model_update(existing, actor=actor, data={"name": name})
    return existing, "updated" if changed else "unchanged"

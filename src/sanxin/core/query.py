"""Query helpers shared by every selector."""

from __future__ import annotations

import json

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL


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


def text_prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, for any text (names, not only codes): a range on SQLite, whose
    binary order is code-point order and whose LIKE cannot use an index; ``LIKE 'prefix%'`` on
    PostgreSQL, where a range would follow the collation's order and a ``text_pattern_ops`` index
    serves the LIKE."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return prefix_q(field, prefix)


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


def in_values(model: type[models.Model], field: str, values) -> RawSQL:
    """``field IN values`` with the whole list bound as one parameter (a JSON array read by
    ``json_each`` on SQLite, an array on PostgreSQL): for lists of thousands (an import batch's
    keys), which ``__in`` would compile value by value. Use as ``Model.objects.filter(in_values(...))``."""
    f = model._meta.get_field(field)
    qn = connection.ops.quote_name
    column = f"{qn(model._meta.db_table)}.{qn(f.column)}"
    values = list(values)
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (values,), output_field=models.BooleanField())  # noqa: S611
    return RawSQL(  # noqa: S611
        f"{column} IN (SELECT value FROM json_each(%s))",  # noqa: S608
        (json.dumps(values),),
        output_field=models.BooleanField(),
    )

"""Set-oriented writes for imports of hundreds of thousands of rows: plain values in, a few statements
per thousand rows out, no model instances on the way.

    ids = bulk.insert(Organization, [{"name": ..., "region_id": ..., ...}, ...], ids=True)
    bulk.update(Organization, [{"id": 7, "address": ...}, {"id": 9, "name": ..., "address": ...}])

The ORM's ``bulk_create``/``bulk_update`` cost 100–250 µs a row in compiling values field by field;
these cost a tenth of that, because values are converted once per column kind and written by
multi-row ``INSERT`` statements on SQLite and ``COPY`` / an ``unnest`` join on PostgreSQL.

What the caller owns: values must already be valid for their fields (an importer's ``validate_row``
checks them; the database still enforces types, foreign keys, uniqueness and check constraints, and
an IntegrityError rolls the caller's savepoint back). Rows are keyed by field ``attname``
(``region_id``) or name; fields a row leaves out take their default, ``auto_now``/``auto_now_add``
fields the current time. Nothing here audits or publishes: the module's service does (see
``audit.record_rows``).

SQL identifiers come from model metadata and are quoted; values are always parameters.

Ids are allocated before the insert, so they come back in row order without relying on the order of a
RETURNING clause: from the table's sequence on PostgreSQL, and on SQLite from the table's largest id
under the write lock, which the connection's IMMEDIATE transactions take at BEGIN (settings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

SQLITE_CHUNK = 500  # rows per INSERT statement on SQLite
SQLITE_MAX_PARAMS = 32766  # SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32


# Exact types whose Python values go to the database unchanged: a subclass (an encrypted text field,
# say) may convert values on the way.
_PLAIN_TYPES = frozenset(
    {
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
        models.BooleanField,
        models.ForeignKey,
        models.OneToOneField,
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
    }
)


def _is_plain(field: models.Field) -> bool:
    return type(field) in _PLAIN_TYPES


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """None when values pass unchanged, else the conversion to the database's form. The common kinds
    are converted directly (what ``get_db_prep_save`` would do, without its per-value dispatch); on
    PostgreSQL dates and datetimes go to the driver as they are (Django's adapters return them
    unchanged there)."""
    if _is_plain(field):
        return None
    ops = connection.ops
    if type(field) in (models.DateField, models.DateTimeField):
        if connection.vendor == "postgresql":
            return None
        return ops.adapt_datefield_value if type(field) is models.DateField else ops.adapt_datetimefield_value
    if type(field) is models.JSONField:
        return partial(ops.adapt_json_value, encoder=field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


class _Columns:
    """The insert's columns for ``model`` given the keys rows carry: the per-row values first (taken
    from a row by one ``itemgetter``, converted only where a column needs it), then the constants."""

    def __init__(self, model: type[models.Model], keys: Iterable[str]):
        keys = set(keys)
        now = timezone.now()
        per_row: list[tuple[models.Field, str, Callable | None]] = []
        constant: list[tuple[models.Field, Any]] = []
        for field in model._meta.concrete_fields:
            if field.primary_key and field.attname not in keys:
                continue
            key = field.attname if field.attname in keys else field.name if field.name in keys else None
            if key is not None and not getattr(field, "auto_now", False):
                per_row.append((field, key, _converter(field)))
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now if isinstance(field, models.DateTimeField) else now.date()
            else:
                value = field.get_default()  # the declared default, "" for text fields, else None
                if value is None and not field.null:
                    raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
            convert = _converter(field)
            constant.append((field, convert(value) if convert and value is not None else value))
        self.fields: list[models.Field] = [f for f, _, _ in per_row] + [f for f, _ in constant]
        self.constants = [v for _, v in constant]
        self.converters = [(i, conv) for i, (_, _, conv) in enumerate(per_row) if conv is not None]
        keys_in_order = [k for _, k, _ in per_row]
        if len(keys_in_order) == 1:
            only = keys_in_order[0]
            self.getter = lambda data: (data[only],)
        elif keys_in_order:
            self.getter = itemgetter(*keys_in_order)
        else:
            self.getter = lambda data: ()
        self.pk = model._meta.pk

    def row(self, data: dict) -> list:
        out = [*self.getter(data), *self.constants]
        for i, conv in self.converters:
            value = out[i]
            if value is not None:
                out[i] = conv(value)
        return out


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh ids for ``model``'s rows, for a caller that needs them before the insert (a row that
    refers to itself, say). Call it inside the transaction that inserts them."""
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_ids must run inside the transaction that inserts the rows")
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The sequence's name as an InitPlan, looked up once: called per row, the lookup cost 3 µs an id.
            cur.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, n],
            )
            return [r[0] for r in cur.fetchall()]
        qn = connection.ops.quote_name
        cur.execute(
            f"SELECT MAX(m) FROM (SELECT MAX({qn(column)}) AS m FROM {qn(table)} "  # noqa: S608
            f"UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        top = cur.fetchone()[0] or 0
        return list(range(top + 1, top + 1 + n))


def _chunks(items: list, size: int):
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@transaction.atomic
def insert(model: type[models.Model], rows: list[dict], *, ids: bool = False) -> list[int] | None:
    """Insert ``rows`` into ``model``'s table. Rows may carry their ids (from ``allocate_ids``); with
    ``ids=True`` they are allocated here, set on each row and returned in order."""
    if not rows:
        return [] if ids else None
    pk_name = model._meta.pk.attname
    allocated = None
    if ids and pk_name not in rows[0]:
        allocated = allocate_ids(model, len(rows))
        for r, pk in zip(rows, allocated, strict=True):
            r[pk_name] = pk
    cols = _Columns(model, rows[0])
    names = [f.column for f in cols.fields]
    values = [cols.row(r) for r in rows]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    column_list = ", ".join(qn(n) for n in names)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # COPY is psycopg's own (not through Django's cursor wrapper): map its errors to Django's
            # (an IntegrityError for a duplicate key) as every other statement's are.
            with (
                connection.wrap_database_errors,
                cur.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
            ):
                for v in values:
                    copy.write_row(v)
        else:
            # One multi-row statement per chunk, not one execution per row: a table with a trigger that
            # may abort (the membership no-overlap check) costs a statement journal per statement, and
            # in WAL mode that cost grows with the database.
            per_row = f"({', '.join(['%s'] * len(names))})"
            size = max(1, min(SQLITE_CHUNK, SQLITE_MAX_PARAMS // len(names)))
            for chunk in _chunks(values, size):
                sql = f"INSERT INTO {table} ({column_list}) VALUES {', '.join([per_row] * len(chunk))}"  # noqa: S608
                cur.execute(sql, [v for row in chunk for v in row])
    return allocated


@transaction.atomic
def update(model: type[models.Model], rows: list[dict]) -> int:
    """Set each row's given fields on the row with its ``id`` (rows may give different fields; rows
    with the same set are written by one statement per chunk; each id at most once a call, since the
    statement joins the values to the table by id). ``auto_now`` fields are stamped. Returns the
    number of rows given."""
    if not rows:
        return 0
    pk = model._meta.pk
    groups: dict[tuple[str, ...], list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(k for k in r if k not in (pk.attname, pk.name))), []).append(r)
    stamp = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    now = timezone.now()
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    for keys, group in groups.items():
        fields = [model._meta.get_field(k) for k in keys]
        fields = [f for f in fields if f not in stamp]
        convs = [_converter(f) for f in fields]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # One statement per field set: the new values as arrays joined to the table by id.
                arrays = [[r[pk.attname] for r in group]]
                for f, conv in zip(fields, convs, strict=True):
                    key = f.attname if f.attname in group[0] else f.name
                    arrays.append([r[key] if conv is None or r[key] is None else conv(r[key]) for r in group])
                types = [pk.db_type(connection), *(_array_type(f) for f in fields)]
                sets = [f"{qn(f.column)} = v.c{i}" for i, f in enumerate(fields, start=1)]
                sets += [f"{qn(f.column)} = %s" for f in stamp]
                unnest = ", ".join(f"%s::{t}[]" for t in types)
                names = ", ".join(["c0", *(f"c{i}" for i in range(1, len(fields) + 1))])
                cur.execute(
                    f"UPDATE {table} SET {', '.join(sets)} FROM unnest({unnest}) AS v({names}) "  # noqa: S608
                    f"WHERE {table}.{qn(pk.column)} = v.c0",
                    [*(now for _ in stamp), *arrays],  # SET's placeholders come before FROM's
                )
            else:
                # One statement per chunk, the new values as a VALUES list joined by id (SQLite 3.33's
                # UPDATE ... FROM): per-row statements inside the import's savepoints cost a statement
                # journal each, which grew with the transaction (37,500 rows: 7.4 s, this way 0.1 s).
                width = len(fields) + 1
                stamps = [s.get_db_prep_save(now, connection) for s in stamp]
                params = []
                for r in group:
                    params.append(r[pk.attname])
                    for f, conv in zip(fields, convs, strict=True):
                        value = r[f.attname if f.attname in r else f.name]
                        params.append(value if conv is None or value is None else conv(value))
                sets = [f"{qn(f.column)} = v.column{i}" for i, f in enumerate(fields, start=2)]
                sets += [f"{qn(f.column)} = %s" for f in stamp]
                per_row = f"({', '.join(['%s'] * width)})"
                size = max(1, min(SQLITE_CHUNK, (SQLITE_MAX_PARAMS - len(stamps)) // width))
                for start in range(0, len(group), size):
                    chunk = params[start * width : (start + size) * width]
                    n = len(chunk) // width
                    cur.execute(
                        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608
                        f"FROM (VALUES {', '.join([per_row] * n)}) AS v "
                        f"WHERE {table}.{qn(pk.column)} = v.column1",
                        [*stamps, *chunk],
                    )
    return len(rows)


def _array_type(field: models.Field) -> str:
    """The element type for a PostgreSQL array of ``field``'s values (varchar lengths dropped)."""
    db_type = field.db_type(connection) or "text"
    return db_type.split("(")[0]

"""The 新河市 demo for unit tests: built once per test session (per xdist worker) in a database of its
own, and copied for each test that asks for it (the ``demo_db`` fixture in tests/conftest.py).

Why copies and not one outer transaction kept around the demo tests: the demo is built as ``sanxin
demo`` builds it, each step committed, so the domain events are delivered after each commit
(credentials revoked, notifications sent, the ledger's catch-up) and the tests check the demo that
users get. Inside an outer transaction no on-commit hook would ever run, and what the tests themselves
commit (an import through the task queue, a second ``sanxin demo``) could not be rolled back either.
A copy per test costs a second (SQLite's online backup into a new file; ``CREATE DATABASE … TEMPLATE``
on PostgreSQL) and lets every test commit freely.

The demo database is copied from the test database right after its migrations ran (before any test
could flush the rows that data migrations insert), so the demo is built on what ``migrate`` leaves,
as ``make run`` builds it. The test database itself is never written to: every other test still
starts from an empty database, whichever files xdist gives a worker and in whatever order.

A test runs against its copy through a second connection object put in the place of the default one
(and in ``settings.DATABASES``, so that threads the test starts connect to the copy too); the original
connection, with pytest-django's transaction open on it, is put back afterwards and rolled back as
usual."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import sqlite3
from pathlib import Path
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, connections


@dataclasses.dataclass
class DemoBuild:
    """What one build of the demo left: the database holding it, the files it stored, and everything it
    logged (every level), enqueued on the task queue and printed — for tests that check those."""

    database: str
    uploads: Path
    log_records: list[logging.LogRecord]
    tasks: list[str]  # repr((task name, args, kwargs)) of every task enqueued
    output: str


def _vendor() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor


def _sqlite_files(name: str) -> list[Path]:
    return [Path(name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _derived_name(suffix: str) -> str:
    """A database name beside the test database's (a file beside it on SQLite)."""
    return f"{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}-{suffix}"


def drop(name: str) -> None:
    if _vendor() == "sqlite":
        for path in _sqlite_files(name):
            path.unlink(missing_ok=True)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    with conn._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {conn.ops.quote_name(name)} WITH (FORCE)")


def copy(source: str, target: str) -> None:
    """A copy of database ``source`` named ``target``; nobody may be connected to ``source`` on
    PostgreSQL (a template database must be idle)."""
    drop(target)
    if _vendor() == "sqlite":
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    with conn._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {qn(target)} TEMPLATE {qn(source)}")


@contextlib.contextmanager
def using(name: str):
    """Run the block with the default connection pointing at database ``name``. The content types'
    cache is emptied on the way in and out: a transactional test's flush gives the test database new
    content type ids, which the copy (taken before) does not share, and a cached id of the one
    database is a dangling foreign key in the other."""
    from django.contrib.contenttypes.models import ContentType

    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = {**original.settings_dict, "NAME": name}
    replacement = original.__class__(settings_dict, DEFAULT_DB_ALIAS)
    connections.settings[DEFAULT_DB_ALIAS] = settings_dict  # is settings.DATABASES["default"]
    connections[DEFAULT_DB_ALIAS] = replacement
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        ContentType.objects.clear_cache()
        replacement.close()
        connections[DEFAULT_DB_ALIAS] = original
        connections.settings[DEFAULT_DB_ALIAS] = original.settings_dict


def reserved_name() -> str:
    return _derived_name("demo")


def reserve() -> str:
    """Copy the freshly migrated test database aside for the demo; returns the copy's name."""
    name = reserved_name()
    conn = connections[DEFAULT_DB_ALIAS]
    if _vendor() == "sqlite":
        drop(name)
        conn.ensure_connection()
        target = sqlite3.connect(name)
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    else:
        conn.close()  # a template database must have no connection
        copy(conn.settings_dict["NAME"], name)
    return name


class _Records(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]):
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build(database: str, uploads: Path) -> DemoBuild:
    """Run ``sanxin demo`` in ``database`` (a reserved copy), storing its files under ``uploads``,
    recording what it logs at every level, enqueues and prints."""
    from django.core.management import call_command
    from django.test import override_settings
    from huey.contrib.djhuey import HUEY

    records: list[logging.LogRecord] = []
    tasks: list[str] = []
    printed = io.StringIO()
    enqueue = HUEY.enqueue

    def recording(task):
        tasks.append(repr((task.name, task.args, task.kwargs)))
        return enqueue(task)

    root = logging.getLogger()
    handler, level = _Records(records), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with (
            override_settings(UPLOAD_ROOT=uploads, MEDIA_ROOT=uploads),
            mock.patch.object(HUEY, "enqueue", recording),
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(printed),
            using(database),
        ):
            HUEY.flush()
            call_command("demo", quiet=True)
    finally:
        HUEY.flush()
        root.removeHandler(handler)
        root.setLevel(level)
    return DemoBuild(database, uploads, records, tasks, printed.getvalue())


@contextlib.contextmanager
def copy_in_use(build: DemoBuild):
    """A fresh copy of the built demo as the default database for the block; dropped afterwards."""
    name = _derived_name("demo-copy")
    copy(build.database, name)
    try:
        with using(name):
            yield
    finally:
        drop(name)

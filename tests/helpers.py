"""Test helpers every module's tests use."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sanxin.accounts.services import token_issue
from tests.factories import PASSWORD


class ApiClient:
    """A JSON client for /api/v1 acting as a user with a bearer token (as integrators do)."""

    def __init__(self, user=None):
        self.client = Client()
        self.token = None
        if user is not None:
            self.login(user)

    def login(self, user):
        _, raw = token_issue(request=None, username=user.username, password=PASSWORD)
        self.token = raw
        return self

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, headers=self._headers())

    def post(self, path, data=None):
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers()
        )

    def put(self, path, data=None):
        return self.client.put(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers()
        )

    def patch(self, path, data=None):
        return self.client.patch(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers()
        )

    def delete(self, path):
        return self.client.delete(path, headers=self._headers())


def assert_error(response, status: int, code: str | None = None):
    """Assert the response is the API's one error format with ``status`` (and ``code``)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    assert body["request_id"] == response["X-Request-ID"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@contextmanager
def assert_max_queries(n: int):
    """Fail when the block runs more than ``n`` queries (N+1 guard)."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    assert len(ctx.captured_queries) <= n, f"{len(ctx.captured_queries)} queries > {n}:\n" + "\n".join(
        q["sql"][:200] for q in ctx.captured_queries
    )


def run_scheduled_tasks():
    """Run every task huey's (immediate-mode, in-memory) schedule holds, e.g. delayed retries."""
    import datetime as dt

    from huey.contrib.djhuey import HUEY

    far = HUEY._get_timestamp() + dt.timedelta(days=1)
    ran = 0
    for task in HUEY.read_schedule(far):
        HUEY.execute(task, timestamp=far)
        ran += 1
    return ran


@contextmanager
def committed():
    """Run, at the end of the block, the on-commit callbacks it registered (the dispatch of domain events
    and their subscribers), as a real commit would; for tests inside the test case's transaction."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def race(fn, n: int = 2, *, catch=Exception) -> list:
    """Call ``fn(0)`` … ``fn(n - 1)`` in ``n`` threads released at once by a barrier, each on a database
    connection of its own (closed when it ends), and return each call's outcome in finishing order: what it
    returned, or the exception of ``catch`` it raised (anything else is raised in its thread). For tests of
    concurrent writes, which need ``django_db(transaction=True)`` and PostgreSQL."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(n)
    outcomes: list = []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(fn(i))
        except catch as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes

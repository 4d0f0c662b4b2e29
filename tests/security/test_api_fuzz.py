"""The API under schemathesis: every operation of ``/api/v1/openapi.json``, called with generated input as
a user of each role (and as nobody), must never answer 500, must answer only the status codes it documents,
and every body — the refusals included, in the one error format — must match the documented schema.

The number of examples an operation gets is bounded (``SANXIN_FUZZ_EXAMPLES``, 2 by default; one for the anonymous caller, whom nearly every operation
refuses before reading the input) so the
run fits CI; raise it locally to dig deeper. Input that is valid by the schema but refused by a business
rule (a date in the past, a duplicate) is the application doing its job, so schemathesis's
positive-data-acceptance check is not asked for."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from sanxin.wsgi import application
from tests.factories import PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("SANXIN_FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ROLES = ("office", "industry_x", "street_s_user", "secretary_a", "instructor_1", "rider", "anonymous")


@pytest.fixture
def in_process_requests():
    """Requests reach the WSGI application in this process and this transaction: Django must not close
    the test's connection at the end of each one (its test client unhooks the same handlers)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(world, role: str) -> dict:
    from sanxin.accounts.services import token_issue
    from tests.meetings.conftest import member

    if role == "anonymous":
        return {}
    user = member(world.branch_a, "走查骑手")[1] if role == "rider" else getattr(world, role)
    token = token_issue(request=None, username=user.username, password=PASSWORD)[1]
    return {"Authorization": f"Bearer {token}"}


def _summary(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:8])[:700]


def _runner(operation, headers: dict, failures: dict, examples: int):
    """A hypothesis test of one operation that records its first failure instead of raising it."""

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.setdefault(operation.label, _summary(exc))

    return call


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_crashes_or_leaves_its_schema(role, in_process_requests):
    world = build_world()
    headers = _headers(world, role)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        _runner(result.ok(), headers, failures, 1 if role == "anonymous" else EXAMPLES)()
    assert operations > 300
    assert failures == {}, "\n".join(f"{label}: {why}" for label, why in sorted(failures.items()))

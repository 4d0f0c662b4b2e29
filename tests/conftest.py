"""Shared fixtures. Factories live in tests/factories.py, helpers in tests/helpers.py."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings

from tests.factories import UserFactory
from tests.helpers import ApiClient


@pytest.fixture(autouse=True)
def _isolated_uploads(tmp_path, settings):
    """Each test writes uploads to its own directory."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT = settings.UPLOAD_ROOT
    yield
    shutil.rmtree(tmp_path / "uploads", ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_axes_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_task_queue():
    """huey runs tasks immediately in tests; its in-memory schedule (delayed retries) starts empty."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    yield
    HUEY.flush()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def office_user(db):
    """An organization-department user of the whole (test) city: system pages, all orgs in it."""
    from sanxin.accounts.services import grant_create
    from sanxin.core.models import Region

    city, _ = Region.objects.get_or_create(code="390100000000", defaults={"name": "新河市", "level": 2})
    user = UserFactory()
    grant_create(actor=None, user=user, role="org_department", region=city)
    return user


@pytest.fixture
def api(db):
    return ApiClient()


@pytest.fixture
def db_vendor():
    from django.db import connection

    return connection.vendor


def pytest_report_header(config):
    return f"sanxin database: {settings.DATABASES['default']['ENGINE']}"

"""Shared fixtures. Factories live in tests/factories.py, helpers in tests/helpers.py."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings

from tests import demo_database, migration_rows
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


_blocker = None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test databases; the rows the data migrations inserted are remembered (to be put
    back after each transactional test's flush), and when a test of the run asks for ``demo_db``, a
    copy of the migrated test database is kept aside, untouched until the demo is built in it."""
    global _blocker
    reserved = None
    with django_db_blocker.unblock():
        migration_rows.capture()
        if any("demo_db" in item.fixturenames for item in request.session.items):
            reserved = demo_database.reserve()
    _blocker = django_db_blocker
    yield
    _blocker = None
    if reserved is not None:
        with django_db_blocker.unblock():
            demo_database.drop(reserved)


@pytest.fixture(scope="session")
def demo_build(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once per session (per xdist worker) as ``sanxin demo`` builds it, in a database
    of its own; see tests/demo_database.py for why tests get copies of it rather than a shared
    transaction."""
    with django_db_blocker.unblock():
        return demo_database.build(demo_database.reserved_name(), tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_db(db, demo_build, _isolated_uploads):
    """The whole 新河市 demo, in a copy of its own for this test: the test may commit (its events are
    delivered, its tasks run) and nothing of it reaches another test. Yields the ``DemoBuild`` (what
    the build logged, enqueued and printed). Ask for it before fixtures that write rows."""
    shutil.copytree(demo_build.uploads, settings.UPLOAD_ROOT, dirs_exist_ok=True)
    with demo_database.copy_in_use(demo_build):
        yield demo_build


def _flushes_database(item) -> bool:
    """Whether pytest-django ends ``item`` by flushing the database (a transactional test)."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    # after the fixtures' teardown, so after pytest-django's flush
    if _blocker is not None and _flushes_database(item):
        from django.contrib.contenttypes.models import ContentType

        # the flush gave the content types new ids: no cached id of before may outlive it
        ContentType.objects.clear_cache()
        with _blocker.unblock():
            migration_rows.restore()
    return result


def pytest_report_header(config):
    return f"sanxin database: {settings.DATABASES['default']['ENGINE']}"

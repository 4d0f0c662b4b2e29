"""The demo's catch-up: events recorded before the ledger took them are appended once, in order."""

import pytest

from sanxin.core import events
from sanxin.transfers.ledger import selectors, services

pytestmark = pytest.mark.django_db


def test_catch_up():
    events.publish("members.converted", {"member_id": 5, "on": "2024-01-01"})
    events.publish("transfers.applied", {"member_id": 5, "transfer_id": 1})
    assert services.catch_up() == 2
    assert services.catch_up() == 0
    assert services.sign_head().size == 2 == selectors.size()

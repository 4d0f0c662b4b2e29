"""The transfer workflow's models; the ledger's and the credentials' live beside their services and are
this app's models too (one app label, one migration history)."""

from __future__ import annotations

from sanxin.transfers.credentials.models import *  # noqa: F403
from sanxin.transfers.ledger.models import *  # noqa: F403

"""The ledger's place in the app: scope of the openings, the subscriptions that append every membership
change and every transfer step, the periodic signing task and the demo step."""

from __future__ import annotations

MEMBER_EVENTS = (
    "members.registered",
    "members.moved",
    "members.mobile_out",
    "members.mobile_in",
    "members.mobility_ended",
    "members.converted",
    "members.membership_ended",
    "members.suspended",
    "members.restored",
)
TRANSFER_EVENTS = (
    "transfers.applied",
    "transfers.approved",
    "transfers.rejected",
    "transfers.escalated",
    "transfers.letter_issued",
    "transfers.accepted",
    "transfers.returned",
    "transfers.reported",
    "transfers.cancelled",
    "transfers.expired",
)


def ready() -> None:
    """Called from ``TransfersConfig.ready``: scope registrations, nav entries, cards, subscriptions,
    demo steps."""
    from sanxin.core import events, scope

    from . import demo, tasks  # noqa: F401  (the periodic signing task; the demo step)
    from .models import LedgerOpening
    from .snapshot import record_event, record_import

    # An office sees the openings of the members in its scope (the people module's scope of the
    # member, through their current org); a member sees their own.
    scope.register(
        LedgerOpening,
        org_path="member__person__org__path",
        region="member__person__org__region_id",
        industry="member__person__org__industry_id",
        owner="member__person__user_id",
    )
    for name in MEMBER_EVENTS + TRANSFER_EVENTS:
        events.subscribe(name, name="transfers.ledger.record")(record_event)
    events.subscribe("members.imported", name="transfers.ledger.record_import")(record_import)

"""What a domain event becomes in the ledger: a canonical snapshot of ids, codes and dates — the kind,
the member, the orgs, the dates; never a name, a resident ID or a phone."""

from __future__ import annotations

from sanxin.core.models import Event

from . import services

# The payload keys a snapshot may carry. Anything else (free text, places) stays out of the ledger.
_KEYS = {
    "member_id",
    "transfer_id",
    "mobility_id",
    "org_id",
    "from_org_id",
    "to_org_id",
    "host_id",
    "on",
    "source",
    "direction",
    "step",
    "status",
    "letter_no",
    "valid_until",
    "external_org_code",
    "how",  # members.membership_ended: the EndKind code
}


def snapshot(name: str, payload: dict) -> dict:
    out = {k: v for k, v in payload.items() if k in _KEYS and isinstance(v, int | str | None)}
    if "kind" in payload:  # members.moved: which relation; transfers: the transfer's kind
        out["relation" if name == "members.moved" else "transfer_kind"] = payload["kind"]
    if "mobility_id" in out and "on" not in out:
        from sanxin.members.models import Mobility

        mobility = (
            Mobility.objects.filter(pk=out["mobility_id"]).values("start_on", "end_on", "direction").first()
        )
        if mobility is not None:
            when = mobility["end_on"] if name == "members.mobility_ended" else mobility["start_on"]
            out["on"] = when.isoformat() if when else None
            out["direction"] = mobility["direction"]
    return out


def record_event(event: Event) -> None:
    payload = event.payload or {}
    member_id = payload.get("member_id")
    services.append(
        kind=event.name,
        event=snapshot(event.name, payload),
        member_id=member_id if isinstance(member_id, int) else None,
    )


def record_import(event: Event) -> None:
    """A roster import registers members in a batch (``members.imported`` with id ranges): each becomes
    a ``members.registered`` leaf, with the formal org and date its first relation holds."""
    from sanxin.members.models import OrgRelation, RelationKind

    ranges = (event.payload or {}).get("member_ids") or []
    ids: list[int] = []
    for r in ranges:
        if isinstance(r, list | tuple) and len(r) == 2:
            ids.extend(range(int(r[0]), int(r[1]) + 1))
        elif isinstance(r, int):
            ids.append(r)
    first = {}
    for member_id, org_id, start_on in (
        OrgRelation.objects.filter(member_id__in=ids, kind=RelationKind.FORMAL)
        .order_by("member_id", "start_on")
        .values_list("member_id", "org_id", "start_on")
    ):
        first.setdefault(member_id, (org_id, start_on))
    services.append_many(
        [
            (
                "members.registered",
                {"member_id": m, "org_id": first[m][0], "on": first[m][1].isoformat()},
                m,
            )
            for m in sorted(first)
        ]
    )

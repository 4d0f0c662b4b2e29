"""The member credential's registrations, called from ``TransfersConfig.ready``: the scope of its rows,
the automatic revocations (subscriptions to the transfer and membership events), the member's home
card, audit labels and the demo step."""

from __future__ import annotations


def ready() -> None:
    from sanxin.core import audit, events, registry, scope

    from . import demo  # noqa: F401  (registers its step)
    from .models import Credential, Revocation
    from .services import credentials_revoke_for

    scope.register(
        Credential,
        org_path="member__person__org__path",
        region="member__person__org__region_id",
        industry="member__person__org__industry_id",
        owner="member__person__user_id",
    )

    @events.subscribe("transfers.accepted", name="credentials.revoke_on_transfer")
    def revoke_on_transfer(event) -> None:
        credentials_revoke_for(member_id=event.payload["member_id"], category=Revocation.TRANSFER_OUT)

    @events.subscribe("members.membership_ended", name="credentials.revoke_on_end")
    def revoke_on_end(event) -> None:
        """A death is said as such to a verifier; a transfer out of the platform is revoked by
        ``transfers.accepted`` first; any other ending as 党员身份已终止."""
        how = event.payload.get("how")
        category = Revocation.DECEASED if how == "deceased" else Revocation.MEMBERSHIP_ENDED
        credentials_revoke_for(member_id=event.payload["member_id"], category=category)

    @events.subscribe("members.suspended", name="credentials.revoke_on_suspension")
    def revoke_on_suspension(event) -> None:
        credentials_revoke_for(member_id=event.payload["member_id"], category=Revocation.SUSPENDED)

    @events.subscribe("members.moved", name="credentials.revoke_on_move")
    def revoke_on_move(event) -> None:
        """A formal org moved by the registry (调整, 合并, 拆分): the credential names the old org. A move
        made by the transfer workflow is revoked by ``transfers.accepted`` as 转出."""
        p = event.payload
        if p.get("kind") == "formal" and p.get("source") != "transfer":
            credentials_revoke_for(member_id=p["member_id"], category=Revocation.ORG_CHANGED)

    from . import views

    registry.card(
        registry.HomeCard(
            key="transfers.credential",
            title="我的党员身份证",
            order=4,
            template="transfers/credentials/card.html",
            context=views.card_context,
            visible=views.card_visible,
        )
    )
    audit.label_actions({"credential_issue": "签发党员数字身份证", "credential_revoke": "注销党员数字身份证"})

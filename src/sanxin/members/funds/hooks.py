"""党组织经费's registrations, called from ``MembersConfig.ready``."""

from __future__ import annotations


def ready() -> None:
    """Scope of the ledger rows, the receipts' upload purpose, the nav entry, audit labels; the demo
    step registers itself on import."""
    from sanxin.core import audit, registry, scope, uploads
    from sanxin.core.scope import has_permission, scope_for

    from . import demo  # noqa: F401  (registers its step)
    from .models import FundEntry
    from .services import RECEIPT_MAX_BYTES, RECEIPT_PURPOSE

    scope.register(FundEntry, org_path="org__path", region="org__region_id", industry="org__industry_id")

    def can_read_receipt(user, f) -> bool:
        """A receipt is read by whoever sees the ledger it is in; before that, by its uploader."""
        if not (user and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        entries = FundEntry.objects.filter(receipt=f)
        if not entries.exists():
            return f.owner_id == user.pk
        return scope_for(user, "people", "view").filter(entries).exists()

    uploads.register_purpose(
        RECEIPT_PURPOSE, kinds={"image", "pdf"}, max_bytes=RECEIPT_MAX_BYTES, can_read=can_read_receipt
    )
    registry.nav(
        registry.NavItem(
            key="members.funds",
            label="党组织经费",
            url_name="members:funds_overview",
            order=16,
            visible=lambda u: has_permission(u, "people", "change"),
        )
    )
    audit.label_actions({"reverse": "冲销"})

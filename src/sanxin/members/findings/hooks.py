def ready() -> None:
    """Called from ``MembersConfig.ready``: scope registrations, the importer, the nav entry, audit labels
    and the demo step."""
    from django.db.models import Q

    from sanxin.core import audit, registry, scope
    from sanxin.core.scope import has_permission

    from . import demo, importers  # noqa: F401  (register the demo step and the importer)
    from .models import Finding, FindingBatch, FindingCheck

    # A list is seen by the offices of its region or industry and by whoever uploaded it; a finding
    # also by those who hold the person's org (their own member). The uploader's view goes with a
    # non-empty scope of the action asked, so uploading a list gives no right to check its findings.
    # The platform's users hold no ``people.find`` grant at all.
    def uploaded(path: str):
        def related(s) -> Q:
            return Q(**{path: s.user_id}) if s.user_id and not s.is_empty else Q(pk__in=[])

        return related

    scope.register(
        FindingBatch, region="region_id", industry="industry_id", related=uploaded("created_by_id")
    )
    scope.register(
        Finding,
        org_path="person__org__path",
        region="batch__region_id",
        industry="batch__industry_id",
        related=uploaded("batch__created_by_id"),
    )
    scope.register(
        FindingCheck,
        org_path="finding__person__org__path",
        region="finding__batch__region_id",
        industry="finding__batch__industry_id",
        related=uploaded("finding__batch__created_by_id"),
    )
    registry.nav(
        registry.NavItem(
            key="members.findings",
            label="双找双核",
            url_name="members:findings_list",
            order=16,
            visible=lambda u: has_permission(u, "people", "find"),
        )
    )
    audit.label_actions(
        {
            "verify_confirm": "双核：核实属实",
            "verify_reject": "双核：否定",
            "finding_choose": "双找：选定登记支部",
            "finding_confirm": "双找：两方核实后登记",
            "finding_reject": "双找：发现被否定",
        }
    )

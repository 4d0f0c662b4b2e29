"""Wiring of stations: the scope of its rows (the managing org's path, region and industry; a keeper's
assignment list of kind ``stations``) and audit labels."""

from __future__ import annotations

KEEPERS_KIND = "stations"


def ready() -> None:
    from sanxin.core import audit, registry, scope, uploads
    from sanxin.core.scope import has_permission
    from sanxin.members import timeline

    from . import archive, demo  # noqa: F401  (demo: the demo step)
    from .models import Closure, Hours, Review, Shift, Station, Visit

    on_org = {"org_path": "org__path", "region": "region_id", "industry": "org__industry_id"}
    scope.register(Station, **on_org, assignments={KEEPERS_KIND: "pk"})
    for model in (Hours, Closure, Visit, Review):
        scope.register(
            model,
            org_path="station__org__path",
            region="station__region_id",
            industry="station__org__industry_id",
            assignments={KEEPERS_KIND: "station_id"},
        )
    scope.register(
        Shift,
        org_path="station__org__path",
        region="station__region_id",
        industry="station__org__industry_id",
        assignments={KEEPERS_KIND: "station_id"},
        owner="person__user_id",
    )
    timeline.register_source("stations.shifts", "驿站志愿服务", archive.shifts, order=75)
    # A station's photos show its door and rest area: anyone signed in may see them.
    uploads.register_purpose(
        "stations.photo",
        kinds={"image"},
        max_bytes=8 * 1024 * 1024,
        can_read=lambda user, f: getattr(user, "is_authenticated", False),
    )
    registry.nav(
        registry.NavItem(
            key="stations.nearby",
            label="附近驿站",
            url_name="stations:nearby",
            order=22,
            visible=lambda u: getattr(u, "is_authenticated", False),
        )
    )
    registry.nav(
        registry.NavItem(
            key="stations.ledger",
            label="服务阵地",
            url_name="stations:ledger",
            order=23,
            visible=lambda u: has_permission(u, "stations", "view"),
        )
    )
    audit.label_actions(
        {
            "station_create": "新建服务阵地",
            "station_update": "修改服务阵地",
            "station_hours": "设定开放时间",
            "station_closure": "设定闭站或特别开放时间",
            "station_review": "审核站点评价",
            "station_shift": "确认志愿值守",
            "station_photos": "修改站点照片",
        }
    )

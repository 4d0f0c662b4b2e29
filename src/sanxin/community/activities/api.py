"""/api/v1/community/activities: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours."""

from ninja import Router

router = Router(tags=["组织活动与志愿服务"])

"""The demo of community activities: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours."""

"""Wiring of training, called from ``learning.hooks.ready``: the scope of its rows, the reminder's
notification kind, the nav entries and the audit labels; the demo step registers itself on import."""

from __future__ import annotations


def ready() -> None:
    from django.db.models import Q

    from sanxin.core import audit, notify, registry, scope
    from sanxin.core.query import any_prefix_q
    from sanxin.core.scope import has_permission

    from . import demo  # noqa: F401  (registers its step)
    from .models import Attendance, Cohort, Enrolment, LessonView, Programme, Reminder, Training
    from .services import REMINDER_KIND

    def through(prefix: str) -> dict:
        return {
            "org_path": f"{prefix}path",
            "region": f"{prefix}region_id",
            "industry": f"{prefix}industry_id",
        }

    def organiser(prefix: str):
        """Rows of a programme or training are also seen by whoever organises it."""

        def related(s) -> Q:
            return any_prefix_q(f"{prefix}path", list(s.org_paths)) if s.org_paths else Q(pk__in=[])

        return related

    own = "member__person__user_id"
    scope.register(Programme, **through("org__"))
    scope.register(Cohort, **through("programme__org__"))
    scope.register(Training, **through("org__"))
    # A member's rows are seen where the member is, and by the organiser of the programme or training.
    scope.register(
        Enrolment, **through("member__person__org__"), owner=own, related=organiser("programme__org__")
    )
    scope.register(
        Attendance, **through("member__person__org__"), owner=own, related=organiser("training__org__")
    )
    scope.register(LessonView, **through("member__person__org__"), owner=own)
    scope.register(Reminder, **through("member__person__org__"), owner=own)

    notify.register_kind(REMINDER_KIND, "学时未达标提醒")
    registry.nav(
        registry.NavItem(
            key="learning.training",
            label="培训班",
            url_name="learning:training_programmes",
            order=26,
            visible=lambda u: has_permission(u, "learning", "view"),
        )
    )
    registry.nav(
        registry.NavItem(
            key="learning.stats",
            label="学习统计",
            url_name="learning:training_stats",
            order=27,
            visible=lambda u: has_permission(u, "learning", "view"),
        )
    )
    audit.label_actions(
        {
            "programme_create": "新建培训班",
            "programme_update": "修改培训班",
            "cohort_create": "新建培训班次",
            "enrol": "培训报名",
            "withdraw": "退出培训班",
            "training_create": "登记线下培训",
            "training_update": "修改线下培训",
            "attendance_add": "登记培训出勤",
            "attendance_remove": "更正培训出勤",
            "training_credit": "记入线下培训学时",
            "training_credit_reverse": "冲销线下培训学时",
            "learning_remind": "提醒学时未达标",
        }
    )

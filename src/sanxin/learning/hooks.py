"""Wiring of learning: the scope of its rows (the publisher org's path, region and industry; a learner's
own progress and credits), the upload purpose of lesson media, the growth archive's source, the nav
entries, the home card and the audit labels."""

from __future__ import annotations


def ready() -> None:
    from sanxin.core import audit, registry, scope, uploads
    from sanxin.core.scope import has_permission
    from sanxin.members import timeline

    from . import cards, demo, selectors  # noqa: F401  (the demo step)
    from .models import Course, Credit, Lesson, Progress

    def through(prefix: str) -> dict:
        return {
            "org_path": f"{prefix}path",
            "region": f"{prefix}region_id",
            "industry": f"{prefix}industry_id",
        }

    scope.register(Course, **through("publisher__"))
    scope.register(Lesson, **through("course__publisher__"))
    own = "member__person__user_id"
    # A member's learning is seen where the member is (their org's subtree): the secretary's view.
    scope.register(Progress, **through("member__person__org__"), owner=own)
    scope.register(Credit, **through("member__person__org__"), owner=own)

    def can_read_media(user, stored) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if stored.owner_id == user.pk or user.is_superuser:
            return True
        uses = Lesson.objects.filter(media=stored) | Lesson.objects.filter(replay=stored)
        if selectors.lessons_for_learner(user).filter(pk__in=uses.values("pk")).exists():
            return True
        return scope.scope_for(user, "learning", "view").filter(uses).exists()

    uploads.register_purpose(
        "learning.media",
        kinds={"audio", "video"},
        max_bytes=_setting("LEARNING_MEDIA_MAX_BYTES", 300 * 1024 * 1024),
        can_read=can_read_media,
    )
    timeline.register_source("learning.credits", "学习学时", selectors.member_credits_timeline, order=60)
    registry.nav(
        registry.NavItem(
            key="learning",
            label="学习教育",
            url_name="learning:home",
            order=24,
            visible=lambda u: getattr(u, "is_authenticated", False),
        )
    )
    registry.nav(
        registry.NavItem(
            key="learning.manage",
            label="课程管理",
            url_name="learning:manage",
            order=25,
            visible=lambda u: has_permission(u, "learning", "view"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="learning.mine",
            title="我的学习",
            order=7,
            template="learning/cards/mine.html",
            context=cards.mine,
            visible=cards.is_member,
        )
    )
    audit.label_actions(
        {
            "course_create": "新建课程",
            "course_update": "修改课程",
            "course_submit": "提交课程审核",
            "course_publish": "审核发布课程",
            "course_return": "退回课程",
            "course_archive": "下架课程",
            "lesson_create": "新建课时",
            "lesson_update": "修改课时",
            "lesson_delete": "删除课时",
            "learning_credit": "记入学时",
        }
    )
    from .quiz import hooks as quiz_hooks

    quiz_hooks.ready()
    from .training import hooks as training_hooks

    training_hooks.ready()
    from .discovery import hooks as discovery_hooks

    discovery_hooks.ready()


def _setting(name: str, default):
    from django.conf import settings

    return getattr(settings, name, default)

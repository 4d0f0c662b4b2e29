"""Wiring of quizzes and contests, called from ``learning.hooks.ready``: the scope of their rows (a bank,
quiz or contest by its org's path, region and industry; a paper or certificate by the member's org,
with the member as owner), the bank importer, the periodic expiry of papers, the demo step, the nav
entries and the audit labels."""

from __future__ import annotations


def ready() -> None:
    from sanxin.core import audit, registry, scope
    from sanxin.core.scope import has_permission

    from . import demo, imports, tasks  # noqa: F401  (the demo step, the importer, the periodic task)
    from .models import Attempt, Bank, Certificate, Contest, Question, Quiz

    def through(prefix: str) -> dict:
        return {
            "org_path": f"{prefix}path",
            "region": f"{prefix}region_id",
            "industry": f"{prefix}industry_id",
        }

    scope.register(Bank, **through("owner__"))
    scope.register(Question, **through("bank__owner__"))
    scope.register(Quiz, **through("lesson__course__publisher__"))
    scope.register(Contest, **through("organiser__"))
    own = "member__person__user_id"
    scope.register(Attempt, **through("branch__"), owner=own)
    scope.register(Certificate, **through("member__person__org__"), owner=own)

    registry.nav(
        registry.NavItem(
            key="learning.quiz",
            label="知识竞赛",
            url_name="learning:quiz:home",
            order=26,
            visible=lambda u: getattr(u, "is_authenticated", False),
        )
    )
    registry.nav(
        registry.NavItem(
            key="learning.quiz.manage",
            label="题库与竞赛",
            url_name="learning:quiz:manage",
            order=27,
            visible=lambda u: has_permission(u, "learning", "view"),
        )
    )
    audit.label_actions(
        {
            "quiz_bank_create": "新建题库",
            "quiz_bank_update": "修改题库",
            "quiz_question_create": "新增试题",
            "quiz_question_update": "修改试题",
            "quiz_question_import": "导入试题",
            "quiz_create": "设置课后测验",
            "quiz_update": "修改课后测验",
            "quiz_delete": "删除课后测验",
            "quiz_submit": "提交课后测验",
            "contest_create": "新建知识竞赛",
            "contest_update": "修改知识竞赛",
            "contest_publish": "发布知识竞赛",
            "contest_cancel": "取消知识竞赛",
            "contest_submit": "竞赛交卷",
            "contest_expired": "竞赛超时交卷（作废）",
            "contest_certify": "发放竞赛证书",
            "certificate_issue": "颁发竞赛证书",
        }
    )

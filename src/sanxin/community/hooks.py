"""Wiring of community: the scope of its rows, the image upload purpose (readable by whoever may read
the post), notifications, navigation, home cards, audit labels, the growth-archive source."""

from __future__ import annotations

from django.db.models import Q


def _letter_q(scope) -> Q:
    """A letter is in a mailbox scope only through a grant anchored at its very org: a committee's grant
    over its subtree does not open its branches' letters (their counts are in ``oversight``)."""
    if not scope.org_paths:
        return Q(pk__in=[])
    return Q(org__path__in=sorted(scope.org_paths))


def _can_read_image(user, f) -> bool:
    from . import selectors
    from .models import Post

    if not getattr(user, "is_authenticated", False):
        return False
    from sanxin.core.errors import NotFound

    for post in Post.objects.filter(images=f).select_related("thread__board")[:5]:
        try:
            selectors.post_get(user, post.pk)
        except NotFound:  # not readable through this post
            pass
        else:
            return True
    return False


def ready() -> None:
    from sanxin.core import audit, notify, registry, scope, uploads
    from sanxin.core.scope import has_permission
    from sanxin.members import timeline

    from . import archive, cards, demo  # noqa: F401  (demo: the demo step)
    from .models import Board, Letter, Post, SensitiveWord, Suggestion, Thread

    on_org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
    scope.register(Board, **on_org)
    scope.register(SensitiveWord, **on_org)
    scope.register(
        Thread,
        org_path="board__org__path",
        region="board__org__region_id",
        industry="board__org__industry_id",
    )
    scope.register(
        Post,
        org_path="thread__board__org__path",
        region="thread__board__org__region_id",
        industry="thread__board__org__industry_id",
    )
    # Region: for the security administrator's break-glass (the mailbox itself is anchored at orgs only).
    scope.register(Letter, region="org__region_id", related=_letter_q)
    scope.register(Suggestion, **on_org, owner="author_id")
    uploads.register_purpose(
        "community.image", kinds={"image"}, max_bytes=8 * 1024 * 1024, can_read=_can_read_image
    )
    notify.register_kind("community", "互动交流")
    timeline.register_source("community.suggestions", "建言献策", archive.adopted, order=80)

    signed_in = lambda u: getattr(u, "is_authenticated", False)  # noqa: E731
    registry.nav(registry.NavItem(key="community.home", label="互动交流", url_name="community:home", order=24,
                                  visible=signed_in))  # fmt: skip
    registry.nav(
        registry.NavItem(
            key="community.mailbox",
            label="书记信箱",
            url_name="community:inbox",
            order=25,
            visible=lambda u: has_permission(u, "community", "mailbox"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="community.mailbox",
            title="书记信箱",
            order=8,
            template="community/cards/mailbox.html",
            context=cards.mailbox,
            visible=lambda u: has_permission(u, "community", "mailbox"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="community.oversight",
            title="互动交流督导",
            order=9,
            template="community/cards/oversight.html",
            context=cards.oversight,
            visible=cards.sees_oversight,
        )
    )
    audit.label_actions(
        {
            "board_create": "开设论坛版块",
            "board_update": "修改论坛版块",
            "post_create": "发帖",
            "post_report": "举报帖子",
            "post_publish": "帖子审核通过",
            "post_hide": "隐藏帖子",
            "report_dismiss": "驳回举报",
            "thread_lock": "锁定/解锁主题",
            "thread_pin": "置顶/取消置顶主题",
            "words_add": "添加敏感词",
            "word_remove": "删除敏感词",
            "letter_send": "书记信箱来信",
            "letter_read": "阅读来信",
            "letter_reply": "回复来信",
            "letter_close": "来信办结",
            "letter_followup": "来信补充",
            "letter_reveal": "查看匿名来信人身份",
            "suggestion_propose": "提出建议",
            "suggestion_second": "附议建议",
            "suggestion_answer": "答复建议",
            "suggestion_adopt": "采纳建议",
            "suggestion_reject": "不予采纳建议",
            "suggestion_forward": "转交建议",
        }
    )
    from .activities import hooks as activities_hooks
    from .affairs import hooks as affairs_hooks
    from .awards import hooks as awards_hooks

    activities_hooks.ready()
    awards_hooks.ready()
    affairs_hooks.ready()

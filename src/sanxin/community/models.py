"""Community (互动): the forum (党员论坛), the secretary mailbox (书记信箱) and suggestions (建言献策).

- A ``Board`` belongs to an org (a branch, a committee, the region's top committee) and is read by the
  members whose formal or activity org lies under it and by the offices above it (the scope). A
  ``Thread``'s first ``Post`` carries its text; replies are further posts. A post that contains a word
  of the maintained list (``SensitiveWord``, per org, applying to the boards under it) is *held*: only
  its author and the moderators see it, marked 审核中, until a moderator publishes or hides it.
- A ``Letter`` goes to one org's mailbox (a branch's secretary, a committee). An anonymous letter
  never stores its author in clear: ``sealed`` (encrypted) and ``owner_index`` (a blind index of the
  user) let the author follow it; the security administrator alone may reveal it, audited.
- A ``Suggestion`` is addressed to a responsible org, seconded once per person, and replied to,
  adopted, rejected with a reason or forwarded; every step is a ``SuggestionStep``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanxin.core.fields import EncryptedTextField
from sanxin.core.models import StoredFile
from sanxin.orgs.models import Org

USER = settings.AUTH_USER_MODEL


# --- forum --------------------------------------------------------------------------------------------


class Board(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("版块名称"), max_length=60)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    is_active = models.BooleanField(_("开放"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("论坛版块")
        verbose_name_plural = _("论坛版块")
        ordering = ["org__path", "pk"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="board_name_once_an_org")]

    def __str__(self) -> str:
        return self.name


class PostStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    HELD = "held", _("审核中")
    HIDDEN = "hidden", _("已隐藏")


class Thread(models.Model):
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="threads")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=80)
    # Mirrors the first post's status: a held or hidden first post holds or hides the whole thread.
    status = models.CharField(
        _("状态"), max_length=10, choices=PostStatus.choices, default=PostStatus.PUBLISHED
    )
    pinned = models.BooleanField(_("置顶"), default=False)
    locked = models.BooleanField(_("锁定"), default=False)
    replies = models.PositiveIntegerField(_("回复数"), default=0)  # published replies
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("主题帖")
        verbose_name_plural = _("主题帖")
        indexes = [
            models.Index(fields=["board", "status", "-pinned", "-last_post_at"], name="thread_board_idx")
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    first = models.BooleanField(default=False)  # the thread's opening post
    body = models.TextField(_("内容"))
    images = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=PostStatus.choices, default=PostStatus.PUBLISHED
    )
    held_words = models.JSONField(default=list, blank=True)  # the listed words that held it
    hidden_reason = models.CharField(_("隐藏原因"), max_length=200, blank=True)
    moderated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    mentions = models.ManyToManyField(USER, blank=True, related_name="+")
    likes = models.PositiveIntegerField(_("点赞数"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("帖子")
        verbose_name_plural = _("帖子")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["author", "created_at"], name="post_author_recent_idx"),
            models.Index(fields=["status", "created_at"], name="post_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""), name="post_hidden_has_reason"
            ),
            models.UniqueConstraint(
                fields=["thread"], condition=Q(first=True), name="post_one_first_a_thread"
            ),
        ]

    def __str__(self) -> str:
        return self.body[:30]


class Like(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="like_rows")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="like_once_a_person")]

    def __str__(self) -> str:
        return f"{self.user_id} 赞 {self.post_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("已处理（隐藏）")
    DISMISSED = "dismissed", _("不予处理")


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("举报理由"), max_length=200)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="report_once_a_person")]

    def __str__(self) -> str:
        return self.reason


class SensitiveWord(models.Model):
    """A listed word; it applies to the boards of its org's subtree."""

    org = models.ForeignKey(Org, verbose_name=_("维护党组织"), on_delete=models.PROTECT, related_name="+")
    word = models.CharField(_("敏感词"), max_length=40)
    normalized = models.CharField(max_length=40, editable=False)
    note = models.CharField(_("备注"), max_length=100, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("敏感词")
        verbose_name_plural = _("敏感词")
        ordering = ["org__path", "normalized"]
        constraints = [models.UniqueConstraint(fields=["org", "normalized"], name="word_once_an_org")]

    def __str__(self) -> str:
        return self.word


class WordListVersion(models.Model):
    """One row: bumped by every change of the word list, so each process rebuilds its automaton when
    the number it built from is not the current one (no restart)."""

    version = models.PositiveBigIntegerField(default=0)

    # --- mailbox ------------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"v{self.version}"


class LetterStatus(models.TextChoices):
    SENT = "sent", _("待阅")
    READ = "read", _("已阅待复")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class Letter(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("收信党组织"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("主题"), max_length=80)
    body = models.TextField(_("内容"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    # Never set when anonymous: only ``sealed`` (encrypted JSON) and ``owner_index`` remain.
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sealed = EncryptedTextField(blank=True, editable=False)
    owner_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.SENT
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Since when the letter waits for the recipient: the sending, or the author's latest follow-up.
    waiting_since = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("书记信箱来信")
        verbose_name_plural = _("书记信箱来信")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["org", "status", "sent_at"], name="letter_org_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False, author__isnull=False) | Q(anonymous=True, author__isnull=True),
                name="letter_anonymous_has_no_author",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Reply(models.Model):
    """A message on a letter: the recipient's reply, or the author's follow-up (``by_author``; the
    author of an anonymous letter stays unnamed)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="replies")
    by_author = models.BooleanField(default=False)
    writer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_author=True) | Q(writer__isnull=False), name="reply_recipient_named"
            )
        ]

    # --- suggestions --------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.body[:30]


class SuggestionCategory(models.TextChoices):
    ORGANIZATION = "organization", _("组织建设")
    RIGHTS = "rights", _("权益保障")
    SERVICE = "service", _("服务阵地")
    LEARNING = "learning", _("学习教育")
    PLATFORM = "platform", _("平台规则")
    GOVERNANCE = "governance", _("基层治理")
    OTHER = "other", _("其他")


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待办理")
    ANSWERED = "answered", _("已答复")
    ADOPTED = "adopted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class Suggestion(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("承办党组织"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=80)
    body = models.TextField(_("内容"))
    category = models.CharField(_("类别"), max_length=16, choices=SuggestionCategory.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    seconds = models.PositiveIntegerField(_("附议数"), default=0)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("建言献策")
        verbose_name_plural = _("建言献策")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "status"], name="suggestion_org_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "adopted", "rejected"]) | ~Q(answer=""),
                name="suggestion_decided_has_answer",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Second(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="second_rows")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="second_once_a_person")]

    def __str__(self) -> str:
        return f"{self.user_id} 附议 {self.suggestion_id}"


class StepAction(models.TextChoices):
    SUBMIT = "submit", _("提出")
    ANSWER = "answer", _("答复")
    ADOPT = "adopt", _("采纳")
    REJECT = "reject", _("不予采纳")
    FORWARD = "forward", _("转交")


class SuggestionStep(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=10, choices=StepAction.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # who acted (the holder then)
    to_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()


from sanxin.community.activities.models import *  # noqa: E402, F403
from sanxin.community.affairs.models import *  # noqa: E402, F403
from sanxin.community.awards.models import *  # noqa: E402, F403

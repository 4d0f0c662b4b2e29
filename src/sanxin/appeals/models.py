"""Appeals (诉求, 连心桥): what workers ask for, who handles it, by when, and how it ended.

- ``Category``: the 14 topic kinds of DOMAIN §8 (a data migration), each naming who delivers it
  (点单式) and the kind of competent department it goes to by default; ``Routing`` maps a category
  (and optionally an industry) to a ``Department`` per region.
- ``Department``: a competent department (主管部门: 人社, 交通运输, 市场监管…) or a professional
  committee whose volunteers deliver professional help (律师, 会计师, 税务师), in a region. Its staff
  hold an assignment grant of kind ``appeals_departments``.
- ``DeadlineRule``: response hours and resolution working days per kind, category and urgency.
- ``Appeal``: one appeal with its current holder on the three-level chain — a branch (its 党员联络员),
  a platform enterprise committee (its 诉求处理小组) or a department — its deadlines, reply, rating and
  reopening. An anonymous appeal keeps its author only sealed (encrypted) plus a blind index of the
  user, so the author follows it and nobody else learns who it was.
- ``Step``: the appeal's history, one row per action (append-only in practice: the services only
  insert); automatic steps carry a unique ``key`` so a scheduled task acts once.
- ``Extension``: a handler's request for more time, decided by the supervising office.
- ``Hardship`` and ``Aid``: the 困难帮扶 register beside the appeals.
- ``Coordination`` and ``CoordinationItem``: 协调会 and the appeals each discussed, with the decision.
- ``ClassifierVersion``: the trained text classifiers, versioned; ``Label`` the texts a person
  classified, which later trainings learn from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.fields import EncryptedTextField
from sanxin.core.models import Industry, Region, StoredFile, TimeStampedModel
from sanxin.orgs.models import Org, Person


class Kind(models.TextChoices):
    HELP = "help", _("求助")
    CONSULT = "consult", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class Channel(models.TextChoices):
    APP = "app", _("手机端")
    STATION = "station", _("驿站窗口")
    LIAISON = "liaison", _("党员联络员代为提交")
    HOTLINE = "hotline", _("热线电话")
    ENTERPRISE = "enterprise", _("企业党组织申请专业服务")


class Level(models.TextChoices):
    LIAISON = "liaison", _("党员联络员")
    PLATFORM = "platform", _("平台企业党委诉求处理小组")
    DEPARTMENT = "department", _("主管部门")


LEVEL_ORDER = [Level.LIAISON, Level.PLATFORM, Level.DEPARTMENT]


class Status(models.TextChoices):
    RECEIVED = "received", _("待受理")
    HANDLING = "handling", _("办理中")
    WAITING = "waiting", _("待补充情况")
    RESOLVED = "resolved", _("已答复待评价")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN = [Status.RECEIVED, Status.HANDLING, Status.WAITING]
DONE = [Status.RESOLVED, Status.CLOSED]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class CategorySource(models.TextChoices):
    MODEL = "model", _("自动分类")
    HUMAN = "human", _("人工分类")
    ORDER = "order", _("点单选择")


class Service(models.TextChoices):
    """Professional help an enterprise's party org may request (DOMAIN §2, §8)."""

    LEGAL = "legal", _("法律咨询")
    POLICY = "policy", _("政策对接")
    FINANCE = "finance", _("财税服务")


class DepartmentKind(models.TextChoices):
    HRSS = "hrss", _("人力资源和社会保障")
    TRANSPORT = "transport", _("交通运输")
    MARKET = "market", _("市场监督管理")
    POSTAL = "postal", _("邮政管理")
    HOUSING = "housing", _("住房和城乡建设")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    MEDICAL_INSURANCE = "medical_insurance", _("医疗保障")
    JUSTICE = "justice", _("司法行政")
    POLICE = "police", _("公安交通管理")
    CIVIL = "civil", _("民政")
    UNION = "union", _("工会")
    YOUTH = "youth", _("共青团")
    WOMEN = "women", _("妇联")
    SERVICE_CENTRE = "service_centre", _("新就业群体服务中心")
    LAWYERS = "lawyers", _("律师行业专业委员会")
    ACCOUNTANTS = "accountants", _("会计师行业专业委员会")
    TAX = "tax", _("税务师行业专业委员会")


class Category(models.Model):
    code = models.SlugField(_("代码"), max_length=20, primary_key=True)
    name = models.CharField(_("类别"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    delivered_by = models.CharField(_("服务提供方"), max_length=200, blank=True)
    department_kind = models.CharField(
        _("默认主管部门"), max_length=20, choices=DepartmentKind.choices, blank=True
    )
    # Health, injury and psychological matters are sensitive personal information (PIPL art. 28).
    sensitive = models.BooleanField(_("涉及敏感个人信息"), default=False)
    hardship = models.BooleanField(_("可转入困难帮扶"), default=False)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    services = models.JSONField(_("提供的专业服务"), default=list, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("主管部门/承办单位")
        verbose_name_plural = _("主管部门/承办单位")
        ordering = ["region_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="appeals_department_unique")]

    def __str__(self) -> str:
        return self.name


class Routing(models.Model):
    """Which department takes a category in a region (and, if given, only for one industry): the most
    specific row wins — an industry's row before the general one, a street's before the city's."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="routes")

    class Meta:
        verbose_name = _("诉求分派规则")
        verbose_name_plural = _("诉求分派规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "region", "industry"], name="appeals_routing_unique"),
            models.UniqueConstraint(
                fields=["category", "region"],
                condition=Q(industry__isnull=True),
                name="appeals_routing_general_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.region_id}→{self.department_id}"


class DeadlineRule(models.Model):
    """How long an appeal may take. The most specific row wins: (category, kind) before category
    before kind before the default row (both empty). ``resolve_days`` are working days of the core
    calendar; 0 means the same day."""

    kind = models.CharField(_("诉求性质"), max_length=12, choices=Kind.choices, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    urgent = models.BooleanField(_("紧急"), default=False)
    respond_hours = models.PositiveSmallIntegerField(_("响应时限（小时）"), default=24)
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"))

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["kind", "category", "urgent"], name="appeals_deadline_unique"),
            models.UniqueConstraint(
                fields=["kind", "urgent"],
                condition=Q(category__isnull=True),
                name="appeals_deadline_general_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind or '*'}/{self.category_id or '*'}/{'urgent' if self.urgent else 'normal'}"


class Appeal(TimeStampedModel):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.APP)
    kind = models.CharField(_("诉求性质"), max_length=12, choices=Kind.choices)
    urgent = models.BooleanField(_("紧急"), default=False)
    service = models.CharField(_("专业服务"), max_length=10, choices=Service.choices, blank=True)
    is_order = models.BooleanField(_("点单式服务"), default=False)
    text = models.TextField(_("诉求内容"))
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category_source = models.CharField(max_length=8, choices=CategorySource.choices, blank=True)
    confidence = models.FloatField(_("分类置信度"), null=True, blank=True)
    suggested = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the classifier's guess when it was not sure enough
    classifier = models.CharField(max_length=20, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("涉及平台/用工单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    about_hq = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the top of ``about``'s chain: metrics by platform
    photos = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    voice = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # Who asked. Never set when anonymous: then only ``sealed`` (encrypted JSON of the same facts)
    # and ``owner_index`` (a blind index of the user id, for "my appeals") remain.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contact_name = EncryptedTextField(_("联系人"), blank=True, mask_head=1, mask_tail=0)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, mask_head=3, mask_tail=4)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    anonymous = models.BooleanField(_("匿名"), default=False)
    sealed = EncryptedTextField(blank=True, editable=False)
    owner_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    needs_contact = models.BooleanField(_("需要联系本人"), default=False)
    consent_platform = models.BooleanField(_("同意向平台披露身份"), default=False)
    skip_platform = models.BooleanField(_("不经平台直接报主管部门"), default=False)
    consented_at = models.DateTimeField(_("同意个人信息处理"), null=True, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("受理驿站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Where it is: the level and that level's unit.
    level = models.CharField(_("办理层级"), max_length=12, choices=Level.choices)
    branch = models.ForeignKey(
        Org,
        verbose_name=_("党组织（联络员）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    platform = models.ForeignKey(
        Org, verbose_name=_("平台企业党委"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED)

    received_at = models.DateTimeField(_("受理时间"))
    respond_due = models.DateTimeField(_("响应时限"))  # fixed at intake: what 响应率 is judged by
    responded_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    stage_due = models.DateTimeField(null=True, blank=True)  # the current holder's response deadline
    resolve_due = models.DateTimeField(_("办结时限"))  # moved by pauses, extensions and reopening
    paused_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    first_resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    reply = models.TextField(_("答复"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.CharField(_("回访情况"), max_length=500, blank=True)

    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # a possible duplicate found at intake, for a handler to merge or dismiss
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "stage_due"], name="appeal_open_due_idx"),
            models.Index(fields=["status", "resolve_due"], name="appeal_resolve_due_idx"),
            models.Index(fields=["received_at", "category"], name="appeal_received_idx"),
            models.Index(fields=["department", "received_at"], name="appeal_department_idx"),
            models.Index(fields=["region", "received_at"], name="appeal_region_idx"),
            models.Index(fields=["submitter", "received_at"], name="appeal_submitter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(submitter__isnull=True) & Q(person__isnull=True)),
                name="appeal_anonymous_has_no_submitter",
            ),
            models.CheckConstraint(
                condition=Q(resolve_due__gte=F("received_at")), name="appeal_due_after_receipt"
            ),
            # A worker who sends a complaint past the platform is never placed where the platform sees.
            models.CheckConstraint(
                condition=Q(skip_platform=False) | (Q(platform__isnull=True) & Q(branch__isnull=True)),
                name="appeal_skipped_platform_never_sees",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def holder(self):
        return {Level.LIAISON: self.branch, Level.PLATFORM: self.platform, Level.DEPARTMENT: self.department}[
            self.level
        ]

    @property
    def summary(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 40 else text[:40] + "…"


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交诉求")
    CLASSIFY = "classify", _("确定类别")
    ACCEPT = "accept", _("受理")
    ASK = "ask", _("请补充情况")
    ANSWER = "answer", _("补充情况")
    TRANSFER = "transfer", _("转办")
    ESCALATE = "escalate", _("上报")
    OVERDUE = "overdue", _("超时自动升级")
    SUPERVISE = "supervise", _("督办")
    EXTEND = "extend", _("申请延期")
    EXTEND_DECIDE = "extend_decide", _("延期审核")
    RESOLVE = "resolve", _("答复办结")
    CALLBACK = "callback", _("回访")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("不满意重办")
    CLOSE = "close", _("办结归档")
    MERGE = "merge", _("合并重复诉求")
    WITHDRAW = "withdraw", _("撤回")
    REVEAL = "reveal", _("查看匿名诉求人身份")
    COORDINATE = "coordinate", _("协调会议定")
    HARDSHIP = "hardship", _("转入困难帮扶")


# What the worker sees of the history on their own page.
PUBLIC_ACTIONS = {
    Action.SUBMIT,
    Action.ACCEPT,
    Action.ASK,
    Action.ANSWER,
    Action.TRANSFER,
    Action.ESCALATE,
    Action.OVERDUE,
    Action.SUPERVISE,
    Action.RESOLVE,
    Action.RATE,
    Action.REOPEN,
    Action.CLOSE,
    Action.MERGE,
    Action.WITHDRAW,
    Action.COORDINATE,
}


class Step(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16, choices=Action.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    unit = models.CharField(max_length=200, blank=True)  # the holder's name then
    to_level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    to_unit = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)  # automatic steps: once

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_step_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("同意")
    REFUSED = "refused", _("不同意")


class Extension(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.CharField(_("理由"), max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="appeal_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.days}"


class HardshipKind(models.TextChoices):
    ILLNESS = "illness", _("因病")
    INJURY = "injury", _("因伤")
    FAMILY = "family", _("家庭困难")
    DISASTER = "disaster", _("因灾")
    OTHER = "other", _("其他")


class Hardship(TimeStampedModel):
    """Someone in difficulty and what is being done: the 困难帮扶 register."""

    person = models.ForeignKey(Person, verbose_name=_("帮扶对象"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, verbose_name=_("责任党组织"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("困难类型"), max_length=10, choices=HardshipKind.choices)
    # Illness and family circumstances are sensitive personal information: stored encrypted, shown
    # only to those who keep the register, recorded masked in the audit log.
    situation = EncryptedTextField(_("困难情况"), mask_head=0, mask_tail=0)
    consented_at = models.DateTimeField(_("本人同意登记"))
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.SET_NULL, related_name="hardships"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up_on = models.DateField(_("下次跟进"), null=True, blank=True)
    closed_on = models.DateField(_("结束帮扶"), null=True, blank=True)
    closing_note = models.CharField(_("结束说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("困难帮扶")
        verbose_name_plural = _("困难帮扶")
        ordering = ["closed_on", "follow_up_on", "-id"]
        indexes = [models.Index(fields=["org", "closed_on"], name="hardship_org_idx")]
        constraints = [
            # One open entry a person: a second difficulty is recorded on the same entry.
            models.UniqueConstraint(
                fields=["person"], condition=Q(closed_on__isnull=True), name="hardship_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_kind_display()}）"


class AidKind(models.TextChoices):
    MONEY = "money", _("资金救助")
    SERVICE = "service", _("服务帮扶")
    VISIT = "visit", _("走访慰问")


class Aid(models.Model):
    hardship = models.ForeignKey(Hardship, on_delete=models.CASCADE, related_name="aids")
    kind = models.CharField(_("帮扶方式"), max_length=10, choices=AidKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    given_on = models.DateField(_("日期"))
    given_by = models.CharField(_("帮扶人/单位"), max_length=100)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="money") | Q(amount__gt=0), name="aid_money_has_amount")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on}"


class Coordination(TimeStampedModel):
    """A 协调会: the offices, departments, platforms and workers' representatives meet over appeals."""

    org = models.ForeignKey(Org, verbose_name=_("召集党组织"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    attendees = models.TextField(_("参会单位和人员"), blank=True)
    summary = models.TextField(_("会议纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("协调会")
        verbose_name_plural = _("协调会")
        ordering = ["-held_on", "-id"]


class CoordinationItem(models.Model):
    meeting = models.ForeignKey(Coordination, on_delete=models.CASCADE, related_name="items")
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="coordinations")
    decision = models.TextField(_("议定事项"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "appeal"], name="coordination_item_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.appeal_id}"


class ClassifierVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    samples = models.PositiveIntegerField()
    heldout_macro_f1 = models.FloatField()
    file = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class Label(models.Model):
    """A category a person chose for a text: training data for the next classifier."""

    text = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    appeal = models.OneToOneField(
        Appeal, null=True, blank=True, on_delete=models.SET_NULL, related_name="label"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.category_id}: {self.text[:20]}"

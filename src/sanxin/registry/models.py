"""The registry of new-field organizations (新兴领域组织, 一企一档) and the facts the two coverages
(两个覆盖) are computed from, all as dated rows so that coverage can be asked of any past date:

- ``Organization``: an enterprise, outlet, social organization or online community, with its place
  in the 总部—分支—网点 chain (``parent``; ``hq`` is the top of the chain) and the period it exists
  (``registered_on`` .. ``closed_on``).
- ``Coverage``: a party org covers an organization — its own, or a joint/industry/park org — from
  ``start_on`` to ``end_on`` (organization coverage).
- ``Contact``: a person assigned to an organization from ``start_on`` to ``end_on``: a 党建指导员, the
  enterprise's own 党建联络员 (both give work coverage), and seed 004's three contacts.
- ``Visit``: an instructor's visit (定期走访) with its content and next step.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanxin.core.models import DatedModel, Industry, Region, StoredFile, TimeStampedModel
from sanxin.core.validators import validate_credit_code


class Category(models.TextChoices):
    ECONOMIC = "economic", _("新经济组织")
    SOCIAL = "social", _("新社会组织")
    ONLINE = "online", _("网络社群")


class Kind(models.TextChoices):
    PLATFORM_HQ = "platform_hq", _("平台企业总部")
    REGIONAL = "regional", _("区域公司")
    FRANCHISE = "franchise", _("加盟/合作公司")
    BRANCH = "branch", _("分支机构")
    OUTLET = "outlet", _("网点/站点")
    SORTING = "sorting", _("分拣中心")
    AGENCY = "agency", _("直播机构/MCN")
    ENTERPRISE = "enterprise", _("其他企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    COMMUNITY = "community", _("网络社群")


class Size(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Status(models.TextChoices):
    OPERATING = "operating", _("在营")
    CANCELLED = "cancelled", _("注销")
    MOVED_OUT = "moved_out", _("迁出")


class Organization(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=200)
    # Matched in memory (the declared region's names are loaded once a run), never queried: no index
    # (two on PostgreSQL, the plain one and its LIKE twin, written for every row an extract brings).
    normalized_name = models.CharField(max_length=200, editable=False)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices, default=Category.ECONOMIC)
    kind = models.CharField(_("组织形态"), max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    hq = models.ForeignKey(
        "self",
        verbose_name=_("总部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # region and industry lead the composite indexes below, which serve their lookups too: no index
    # of their own (every index is written for each of the million rows an extract can bring).
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    size = models.CharField(_("规模"), max_length=8, choices=Size.choices, blank=True)
    employees = models.PositiveIntegerField(_("从业人员数"), default=0)
    new_employment_workers = models.PositiveIntegerField(_("新就业群体人数"), default=0)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    leading = models.BooleanField(_("龙头企业"), default=False)
    internet_platform = models.BooleanField(_("互联网平台企业"), default=False)
    specialized = models.BooleanField(_("专精特新"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPERATING)
    registered_on = models.DateField(_("成立/登记日期"))
    closed_on = models.DateField(_("注销/迁出日期"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=50, blank=True)
    possibly_closed = models.BooleanField(_("疑似已关闭（待核实）"), default=False)
    # Rewritten for every organization an extract lists and never searched by: not indexed.
    last_seen_extract = models.ForeignKey(
        "Extract",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("新兴领域组织")
        verbose_name_plural = _("新兴领域组织")
        ordering = ["region_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="registry_credit_code_unique",
                violation_error_message="该统一社会信用代码已登记",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("registered_on")),
                name="registry_closed_after_registered",
                violation_error_message="注销/迁出日期不能早于成立日期",
            ),
        ]
        indexes = [
            models.Index(fields=["industry", "region"], name="registry_ind_region_idx"),
            models.Index(fields=["region", "registered_on"], name="registry_region_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CoverageKind(models.TextChoices):
    OWN = "own", _("单独组建")
    JOINT = "joint", _("联合组建")
    INDUSTRY = "industry", _("行业党组织覆盖")
    PARK = "park", _("园区/楼宇/商圈党组织覆盖")


class Coverage(DatedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="coverages")
    party_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("覆盖的党组织"),
        on_delete=models.PROTECT,
        related_name="covered_organizations",
    )
    kind = models.CharField(_("覆盖方式"), max_length=10, choices=CoverageKind.choices)

    class Meta:
        verbose_name = _("组织覆盖")
        verbose_name_plural = _("组织覆盖")
        ordering = ["organization_id", "-start_on"]
        indexes = [models.Index(fields=["organization", "start_on", "end_on"], name="coverage_period_idx")]
        constraints = DatedModel.Meta.constraints

    def __str__(self) -> str:
        return f"{self.party_org} → {self.organization}"


class ContactRole(models.TextChoices):
    INSTRUCTOR = "instructor", _("党建指导员")
    PARTY_LIAISON = "party_liaison", _("党建联络员（企业）")
    LEADER = "leader", _("分管领导")
    STAFF = "staff", _("职能科室人员")
    FULLTIME = "fulltime", _("企业专职人员")


# The contacts whose presence gives work coverage (工作覆盖).
WORK_COVERAGE_ROLES = (ContactRole.INSTRUCTOR, ContactRole.PARTY_LIAISON)
THREE_CONTACTS = (ContactRole.LEADER, ContactRole.STAFF, ContactRole.FULLTIME)


class Contact(DatedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=16, choices=ContactRole.choices)
    incubation = models.CharField(_("孵化进度"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指导员与联系人")
        verbose_name_plural = _("指导员与联系人")
        ordering = ["organization_id", "role", "-start_on"]
        indexes = [
            models.Index(fields=["organization", "role", "start_on", "end_on"], name="contact_period_idx")
        ]
        constraints = DatedModel.Meta.constraints

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person} → {self.organization}"


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("定期走访")
    GUIDANCE = "guidance", _("业务指导")
    INCUBATION = "incubation", _("组建孵化")
    PROBLEM = "problem", _("协调解决问题")


class Visit(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_name = models.CharField(_("走访人"), max_length=50, blank=True)
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    content = models.TextField(_("走访内容"))
    next_step = models.TextField(_("下一步工作"), blank=True)
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="+")

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.organization}"


class Campaign(TimeStampedModel):
    """集中攻坚: a drive to close gaps, with targets picked from the gap lists."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("名称"), max_length=100)
    owner_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("牵头组织"), on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("集中攻坚")
        verbose_name_plural = _("集中攻坚")
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_on")),
                name="campaign_deadline_after_start",
                violation_error_message="完成时限不能早于开始日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    OPEN = "open", _("推进中")
    FORMED = "formed", _("单独组建")
    JOINT = "joint", _("联合组建")
    INSTRUCTOR = "instructor", _("选派指导员")
    NOT_FEASIBLE = "not_feasible", _("暂不具备条件")


class CampaignTarget(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="campaign_targets")
    owner = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("时限"))
    outcome = models.CharField(_("进展"), max_length=14, choices=Outcome.choices, default=Outcome.OPEN)
    reason = models.CharField(_("说明/原因"), max_length=300, blank=True)
    resolved_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("攻坚对象")
        verbose_name_plural = _("攻坚对象")
        ordering = ["campaign_id", "deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="campaign_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.organization}"


class Extract(TimeStampedModel):
    """A registry extract imported for 数据比对, with what it declares to cover: its source, region,
    industry (optional) and as-of date. Organizations inside that coverage that it no longer lists are
    flagged as possibly closed; nothing outside it is touched."""

    class Source(models.TextChoices):
        MARKET = "market", _("市场监管部门登记信息")
        CIVIL = "civil", _("民政部门社会组织登记信息")
        PLATFORM = "platform", _("平台企业站点/骑手清单")
        OTHER = "other", _("其他")

    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices)
    region = models.ForeignKey(Region, verbose_name=_("覆盖区划"), on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("覆盖行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_of = models.DateField(_("数据截止日期"))
    job = models.OneToOneField(
        "core.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stats = models.JSONField(_("比对结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("数据比对")
        verbose_name_plural = _("数据比对")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.as_of}"


class MatchReview(TimeStampedModel):
    """An extract row whose name resembles a known organization without certainty: an office decides
    whether it is that organization or a new one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        MATCHED = "matched", _("确认为同一组织")
        NEW = "new", _("确认为新组织")

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="reviews")
    line = models.PositiveIntegerField(_("行号"))
    data = models.JSONField(_("登记信息"))
    candidate = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    result = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("待确认匹配")
        verbose_name_plural = _("待确认匹配")
        ordering = ["extract_id", "line"]

    def __str__(self) -> str:
        return f"{self.data.get('name')} ≈ {self.candidate}"

"""The organization tree (组织体系) with its dated history, people and posts.

The current tree is a django-treebeard materialized path (``Org.path``): a subtree is one indexed
range query on both databases. History is kept as dated rows: ``OrgEvent`` (what happened, with its
document) and ``OrgVersion`` (the org's parent, name, type and status over a half-open date range),
from which the tree as of any past date is rebuilt. A move rewrites the current paths of the moved
subtree only; every descendant's versions stay untouched, so their history survives.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from sanxin.core.fields import EncryptedTextField
from sanxin.core.models import Industry, Region, StoredFile, TimeStampedModel


class OrgType(models.TextChoices):
    PARTY_COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    COMPREHENSIVE_COMMITTEE = "comprehensive", _("综合党委")
    INDUSTRY_COMMITTEE = "industry", _("行业党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    MOBILE_BRANCH = "mobile_branch", _("流动党员党支部")
    FUNCTIONAL = "functional", _("功能型党组织")
    ONLINE = "online", _("网络党组织")
    GUIDANCE_STATION = "guidance_station", _("党建工作指导站")
    GROUP = "group", _("党小组")


# Orgs that hold members directly and may have 党小组 (and only 党小组) under them.
BRANCH_TYPES = frozenset(
    {
        OrgType.BRANCH,
        OrgType.JOINT_BRANCH,
        OrgType.TEMPORARY_BRANCH,
        OrgType.MOBILE_BRANCH,
        OrgType.FUNCTIONAL,
        OrgType.ONLINE,
    }
)
COMMITTEE_TYPES = frozenset(
    {
        OrgType.PARTY_COMMITTEE,
        OrgType.WORKING_COMMITTEE,
        OrgType.COMPREHENSIVE_COMMITTEE,
        OrgType.INDUSTRY_COMMITTEE,
    }
)
# Statutory default term of office: committees 5 years, 总支 and 支部 3 years.
DEFAULT_TERM_YEARS = (
    {t: 5 for t in COMMITTEE_TYPES} | {OrgType.GENERAL_BRANCH: 3} | {t: 3 for t in BRANCH_TYPES}
)


class SettingMode(models.TextChoices):
    STANDALONE = "standalone", _("单独组建")
    REGIONAL = "regional", _("区域联建")
    INDUSTRY = "industry", _("行业统建")
    PLATFORM = "platform", _("依托平台")
    PARK = "park", _("依托园区/楼宇/商圈")
    CHAIN = "chain", _("产业链/项目链/兴趣链")


class LocatedAt(models.TextChoices):
    PLATFORM = "platform", _("建在平台上")
    ENTERPRISE = "enterprise", _("建在企业里")
    TERRITORY = "territory", _("建在属地中")
    FREIGHT_LINE = "freight_line", _("建在货运线上")
    ONLINE = "online", _("建在网络上")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DISSOLVED = "dissolved", _("已撤销")
    MERGED = "merged", _("已合并")
    SPLIT = "split", _("已拆分")


class Org(MP_Node, TimeStampedModel):
    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    code = models.CharField(_("组织代码"), max_length=20, unique=True, help_text=_("行政区划代码＋4位序号"))
    name = models.CharField(_("组织名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    org_type = models.CharField(_("组织类别"), max_length=20, choices=OrgType.choices)
    setting_mode = models.CharField(_("组建方式"), max_length=20, choices=SettingMode.choices, blank=True)
    located_at = models.CharField(_("支部建在"), max_length=20, choices=LocatedAt.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=12, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    founded_on = models.DateField(_("成立日期"))
    ended_on = models.DateField(_("撤销/合并日期"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("每届任期（年）"), default=3)
    term_started_on = models.DateField(_("本届开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("本届届满"), null=True, blank=True, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            models.Index(fields=["region", "status"], name="org_region_idx"),
            models.Index(fields=["industry", "status"], name="org_industry_idx"),
            models.Index(fields=["org_type", "status"], name="org_type_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    def term_state(self, today: dt.date) -> str:
        """ "overdue", "due" (within 90 days) or "" for a current term."""
        if not self.term_ends_on or not self.is_active:
            return ""
        if self.term_ends_on < today:
            return "overdue"
        if (self.term_ends_on - today).days <= 90:
            return "due"
        return ""


class OrgCodeSequence(models.Model):
    """The last sequence number used for org codes in one region (locked while allocating)."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.region_id}:{self.last}"


class OrgVersion(models.Model):
    """The org's place and identity over [valid_from, valid_to). Exactly one open version (valid_to
    null) per existing org; a dissolved org's last version carries its final status."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("起"))
    valid_to = models.DateField(_("止"), null=True, blank=True)
    parent = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    org_type = models.CharField(max_length=20, choices=OrgType.choices)
    status = models.CharField(max_length=12, choices=OrgStatus.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["org_id", "valid_from", "id"]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="orgversion_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=Q(valid_to__isnull=True), name="orgversion_one_open"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="orgversion_positive_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from}, {self.valid_to or '…'})"


class EventKind(models.TextChoices):
    FOUND = "found", _("组建")
    RENEW = "renew", _("换届")
    RENAME = "rename", _("更名")
    MERGE = "merge", _("合并")
    SPLIT = "split", _("拆分")
    DISSOLVE = "dissolve", _("撤销")
    MOVE = "move", _("调整隶属关系")
    RETYPE = "retype", _("调整组织类别")


class OrgEvent(TimeStampedModel):
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=EventKind.choices)
    date = models.DateField(_("日期"))
    document_no = models.CharField(_("批复文号"), max_length=100, blank=True)
    document = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    related = models.ManyToManyField(Org, blank=True, related_name="+", verbose_name=_("相关组织"))
    details = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("组织生命周期事项")
        verbose_name_plural = _("组织生命周期事项")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "date"], name="orgevent_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.org}"


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


# The 56 ethnic groups (GB/T 3304), as people write them.
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专/技校")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR = "junior", _("初中及以下")


class Person(TimeStampedModel):
    """A person the platform knows: a member, a worker, an office holder. The member registry
    extends this record; identifiers are encrypted, found by blind index, shown masked."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, mask_head=3, mask_tail=4)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    resident_id = EncryptedTextField(_("公民身份号码"), blank=True)
    resident_id_index = models.CharField(max_length=64, blank=True, editable=False)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=[(e, e) for e in ETHNICITIES], blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    household_place = models.CharField(_("户籍所在地"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    org = models.ForeignKey(
        Org,
        verbose_name=_("所在组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        # by name (a prefix search is a range on it; PostgreSQL adds a text_pattern_ops twin, migration 0003)
        indexes = [models.Index(fields=["name", "id"], name="person_name_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident_id_index"],
                condition=~Q(resident_id_index=""),
                name="person_resident_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostTitle(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    MEMBER = "committee_member", _("委员")
    ORGANIZATION = "organization", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    YOUTH = "youth", _("青年委员")
    GROUP_LEADER = "group_leader", _("党小组组长")
    PARTY_LIAISON = "party_liaison", _("党建联络员")
    MEMBER_LIAISON = "member_liaison", _("党员联络员")
    INSTRUCTOR = "instructor", _("党建指导员")


class Post(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("职务"), max_length=20, choices=PostTitle.choices)
    start_on = models.DateField(_("任职日期"))
    end_on = models.DateField(_("离任日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["org_id", "title", "-start_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(title="secretary", end_on__isnull=True),
                name="post_one_current_secretary",
                violation_error_message="该组织已有在任书记，请先办理原书记离任",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="post_end_after_start",
                violation_error_message="离任日期不能早于任职日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_title_display()} {self.person}"

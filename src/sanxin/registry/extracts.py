"""数据比对: import a registry extract through the core import framework and reconcile it with what
is known.

Each row is matched by credit code first, then by normalized name inside the declared region, then by
name similarity (rapidfuzz): a score of ``AUTO`` or more is the same organization, between ``REVIEW``
and ``AUTO`` the row goes to the review queue for an office to decide, below it the row is a new
organization. A matched organization is updated (its history is in the audit log); every organization
the extract lists is marked as seen by it. When the run ends, organizations inside the extract's
declared coverage (region, industry, registered before its as-of date) that it did not list are
flagged as possibly closed — never closed — and nothing outside that coverage is touched.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from sanxin.core import audit
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.excel.importer import Column, Importer, RowError, register
from sanxin.core.models import ImportJob, Industry, Region
from sanxin.core.query import prefix_q
from sanxin.core.regions import region_prefix
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.core.validators import check_credit_code

from . import services
from .coverage import existing_q
from .models import Extract, Kind, MatchReview, Organization

AUTO = 95.0
REVIEW = 80.0

_DATE = re.compile(r"^(\d{4})\D(\d{1,2})\D(\d{1,2})")


def parse_date(text: str) -> dt.date:
    text = (text or "").strip()
    m = _DATE.match(text)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if len(text) == 8 and text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


@register
class ExtractImporter(Importer):
    key = "registry_extract"
    label = "数据比对（登记信息）"
    module, action = "registry", "change"
    columns = [
        Column("credit_code", "统一社会信用代码", aliases=("信用代码", "社会信用代码", "统一代码", "注册号")),
        Column(
            "name",
            "企业名称",
            aliases=("名称", "单位名称", "机构名称", "组织名称", "市场主体名称", "站点名称"),
            required=True,
        ),
        Column("address", "住所", aliases=("地址", "经营场所", "注册地址", "住所地")),
        Column("industry", "行业", aliases=("所属行业", "行业门类", "行业类别")),
        Column("registered_on", "成立日期", aliases=("登记日期", "注册日期", "设立日期", "成立时间")),
        Column("authority", "登记机关", aliases=("发证机关", "登记管理机关")),
        Column("workers", "新就业群体人数", aliases=("骑手人数", "从业人员", "从业人数", "员工人数")),
    ]
    natural_key = ("match_key",)
    listed = False  # uploaded from the registry's 数据比对 page, which declares the extract's coverage

    def __init__(self, *, actor=None, job: ImportJob | None = None):
        super().__init__(actor=actor, job=job)
        self._extract: Extract | None = None
        self._names: dict[str, int] | None = None
        self._choices: list[str] = []
        self._ids: list[int] = []
        # Organizations without a credit code: the only fuzzy candidates for a row that has one.
        self._uncoded_choices: list[str] = []
        self._uncoded_ids: list[int] = []

    # -- the declared coverage -------------------------------------------------------------------
    @property
    def extract(self) -> Extract:
        if self._extract is None:
            if self.job is None or "extract_id" not in self.job.context:
                raise InvalidInput(
                    "数据比对须从“数据比对”页面上传，并声明数据来源、区划和截止日期", field="file"
                )
            self._extract = Extract.objects.select_related("region", "industry").get(
                pk=self.job.context["extract_id"]
            )
        return self._extract

    def _known_names(self) -> dict[str, int]:
        """normalized name -> id of the organizations in the declared region (loaded once a run)."""
        if self._names is None:
            rows = Organization.objects.filter(
                prefix_q("region_id", region_prefix(self.extract.region_id))
            ).values_list("normalized_name", "pk")
            self._names = dict(rows)
            self._choices = list(self._names)
            self._ids = [self._names[n] for n in self._choices]
        return self._names

    # -- rows -----------------------------------------------------------------------------------
    def validate_row(self, values: dict[str, str]) -> dict:
        name = (values.get("name") or "").strip()
        if not name:
            raise RowError("name", "名称为空")
        if len(name) > 200:
            raise RowError("name", "名称超过200个字")
        code = (values.get("credit_code") or "").strip().upper()
        if code:
            try:
                code = check_credit_code(code).value
            except Exception as exc:
                raise RowError("credit_code", exc.messages[0]) from exc
        registered_on = None
        if (values.get("registered_on") or "").strip():
            try:
                registered_on = parse_date(values["registered_on"])
            except ValueError as exc:
                raise RowError("registered_on", "日期格式不正确（如 2024-03-01）") from exc
        workers = (values.get("workers") or "").strip()
        if workers and not workers.isdigit():
            raise RowError("workers", "人数应为非负整数")
        return {
            "name": name,
            "normalized": services.normalize_name(name),
            "credit_code": code,
            "address": (values.get("address") or "").strip()[:200],
            "industry": (values.get("industry") or "").strip(),
            "registered_on": registered_on,
            "workers": int(workers) if workers else None,
            "match_key": code or services.normalize_name(name),
        }

    def apply_row(self, cleaned: dict, actor) -> str:
        extract = self.extract
        org = None
        if cleaned["credit_code"]:
            org = Organization.objects.filter(credit_code=cleaned["credit_code"]).first()
        if org is None:
            pk = self._known_names().get(cleaned["normalized"])
            if pk is not None:
                org = Organization.objects.filter(pk=pk).first()
        if org is None and self._known_names():
            # A row with a credit code can only be an organization registered without one: two
            # different codes are two organizations, however alike the names.
            coded = bool(cleaned["credit_code"])
            choices, ids = (self._uncoded_choices, self._uncoded_ids) if coded else (self._choices, self._ids)
            best = process.extractOne(cleaned["normalized"], choices, scorer=fuzz.ratio, score_cutoff=REVIEW)
            if best is not None:
                _, score, index = best
                candidate = Organization.objects.get(pk=ids[index])
                if score >= AUTO:
                    org = candidate
                else:
                    MatchReview.objects.create(
                        extract=extract,
                        line=0,
                        data=_jsonable(cleaned),
                        candidate=candidate,
                        score=round(score, 1),
                    )
                    # Pending a decision, the candidate is not reported missing.
                    Organization.objects.filter(pk=candidate.pk).update(last_seen_extract=extract)
                    return "unchanged"
        if org is None:
            return self._create(cleaned, actor)
        if not scope_for(actor, "registry", "change").contains(org):
            raise RowError("name", "该组织已登记在您的管理范围之外，请联系上级组织部门核实")
        return self._update(org, cleaned, actor)

    def _create(self, cleaned: dict, actor) -> str:
        extract = self.extract
        org = services.organization_create(
            actor=actor,
            name=cleaned["name"],
            credit_code=cleaned["credit_code"],
            region=extract.region,
            industry=_industry(cleaned["industry"]) or extract.industry,
            address=cleaned["address"],
            registered_on=cleaned["registered_on"] or extract.as_of,
            kind=Kind.ENTERPRISE,
            new_employment_workers=cleaned["workers"] or 0,
            source=extract.get_source_display()[:50],
        )
        Organization.objects.filter(pk=org.pk).update(last_seen_extract=extract)
        if self._names is not None:
            self._names[org.normalized_name] = org.pk
            self._choices.append(org.normalized_name)
            self._ids.append(org.pk)
            if not org.credit_code:
                self._uncoded_choices.append(org.normalized_name)
                self._uncoded_ids.append(org.pk)
        return "created"

    def _update(self, org: Organization, cleaned: dict, actor) -> str:
        data = {}
        if cleaned.get("name") and cleaned["name"] != org.name:
            data["name"] = cleaned["name"]
        if cleaned.get("credit_code") and not org.credit_code:
            data["credit_code"] = cleaned["credit_code"]
        if cleaned.get("address") and cleaned["address"] != org.address:
            data["address"] = cleaned["address"]
        if cleaned.get("workers") is not None and cleaned["workers"] != org.new_employment_workers:
            data["new_employment_workers"] = cleaned["workers"]
        if org.possibly_closed:  # listed again: the flag goes, through the audited update
            data["possibly_closed"] = False
        Organization.objects.filter(pk=org.pk).update(last_seen_extract=self.extract)
        if not data:
            return "unchanged"
        services.organization_update(actor=actor, org=org, data=data)
        return "updated"

    # -- after the run --------------------------------------------------------------------------
    def finished(self, job: ImportJob, counts: dict) -> None:
        extract = self.extract
        covered = (
            Organization.objects.filter(prefix_q("region_id", region_prefix(extract.region_id)))
            .filter(existing_q(extract.as_of))
            .filter(registered_on__lt=extract.as_of)
        )
        if extract.industry_id:
            covered = covered.filter(industry_id=extract.industry_id)
        missing = covered.exclude(last_seen_extract=extract).filter(possibly_closed=False)
        ids = list(missing.values_list("pk", flat=True))
        flagged = Organization.objects.filter(pk__in=ids).update(possibly_closed=True)
        if ids:  # one audit row for the run's flags: which organizations, by which extract
            audit.record(
                actor=self.actor,
                action="flag_possibly_closed",
                obj=extract,
                after={"possibly_closed": ids},
                message=f"数据比对未列出的{flagged}个组织标记为疑似已关闭",
            )
        extract.stats = {**counts, "possibly_closed": flagged, "review": extract.reviews.count()}
        extract.save(update_fields=["stats", "updated_at"])


def _industry(text: str) -> Industry | None:
    if not text:
        return None
    return Industry.objects.filter(Q(name=text) | Q(code=text)).first()


def _jsonable(cleaned: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in cleaned.items()}


# --- services ------------------------------------------------------------------------------------


@transaction.atomic
def extract_declare(
    *, actor, source: str, region: Region, as_of: dt.date, industry: Industry | None = None
) -> Extract:
    if source not in Extract.Source.values:
        raise InvalidInput("请选择数据来源", field="source")
    if not scope_for(actor, "registry", "change").covers_place(region.code, getattr(industry, "pk", None)):
        raise InvalidInput("声明的覆盖区划不在您的管理范围内", field="region")
    if as_of > timezone.localdate():
        raise InvalidInput("数据截止日期不能晚于今天", field="as_of")
    return model_create(Extract, actor=actor, source=source, region=region, industry=industry, as_of=as_of)


def extract_upload(*, actor, extract: Extract, name: str, chunks, mode: str) -> ImportJob:
    from sanxin.core.excel import importer as imp

    job = imp.job_create(
        actor=actor,
        importer_key=ExtractImporter.key,
        name=name,
        chunks=chunks,
        mode=mode,
        context={"extract_id": extract.pk},
    )
    Extract.objects.filter(pk=extract.pk).update(job=job)
    return job


@transaction.atomic
def review_decide(*, actor, review: MatchReview, same: bool) -> MatchReview:
    """An office decides an uncertain match: the same organization (update it) or a new one."""
    review = MatchReview.objects.select_for_update().select_related("extract", "candidate").get(pk=review.pk)
    if review.status != MatchReview.Status.PENDING:
        raise RuleViolation("该条已处理", code="already_decided")
    if not scope_for(actor, "registry", "change").contains(review.candidate):
        raise NotFound()
    data = dict(review.data)
    data["registered_on"] = (
        dt.date.fromisoformat(data["registered_on"]) if data.get("registered_on") else None
    )
    importer = ExtractImporter(actor=actor)
    importer._extract = review.extract
    if same:
        importer._update(review.candidate, data, actor)
        result = Organization.objects.get(pk=review.candidate_id)
        status = MatchReview.Status.MATCHED
    else:
        importer._create(data, actor)
        result = (
            Organization.objects.filter(name=data["name"], region=review.extract.region)
            .order_by("-pk")
            .first()
        )
        status = MatchReview.Status.NEW
    review, _ = model_update(review, actor=actor, data={"status": status, "result": result}, action="decide")
    return review


def reviews_for(scope, extract: Extract | None = None):
    qs = MatchReview.objects.filter(candidate__in=scope.filter(Organization.objects.all()).values("pk"))
    if extract is not None:
        qs = qs.filter(extract=extract)
    return qs.select_related("candidate", "extract")

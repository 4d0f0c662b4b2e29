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

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from sanxin.core import audit, bulk, events
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.excel.importer import Column, Importer, RowError, parse_date, register
from sanxin.core.models import ImportJob, Industry, Region
from sanxin.core.query import in_values, prefix_q
from sanxin.core.regions import region_prefix
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.core.validators import check_credit_code

from . import services
from .coverage import existing_q
from .models import Extract, Kind, MatchReview, Organization

AUTO = 95.0
REVIEW = 80.0


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

    batch_size = 5000

    def __init__(self, *, actor=None, job: ImportJob | None = None):
        super().__init__(actor=actor, job=job)
        self._extract: Extract | None = None
        self._scopes: tuple | None = None
        self._industries: dict[str, Industry | None] = {}
        self.rolled_back()

    def rolled_back(self) -> None:
        # What is known of the declared region, loaded once a run and kept up to date as rows are
        # created: normalized name -> id, and the same as parallel lists for rapidfuzz. Organizations
        # without a credit code are apart: the only candidates for a row that has one.
        self._names: dict[str, int] | None = None
        self._uncoded: dict[str, int] = {}
        self._choices: list[str] = []
        self._ids: list[int] = []
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

    def _known(self) -> None:
        if self._names is not None:
            return
        self._names = {}
        rows = Organization.objects.filter(
            prefix_q("region_id", region_prefix(self.extract.region_id))
        ).values_list("normalized_name", "pk", "credit_code")
        for name, pk, code in rows.iterator(chunk_size=5000):
            self._remember(name, pk, code)

    def _remember(self, name: str, pk: int, code: str) -> None:
        if name in self._names:
            return
        self._names[name] = pk
        self._choices.append(name)
        self._ids.append(pk)
        if not code:
            self._uncoded[name] = pk
            self._uncoded_choices.append(name)
            self._uncoded_ids.append(pk)

    def _coded(self, pk: int) -> None:
        """An organization just got its credit code: no longer a candidate for rows with another."""
        for name in [n for n, p in self._uncoded.items() if p == pk]:
            del self._uncoded[name]
        for i, p in enumerate(self._uncoded_ids):
            if p == pk:
                self._uncoded_choices[i] = ""  # scores 0 against any name

    def _scope(self, actor, action: str):
        if self._scopes is None:
            self._scopes = (scope_for(actor, "registry", "create"), scope_for(actor, "registry", "change"))
        return self._scopes[0 if action == "create" else 1]

    def _industry(self, text: str) -> Industry | None:
        if text not in self._industries:
            self._industries[text] = (
                Industry.objects.filter(Q(name=text) | Q(code=text)).first() if text else None
            )
        return self._industries[text] or self.extract.industry

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
        normalized = services.normalize_name(name)
        return {
            "name": name,
            "normalized": normalized,
            "credit_code": code,
            "address": (values.get("address") or "").strip()[:200],
            "industry": (values.get("industry") or "").strip(),
            "registered_on": registered_on,
            "workers": int(workers) if workers else None,
            "match_key": code or normalized,
        }

    def apply_row(self, cleaned: dict, actor) -> str:
        result = self.apply_rows([cleaned], actor)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        """The batch path: one query for the batch's credit codes and name matches, one scope query,
        then set-oriented writes (see ``_Plan``). Rows are decided in file order against what is known,
        including what earlier rows of the batch create."""
        self._known()
        plan = _Plan(self, actor)
        codes = [r["credit_code"] for r in rows if r["credit_code"]]
        # "not blank" repeats the unique index's condition, so that SQLite and PostgreSQL use the index
        # (neither proves that a long IN list implies it).
        by_code = (
            {
                o["credit_code"]: o
                for o in plan.load(in_values(Organization, "credit_code", codes), ~Q(credit_code=""))
            }
            if codes
            else {}
        )
        wanted = {
            pk
            for r in rows
            if not (r["credit_code"] and r["credit_code"] in by_code) and (pk := self._by_name(r)) is not None
        }
        if wanted:
            plan.load(in_values(Organization, "id", wanted))
        results: list[str | Exception] = []
        for r in rows:
            try:
                results.append(self._decide(plan, r, by_code))
            except RowError as exc:
                results.append(exc)
        plan.flush()
        return results

    def _by_name(self, cleaned: dict) -> int | None:
        # A row with a credit code can only be an organization registered without one: two different
        # codes are two organizations, however alike the names.
        return (self._uncoded if cleaned["credit_code"] else self._names).get(cleaned["normalized"])

    def _decide(self, plan: _Plan, cleaned: dict, by_code: dict) -> str:
        if cleaned["normalized"] in plan.new_names:
            plan.flush()  # an earlier row of this batch creates this name: write it first
        org = by_code.get(cleaned["credit_code"]) if cleaned["credit_code"] else None
        if org is None:
            pk = self._by_name(cleaned)
            if pk is not None:
                org = plan.get(pk)
        if org is None:
            coded = bool(cleaned["credit_code"])
            choices, ids = (self._uncoded_choices, self._uncoded_ids) if coded else (self._choices, self._ids)
            best = (
                process.extractOne(cleaned["normalized"], choices, scorer=fuzz.ratio, score_cutoff=REVIEW)
                if choices
                else None
            )
            if best is not None:
                _, score, index = best
                candidate = plan.get(ids[index])
                if score >= AUTO:
                    org = candidate
                else:
                    plan.review(cleaned, candidate, score)
                    return "unchanged"
        if org is None:
            return plan.create(cleaned)
        return plan.update(org, cleaned)

    # -- one decided row at a time (the review queue) ----------------------------------------------
    def decide(self, cleaned: dict, candidate: Organization | None, actor) -> Organization:
        """Apply an office's decision on a queued row: update ``candidate``, or create (None)."""
        self._known()
        plan = _Plan(self, actor)
        if candidate is None:
            plan.create(cleaned)
        else:
            plan.update(plan.get(candidate.pk), cleaned)
        created = plan.flush()
        return Organization.objects.get(pk=created[0] if candidate is None else candidate.pk)

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
        flagged = sum(
            Organization.objects.filter(in_values(Organization, "id", ids[i : i + 10_000])).update(
                possibly_closed=True
            )
            for i in range(0, len(ids), 10_000)
        )
        if ids:  # one audit row for the run's flags: which organizations, by which extract
            audit.record_batch(
                actor=self.actor,
                action="flag_possibly_closed",
                model=Organization,
                ids=ids,
                after={"extract": extract.pk},
                message=f"数据比对（{extract}）未列出的{flagged}个组织标记为疑似已关闭",
            )
        extract.stats = {**counts, "possibly_closed": flagged, "review": extract.reviews.count()}
        extract.save(update_fields=["stats", "updated_at"])


def _jsonable(cleaned: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in cleaned.items()}


class _Plan:
    """The writes a batch of rows decided on, done together by ``flush`` through ``core.bulk``: new
    organizations in one insert (an audit row each, one event for the batch), changed ones in one
    update per field set with their audited diffs, one UPDATE marking every listed organization as
    seen by the extract, and the uncertain matches queued for review. Organizations are handled as
    plain dicts of the fields matching compares (``FIELDS``), not model instances: a million rows."""

    FIELDS = (
        "id",
        "name",
        "normalized_name",
        "credit_code",
        "address",
        "new_employment_workers",
        "possibly_closed",
    )

    def __init__(self, importer: ExtractImporter, actor):
        self.importer = importer
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.extract = importer.extract
        self.source = self.extract.get_source_display()[:50]
        self.orgs: dict[int, dict] = {}
        self.allowed: set[int] = set()
        self.creates: list[dict] = []
        self.new_names: set[str] = set()
        self.updates: dict[int, tuple[dict, dict]] = {}
        self.seen: set[int] = set()
        self.reviews: list[MatchReview] = []

    def load(self, *where, **lookup) -> list[dict]:
        """The organizations matching the condition that the batch may match, and which of them the
        actor may change (one more query, unless the actor's scope is everything)."""
        # Unordered: the model's default ordering made PostgreSQL sort the batch's matches and plan
        # parallel workers for it (50 ms a batch at a million organizations, 17 ms without).
        rows = list(Organization.objects.filter(*where, **lookup).order_by().values(*self.FIELDS))
        for row in rows:
            self.orgs[row["id"]] = row
        scope = self.importer._scope(self.actor, "change")
        ids = [r["id"] for r in rows]
        if scope.everything:
            self.allowed.update(ids)
        elif ids:
            self.allowed.update(
                scope.filter(Organization.objects.filter(in_values(Organization, "id", ids)))
                .order_by()
                .values_list("pk", flat=True)
            )
        return rows

    def get(self, pk: int) -> dict:
        if pk not in self.orgs:
            self.load(pk=pk)
        return self.orgs[pk]

    def create(self, cleaned: dict) -> str:
        extract = self.extract
        industry = self.importer._industry(cleaned["industry"])
        if not self.importer._scope(self.actor, "create").covers_place(
            extract.region_id, getattr(industry, "pk", None)
        ):
            raise RowError("industry", "该组织的区划和行业不在您的管理范围内，不能新增")
        # Every value was checked by validate_row (name, code, date, count; the address cut to its
        # length); region, industry and extract are rows this import loaded.
        self.creates.append(
            {
                "name": cleaned["name"],
                "normalized_name": cleaned["normalized"],
                "credit_code": cleaned["credit_code"],
                "region_id": extract.region_id,
                "industry_id": getattr(industry, "pk", None),
                "address": cleaned["address"],
                "registered_on": cleaned["registered_on"] or extract.as_of,
                "kind": Kind.ENTERPRISE.value,
                "new_employment_workers": cleaned["workers"] or 0,
                "source": self.source,
                "last_seen_extract_id": extract.pk,
                "created_by_id": self.actor_id,
                "updated_by_id": self.actor_id,
            }
        )
        self.new_names.add(cleaned["normalized"])
        return "created"

    def update(self, org: dict, cleaned: dict) -> str:
        if org["id"] not in self.allowed:
            raise RowError("name", "该组织已登记在您的管理范围之外，请联系上级组织部门核实")
        if org["id"] in self.updates:
            self.flush()  # listed twice in one batch (by code and by name): the second sees the first
        data = {}
        if cleaned.get("name") and cleaned["name"] != org["name"]:
            data["name"] = cleaned["name"]
            data["normalized_name"] = services.normalize_name(cleaned["name"])
        if cleaned.get("credit_code") and not org["credit_code"]:
            data["credit_code"] = cleaned["credit_code"]
        if cleaned.get("address") and cleaned["address"] != org["address"]:
            data["address"] = cleaned["address"]
        if cleaned.get("workers") is not None and cleaned["workers"] != org["new_employment_workers"]:
            data["new_employment_workers"] = cleaned["workers"]
        if org["possibly_closed"]:  # listed again: the flag goes, through the audited update
            data["possibly_closed"] = False
        self.seen.add(org["id"])
        if not data:
            return "unchanged"
        self.updates[org["id"]] = (org, data)
        return "updated"

    def review(self, cleaned: dict, candidate: dict, score: float) -> None:
        self.reviews.append(
            MatchReview(
                extract=self.extract,
                line=0,
                data=_jsonable(cleaned),
                candidate_id=candidate["id"],
                score=round(score, 1),
            )
        )
        self.seen.add(candidate["id"])  # pending a decision, the candidate is not reported missing

    def flush(self) -> list[int]:
        """Write what the rows so far decided; returns the new organizations' ids."""
        created = self.creates
        ids = bulk.allocate_ids(Organization, len(created)) if created else []
        if created:
            for row, pk in zip(created, ids, strict=True):
                row["id"] = row["hq_id"] = pk  # each new organization is the top of its own chain
            bulk.insert(Organization, created)
            audit.record_batch(
                actor=self.actor,
                action="import_create",
                model=Organization,
                ids=ids,
                after={"extract": self.extract.pk},
                message=f"数据比对导入新增（{self.extract}）",
            )
            for r in created:
                self.importer._remember(r["normalized_name"], r["id"], r["credit_code"])
            events.publish("registry.organizations_created", {"organization_ids": ids})
        if self.updates:
            bulk.update(
                Organization,
                [
                    {
                        "id": pk,
                        **data,
                        "updated_by_id": self.actor_id,
                        "last_seen_extract_id": self.extract.pk,
                    }
                    for pk, (_, data) in self.updates.items()
                ],
            )
            audit.record_many(
                actor=self.actor,
                action="update",
                object_type=Organization._meta.label_lower,
                entries=[
                    (pk, data.get("name", org["name"]), {k: org[k] for k in data}, data)
                    for pk, (org, data) in self.updates.items()
                ],
                message=f"数据比对导入（{self.extract}）",
            )
            for pk, (org, data) in self.updates.items():
                org.update(data)
                self.importer._remember(org["normalized_name"], pk, org["credit_code"])
                if "credit_code" in data:
                    self.importer._coded(pk)
        unchanged = self.seen.difference(self.updates)  # the updated ones were marked seen with their update
        if unchanged:
            Organization.objects.filter(in_values(Organization, "id", unchanged)).update(
                last_seen_extract=self.extract
            )
        if self.reviews:
            MatchReview.objects.bulk_create(self.reviews)
        self.creates, self.new_names, self.updates, self.seen, self.reviews = [], set(), {}, set(), []
        return ids


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
    try:
        result = importer.decide(data, review.candidate if same else None, actor)
    except RowError as exc:
        raise InvalidInput(exc.reason) from exc
    status = MatchReview.Status.MATCHED if same else MatchReview.Status.NEW
    review, _ = model_update(review, actor=actor, data={"status": status, "result": result}, action="decide")
    return review


def reviews_for(scope, extract: Extract | None = None):
    qs = MatchReview.objects.filter(candidate__in=scope.filter(Organization.objects.all()).values("pk"))
    if extract is not None:
        qs = qs.filter(extract=extract)
    return qs.select_related("candidate", "extract")

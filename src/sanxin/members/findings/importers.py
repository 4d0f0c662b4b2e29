"""The worker-list importer of 双找 (a platform's rider or driver list), on the core import framework.

Identifiers are hashed in ``validate_row``: the cleaned row carries the blind indexes of the resident
ID and phone, never the numbers, so nothing the run writes (findings, job fields, audit) can hold them;
the error workbook masks both columns (``sensitive``), and the framework deletes the upload and its
parsed rows when the job ends. A row is matched by the ID's blind index, else by name and the phone's
blind index; a row that matches nobody is discarded and only counted. A matched person yields:

- 找党员, when the list calls them a member and the registry has no membership for them (a 口袋党员
  candidate), or has one whose formal org lies outside the list's region (a 流入 candidate);
- 找新就业, when they are a member and no open employment of that work (on that platform) is recorded.

A finding already pending or rejected for the same person, kind and platform is not raised twice, so
importing the same list again changes nothing."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from sanxin.core import audit
from sanxin.core.crypto import blind_index
from sanxin.core.errors import InvalidInput
from sanxin.core.excel.importer import Column, Importer, RowError, register
from sanxin.core.models import ImportJob
from sanxin.core.query import in_values, prefix_q
from sanxin.core.regions import region_prefix
from sanxin.core.validators import check_mobile, check_resident_id
from sanxin.orgs.models import Person

from ..models import Direction, Employment, Member, Mobility, OrgRelation, RelationKind, WorkKind
from .models import Finding, FindingBatch, FindingKind, FindingStatus

# 政治面貌 as platforms record it -> the standing it claims ("" = not a member).
MEMBER_WORDS = {
    "中共党员": "full",
    "中国共产党党员": "full",
    "党员": "full",
    "正式党员": "full",
    "中共预备党员": "probationary",
    "预备党员": "probationary",
}
OTHER_WORDS = {"", "群众", "共青团员", "团员", "中国共产主义青年团团员", "民主党派", "无党派人士", "无"}

WORK_WORDS = {
    **{label: value for value, label in WorkKind.choices},
    "骑手": WorkKind.RIDER,
    "配送员": WorkKind.RIDER,
    "外卖员": WorkKind.RIDER,
    "众包骑手": WorkKind.RIDER,
    "专送骑手": WorkKind.RIDER,
    "快递小哥": WorkKind.COURIER,
    "揽投员": WorkKind.COURIER,
    "司机": WorkKind.RIDE_HAILING,
    "网约车": WorkKind.RIDE_HAILING,
    "货运司机": WorkKind.TRUCK,
    "主播": WorkKind.STREAMER,
    "家政员": WorkKind.HOUSEKEEPING,
}


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


@register
class WorkerListImporter(Importer):
    key = "members_findings"
    label = "双找名单（平台从业人员）"
    module, action = "people", "find"
    listed = False  # uploaded from the 双找双核 page, which declares the platform, region and industry
    batch_size = 500
    natural_key = ("match_key",)
    columns = [
        Column("name", "姓名", aliases=("骑手姓名", "司机姓名", "人员姓名", "真实姓名"), required=True),
        Column(
            "resident_id",
            "公民身份号码",
            aliases=("身份证号", "身份证号码", "证件号码", "身份证"),
            sensitive=True,
            help="与手机号码至少填一项；导入时只保留其不可逆的索引",
        ),
        Column(
            "phone", "手机号码", aliases=("手机号", "手机", "联系电话", "电话"), sensitive=True, help="11位"
        ),
        Column(
            "political", "政治面貌", aliases=("政治面目", "是否党员"), help="如 中共党员、中共预备党员、群众"
        ),
        Column(
            "work_kind",
            "从业类型",
            aliases=("工种", "岗位", "职业", "新就业形态"),
            help="如 外卖骑手、网约车司机",
        ),
        Column("work_area", "站点", aliases=("所属站点", "站点名称", "区域", "服务区域", "配送区域", "车队")),
    ]

    def __init__(self, *, actor=None, job: ImportJob | None = None):
        super().__init__(actor=actor, job=job)
        self._batch: FindingBatch | None = None
        self.matched = 0
        self.unmatched = 0

    @property
    def batch(self) -> FindingBatch:
        if self._batch is None:
            if self.job is None or "batch_id" not in self.job.context:
                raise InvalidInput("双找名单须从“双找双核”页面上传，并声明平台、区划和行业", field="file")
            self._batch = FindingBatch.objects.select_related("platform", "region").get(
                pk=self.job.context["batch_id"]
            )
        return self._batch

    def rolled_back(self) -> None:
        self.matched = self.unmatched = 0

    # -- rows -------------------------------------------------------------------------------------
    def validate_row(self, values: dict[str, str]) -> dict:
        name = _text(values.get("name"))
        if not name:
            raise RowError("name", "姓名为空")
        if len(name) > 50:
            raise RowError("name", "姓名超过50个字")
        rid = _text(values.get("resident_id")).replace(" ", "")
        phone = _text(values.get("phone")).replace(" ", "")
        if not rid and not phone:
            raise RowError("resident_id", "公民身份号码和手机号码至少填写一项")
        rid_index = phone_index = ""
        if rid:
            try:
                rid_index = blind_index(check_resident_id(rid).value, purpose="resident_id")
            except ValidationError as exc:
                raise RowError("resident_id", exc.messages[0]) from None
        if phone:
            try:
                phone_index = blind_index(check_mobile(phone).value, purpose="phone")
            except ValidationError as exc:
                raise RowError("phone", exc.messages[0]) from None
        political = _text(values.get("political")).replace(" ", "")
        if political not in MEMBER_WORDS and political not in OTHER_WORDS:
            raise RowError("political", "无法识别的政治面貌（如 中共党员、中共预备党员、群众）")
        work = _text(values.get("work_kind")).replace(" ", "")
        if work and work not in WORK_WORDS:
            raise RowError("work_kind", "无法识别的从业类型（如 外卖骑手、快递员、网约车司机）")
        # Only indexes leave this function: the numbers themselves end here.
        return {
            "name": name,
            "rid_index": rid_index,
            "phone_index": phone_index,
            "political": political,
            "claims_member": political in MEMBER_WORDS,
            "work_kind": str(WORK_WORDS[work]) if work else "",
            "work_area": _text(values.get("work_area"))[:200],
            "match_key": rid_index or f"{name}\x00{phone_index}",
        }

    def apply_row(self, cleaned: dict, actor) -> str:
        result = self.apply_rows([cleaned], actor)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        """A batch in a few queries: people by ID index, people by phone index, their memberships,
        open formal relations, open employments and earlier findings; then one insert of findings."""
        batch = self.batch
        by_rid = {
            p["resident_id_index"]: p["pk"]
            for p in Person.objects.filter(
                in_values(Person, "resident_id_index", [r["rid_index"] for r in rows if r["rid_index"]])
            )
            .exclude(resident_id_index="")  # the unique index's condition: the lookup uses that index
            .values("pk", "resident_id_index")
        }
        phones = [r["phone_index"] for r in rows if r["phone_index"]]
        by_phone: dict[tuple[str, str], int] = {}
        if phones:
            for p in (
                Person.objects.filter(in_values(Person, "phone_index", phones))
                .order_by("pk")
                .values("pk", "name", "phone_index")
            ):
                by_phone.setdefault((p["name"], p["phone_index"]), p["pk"])
        matches: list[tuple[int, str] | None] = []
        for r in rows:
            pk = by_rid.get(r["rid_index"]) if r["rid_index"] else None
            if pk is not None:
                matches.append((pk, "resident_id"))
            elif r["phone_index"] and (r["name"], r["phone_index"]) in by_phone:
                matches.append((by_phone[(r["name"], r["phone_index"])], "name_phone"))
            else:
                matches.append(None)
        ids = sorted({m[0] for m in matches if m})
        members = set(Member.objects.filter(in_values(Member, "person_id", ids)).values_list("pk", flat=True))
        formal_region = dict(
            OrgRelation.objects.filter(
                in_values(OrgRelation, "member_id", members), kind=RelationKind.FORMAL, end_on__isnull=True
            ).values_list("member_id", "org__region_id")
        )
        region = region_prefix(batch.region_id)
        # A member already 挂靠 here (流入) is known here, wherever their formal org is.
        hosted = set(
            Mobility.objects.filter(
                in_values(Mobility, "member_id", members), direction=Direction.IN, end_on__isnull=True
            )
            .filter(prefix_q("host__region_id", region))
            .values_list("member_id", flat=True)
        )
        jobs = Employment.objects.filter(in_values(Employment, "person_id", members), end_on__isnull=True)
        if batch.platform_id:
            jobs = jobs.filter(Q(platform_id=batch.platform_id) | Q(platform__isnull=True))
        working = set(jobs.values_list("person_id", "kind"))
        known = set(
            Finding.objects.filter(in_values(Finding, "person_id", ids), platform_id=batch.platform_id)
            .exclude(status=FindingStatus.CONFIRMED)
            .values_list("person_id", "kind")
        )
        new: list[Finding] = []
        results: list[str | Exception] = []
        for r, m in zip(rows, matches, strict=True):
            if m is None:
                self.unmatched += 1
                results.append("unchanged")
                continue
            self.matched += 1
            pk, how = m
            kind = r["work_kind"] or batch.work_kind
            found = []
            if r["claims_member"] and pk not in members:
                found.append((FindingKind.MEMBER, False, "名单记为党员，本库没有其党员登记（疑似口袋党员）"))
            elif (
                r["claims_member"]
                and pk in formal_region
                and not formal_region[pk].startswith(region)
                and pk not in hosted
            ):
                found.append((FindingKind.MEMBER, True, "名单记为党员，其组织关系不在本地区（可登记流入）"))
            if pk in members and (pk, kind) not in working:
                found.append((FindingKind.WORK, False, "党员，本库未登记其在该平台的从业情况"))
            created = False
            for finding_kind, elsewhere, reason in found:
                if (pk, finding_kind) in known:
                    continue
                known.add((pk, finding_kind))
                new.append(
                    Finding(
                        batch=batch,
                        person_id=pk,
                        kind=finding_kind,
                        platform_id=batch.platform_id,
                        elsewhere=elsewhere,
                        listed_status=r["political"][:20],
                        work_kind=kind,
                        work_area=r["work_area"],
                        matched_by=how,
                        reason=reason,
                        created_by=actor,
                        updated_by=actor,
                    )
                )
                created = True
            results.append("created" if created else "unchanged")
        if new:
            Finding.objects.bulk_create(new)  # both databases return the new ids
            ids = [f.pk for f in new]
            audit.record_batch(
                actor=actor,
                action="import_create",
                model=Finding,
                ids=ids,
                after={"batch": batch.pk},
                message=f"双找名单导入发现{len(new)}条",
            )
        return results

    # -- after the run ------------------------------------------------------------------------------
    def finished(self, job: ImportJob, counts: dict) -> None:
        batch = self.batch
        found = dict(
            Finding.objects.filter(batch=batch)
            .values("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        batch.stats = {
            "rows": job.rows_total,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "member": found.get(FindingKind.MEMBER, 0),
            "work": found.get(FindingKind.WORK, 0),
            "finished": timezone.now().isoformat(),
        }
        batch.save(update_fields=["stats", "updated_at"])

    def result_url(self, job: ImportJob) -> str:
        batch_id = job.context.get("batch_id")
        return f"{reverse('members:findings_list')}?batch={batch_id}" if batch_id else ""

"""党员名册: the roster in the layout branches keep (one row a member), imported through the core import
framework and exported in the same layout, so that a branch can download its roster, correct it in
Excel and upload it again (unchanged rows stay unchanged).

Validation is per row and needs no writes: the resident ID's check digit and birth date (core
validator), the phone, the dictionaries (民族, 学历, 党员类别, 新就业形态), the dates and their rules (18
at joining, a year of probation, nothing in the future), the org (by code or name, inside the actor's
people scope, a branch that holds members). Rows are then written a batch at a time by
``services.members_register_batch``; the plaintext ID lives only in the row being handled and goes
to the database encrypted, beside its keyed hash.
"""

from __future__ import annotations

from django.utils import timezone

from sanxin.core import crypto as pii
from sanxin.core.excel.export import Ledger
from sanxin.core.excel.importer import Column, Importer, RowError, parse_date, register
from sanxin.core.scope import scope_for
from sanxin.core.validators import check_mobile, check_resident_id, resident_id_birth_date, resident_id_gender
from sanxin.orgs.models import BRANCH_TYPES, ETHNICITIES, Education, Gender, Org, OrgStatus
from sanxin.registry.models import Organization

from . import services
from .models import Standing, WorkKind

COLUMNS = [
    Column("name", "姓名", required=True),
    Column("gender", "性别"),
    Column("ethnicity", "民族"),
    Column(
        "resident_id",
        "公民身份号码",
        aliases=("身份证号", "身份证号码", "证件号码", "居民身份证号码"),
        required=True,
        sensitive=True,
    ),
    Column("education", "学历", aliases=("文化程度",)),
    Column("household_place", "户籍所在地", aliases=("户籍地", "籍贯")),
    Column("phone", "手机号码", aliases=("联系电话", "手机号", "电话"), sensitive=True),
    Column(
        "org", "所在党组织", aliases=("党支部", "所在党支部", "组织关系所在", "党组织编码"), required=True
    ),
    Column("standing", "党员类别", aliases=("人员类别", "类别"), required=True),
    Column("joined_on", "入党日期", aliases=("入党时间",), required=True),
    Column("converted_on", "转正日期", aliases=("转正时间",)),
    Column("work_kind", "新就业形态", aliases=("从业类型", "职业")),
    Column("employer", "平台/用工单位", aliases=("用工单位", "平台", "所在平台", "工作单位")),
    Column("work_area", "工作地点", aliases=("工作区域",)),
]

_GENDERS = {label: value for value, label in Gender.choices}
_EDUCATION = {str(label): value for value, label in Education.choices}
_STANDINGS = {str(label): value for value, label in Standing.choices} | {
    "正式": "full",
    "预备": "probationary",
}
_WORK = {str(label): value for value, label in WorkKind.choices}


def _ethnicity(text: str) -> str:
    if text in ETHNICITIES:
        return text
    if f"{text}族" in ETHNICITIES:
        return f"{text}族"
    raise RowError("ethnicity", f"“{text}”不是56个民族的名称之一")


@register
class MemberImporter(Importer):
    key = "members"
    label = "党员名册"
    module, action = "people", "change"
    columns = COLUMNS
    natural_key = ("resident_id_index",)
    batch_size = 2000

    def __init__(self, *, actor=None, job=None):
        super().__init__(actor=actor, job=job)
        self._orgs: dict[str, Org | RowError] = {}
        self._platforms: dict[str, Organization | None] = {}
        self._scope = None
        self._today = timezone.localdate()  # one run, one date

    def _org(self, text: str) -> Org:
        if text not in self._orgs:
            self._orgs[text] = self._find_org(text)
        found = self._orgs[text]
        if isinstance(found, RowError):
            raise found
        return found

    def _find_org(self, text: str) -> Org | RowError:
        if self._scope is None:
            self._scope = scope_for(self.actor, "people", "change") if self.actor is not None else None
        qs = Org.objects.filter(code=text) if text.isdigit() else Org.objects.filter(name=text)
        if self._scope is not None:
            qs = self._scope.filter(qs)
        found = list(qs[:2])
        if not found:
            return RowError("org", f"没有找到您管理范围内的党组织“{text}”（可填组织名称或组织编码）")
        if len(found) > 1:
            return RowError("org", f"有多个名为“{text}”的党组织，请填写组织编码")
        org = found[0]
        if org.status != OrgStatus.ACTIVE:
            return RowError("org", f"“{org.name}”已撤销或合并，不能接收党员")
        if org.org_type not in BRANCH_TYPES:
            return RowError("org", f"“{org.name}”不是党支部：党员的组织关系只能在党支部")
        return org

    def _platform(self, text: str) -> Organization | None:
        if text not in self._platforms:
            self._platforms[text] = Organization.objects.filter(name=text).order_by("pk").first()
        return self._platforms[text]

    def validate_row(self, values: dict[str, str]) -> dict:
        v = {k: (values.get(k) or "").strip() for k in (c.key for c in COLUMNS)}
        if not v["name"]:
            raise RowError("name", "姓名为空")
        if len(v["name"]) > 50:
            raise RowError("name", "姓名超过50个字")
        today = self._today
        try:
            checked = check_resident_id(v["resident_id"], today=today)
        except Exception as exc:  # a ValidationError with the validator's Chinese message
            raise RowError("resident_id", exc.messages[0]) from exc
        resident_id = checked.value
        birth_date = resident_id_birth_date(resident_id)
        gender = resident_id_gender(resident_id)
        if v["gender"]:
            if v["gender"] not in _GENDERS:
                raise RowError("gender", "性别应为“男”或“女”")
            if _GENDERS[v["gender"]] != gender:
                raise RowError("gender", "性别与公民身份号码不一致")
        phone = ""
        if v["phone"]:
            try:
                phone = check_mobile(v["phone"]).value
            except Exception as exc:
                raise RowError("phone", exc.messages[0]) from exc
        education = ""
        if v["education"]:
            if v["education"] not in _EDUCATION:
                raise RowError("education", "学历应为：" + "、".join(_EDUCATION))
            education = _EDUCATION[v["education"]]
        if v["standing"] not in _STANDINGS:
            raise RowError("standing", "党员类别应为“正式党员”或“预备党员”")
        standing = _STANDINGS[v["standing"]]
        joined_on = self._date(v, "joined_on", "入党日期")
        if joined_on > today:
            raise RowError("joined_on", "入党日期不能晚于今天")
        if joined_on < services.add_years(birth_date, services.MIN_AGE):
            raise RowError("joined_on", "入党时须年满18周岁（按公民身份号码中的出生日期）")
        converted_on = self._date(v, "converted_on", "转正日期") if v["converted_on"] else None
        if standing == Standing.FULL:
            if converted_on is None:
                raise RowError("converted_on", "正式党员请填写转正日期")
            if converted_on < services.add_years(joined_on, services.PROBATION_YEARS):
                raise RowError("converted_on", "预备期为一年，转正日期不能早于入党满一年")
            if converted_on > today:
                raise RowError("converted_on", "转正日期不能晚于今天")
        elif converted_on is not None:
            raise RowError("converted_on", "预备党员没有转正日期")
        work_kind = ""
        if v["work_kind"]:
            if v["work_kind"] not in _WORK:
                raise RowError("work_kind", "新就业形态应为：" + "、".join(_WORK))
            work_kind = _WORK[v["work_kind"]]
        if len(v["employer"]) > 200 or len(v["work_area"]) > 200 or len(v["household_place"]) > 200:
            raise RowError(None, "单位、地点或户籍所在地超过200个字")
        platform = self._platform(v["employer"]) if v["employer"] else None
        return {
            "name": v["name"],
            "gender": gender,
            "birth_date": birth_date,
            "ethnicity": _ethnicity(v["ethnicity"]) if v["ethnicity"] else "",
            "education": education,
            "household_place": v["household_place"],
            "phone": phone,
            "resident_id": resident_id,
            "resident_id_index": pii.blind_index(resident_id, purpose="resident_id"),
            "org": self._org(v["org"]),
            "standing": standing,
            "joined_on": joined_on,
            "converted_on": converted_on,
            "work_kind": work_kind,
            "platform": platform,
            "employer_name": "" if platform is not None else v["employer"],
            "work_area": v["work_area"],
        }

    @staticmethod
    def _date(v: dict, key: str, label: str):
        try:
            return parse_date(v[key])
        except ValueError:
            raise RowError(key, f"{label}格式不正确（如 2020-07-01）") from None

    def apply_row(self, cleaned: dict, actor) -> str:
        result = self.apply_rows([cleaned], actor)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        return services.members_register_batch(actor=actor, rows=rows)


def roster_ledger(rows, *, title: str, identifiers: bool) -> Ledger:
    """The roster in the import's layout (``rows``: members with ``person__org`` loaded and
    ``current_job``, the open employment or None). ``identifiers``: the resident ID and phone in full
    (only for a user allowed to see them, who asked, audited by the caller); masked otherwise."""
    ledger = Ledger(title=title, columns=[c.label for c in COLUMNS], sheet_name="党员名册")
    genders = dict(Gender.choices)
    educations = dict(Education.choices)
    standings = dict(Standing.choices)
    kinds = dict(WorkKind.choices)
    for m in rows:
        p = m.person
        job = m.current_job
        resident_id, phone = p.resident_id or "", p.phone or ""
        if not identifiers:
            resident_id, phone = pii.mask(resident_id, head=6, tail=0), pii.mask(phone)
        ledger.add(
            [
                p.name,
                str(genders.get(p.gender, "")),
                p.ethnicity,
                resident_id,
                str(educations.get(p.education, "")),
                p.household_place,
                phone,
                p.org.name if p.org_id else "",
                str(standings[m.standing]),
                m.joined_on,
                m.converted_on,
                str(kinds.get(job.kind, "")) if job else "",
                job.employer_name if job else "",
                job.work_area if job else "",
            ]
        )
    return ledger

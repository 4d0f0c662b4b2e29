import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber, apply_ordering
from sanxin.core.crypto import mask, mask_phone
from sanxin.core.errors import InvalidInput
from sanxin.core.models import Region
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for

from . import selectors, services
from .models import EventKind, LocatedAt, Org, OrgStatus, OrgType, Person, Post, PostTitle, SettingMode

router = Router(tags=["组织体系"])

OrgTypeIn = Literal[tuple(OrgType.values)]  # type: ignore[valid-type]
SettingModeIn = Literal[tuple(["", *SettingMode.values])]  # type: ignore[valid-type]
LocatedAtIn = Literal[tuple(["", *LocatedAt.values])]  # type: ignore[valid-type]


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    org_type: str
    org_type_label: str = Field(validation_alias="get_org_type_display")
    setting_mode: str
    located_at: str
    region_id: str
    industry_id: str | None
    status: str
    founded_on: dt.date
    ended_on: dt.date | None
    term_years: int
    term_started_on: dt.date | None
    term_ends_on: dt.date | None
    depth: int
    parent_id: int | None = None
    contact_name: str
    contact_phone: str
    address: str

    @staticmethod
    def resolve_parent_id(obj):
        return getattr(obj, "parent_id_cached", None)


class OrgBrief(Schema):
    id: int
    code: str
    name: str


class OrgListQuery(Schema):
    q: str = Field("", max_length=50, description="名称、简称或代码前缀")
    org_type: OrgTypeIn | Literal[""] = ""  # type: ignore[valid-type]
    status: Literal["", "active", "dissolved", "merged", "split"] = ""
    region: str = Field("", max_length=12, pattern=r"^\d{0,12}$")
    industry: str = Field("", max_length=32)
    within: int | None = Field(None, description="只列出该组织及其下级")
    ordering: str | None = Field(None, description="code, name, founded_on, term_ends_on；前加 - 倒序")


@router.get("/", response=list[OrgOut], summary="组织列表")
@paginate(PageNumber)
@permission("orgs", "view")
def org_list(request, filters: Query[OrgListQuery]):
    within = selectors.org_get(request.scope, filters.within) if filters.within else None
    qs = selectors.org_list(
        request.scope,
        q=filters.q,
        org_type=filters.org_type,
        status=filters.status,
        region=filters.region,
        industry=filters.industry,
        within=within,
    )
    return apply_ordering(
        qs, filters.ordering, allowed={"code", "name", "founded_on", "term_ends_on"}, default="path"
    )


@router.get("/{org_id}", response=OrgOut, summary="组织详情")
@permission("orgs", "view", model=Org, lookup="org_id")
def org_detail(request, org_id: int):
    return selectors.org_get(request.scope, org_id)


@router.get("/{org_id}/subtree", response=list[OrgOut], summary="下级组织（含自身）")
@paginate(PageNumber)
@permission("orgs", "view", model=Org, lookup="org_id")
def org_subtree(request, org_id: int):
    return selectors.subtree(request.scope, selectors.org_get(request.scope, org_id))


@router.get("/{org_id}/ancestors", response=list[OrgBrief], summary="上级组织链")
@permission("orgs", "view", model=Org, lookup="org_id")
def org_ancestors(request, org_id: int):
    return selectors.ancestors(selectors.org_get(request.scope, org_id))


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    date: dt.date
    document_no: str
    note: str
    details: dict


@router.get("/{org_id}/events", response=list[EventOut], summary="生命周期事项")
@permission("orgs", "view", model=Org, lookup="org_id")
def org_events(request, org_id: int):
    return list(selectors.history(selectors.org_get(request.scope, org_id))[:500])


class OrgCreateIn(Schema):
    parent_id: int
    name: str = Field(min_length=2, max_length=100)
    org_type: OrgTypeIn  # type: ignore[valid-type]
    region: str = Field(pattern=r"^\d{12}$", description="12位区划代码")
    founded_on: dt.date
    industry: str | None = Field(None, max_length=32)
    setting_mode: SettingModeIn = ""  # type: ignore[valid-type]
    located_at: LocatedAtIn = ""  # type: ignore[valid-type]
    short_name: str = Field("", max_length=40)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    document_no: str = Field("", max_length=100)
    note: str = Field("", max_length=2000)


def _fresh(org: Org) -> Org:
    """The org as the API shows it (with its parent's id), read again after a write."""
    return selectors.with_parent_id(Org.objects.filter(pk=org.pk)).get()


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise InvalidInput("所在区划不存在", field="region")
    return region


@router.post("/", response={201: OrgOut}, summary="组建新组织")
@permission("orgs", "create")
def org_create(request, payload: OrgCreateIn):
    parent = selectors.org_get(request.scope, payload.parent_id)
    data = payload.dict(exclude={"parent_id", "region"})
    org = services.org_create(actor=request.auth, parent=parent, region=_region(payload.region), **data)
    return Status(201, _fresh(org))


class OrgUpdateIn(Schema):
    short_name: str | None = Field(None, max_length=40)
    setting_mode: SettingModeIn | None = None  # type: ignore[valid-type]
    located_at: LocatedAtIn | None = None  # type: ignore[valid-type]
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)
    term_years: int | None = Field(None, ge=1, le=5)


@router.patch("/{org_id}", response=OrgOut, summary="修改组织信息")
@permission("orgs", "change", model=Org, lookup="org_id")
def org_update(request, org_id: int, payload: OrgUpdateIn):
    org = selectors.org_get(request.scope, org_id)
    return _fresh(services.org_update(actor=request.auth, org=org, data=payload.dict(exclude_none=True)))


class EventIn(Schema):
    kind: Literal["rename", "renew", "move", "dissolve", "merge", "split"]
    on: dt.date = Field(description="事项日期")
    name: str | None = Field(None, min_length=2, max_length=100, description="更名：新名称")
    term_years: int | None = Field(None, ge=1, le=5, description="换届：每届任期")
    new_parent_id: int | None = Field(None, description="调整隶属：新的上级组织")
    into_id: int | None = Field(None, description="合并：并入的组织")
    parts: list[str] = Field(default_factory=list, max_length=20, description="拆分：新组织的名称")
    close_source: bool = Field(True, description="拆分：原组织是否同时撤销")
    document_no: str = Field("", max_length=100)
    note: str = Field("", max_length=2000)


@router.post("/{org_id}/events", response={201: OrgOut}, summary="办理生命周期事项")
@permission("orgs", "event", model=Org, lookup="org_id")
def org_event(request, org_id: int, payload: EventIn):
    org = selectors.org_get(request.scope, org_id)
    common = {
        "actor": request.auth,
        "on": payload.on,
        "document_no": payload.document_no,
        "note": payload.note,
    }
    if payload.kind == EventKind.RENAME:
        if not payload.name:
            raise InvalidInput("请填写新名称", field="name")
        org = services.org_rename(org=org, name=payload.name, **common)
    elif payload.kind == EventKind.RENEW:
        org = services.org_renew(org=org, term_years=payload.term_years, **common)
    elif payload.kind == EventKind.MOVE:
        if payload.new_parent_id is None:
            raise InvalidInput("请选择新的上级组织", field="new_parent_id")
        new_parent = selectors.org_get(request.scope, payload.new_parent_id)
        org = services.org_move(org=org, new_parent=new_parent, **common)
    elif payload.kind == EventKind.DISSOLVE:
        org = services.org_dissolve(org=org, **common)
    elif payload.kind == EventKind.MERGE:
        if payload.into_id is None:
            raise InvalidInput("请选择并入的组织", field="into_id")
        target = selectors.org_get(request.scope, payload.into_id)
        services.org_merge(sources=[org], target=target, **common)
    elif payload.kind == EventKind.SPLIT:
        services.org_split(
            org=org, parts=[{"name": n} for n in payload.parts], close_source=payload.close_source, **common
        )
    return Status(201, _fresh(org))


class TreeNodeOut(Schema):
    org_id: int
    name: str
    org_type: str
    status: str
    parent_id: int | None
    children: list["TreeNodeOut"] = []


TreeNodeOut.model_rebuild()


class AsOfQuery(Schema):
    on: dt.date = Field(description="日期")
    include_ended: bool = False


@router.get("/tree/as-of", response=list[TreeNodeOut], summary="某日的组织树")
@permission("orgs", "view")
def tree_as_of(request, params: Query[AsOfQuery]):
    return [
        dataclass_to_dict(n)
        for n in selectors.tree_as_of(request.scope, params.on, include_ended=params.include_ended)
    ]


def dataclass_to_dict(node) -> dict:
    return {
        "org_id": node.org_id,
        "name": node.name,
        "org_type": node.org_type,
        "status": node.status,
        "parent_id": node.parent_id,
        "children": [dataclass_to_dict(c) for c in node.children],
    }


__all__ = ["OrgStatus", "router"]


# --- posts and people --------------------------------------------------------------------------------


class OrgPostOut(Schema):
    id: int
    org_id: int
    person_id: int
    person_name: str = Field(validation_alias="person.name")
    title: str
    title_label: str = Field(validation_alias="get_title_display")
    start_on: dt.date
    end_on: dt.date | None


@router.get("/{org_id}/posts", response=list[OrgPostOut], summary="班子成员与职务")
@permission("orgs", "view", model=Org, lookup="org_id")
def org_posts(request, org_id: int, current: bool = False):
    return list(selectors.posts(selectors.org_get(request.scope, org_id), current_only=current)[:500])


class PostIn(Schema):
    person_id: int
    title: Literal[tuple(PostTitle.values)]  # type: ignore[valid-type]
    start_on: dt.date
    note: str = Field("", max_length=200)


@router.post("/{org_id}/posts", response={201: OrgPostOut}, summary="任命职务")
@permission("orgs", "change", model=Org, lookup="org_id")
def post_assign(request, org_id: int, payload: PostIn):
    org = selectors.org_get(request.scope, org_id)
    person = selectors.people(scope_for(request.auth, "people", "view")).filter(pk=payload.person_id).first()
    if person is None:
        raise InvalidInput("人员不存在或不在您的管理范围内", field="person_id")
    post = services.post_assign(
        actor=request.auth,
        org=org,
        person=person,
        title=payload.title,
        start_on=payload.start_on,
        note=payload.note,
    )
    return Status(201, post)


class PostEndIn(Schema):
    end_on: dt.date
    note: str = Field("", max_length=200)


@router.post("/posts/{post_id}/end", response=OrgPostOut, summary="办理离任")
@permission("orgs", "change", model=Post, lookup="post_id")
def post_end(request, post_id: int, payload: PostEndIn):
    post = request.scope.get(Post.objects.select_related("person", "org"), pk=post_id)
    return services.post_end(actor=request.auth, post=post, end_on=payload.end_on, note=payload.note)


people_router = Router(tags=["人员"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    org_id: int | None
    phone_masked: str
    resident_id_masked: str

    @staticmethod
    def resolve_phone_masked(obj):
        return mask_phone(obj.phone or "")

    @staticmethod
    def resolve_resident_id_masked(obj):
        return mask(obj.resident_id or "")


class PeopleQuery(Schema):
    org_id: int | None = None
    q: str = Field("", max_length=50)


@people_router.get("/", response=list[PersonOut], summary="人员列表（证件号码脱敏）")
@paginate(PageNumber)
@permission("people", "view")
def people_list(request, filters: Query[PeopleQuery]):
    org = (
        selectors.org_get(scope_for(request.auth, "orgs", "view"), filters.org_id) if filters.org_id else None
    )
    return selectors.people(request.scope, org=org, q=filters.q)


class PersonCreateIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    org_id: int
    gender: Literal["", "M", "F"] = ""
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20)
    resident_id: str = Field("", max_length=20, description="公民身份号码（加密保存，仅显示脱敏值）")


class PersonCreatedOut(Schema):
    person: PersonOut
    warnings: list[str]


@people_router.post("/", response={201: PersonCreatedOut}, summary="登记人员")
@permission("people", "change")
def person_create(request, payload: PersonCreateIn):
    org = request.scope.get(Org, pk=payload.org_id)
    person, warnings = services.person_create(
        actor=request.auth,
        name=payload.name,
        org=org,
        gender=payload.gender,
        birth_date=payload.birth_date,
        phone=payload.phone,
        resident_id=payload.resident_id,
    )
    return Status(201, {"person": person, "warnings": warnings})


class IdentifierSearchIn(Schema):
    resident_id: str = Field("", max_length=20, description="公民身份号码（放在请求体中，不出现在网址里）")
    phone: str = Field("", max_length=20)


@people_router.post("/search", response=list[PersonOut], summary="按身份证号或手机号查找人员（请求体）")
@permission("people", "view")
def people_search(request, payload: IdentifierSearchIn):
    return list(
        selectors.people_by_identifier(request.scope, resident_id=payload.resident_id, phone=payload.phone)
    )


class PersonRevealIn(Schema):
    field: Literal["resident_id", "phone"]
    reason: str = Field(min_length=4, max_length=200, description="查看原因（记入审计日志）")


class RevealOut(Schema):
    field: str
    value: str


@people_router.post("/{person_id}/reveal", response=RevealOut, summary="查看证件号码原文（留痕）")
@permission("people", "reveal", model=Person, lookup="person_id")
def person_reveal(request, person_id: int, payload: PersonRevealIn):
    person = request.scope.get(Person.objects.select_related("org"), pk=person_id)
    value = services.person_reveal(
        actor=request.auth, person=person, field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}

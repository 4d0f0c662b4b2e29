"""The 新河市 org tree for the demo: the city committee, district and street committees, a park, the
three industry committees (交通运输, 快递外卖, 网络名人) with platform enterprise committees, the 10
new mobile branches of couriers and riders, the streamer branches, several years of lifecycle events,
office holders, and one demo login per role. All names are invented."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sanxin.core.models import Industry, Region
from sanxin.demo.builtin import ensure_user, person_name
from sanxin.demo.registry import DemoContext, register_login, step

from . import services
from .models import LocatedAt, Org, OrgType, Person, Post, PostTitle, SettingMode

D = dt.date
CITY = "390100000000"
INDUSTRIES = [("transport", "交通运输", 1), ("express", "快递外卖", 2), ("influencer", "网络名人", 3)]

# (username, role label) for the README and `sanxin serve`
LOGINS = [
    ("zzb", "市委组织部（组织部门：全市）"),
    ("anquan", "市委组织部安全管理员（查看敏感信息原文须留痕）"),
    ("jiaotong", "交通运输行业党委"),
    ("kuaidi", "快递外卖行业党委"),
    ("wanghong", "网络名人行业党委"),
    ("chengguan", "城关街道党工委（街道兜底：辖区内所有组织）"),
    ("jisuda", "急速达平台企业党委"),
    ("shuji", "蜂行快送城关站流动党员党支部书记"),
    ("zhidao", "党建指导员（河东区，包联组织清单）"),
    ("dangyuan", "党员（外卖骑手）"),
    ("lianluo", "党员联络员（蜂行快送城关站）"),
    ("qiye", "党建联络员（新河云仓供应链有限公司）"),
    ("renshe", "主管部门：市人力资源和社会保障局"),
]
for _u, _r in LOGINS:
    register_login(_u, _r)


def _street(district: str, n: int) -> str:
    return f"{district[:6]}{n:03d}000"


def _community(district: str, street: int, n: int) -> str:
    return f"{district[:6]}{street:03d}{n:03d}"


class Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = random.Random(20261124)
        self.by_key: dict[str, Org] = {}

    def org(self, key, parent_key, name, org_type, region, founded, **kw) -> Org:
        existing = Org.objects.filter(name=name).first() if key not in self.by_key else self.by_key[key]
        if existing is not None:
            self.by_key[key] = existing
            return existing
        parent = self.by_key[parent_key] if parent_key else None
        org = services.org_create(
            actor=None,
            parent=parent,
            name=name,
            org_type=org_type,
            region=Region.objects.get(code=region),
            founded_on=founded,
            **kw,
        )
        self.by_key[key] = org
        return org

    def ref(self, key) -> Org:
        self.by_key[key] = Org.objects.get(pk=self.by_key[key].pk)
        return self.by_key[key]

    def secretary(self, key, start: D, name: str | None = None, user=None) -> Person:
        org = self.ref(key)
        current = Post.objects.filter(org=org, title=PostTitle.SECRETARY, end_on__isnull=True).first()
        if current is not None:
            return current.person
        person, _ = services.person_create(actor=None, name=name or person_name(self.rng), org=org, user=user)
        services.post_assign(actor=None, org=org, person=person, title=PostTitle.SECRETARY, start_on=start)
        return person


@step(order=30, name="orgs")
def build_orgs(ctx: DemoContext) -> None:
    for code, name, order in INDUSTRIES:
        Industry.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    if Org.objects.exists():
        ctx.progress("组织体系：已存在，跳过")
        return
    b = Builder(ctx)
    C, W, CO, IND = (
        OrgType.PARTY_COMMITTEE,
        OrgType.WORKING_COMMITTEE,
        OrgType.COMPREHENSIVE_COMMITTEE,
        OrgType.INDUSTRY_COMMITTEE,
    )
    BR, MB, JB, GR = OrgType.BRANCH, OrgType.MOBILE_BRANCH, OrgType.JOINT_BRANCH, OrgType.GROUP

    b.org("city", None, "中共新河市委员会", C, CITY, D(1950, 10, 1))
    services.org_renew(
        actor=None, org=b.ref("city"), on=D(2021, 11, 20), term_years=5
    )  # due: 2026-11-20 → overdue

    districts = [
        ("xc", "390102000000", "新城区"),
        ("hd", "390103000000", "河东区"),
        ("hx", "390104000000", "河西区"),
        ("gw", "390105000000", "港湾区"),
        ("qs", "390121000000", "清水县"),
    ]
    streets = {
        "xc": ["城关街道", "解放路街道", "新华街道", "文昌街道"],
        "hd": ["河东街道", "滨江街道", "物流园街道", "东湖街道"],
        "hx": ["河西街道", "科创街道", "丰收街道", "望江街道"],
        "gw": ["港湾街道", "临港街道", "海韵街道"],
        "qs": ["清水镇", "白沙镇", "桃源乡"],
    }
    for key, code, name in districts:
        b.org(
            key,
            "city",
            f"中共新河市{name}委员会" if key != "qs" else "中共清水县委员会",
            C,
            code,
            D(1984, 3, 1),
        )
        for i, sname in enumerate(streets[key], start=1):
            skey = f"{key}-s{i}"
            b.org(skey, key, f"中共{sname}工作委员会", W, _street(code, i), D(2001, 7, 1))
            b.org(
                f"{skey}-c1",
                skey,
                f"{sname.removesuffix('街道').removesuffix('镇').removesuffix('乡')}一社区党委",
                C,
                _community(code, i, 1),
                D(2003, 5, 1),
            )

    # Park: 园区党工委 → 综合党委 → 党建工作指导站 → 企业党组织
    b.org(
        "park",
        "city",
        "中共新河经济开发区工作委员会",
        W,
        "390104002000",
        D(2008, 9, 1),
        setting_mode=SettingMode.PARK,
    )
    b.org(
        "park-co",
        "park",
        "开发区非公有制企业综合党委",
        CO,
        "390104002000",
        D(2012, 4, 1),
        setting_mode=SettingMode.PARK,
    )
    b.org(
        "park-st",
        "park-co",
        "电商产业园党建工作指导站",
        OrgType.GUIDANCE_STATION,
        "390104002001",
        D(2016, 6, 1),
        setting_mode=SettingMode.PARK,
    )
    for i, ent in enumerate(["云仓供应链", "河西智造", "青禾电商"], start=1):
        b.org(
            f"park-e{i}",
            "park-st",
            f"新河{ent}有限公司党支部",
            BR,
            "390104002001",
            D(2017 + i, 3, 1),
            setting_mode=SettingMode.STANDALONE,
            located_at=LocatedAt.ENTERPRISE,
        )

    # 交通运输行业党委: ride-hailing demo stations' branches, truck drivers on freight lines.
    b.org(
        "jt",
        "city",
        "中共新河市交通运输行业委员会",
        IND,
        CITY,
        D(2019, 6, 1),
        industry="transport",
        setting_mode=SettingMode.INDUSTRY,
    )
    b.org(
        "jt-ch",
        "jt",
        "畅行出行新河分公司党支部",
        BR,
        "390102002000",
        D(2019, 9, 1),
        industry="transport",
        setting_mode=SettingMode.PLATFORM,
        located_at=LocatedAt.PLATFORM,
    )
    b.org(
        "jt-wy",
        "jt",
        "网约车司机流动党员党支部",
        MB,
        "390103001000",
        D(2020, 5, 1),
        industry="transport",
        setting_mode=SettingMode.INDUSTRY,
        located_at=LocatedAt.TERRITORY,
    )
    b.org(
        "jt-hy1",
        "jt",
        "新河—临港货运线联合党支部",
        JB,
        "390105002000",
        D(2020, 10, 1),
        industry="transport",
        setting_mode=SettingMode.CHAIN,
        located_at=LocatedAt.FREIGHT_LINE,
    )
    b.org(
        "jt-hy2",
        "jt",
        "物流园货车司机党支部",
        BR,
        "390103003000",
        D(2021, 4, 1),
        industry="transport",
        setting_mode=SettingMode.REGIONAL,
        located_at=LocatedAt.FREIGHT_LINE,
    )
    b.org("jt-hy2-g1", "jt-hy2", "冷链运输党小组", GR, "390103003000", D(2021, 6, 1), industry="transport")

    # 快递外卖行业党委 with two platform enterprise committees and the 10 new mobile branches.
    b.org(
        "kd",
        "city",
        "中共新河市快递外卖行业委员会",
        IND,
        CITY,
        D(2020, 7, 1),
        industry="express",
        setting_mode=SettingMode.INDUSTRY,
    )
    b.org(
        "jsd",
        "kd",
        "中共急速达（新河）网络科技有限公司委员会",
        C,
        "390102003000",
        D(2020, 12, 1),
        industry="express",
        setting_mode=SettingMode.PLATFORM,
        located_at=LocatedAt.PLATFORM,
    )
    b.org(
        "fx",
        "kd",
        "中共蜂行快送新河区域公司委员会",
        C,
        "390103002000",
        D(2021, 3, 1),
        industry="express",
        setting_mode=SettingMode.PLATFORM,
        located_at=LocatedAt.PLATFORM,
    )
    mobile = [  # (key, parent, name, street region, founded)
        ("m1", "fx", "蜂行快送城关站流动党员党支部", _street("390102000000", 1), D(2021, 5, 1)),
        ("m2", "fx", "蜂行快送滨江站流动党员党支部", _street("390103000000", 2), D(2021, 5, 1)),
        ("m3", "fx", "蜂行快送科创站流动党员党支部", _street("390104000000", 2), D(2022, 3, 1)),
        ("m4", "jsd", "急速达解放路站骑手流动党员党支部", _street("390102000000", 2), D(2021, 7, 1)),
        ("m5", "jsd", "急速达港湾站骑手流动党员党支部", _street("390105000000", 1), D(2022, 6, 1)),
        ("m6", "jsd", "急速达东湖站骑手流动党员党支部", _street("390103000000", 4), D(2023, 4, 1)),
        ("m7", "kd", "城关片区快递员联合流动党员党支部", _street("390102000000", 1), D(2021, 9, 1)),
        ("m8", "kd", "河西片区快递员联合流动党员党支部", _street("390104000000", 1), D(2022, 1, 1)),
        ("m9", "kd", "临港分拣中心流动党员党支部", _street("390105000000", 2), D(2024, 3, 1)),
        ("m10", "kd", "清水县城快递外卖流动党员党支部", _street("390121000000", 1), D(2024, 8, 1)),
    ]
    for key, parent, name, region, founded in mobile:
        b.org(
            key,
            parent,
            name,
            MB,
            region,
            founded,
            industry="express",
            setting_mode=SettingMode.PLATFORM if parent != "kd" else SettingMode.INDUSTRY,
            located_at=LocatedAt.TERRITORY,
        )
    b.org(
        "m1-g1",
        "m1",
        "城关站午班骑手党小组",
        GR,
        _street("390102000000", 1),
        D(2022, 2, 1),
        industry="express",
    )
    b.org(
        "m1-g2",
        "m1",
        "城关站晚班骑手党小组",
        GR,
        _street("390102000000", 1),
        D(2022, 2, 1),
        industry="express",
    )

    # 网络名人行业党委: streamer branches and activity bases.
    b.org(
        "wl",
        "city",
        "中共新河市网络名人行业委员会",
        IND,
        CITY,
        D(2021, 5, 1),
        industry="influencer",
        setting_mode=SettingMode.INDUSTRY,
    )
    bases = [
        ("wl-b1", "河西直播产业园", "390104002000"),
        ("wl-b2", "港湾跨境电商直播基地", "390105001000"),
        ("wl-b3", "新城网络文学创作基地", "390102004000"),
    ]
    for key, name, region in bases:
        b.org(
            key,
            "wl",
            f"{name}综合党委",
            CO,
            region,
            D(2022, 5, 1),
            industry="influencer",
            setting_mode=SettingMode.PARK,
        )
    streamer = ["第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十"]
    for i, n in enumerate(streamer, start=1):
        base_key, base_name, region = bases[(i - 1) % 3]
        b.org(
            f"zb{i}",
            base_key,
            f"{base_name}主播{n}党支部",
            OrgType.ONLINE if i in (3, 7) else BR,
            region,
            D(2022, 6, 1) if i <= 4 else D(2024, 5, 1) + dt.timedelta(days=20 * i),
            industry="influencer",
            setting_mode=SettingMode.PARK,
            located_at=LocatedAt.ONLINE if i in (3, 7) else LocatedAt.ENTERPRISE,
        )

    # History over several years.
    b.org(
        "tmp",
        "kd",
        "新河春运快递保障临时党支部",
        OrgType.TEMPORARY_BRANCH,
        CITY,
        D(2023, 1, 5),
        industry="express",
        setting_mode=SettingMode.INDUSTRY,
    )
    services.org_dissolve(
        actor=None,
        org=b.ref("tmp"),
        on=D(2023, 3, 10),
        document_no="新快党〔2023〕5号",
        note="春运保障任务完成",
    )
    b.org("old-wy", "hd", "河东区网约车司机党支部", BR, "390103001000", D(2018, 6, 1), industry="transport")
    services.org_merge(
        actor=None,
        sources=[b.ref("old-wy")],
        target=b.ref("jt-wy"),
        on=D(2024, 1, 15),
        document_no="新交党〔2024〕2号",
        note="行业统建，合并至行业流动党员党支部",
    )
    b.org("jt-dj", "hd", "河东区代驾司机党支部", BR, "390103002000", D(2021, 8, 1), industry="transport")
    services.org_move(
        actor=None,
        org=b.ref("jt-dj"),
        new_parent=b.ref("jt"),
        on=D(2022, 9, 1),
        document_no="新组〔2022〕31号",
        note="管行业必须管党建，隶属关系调整至交通运输行业党委",
    )
    services.org_rename(
        actor=None,
        org=b.ref("jsd"),
        name="中共急速达（新河）科技有限公司委员会",
        on=D(2025, 3, 1),
        document_no="新快党〔2025〕9号",
        note="企业更名",
    )
    services.org_rename(actor=None, org=b.ref("m7"), name="城关片区快递员联合党支部", on=D(2022, 3, 1))
    services.org_rename(
        actor=None, org=b.ref("m7"), name="城关片区快递员联合流动党员党支部", on=D(2024, 6, 1)
    )
    b.org("wl-old", "wl", "新河网络主播联合党支部", JB, "390104002000", D(2021, 8, 1), industry="influencer")
    services.org_split(
        actor=None,
        org=b.ref("wl-old"),
        on=D(2023, 12, 20),
        document_no="新网党〔2023〕12号",
        parts=[{"name": "新河电商主播联合党支部"}, {"name": "新河知识主播联合党支部"}],
    )
    # Terms: most renewed on time; a few due or overdue for the alert card.
    services.org_renew(actor=None, org=b.ref("jt"), on=D(2024, 6, 1), document_no="新交党〔2024〕11号")
    services.org_renew(actor=None, org=b.ref("kd"), on=D(2025, 7, 1), document_no="新快党〔2025〕15号")
    services.org_renew(actor=None, org=b.ref("wl"), on=D(2026, 4, 28), document_no="新网党〔2026〕3号")
    services.org_renew(actor=None, org=b.ref("m1"), on=D(2024, 5, 1))  # ends 2027-05-01
    services.org_renew(actor=None, org=b.ref("m2"), on=D(2024, 1, 10))  # ends 2027-01-10: due within 90 days
    # m4 (2021-07-01, 3 years) was never renewed: overdue since 2024-07-01. Every other org renewed on
    # time: its latest renewal falls on the last term boundary before today.
    today = timezone.localdate()
    for org in Org.objects.filter(status="active", term_ends_on__lt=today).exclude(
        pk__in=[b.ref("m4").pk, b.ref("city").pk]
    ):
        on = org.term_ends_on
        while services._add_years(on, org.term_years) <= today:
            on = services._add_years(on, org.term_years)
        services.org_renew(actor=None, org=org, on=on)

    # Office holders.
    for key in [
        "city",
        "jt",
        "kd",
        "wl",
        "jsd",
        "fx",
        "park",
        "park-co",
        "xc-s1",
        "hd-s1",
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
        "jt-wy",
        "jt-hy1",
        "zb1",
        "zb2",
    ]:
        b.secretary(key, max(b.ref(key).founded_on, D(2023, 1, 1)))

    _logins(b)
    ctx.progress(f"组织体系：{Org.objects.count()} 个组织，{Post.objects.count()} 个职务")


def _logins(b: Builder) -> None:
    """One login per role, each with grants that show an anchor kind: an org subtree, a region, an
    industry or an assignment list."""
    from sanxin.accounts.services import grant_create

    def org(key):
        return {"org": b.ref(key)}

    def region(code):
        return {"region": Region.objects.get(code=code)}

    def industry(code):
        return {"industry": Industry.objects.get(code=code)}

    def orgs(*keys):
        return {"assignment_kind": "orgs", "object_ids": [b.ref(k).pk for k in keys]}

    street = _street("390102000000", 1)
    logins = [  # (username, display name, role, [anchor, ...])
        ("zzb", "市委组织部·王敏", "org_department", [region(CITY) | {"note": "全市"}, org("city")]),
        ("anquan", "组织部安全管理员·陈静", "security_admin", [region(CITY)]),
        ("jiaotong", "交通运输行业党委·刘强", "industry_committee", [org("jt"), industry("transport")]),
        ("kuaidi", "快递外卖行业党委·赵敏", "industry_committee", [org("kd"), industry("express")]),
        ("wanghong", "网络名人行业党委·孙洋", "industry_committee", [org("wl"), industry("influencer")]),
        ("chengguan", "城关街道党工委·周丽", "street", [org("xc-s1"), region(street)]),
        ("jisuda", "急速达平台企业党委·吴涛", "platform_committee", [org("jsd")]),
        ("shuji", "蜂行快送城关站支部书记·郭鹏", "branch_secretary", [org("m1")]),
        ("zhidao", "党建指导员·马超", "instructor", [region("390103000000"), orgs("m3", "park-e1")]),
        ("dangyuan", "外卖骑手·李晨阳", "member", [org("m1")]),
        ("lianluo", "党员联络员·黄霞", "member_liaison", [org("m1")]),
        ("qiye", "企业党建联络员·林涛", "party_liaison", [orgs("park-e1")]),
        ("renshe", "市人社局·何平", "department", [region(CITY)]),
    ]
    for username, display_name, role, anchors in logins:
        user, created = ensure_user(username, display_name=display_name)
        if not created and user.grants.exists():
            continue
        for anchor in anchors:
            grant_create(actor=None, user=user, role=role, **anchor)
        if username == "shuji":  # the branch's secretary is this login's person
            person = Post.objects.get(org=b.ref("m1"), title=PostTitle.SECRETARY, end_on__isnull=True).person
            person.user, person.name = user, "郭鹏"
            person.save(update_fields=["user", "name"])
        elif username == "dangyuan":
            services.person_create(actor=None, name="李晨阳", org=b.ref("m1"), user=user)

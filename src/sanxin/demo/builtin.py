"""Demo steps of the core: the regions of 新河市 (fictional) and the first logins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from sanxin.core import notify
from sanxin.core.models import Region

from .registry import DemoContext, register_login, step

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅鹏飞宇浩然晨阳"


def person_name(rng) -> str:
    """An invented Chinese name (every demo person's)."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


DEMO_PASSWORD = "sanxin2026"  # noqa: S105  (documented demo password, printed by `make run`)

PROVINCE = ("390000000000", "东江省")
CITY = ("390100000000", "新河市")
DISTRICTS = [
    ("390102000000", "新城区", ["城关街道", "解放路街道", "新华街道", "文昌街道"]),
    ("390103000000", "河东区", ["河东街道", "滨江街道", "物流园街道", "东湖街道"]),
    ("390104000000", "河西区", ["河西街道", "科创街道", "丰收街道", "望江街道"]),
    ("390105000000", "港湾区", ["港湾街道", "临港街道", "海韵街道"]),
    ("390121000000", "清水县", ["清水镇", "白沙镇", "桃源乡"]),
]
COMMUNITIES = ["一社区", "二社区", "三社区"]


def region_rows() -> list[tuple[str, str, int, str | None]]:
    rows = [(PROVINCE[0], PROVINCE[1], 1, None), (CITY[0], CITY[1], 2, PROVINCE[0])]
    for dcode, dname, streets in DISTRICTS:
        rows.append((dcode, dname, 3, CITY[0]))
        for i, sname in enumerate(streets, start=1):
            scode = dcode[:6] + f"{i:03d}" + "000"
            rows.append((scode, sname, 4, dcode))
            prefix = sname.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            for j, cname in enumerate(COMMUNITIES, start=1):
                rows.append((scode[:9] + f"{j:03d}", prefix + cname, 5, scode))
    return rows


@step(order=10, name="regions")
def build_regions(ctx: DemoContext) -> None:
    existing = set(Region.objects.values_list("code", flat=True))
    new = [
        Region(code=c, name=n, level=lvl, parent_id=p) for c, n, lvl, p in region_rows() if c not in existing
    ]
    Region.objects.bulk_create(new)
    ctx.progress(f"行政区划：新增 {len(new)} 个，共 {Region.objects.count()} 个")


def ensure_user(username: str, *, display_name: str, superuser: bool = False, perms: tuple[str, ...] = ()):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = superuser
        user.is_staff = superuser
        user.save()
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user, created


register_login("admin", "系统管理员（超级用户）")


@step(order=20, name="users")
def build_users(ctx: DemoContext) -> None:
    admin, _ = ensure_user("admin", display_name="系统管理员", superuser=True)
    for user in (admin,):
        notify.notify(
            recipient=user,
            kind="system",
            title="欢迎使用三新党建智慧平台",
            body="这是新河市演示环境，所有人名、单位均为虚构。",
            key="demo:welcome",
        )

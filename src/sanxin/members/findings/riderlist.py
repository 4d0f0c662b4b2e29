"""The demo's platform rider list for 双找双核: 蜂行快送's riders in 新河市, as a platform would hand
them over (姓名, 身份证号, 手机号, 政治面貌, 岗位, 站点). Everything is invented and generated from a
fixed seed, so the committed workbook is reproducible byte for byte::

    python -m sanxin.members.findings.riderlist      # rewrites src/sanxin/demo/data/<FILE_NAME>

The people the demo must know for the list to match are in ``KNOWN`` (the demo step creates them
through the services): riders who are members the registry does not know (口袋党员 candidates, one
listed with a phone number only), members whose riding is not recorded, and riders listed as 群众.
Every other row matches no one and is discarded at import; two rows are malformed (a wrong check
digit, a ten-digit phone) so the import's error report has something to show, masked.

This module imports nothing from Django: the generator runs without settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from stdnum.cn import ric

SEED = 20261130
FILE_NAME = "fengxing-riders-2026-11.xlsx"
PLATFORM_NAME = "蜂行快送新河区域有限公司"
HEADERS = ["序号", "骑手姓名", "身份证号", "手机号", "政治面貌", "岗位", "所属站点"]
STATIONS = ["城关站", "滨江站", "科创站", "解放路站", "文昌站", "东湖站"]
UNMATCHED = 290
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞鑫宇浩然子轩梓涵一诺欣怡博文思远晨阳雨泽俊熙嘉豪志强海峰晓东春燕秋月冬梅"


@dataclasses.dataclass(frozen=True)
class Listed:
    name: str
    resident_id: str
    phone: str
    political: str
    station: str
    role: str  # "pocket", "unrecorded", "plain", "unmatched", "bad"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _resident_id(rng: random.Random, area: str) -> str:
    born = dt.date(rng.randint(1975, 2003), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _phone(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + f"{rng.randrange(10**9):09d}"


def people() -> list[Listed]:
    """Every row of the list, in file order."""
    rng = random.Random(SEED)
    rows: list[Listed] = []

    def add(role: str, political: str, *, area: str = "390102", with_id: bool = True) -> None:
        rows.append(
            Listed(
                name=_name(rng),
                resident_id=_resident_id(rng, area) if with_id else "",
                phone=_phone(rng),
                political=political,
                station=rng.choice(STATIONS),
                role=role,
            )
        )

    for political in ["中共党员", "中共党员", "中共预备党员", "中共党员", "中共党员"]:
        add("pocket", political)
    add("pocket", "中共党员", with_id=False)  # matched by name and phone
    for _ in range(4):
        add("unrecorded", "中共党员", area="390103")
    for _ in range(10):
        add("plain", "群众", area="390104")
    for i in range(UNMATCHED):
        add("unmatched", "中共党员" if i % 9 == 0 else ("共青团员" if i % 7 == 0 else "群众"), area="390105")
    add("bad", "群众", area="390105")
    add("bad", "群众", area="390105")
    good_id = rows[-2].resident_id
    wrong = "0" if good_id[-1] != "0" else "1"
    rows[-2] = dataclasses.replace(rows[-2], resident_id=good_id[:-1] + wrong)  # wrong check digit
    rows[-1] = dataclasses.replace(rows[-1], phone=rows[-1].phone[:10])  # ten digits
    rng.shuffle(rows)
    return rows


def known() -> list[Listed]:
    """The rows the demo's registry must hold someone for."""
    return [r for r in people() if r.role in {"pocket", "unrecorded", "plain"}]


def path() -> Path:
    return Path(__file__).resolve().parents[2] / "demo" / "data" / FILE_NAME


def write(target: Path | None = None) -> Path:
    import xlsxwriter

    target = target or path()
    workbook = xlsxwriter.Workbook(str(target))
    # A fixed creation date: it is also every zip entry's timestamp, so the file is reproducible.
    workbook.set_properties({"title": "蜂行快送骑手名单", "created": dt.datetime(2026, 11, 30, 9, 0, 0)})
    sheet = workbook.add_worksheet("骑手名单")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    for i, r in enumerate(people(), start=1):
        sheet.write_row(i, 0, [i, r.name, r.resident_id, r.phone, r.political, "专送骑手", r.station])
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 3, 20)
    workbook.close()
    return target


if __name__ == "__main__":
    print(write())

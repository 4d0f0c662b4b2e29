"""The core's own importer: region codes (区划代码, 名称), e.g. to add the streets and communities of a
new county from the statistics bureau's table (统计用区划代码). Imported from ``CoreConfig.ready``."""

from __future__ import annotations

from ..regions import level_of, normalize, region_upsert
from .importer import Column, Importer, RowError, register


@register
class RegionImporter(Importer):
    key = "regions"
    label = "行政区划"
    module, action = "system", "change"
    natural_key = ("code",)
    columns = [
        Column(
            "code",
            "区划代码",
            aliases=("代码", "行政区划代码", "统计用区划代码", "区划编码", "编码", "区划号"),
            required=True,
            help="12位数字，或2、4、6、9位的简写",
        ),
        Column(
            "name", "名称", aliases=("区划名称", "行政区划名称", "单位名称", "地名", "名字"), required=True
        ),
    ]

    def validate_row(self, values):
        code = normalize(values.get("code", "").strip())
        if not code.isdigit() or len(code) != 12:
            raise RowError("code", "区划代码应为12位数字（或2、4、6、9位的简写）")
        level_of(code)
        name = " ".join(values.get("name", "").split())
        if len(name) > 100:
            raise RowError("name", "名称不能超过100个字")
        return {"code": code, "name": name}

    def apply_row(self, cleaned, actor):
        # region_upsert validates the rest (the parent must exist) with Chinese messages.
        _, status = region_upsert(actor=actor, code=cleaned["code"], name=cleaned["name"])
        return status

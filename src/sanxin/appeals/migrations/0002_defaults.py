"""The 14 categories of DOMAIN §8 (each naming who delivers it and its default department kind) and
the default deadlines after the 12345 practice: respond within 24 hours; urgent appeals resolved the
same day; 求助/咨询 within 3 working days; 投诉/建议 within 13."""

from django.db import migrations

CATEGORIES = [
    # code, name, delivered by, department kind, sensitive, hardship
    ("wages", "欠薪/劳动报酬", "人社部门劳动保障监察机构，工会法律服务站协助", "hrss", False, False),
    ("contract", "劳动合同", "人社部门劳动关系机构、劳动人事争议仲裁院", "hrss", False, False),
    ("insurance", "社会保险", "人社部门社会保险经办机构、医保部门", "hrss", False, False),
    ("injury", "工伤/交通事故", "人社部门工伤认定机构、公安交管部门", "hrss", True, True),
    ("dispatch", "算法与派单规则", "平台企业党委诉求处理小组，交通运输、邮政管理、市场监管部门", "market", False, False),
    ("rest", "休息与就餐", "暖蜂驿站、工会服务阵地", "union", False, False),
    ("schooling", "子女入学", "教育部门", "education", False, False),
    ("housing", "住房/小哥公寓", "住房和城乡建设部门", "housing", False, False),
    ("medical", "医疗救助", "医疗保障部门、卫生健康部门、民政部门", "medical_insurance", True, True),
    ("legal", "法律援助", "司法行政部门法律援助中心、律师行业专业委员会", "justice", False, False),
    ("training", "技能培训", "人社部门职业能力建设机构、工会", "hrss", False, False),
    ("care", "心理关怀", "工会心理服务站、卫生健康部门心理援助热线", "union", True, False),
    ("traffic", "车辆与通行", "公安交管部门、交通运输部门", "police", False, False),
    ("other", "其他", "新就业群体服务中心", "service_centre", False, False),
]
DEADLINES = [
    # kind, urgent, respond hours, resolve working days (0 = the same day)
    ("", False, 24, 3),
    ("", True, 24, 0),
    ("help", False, 24, 3),
    ("consult", False, 24, 3),
    ("complaint", False, 24, 13),
    ("suggestion", False, 24, 13),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    DeadlineRule = apps.get_model("appeals", "DeadlineRule")
    for order, (code, name, by, kind, sensitive, hardship) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "delivered_by": by,
                "department_kind": kind,
                "sensitive": sensitive,
                "hardship": hardship,
            },
        )
    for kind, urgent, hours, days in DEADLINES:
        DeadlineRule.objects.update_or_create(
            kind=kind, category=None, urgent=urgent, defaults={"respond_hours": hours, "resolve_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

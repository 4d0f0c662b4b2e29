from __future__ import annotations

from django import forms

from sanxin.core.models import Industry, Region

from .models import Category, ContactRole, CoverageKind, Kind, Size, VisitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}


class FilterForm(forms.Form):
    on = forms.DateField(label="日期", required=False, widget=DATE, error_messages=DATE_ERRORS)
    q = forms.CharField(label="名称/信用代码", required=False, max_length=50)
    industry = forms.ModelChoiceField(
        label="行业", queryset=Industry.objects.all(), required=False, to_field_name="code"
    )
    kind = forms.ChoiceField(label="组织形态", choices=[("", "全部"), *Kind.choices], required=False)
    gap = forms.ChoiceField(
        label="覆盖情况",
        required=False,
        choices=[
            ("", "全部"),
            ("blank", "空白点（两个覆盖都没有）"),
            ("weak", "薄弱点（仅工作覆盖）"),
            ("covered", "已组织覆盖"),
            ("possibly_closed", "疑似已关闭（待核实）"),
        ],
    )
    flag = forms.ChoiceField(
        label="重点类别",
        required=False,
        choices=[
            ("", "全部"),
            ("above_scale", "规上企业"),
            ("leading", "龙头企业"),
            ("internet_platform", "互联网平台企业"),
            ("specialized", "专精特新"),
        ],
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=200,
        min_length=2,
        error_messages={"required": "请填写名称", "min_length": "名称至少2个字"},
    )
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    category = forms.ChoiceField(label="类别", choices=Category.choices, initial=Category.ECONOMIC)
    kind = forms.ChoiceField(label="组织形态", choices=Kind.choices, initial=Kind.ENTERPRISE)
    region = forms.ModelChoiceField(
        label="所在区划",
        queryset=Region.objects.filter(level__gte=3).order_by("code"),
        error_messages={"required": "请选择所在区划"},
    )
    industry = forms.ModelChoiceField(label="行业", queryset=Industry.objects.all(), required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)
    size = forms.ChoiceField(label="规模", choices=[("", "—"), *Size.choices], required=False)
    employees = forms.IntegerField(
        label="从业人员数",
        min_value=0,
        initial=0,
        error_messages={"min_value": "不能为负数", "invalid": "请输入整数"},
    )
    new_employment_workers = forms.IntegerField(
        label="新就业群体人数",
        min_value=0,
        initial=0,
        error_messages={"min_value": "不能为负数", "invalid": "请输入整数"},
    )
    above_scale = forms.BooleanField(label="规上企业", required=False)
    leading = forms.BooleanField(label="龙头企业", required=False)
    internet_platform = forms.BooleanField(label="互联网平台企业", required=False)
    specialized = forms.BooleanField(label="专精特新", required=False)
    registered_on = forms.DateField(label="成立/登记日期", widget=DATE, error_messages=DATE_ERRORS)


class CoverageForm(forms.Form):
    party_org_code = forms.CharField(
        label="覆盖的党组织代码", max_length=20, error_messages={"required": "请填写党组织代码"}
    )
    kind = forms.ChoiceField(label="覆盖方式", choices=CoverageKind.choices)
    start_on = forms.DateField(label="开始日期", widget=DATE, error_messages=DATE_ERRORS)


class ContactForm(forms.Form):
    person_name = forms.CharField(label="人员姓名", max_length=50, error_messages={"required": "请填写姓名"})
    role = forms.ChoiceField(label="角色", choices=ContactRole.choices)
    start_on = forms.DateField(label="开始日期", widget=DATE, error_messages=DATE_ERRORS)


class VisitForm(forms.Form):
    date = forms.DateField(label="走访日期", widget=DATE, error_messages=DATE_ERRORS)
    kind = forms.ChoiceField(label="类型", choices=VisitKind.choices)
    content = forms.CharField(
        label="走访内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写走访内容"},
    )
    next_step = forms.CharField(label="下一步工作", widget=forms.Textarea(attrs={"rows": 2}), required=False)

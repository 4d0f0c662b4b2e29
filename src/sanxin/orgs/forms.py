from __future__ import annotations

from django import forms

from sanxin.core.models import Industry, Region

from .models import LocatedAt, OrgType, SettingMode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}


class OrgCreateForm(forms.Form):
    name = forms.CharField(
        label="组织名称",
        max_length=100,
        min_length=2,
        error_messages={"required": "请填写组织名称", "min_length": "组织名称至少2个字"},
    )
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    org_type = forms.ChoiceField(
        label="组织类别", choices=OrgType.choices, error_messages={"required": "请选择组织类别"}
    )
    setting_mode = forms.ChoiceField(
        label="组建方式", choices=[("", "—"), *SettingMode.choices], required=False
    )
    located_at = forms.ChoiceField(label="支部建在", choices=[("", "—"), *LocatedAt.choices], required=False)
    region = forms.ModelChoiceField(
        label="所在区划",
        queryset=Region.objects.filter(level__gte=3).order_by("code"),
        error_messages={"required": "请选择所在区划", "invalid_choice": "所在区划不存在"},
    )
    industry = forms.ModelChoiceField(label="所属行业", queryset=Industry.objects.all(), required=False)
    founded_on = forms.DateField(label="成立日期", widget=DATE, error_messages=DATE_ERRORS)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    document_no = forms.CharField(label="批复文号", max_length=100, required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OrgEditForm(forms.Form):
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    setting_mode = forms.ChoiceField(
        label="组建方式", choices=[("", "—"), *SettingMode.choices], required=False
    )
    located_at = forms.ChoiceField(label="支部建在", choices=[("", "—"), *LocatedAt.choices], required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    term_years = forms.IntegerField(
        label="每届任期（年）",
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": "任期应为1至5年",
            "max_value": "任期应为1至5年",
            "invalid": "请输入整数",
            "required": "请填写任期",
        },
    )


EVENT_CHOICES = [
    ("rename", "更名"),
    ("renew", "换届"),
    ("move", "调整隶属关系"),
    ("merge", "合并到其他组织"),
    ("split", "拆分"),
    ("dissolve", "撤销"),
]


class OrgEventForm(forms.Form):
    kind = forms.ChoiceField(label="事项", choices=EVENT_CHOICES)
    on = forms.DateField(label="日期", widget=DATE, error_messages=DATE_ERRORS)
    name = forms.CharField(label="新名称（更名）", max_length=100, required=False)
    term_years = forms.IntegerField(
        label="每届任期（换届）",
        min_value=1,
        max_value=5,
        required=False,
        error_messages={"min_value": "任期应为1至5年", "max_value": "任期应为1至5年"},
    )
    target_code = forms.CharField(
        label="新上级/并入组织的代码（调整隶属、合并）", max_length=20, required=False
    )
    parts = forms.CharField(
        label="拆分后的组织名称（每行一个）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    close_source = forms.BooleanField(label="拆分后撤销原组织", required=False, initial=True)
    document_no = forms.CharField(label="批复文号", max_length=100, required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "rename" and not data.get("name"):
            self.add_error("name", "更名请填写新名称")
        if kind in {"move", "merge"} and not data.get("target_code"):
            self.add_error("target_code", "请填写目标组织的代码")
        data["part_names"] = [n.strip() for n in (data.get("parts") or "").splitlines() if n.strip()]
        if kind == "split" and not data["part_names"]:
            self.add_error("parts", "请填写拆分后的组织名称")
        return data

"""Forms of the points pages; every message is Chinese and a failed POST keeps what was typed."""

from __future__ import annotations

from django import forms

from sanxin.core.forms import MultipleFileField, MultipleFileInput

from .models import Category

DATE = {"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}


class DeclareForm(forms.Form):
    item = forms.TypedChoiceField(
        label="积分项目",
        coerce=int,
        error_messages={"required": "请选择积分项目", "invalid_choice": "请选择积分项目"},
    )
    deed_on = forms.DateField(
        label="事项日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE
    )
    description = forms.CharField(
        label="事项经过",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明事项经过"},
    )
    record_ref = forms.CharField(label="系统记录编号（如有）", max_length=60, required=False)
    evidence = MultipleFileField(
        label="证明材料（照片或PDF）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "请选择")] + [
            (i.pk, f"{i.get_category_display()} · {i.name}（{i.points:+d}分，{i.get_evidence_display()}）")
            for i in items
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300, error_messages={"required": "请填写理由"})


class RankingForm(forms.Form):
    org = forms.TypedChoiceField(label="组织", coerce=int, required=False)
    period = forms.ChoiceField(
        label="周期", choices=[("month", "月度"), ("year", "年度")], initial="month", required=False
    )
    on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}), required=False, error_messages=DATE
    )
    by = forms.ChoiceField(label="排名对象", choices=[("member", "党员"), ("branch", "支部")], required=False)
    category = forms.ChoiceField(label="类别", choices=[("", "全部"), *Category.choices], required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]


class CodeForm(forms.Form):
    code = forms.CharField(label="兑换码", max_length=40, error_messages={"required": "请输入兑换码"})

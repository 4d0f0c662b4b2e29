"""Forms of the transfer pages. The rules are the services' (their refusals come back on the form)."""

from __future__ import annotations

from django import forms

from .models import Kind, State

DATE = forms.DateInput(attrs={"type": "date"})
KINDS = [("", "请选择"), *Kind.choices]


class FilterForm(forms.Form):
    q = forms.CharField(label="姓名或接收组织", required=False, max_length=50)
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *State.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Kind.choices])


class _Destination(forms.Form):
    kind = forms.ChoiceField(label="转接类型", choices=KINDS)
    to_org = forms.CharField(
        label="接收组织编码（平台内）", required=False, max_length=30, help_text="转出（平台内）、流入时必填"
    )
    to_name = forms.CharField(label="接收组织名称（平台外）或流出去向", required=False, max_length=200)
    to_code = forms.CharField(label="平台外接收组织代码", required=False, max_length=40)
    reason = forms.CharField(label="转接原因", max_length=200)


class ApplyForm(_Destination):
    """A secretary applies for one of the members in their scope."""

    member = forms.ChoiceField(label="党员")
    field_order = ["member", "kind", "to_org", "to_name", "to_code", "reason"]

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [
            ("", "请选择"),
            *[(str(m.pk), f"{m.person.name}（{m.person.org.name}）") for m in members],
        ]


class MyApplyForm(_Destination):
    action = forms.CharField(widget=forms.HiddenInput, initial="apply")


class ActionForm(forms.Form):
    """One form for every step of a transfer's page; ``action`` says which."""

    action = forms.ChoiceField(
        choices=[
            ("approve", "审批同意并开具介绍信"),
            ("reject", "不予批准"),
            ("escalation_approve", "上级审批同意"),
            ("escalation_reject", "上级不予批准"),
            ("accept", "接收"),
            ("return", "退回"),
            ("report", "登记报到"),
            ("cancel", "撤销"),
        ],
        widget=forms.HiddenInput,
    )
    on = forms.DateField(label="日期", required=False, widget=DATE)
    valid_days = forms.IntegerField(label="介绍信有效天数", required=False, min_value=1, max_value=365)
    reason = forms.CharField(label="原因", required=False, max_length=200)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("action") in {"reject", "escalation_reject", "return", "cancel"} and not data.get(
            "reason"
        ):
            self.add_error("reason", "请填写原因")
        return data


class OverdueForm(forms.Form):
    days = forms.IntegerField(label="超过工作日数", required=False, min_value=1, max_value=250)

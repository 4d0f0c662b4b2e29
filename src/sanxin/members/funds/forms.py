from __future__ import annotations

import datetime as dt

from django import forms

from .models import FundCategory, FundKind

DATE = forms.DateInput(attrs={"type": "date"})


def _month(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise forms.ValidationError("月份格式应为“年-月”，如 2026-10") from None


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *FundKind.choices])
    category = forms.ChoiceField(
        label="支出用途", required=False, choices=[("", "全部"), *FundCategory.choices]
    )
    date_from = forms.DateField(label="起", required=False, widget=DATE)
    date_to = forms.DateField(label="止", required=False, widget=DATE)
    year = forms.IntegerField(label="汇总年度", required=False, min_value=2000, max_value=2100)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "止日期不能早于起日期")
        return data


class OverviewForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别",
        choices=[
            (FundKind.SPENDING, "支出"),
            (FundKind.OTHER_INCOME, "其他收入"),
            (FundKind.ALLOCATION_IN, "党建工作经费（上级或财政拨入）"),
        ],
    )
    amount = forms.CharField(label="金额（元）", max_length=20)
    occurred_on = forms.DateField(label="日期", widget=DATE)
    category = forms.ChoiceField(
        label="支出用途", required=False, choices=[("", "—"), *FundCategory.choices], help_text="支出必填"
    )
    counterpart = forms.CharField(label="对方单位/个人", required=False, max_length=100)
    note = forms.CharField(label="摘要", required=False, max_length=200)
    receipt = forms.FileField(
        label="凭证", required=False, help_text="支出必传：发票或收据的照片、PDF，5 MB 以内"
    )


class AllocationForm(forms.Form):
    target = forms.ChoiceField(label="下拨给")
    amount = forms.CharField(label="金额（元）", max_length=20)
    occurred_on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="摘要", required=False, max_length=200)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "请选择下级党组织"), *[(str(o.pk), o.name) for o in targets]]


class DuesReturnForm(forms.Form):
    period_from = forms.CharField(label="所属期起（月）", max_length=7, help_text="如 2026-01")
    period_to = forms.CharField(label="所属期止（月）", max_length=7, help_text="如 2026-06")
    share = forms.CharField(label="返还比例", required=False, max_length=10, help_text="留空按系统配置")
    amount = forms.CharField(
        label="返还金额（元）", required=False, max_length=20, help_text="留空按比例计算"
    )
    occurred_on = forms.DateField(label="到账日期", widget=DATE)
    counterpart = forms.CharField(label="返还单位", required=False, max_length=100)
    note = forms.CharField(label="摘要", required=False, max_length=200)

    def clean_period_from(self):
        return _month(self.cleaned_data.get("period_from"))

    def clean_period_to(self):
        return _month(self.cleaned_data.get("period_to"))


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=200)
    occurred_on = forms.DateField(label="冲销日期", required=False, widget=DATE, help_text="默认今天")

from __future__ import annotations

from django import forms

from .models import CalendarDay


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos of a claim or an appeal); the services store them."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"is_workday": "当天上班（调休工作日）"}
        error_messages = {"date": {"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}}


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False, max_length=100)
    action = forms.CharField(label="操作", required=False, max_length=64)
    object_type = forms.CharField(label="对象类型", required=False, max_length=100)
    request_id = forms.CharField(label="请求ID", required=False, max_length=64)
    since = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )
    until = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )

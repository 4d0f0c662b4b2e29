"""Forms of the pipeline pages. Rules are the services' (their refusals come back on the form)."""

from __future__ import annotations

from django import forms

from .models import CaseStatus, Stage

DATE = forms.DateInput(attrs={"type": "date"})


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=50)
    org = forms.CharField(label="组织编码", required=False, max_length=30, help_text="含下级组织")
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("open", "培养中"), ("", "全部"), *CaseStatus.choices[1:]]
    )
    new_employment = forms.ChoiceField(
        label="新就业群体", required=False, choices=[("", "全部"), ("1", "是"), ("0", "否")]
    )
    due = forms.BooleanField(label="仅看可办理下一步的", required=False)


class CaseCreateForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    resident_id = forms.CharField(
        label="公民身份号码", max_length=18, help_text="用于核对年满18周岁；已登记的人员按此号码找到"
    )
    org = forms.ChoiceField(label="培养的党支部")
    applied_on = forms.DateField(label="递交入党申请日期", widget=DATE)
    document_number = forms.CharField(label="入党申请书编号", required=False, max_length=60)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *[(b.code, b.name) for b in branches]]


class StepForm(forms.Form):
    """The next step (stage fixed by the page), 公示, 延长预备期 or 终止: one form, ``action`` says which."""

    action = forms.ChoiceField(
        choices=[("advance", "下一步"), ("notice", "公示"), ("extend", "延长预备期"), ("end", "终止")],
        widget=forms.HiddenInput,
    )
    stage = forms.ChoiceField(choices=Stage.choices, required=False, widget=forms.HiddenInput)
    on = forms.DateField(label="日期", required=False, widget=DATE)
    decided_by = forms.CharField(label="决定机构", required=False, max_length=100)
    doc_name = forms.CharField(label="材料名称", required=False, max_length=100)
    doc_number = forms.CharField(label="材料编号", required=False, max_length=60)
    doc_date = forms.DateField(label="材料日期", required=False, widget=DATE)
    until = forms.DateField(label="延长后的预备期至", required=False, widget=DATE)
    window_days = forms.IntegerField(label="公示期（工作日）", required=False, min_value=1, max_value=30)
    reason = forms.CharField(label="原因", required=False, max_length=500)
    note = forms.CharField(label="说明", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if not data.get("on") and "on" not in self.errors:
            self.add_error("on", "请填写日期")
        return data


class QuotaForm(forms.Form):
    committee = forms.ChoiceField(label="党委")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    total = forms.IntegerField(label="发展名额", min_value=0, max_value=100000)
    reserved = forms.IntegerField(label="其中新就业群体预留", min_value=0, max_value=100000, initial=0)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "请选择"), *[(c.code, c.name) for c in committees]]

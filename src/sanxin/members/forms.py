from django import forms

from .models import Standing


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=50)
    org = forms.CharField(label="组织编码", required=False, max_length=30, help_text="含下级组织")
    standing = forms.ChoiceField(label="党员类别", required=False, choices=[("", "全部"), *Standing.choices])
    mobile = forms.ChoiceField(
        label="流动情况", required=False, choices=[("", "全部"), ("out", "外出"), ("in", "流入")]
    )
    arrears = forms.BooleanField(label="仅看欠交党费", required=False)

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


class LedgerForm(forms.Form):
    org = forms.CharField(label="党组织编码", required=False, max_length=30)
    month = forms.CharField(label="月份", required=False, max_length=7, help_text="如 2026-10")

    def clean_month(self):
        import datetime as dt

        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("月份格式应为“年-月”，如 2026-10") from None


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", required=False, max_length=20)

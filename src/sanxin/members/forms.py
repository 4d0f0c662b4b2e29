from django import forms

from sanxin.orgs.models import ETHNICITIES, Education, Gender

from .dues import Basis
from .models import DECIDED_ENDS, Channel, EndKind, MemberStatus, Standing, WorkKind


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=50, help_text="姓名或其开头几个字")
    org = forms.CharField(label="组织编码", required=False, max_length=30, help_text="含下级组织")
    standing = forms.ChoiceField(label="党员类别", required=False, choices=[("", "全部"), *Standing.choices])
    mobile = forms.ChoiceField(
        label="流动情况", required=False, choices=[("", "全部"), ("out", "外出"), ("in", "流入")]
    )
    work_kind = forms.ChoiceField(
        label="新就业形态", required=False, choices=[("", "全部"), *WorkKind.choices]
    )
    employer = forms.CharField(label="平台/用工单位", required=False, max_length=100)
    age_band = forms.ChoiceField(label="年龄段", required=False)
    status = forms.ChoiceField(
        label="党籍状态",
        required=False,
        choices=[("", "现有党员"), *MemberStatus.choices, ("all", "全部（含党籍已终止）")],
    )
    arrears = forms.BooleanField(label="仅看欠交党费", required=False)

    def __init__(self, *args, **kwargs):
        from .selectors import AGE_BANDS

        super().__init__(*args, **kwargs)
        self.fields["age_band"].choices = [("", "全部")] + [(k, v[0]) for k, v in AGE_BANDS.items()]


class StatusForm(forms.Form):
    """停止党籍 / 恢复党籍 / 党籍终止 of one member: which change is offered depends on the status."""

    ACTIONS = [
        ("suspend", "停止党籍"),
        ("restore", "恢复党籍"),
        *[(str(k), f"党籍终止：{k.label}") for k in DECIDED_ENDS],
    ]
    action = forms.ChoiceField(label="变更", choices=ACTIONS)
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.CharField(
        label="决定文号", max_length=60, required=False, help_text="上级党委批复的文号"
    )

    def __init__(self, *args, member, can_decide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        offered = {
            MemberStatus.ACTIVE: {"suspend", *DECIDED_ENDS},
            MemberStatus.SUSPENDED: {"restore", *DECIDED_ENDS},
        }.get(member.status, set())
        if not can_decide:  # the branch records a death; the committee above decides the rest
            offered &= {EndKind.DECEASED}
        self.fields["action"].choices = [(k, v) for k, v in self.ACTIONS if k in offered]


class LedgerForm(forms.Form):
    org = forms.CharField(label="党组织编码", required=False, max_length=30)
    month = forms.CharField(label="月份", required=False, max_length=7, help_text="如 2026-10")

    def clean_month(self):
        return (
            _month(self.cleaned_data.get("month")) if (self.cleaned_data.get("month") or "").strip() else None
        )


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", required=False, max_length=20)


def _org_choices(user):
    """The branches ``user`` may place members in."""
    from sanxin.core.scope import scope_for
    from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus

    qs = scope_for(user, "people", "change").filter(
        Org.objects.filter(org_type__in=BRANCH_TYPES, status=OrgStatus.ACTIVE)
    )
    return [("", "请选择")] + [(o.code, o.name) for o in qs.order_by("path")[:2000]]


class EnrolForm(forms.Form):
    """登记党员: the person and the membership in one form."""

    name = forms.CharField(label="姓名", max_length=50)
    resident_id = forms.CharField(label="公民身份号码", max_length=18, min_length=1)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "按身份证号码"), *list(Gender.choices)]
    )
    ethnicity = forms.ChoiceField(
        label="民族", required=False, choices=[("", "请选择")] + [(e, e) for e in ETHNICITIES]
    )
    education = forms.ChoiceField(
        label="学历", required=False, choices=[("", "请选择"), *list(Education.choices)]
    )
    household_place = forms.CharField(label="户籍所在地", max_length=200, required=False)
    org = forms.ChoiceField(label="所在党支部")
    standing = forms.ChoiceField(label="党员类别", choices=Standing.choices)
    joined_on = forms.DateField(label="入党日期", widget=forms.DateInput(attrs={"type": "date"}))
    converted_on = forms.DateField(
        label="转正日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="正式党员填写",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user)
        self.fields["resident_id"].widget.attrs["autocomplete"] = "off"

    PROFILE = ("name", "resident_id", "phone", "gender", "ethnicity", "education", "household_place")


class DeclarationForm(forms.Form):
    basis = forms.ChoiceField(label="党费计算方式", choices=Basis.choices)
    amount = forms.CharField(
        label="申报金额（元）",
        required=False,
        max_length=20,
        help_text="税后月收入、月养老金，或农民党员自定的0.2至1元",
    )
    month = forms.CharField(label="起始月份", max_length=7, help_text="如 2026-10")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean_month(self):
        return _month(self.cleaned_data.get("month"))


class PaymentForm(forms.Form):
    month_from = forms.CharField(label="起始月份", max_length=7, help_text="如 2026-10")
    month_to = forms.CharField(
        label="截止月份", max_length=7, required=False, help_text="补交或预交多个月时填写"
    )
    amount = forms.CharField(
        label="实交金额（元）", max_length=20, required=False, help_text="不填按应交金额"
    )
    channel = forms.ChoiceField(label="交纳方式", choices=Channel.choices)
    paid_on = forms.DateField(label="交纳日期", widget=forms.DateInput(attrs={"type": "date"}))
    receipt_no = forms.CharField(label="收据编号", max_length=40, required=False)

    def clean_month_from(self):
        return _month(self.cleaned_data.get("month_from"))

    def clean_month_to(self):
        text = (self.cleaned_data.get("month_to") or "").strip()
        return _month(text) if text else None


def _month(text):
    import datetime as dt

    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        raise forms.ValidationError("月份格式应为“年-月”，如 2026-10") from None


class BulkForm(forms.Form):
    ACTIONS = [("move", "调整组织关系"), ("mobile_out", "登记外出（流动党员）")]

    action = forms.ChoiceField(label="批量操作", choices=ACTIONS)
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    org = forms.ChoiceField(label="调入党支部", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
    destination = forms.CharField(label="外出去向", max_length=200, required=False)
    expected_return = forms.DateField(
        label="预计返回日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user)

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("org"):
            self.add_error("org", "请选择调入的党支部")
        if data.get("action") == "mobile_out" and not (data.get("destination") or "").strip():
            self.add_error("destination", "请填写外出去向")
        return data

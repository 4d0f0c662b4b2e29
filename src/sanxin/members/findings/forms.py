from django import forms

from sanxin.core.models import ImportJob, Industry, Region
from sanxin.registry.models import Organization

from ..models import Standing, WorkKind
from .models import FindingKind, FindingStatus


class UploadForm(forms.Form):
    platform = forms.ModelChoiceField(
        label="平台企业",
        required=False,
        queryset=Organization.objects.none(),
        empty_label="— 不是平台的名单 —",
        help_text="名单来自哪个平台（其区划、行业作为默认）",
        error_messages={"invalid_choice": "请选择平台企业"},
    )
    region = forms.ModelChoiceField(
        label="所在区划",
        required=False,
        queryset=Region.objects.filter(level__lte=Region.Level.STREET).order_by("code"),
        empty_label="— 同平台 —",
        error_messages={"invalid_choice": "请选择区划"},
    )
    industry = forms.ModelChoiceField(
        label="行业",
        required=False,
        queryset=Industry.objects.all(),
        empty_label="— 同平台 —",
        help_text="由该行业的行业党委或主管部门核实",
        error_messages={"invalid_choice": "请选择行业"},
    )
    work_kind = forms.ChoiceField(
        label="新就业形态",
        choices=WorkKind.choices,
        initial=WorkKind.RIDER,
        help_text="名单未写从业类型时采用",
    )
    file = forms.FileField(
        label="名单文件（.xlsx / .xls / .csv）",
        error_messages={
            "required": "请选择要导入的名单文件",
            "empty": "文件为空",
            "invalid": "请选择要导入的名单文件",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.VALID_ONLY,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择导入方式", "invalid_choice": "请选择导入方式"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Platform names are reference data (the list names its platform anyway).
        self.fields["platform"].queryset = Organization.objects.filter(
            internet_platform=True, parent__isnull=True
        ).order_by("name")


class FindingFilterForm(forms.Form):
    batch = forms.IntegerField(label="名单编号", required=False, min_value=1)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *FindingKind.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *FindingStatus.choices])


class CheckForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "属实"), ("reject", "否定")], error_messages={"required": "请选择核实结论"}
    )
    reason = forms.CharField(label="否定理由", required=False, max_length=200)
    branch = forms.CharField(label="登记到党支部（组织编码）", required=False, max_length=30)
    joined_on = forms.DateField(
        label="入党日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2024-03-01"},
    )
    standing = forms.ChoiceField(label="党员类别", required=False, choices=[("", "—"), *Standing.choices])
    converted_on = forms.DateField(
        label="转正日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2024-03-01"},
    )

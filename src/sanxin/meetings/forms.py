"""Forms of the organization-life pages; every message is Chinese and a failed POST keeps what was typed."""

from __future__ import annotations

import datetime as dt

from django import forms

from .models import Audience, Kind, Mode, Period, Quorum, VenueKind

DATE = {"required": "请选择日期", "invalid": "日期格式应为 YYYY-MM-DD"}
TIME = {"required": "请填写开始时间", "invalid": "时间格式应为 HH:MM"}


class ScheduleForm(forms.Form):
    org = forms.TypedChoiceField(
        label="召开组织",
        coerce=int,
        error_messages={"required": "请选择组织", "invalid_choice": "请选择组织"},
    )
    kind = forms.ChoiceField(
        label="会议类型", choices=Kind.choices, error_messages={"required": "请选择会议类型"}
    )
    topic = forms.CharField(label="主题", max_length=200, error_messages={"required": "请填写会议主题"})
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE)
    time = forms.TimeField(
        label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}), error_messages=TIME
    )
    minutes = forms.IntegerField(
        label="时长（分钟）",
        min_value=10,
        max_value=720,
        initial=90,
        error_messages={
            "required": "请填写时长",
            "min_value": "时长至少10分钟",
            "max_value": "时长不超过12小时",
        },
    )
    mode = forms.ChoiceField(label="形式", choices=Mode.choices, initial=Mode.OFFLINE)
    venue = forms.TypedChoiceField(label="场所", coerce=int, required=False, empty_value=None)
    place = forms.CharField(label="其他地点", max_length=200, required=False, help_text="未选场所时填写")
    online_url = forms.URLField(
        assume_scheme="https",
        label="线上会议链接",
        required=False,
        max_length=200,
        error_messages={"invalid": "请填写以 http(s):// 开头的链接"},
    )
    repeat = forms.ChoiceField(
        label="重复",
        required=False,
        choices=[("", "不重复"), ("monthly", "每月同一天"), ("weekly", "每周同一天")],
    )
    repeat_until = forms.DateField(
        label="重复至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE,
        help_text="不填则安排一年",
    )
    remind_hours = forms.IntegerField(
        label="提前提醒（小时）",
        min_value=0,
        max_value=336,
        initial=24,
        error_messages={"max_value": "最多提前14天"},
    )

    def __init__(self, *args, orgs=(), venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择")] + [(o.pk, o.name) for o in orgs]
        self.fields["venue"].choices = [("", "不选（线上或其他地点）")] + [
            (v.pk, f"{v.name}（{v.org.name}）") for v in venues
        ]
        self.fields["day"].initial = dt.date.today()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, error_messages={"required": "请填写原因"})


class LeaveDecisionForm(forms.Form):
    attendance = forms.IntegerField(widget=forms.HiddenInput)
    grant = forms.TypedChoiceField(choices=[("1", "准假"), ("0", "不准假")], coerce=lambda v: v == "1")
    note = forms.CharField(label="意见", max_length=200, required=False)


class MinutesForm(forms.Form):
    content = forms.CharField(
        label="会议记录",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50000,
        error_messages={"required": "请填写会议记录"},
    )
    decision_title = forms.CharField(label="表决事项", max_length=200, required=False)
    votes_for = forms.IntegerField(label="赞成", min_value=0, required=False)
    votes_against = forms.IntegerField(label="反对", min_value=0, required=False)
    abstentions = forms.IntegerField(label="弃权", min_value=0, required=False)
    attachment = forms.FileField(label="附件（PDF或图片）", required=False)

    def decisions(self) -> list[dict] | None:
        d = self.cleaned_data
        if not d.get("decision_title"):
            return None
        return [
            {
                "title": d["decision_title"],
                "votes_for": d.get("votes_for"),
                "votes_against": d.get("votes_against"),
                "abstentions": d.get("abstentions"),
            }
        ]


class AmendForm(forms.Form):
    text = forms.CharField(
        label="更正内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "请填写更正内容"},
    )
    reason = forms.CharField(label="更正原因", max_length=200, error_messages={"required": "请填写更正原因"})


class ReflectionForm(forms.Form):
    makeup = forms.IntegerField(widget=forms.HiddenInput)
    reflection = forms.CharField(
        label="学习体会",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "请填写学习体会"},
    )


class ComplianceForm(forms.Form):
    period = forms.ChoiceField(
        label="周期", choices=[("month", "月度"), ("quarter", "季度"), ("year", "年度")], required=False
    )
    on = forms.DateField(
        label="所在日期", required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE
    )
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    missed = forms.BooleanField(label="只看未落实的支部", required=False)


class VenueForm(forms.Form):
    org = forms.TypedChoiceField(
        label="管理组织",
        coerce=int,
        error_messages={"required": "请选择组织", "invalid_choice": "请选择组织"},
    )
    name = forms.CharField(label="名称", max_length=120, error_messages={"required": "请填写场所名称"})
    kind = forms.ChoiceField(label="类型", choices=VenueKind.choices)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(
        label="纬度", required=False, min_value=-90, max_value=90, error_messages={"invalid": "请填写数字"}
    )
    lng = forms.FloatField(
        label="经度", required=False, min_value=-180, max_value=180, error_messages={"invalid": "请填写数字"}
    )
    capacity = forms.IntegerField(
        label="容纳人数", required=False, min_value=1, error_messages={"min_value": "至少1人"}
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择")] + [(o.pk, o.name) for o in orgs]


class RuleForm(forms.Form):
    org_type = forms.ChoiceField(label="组织类别", required=False)
    kind = forms.ChoiceField(label="会议类型", choices=Kind.choices)
    period = forms.ChoiceField(label="周期", choices=Period.choices)
    min_count = forms.IntegerField(label="每周期至少召开次数", min_value=1, max_value=31, initial=1)
    audience = forms.ChoiceField(label="参加人员", choices=Audience.choices)
    quorum = forms.ChoiceField(label="到会要求", choices=Quorum.choices)
    start_on = forms.DateField(
        label="施行日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, org_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = [("", "所有党支部（默认）"), *org_types]


class RescheduleForm(forms.Form):
    day = forms.DateField(label="新日期", widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE)
    time = forms.TimeField(
        label="新时间", widget=forms.TimeInput(attrs={"type": "time"}), error_messages=TIME
    )
    reason = forms.CharField(label="改期原因", max_length=200, error_messages={"required": "请填写改期原因"})

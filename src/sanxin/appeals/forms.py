"""Forms of the appeals pages; every message is Chinese and a failed POST keeps what was typed."""

from __future__ import annotations

from django import forms

from sanxin.core.forms import MultipleFileField, MultipleFileInput
from sanxin.core.models import Region

from .models import AidKind, Category, HardshipKind, Kind, Level, Rating

REQUIRED = {"required": "此项不能为空"}


def _streets():
    return [("", "（按我所在的党组织）")] + [
        (r.code, r.name) for r in Region.objects.filter(level=4).order_by("code")
    ]


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(
        label="诉求性质",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.HELP,
        error_messages={"required": "请选择诉求性质", "invalid_choice": "请选择诉求性质"},
    )
    text = forms.CharField(
        label="遇到了什么问题",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "写清楚时间、地点、涉及的平台或单位、希望怎么解决"}
        ),
        error_messages={"required": "请写明遇到的问题"},
        strip=True,
    )
    category = forms.ChoiceField(label="服务类别（点单）", required=False)
    urgent = forms.BooleanField(label="情况紧急（受伤、被困、今天必须解决）", required=False)
    region = forms.ChoiceField(label="发生地（街道、乡镇）", required=False)
    address = forms.CharField(label="具体地点", required=False, max_length=200)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = MultipleFileField(
        label="照片（最多9张，每张不超过10 MB）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    voice = forms.FileField(
        label="语音留言（音频文件，不超过10 MB）",
        required=False,
        widget=forms.FileInput(attrs={"accept": "audio/*"}),
    )
    anonymous = forms.BooleanField(label="匿名提交（办理人员看不到我的身份）", required=False)
    needs_contact = forms.BooleanField(label="需要办理人员电话联系我", required=False)
    skip_platform = forms.BooleanField(label="投诉平台：不经平台，直接报主管部门", required=False)
    consent_platform = forms.BooleanField(label="同意向平台披露我的身份", required=False)
    consent = forms.BooleanField(
        label="我已阅读并同意《诉求个人信息处理说明》",
        error_messages={"required": "请阅读并同意《诉求个人信息处理说明》后提交"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "自动识别")] + [
            (c.code, f"{c.name}（{c.delivered_by}）") for c in Category.objects.all()
        ]
        self.fields["region"].choices = _streets()


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label="评价",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评价", "invalid_choice": "请选择评价"},
    )
    comment = forms.CharField(
        label="意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label="补充情况", widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED
    )


class HandleForm(forms.Form):
    """One form for a handler's actions; each action reads the fields it needs."""

    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(label="转办层级", required=False, choices=[("", "—"), *Level.choices])
    unit = forms.IntegerField(label="承办单位", required=False)
    category = forms.ChoiceField(label="类别", required=False)
    days = forms.IntegerField(label="延长工作日", required=False, min_value=1, max_value=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *Category.objects.values_list("code", "name")]


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "请填写正确的日期"}


class HardshipForm(forms.Form):
    kind = forms.ChoiceField(
        label="困难类型", choices=HardshipKind.choices, error_messages={"required": "请选择困难类型"}
    )
    situation = forms.CharField(
        label="困难情况",
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "病情或变故、家庭收入和负担、目前最需要的帮助"}
        ),
        error_messages={"required": "请填写困难情况"},
    )
    follow_up_on = forms.DateField(label="下次跟进", required=False, widget=DATE, error_messages=DATE_ERRORS)
    consent = forms.BooleanField(
        label="本人已知悉并同意登记上述困难情况（仅帮扶工作人员可见）",
        error_messages={"required": "登记困难情况须经本人同意"},
    )


class AidForm(forms.Form):
    kind = forms.ChoiceField(
        label="帮扶方式", choices=AidKind.choices, error_messages={"required": "请选择帮扶方式"}
    )
    amount = forms.DecimalField(
        label="金额（元）",
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        error_messages={
            "invalid": "请填写正确的金额",
            "min_value": "金额不能为负数",
            "max_digits": "金额过大",
        },
    )
    given_on = forms.DateField(
        label="日期", widget=DATE, error_messages={"required": "请填写帮扶日期", **DATE_ERRORS}
    )
    given_by = forms.CharField(label="帮扶人/单位", max_length=100, error_messages=REQUIRED)
    note = forms.CharField(label="说明", required=False, max_length=500)
    follow_up_on = forms.DateField(label="下次跟进", required=False, widget=DATE, error_messages=DATE_ERRORS)


class CloseForm(forms.Form):
    note = forms.CharField(
        label="结束说明", max_length=500, error_messages={"required": "请写明结束帮扶的原因"}
    )


class CoordinationForm(forms.Form):
    org = forms.ChoiceField(
        label="召集党组织",
        error_messages={"required": "请选择召集党组织", "invalid_choice": "请选择召集党组织"},
    )
    title = forms.CharField(label="会议名称", max_length=200, error_messages=REQUIRED)
    held_on = forms.DateField(
        label="召开日期", widget=DATE, error_messages={"required": "请填写召开日期", **DATE_ERRORS}
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    attendees = forms.CharField(
        label="参会单位和人员", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 4}))

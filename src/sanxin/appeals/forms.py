"""Forms of the appeals pages; every message is Chinese and a failed POST keeps what was typed."""

from __future__ import annotations

from django import forms

from sanxin.core.forms import MultipleFileField, MultipleFileInput
from sanxin.core.models import Region

from .models import Category, Kind, Level, Rating

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

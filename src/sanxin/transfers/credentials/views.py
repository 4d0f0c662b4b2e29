"""Pages of the member credential, under /transfers/credentials/ in the ``transfers`` namespace: the
member's own credential on their phone (QR, PNG download, issue again), the secretary's view of a
member's credentials (issue, revoke with a reason), and the public verification page (no login)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sanxin.core.errors import ServiceError
from sanxin.core.pages import form_error, message_error, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission
from sanxin.members.models import Member

from . import codec, selectors, services
from .models import MANUAL_REVOCATIONS

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _own_member(user) -> Member | None:
    if not (user and user.is_authenticated):
        return None
    return Member.objects.select_related("person", "person__org").filter(person__user=user).first()


def card_visible(user) -> bool:
    return bool(user and user.is_authenticated) and Member.objects.filter(person__user=user).exists()


def card_context(request) -> dict:
    member = _own_member(request.user)
    if member is None:
        return {}
    current = selectors.current_for(member)
    return {
        "credential": current,
        "expired": bool(current and selectors.is_expired(current)),
    }


def _png_response(credential, *, download: bool) -> HttpResponse:
    resp = HttpResponse(codec.qr_png(credential.token), content_type="image/png")
    if download:
        resp["Content-Disposition"] = f'attachment; filename="credential-{credential.cid[:8]}.png"'
    resp["Cache-Control"] = "private, no-store"
    return resp


# --- the member's own ------------------------------------------------------------------------------


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def credential_mine(request):
    """The member's credential as a QR code; POST issues one (again)."""
    member = _own_member(request.user)
    if request.method == "POST" and member is not None:
        try:
            services.credential_issue(actor=request.user, member=member)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已签发新的党员数字身份证，此前的身份证已同时注销")
        return redirect("transfers:credential_mine")
    current = selectors.current_for(member) if member else None
    return render(
        request,
        "transfers/credentials/mine.html",
        {
            "member": member,
            "credential": current,
            "verdict": selectors.verify(current.token) if current else None,
        },
    )


@permission.own()
@login_required
@require_safe
def credential_mine_png(request):
    member = _own_member(request.user)
    current = selectors.current_for(member) if member else None
    if current is None:
        raise Http404
    return _png_response(current, download=request.GET.get("download") == "1")


# --- a secretary's view of a member -------------------------------------------------------------


class RevokeForm(forms.Form):
    category = forms.ChoiceField(
        label="注销原因", choices=[("", "请选择")] + [(c.value, c.label) for c in MANUAL_REVOCATIONS]
    )
    reason = forms.CharField(
        label="说明", max_length=200, help_text="仅记入操作日志，核验页面只显示注销原因类别"
    )


def _member_page(request, member, form, *, status_form: bool = False):
    credentials = list(selectors.member_credentials(member))
    current = next((c for c in credentials if c.revoked_at is None), None)
    context = {
        "member": member,
        "credentials": credentials,
        "current": current,
        "expired": bool(current and selectors.is_expired(current)),
        "can_change": has_permission(request.user, "people", "change"),
        "form": form,
        "now": timezone.now(),
    }
    if status_form:
        return render_form(request, "transfers/credentials/member.html", context)
    return render(request, "transfers/credentials/member.html", context)


@permission("people", "view", model=Member, lookup="member_id")
@require_safe
def credential_member(request, member_id):
    """A member's credentials; ``?qr=png`` is the current one's QR as an image (``&download=1`` to
    save it), for a member without a phone."""
    member = request.scope.get(Member.objects.select_related("person", "person__org"), pk=member_id)
    if request.GET.get("qr") == "png":
        current = selectors.current_for(member)
        if current is None:
            raise Http404
        return _png_response(current, download=request.GET.get("download") == "1")
    return _member_page(request, member, RevokeForm())


@permission("people", "change", model=Member, lookup="member_id")
@require_POST
def credential_member_issue(request, member_id):
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    try:
        services.credential_issue(actor=request.user, member=member)
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已签发党员数字身份证")
    return redirect("transfers:credential_member", member_id=member.pk)


@permission("people", "change", model=Member, lookup="member_id")
@require_POST
def credential_member_revoke(request, member_id):
    member = request.scope.get(Member.objects.select_related("person", "person__org"), pk=member_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.credential_revoke(
                actor=request.user,
                member=member,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已注销该党员的数字身份证")
            return redirect("transfers:credential_member", member_id=member.pk)
    return _member_page(request, member, form, status_form=True)


# --- public verification ------------------------------------------------------------------------


class VerifyForm(forms.Form):
    token = forms.CharField(
        label="身份证编码",
        required=False,
        max_length=codec.MAX_TOKEN,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "SX1:…"}),
        help_text="扫描二维码得到的以 SX1: 开头的文字",
    )
    image = forms.FileField(label="或上传二维码图片（PNG）", required=False)

    def clean(self):
        data = super().clean()
        token, image = (data.get("token") or "").strip(), data.get("image")
        if not token and not image:
            raise forms.ValidationError("请粘贴身份证编码，或上传二维码图片")
        if image and not token:
            if image.size > MAX_IMAGE_BYTES:
                raise forms.ValidationError("图片不能超过 2 MB")
            try:
                found = [t for t in codec.read_qr_png(image.read()) if t.startswith(codec.PREFIX)]
            except codec.FormatError:
                raise forms.ValidationError("请上传 PNG 格式的二维码图片") from None
            if not found:
                raise forms.ValidationError("图片中没有找到党员数字身份证的二维码")
            token = found[0]
        data["token"] = token
        return data


@permission.public()
@require_http_methods(["GET", "POST"])
def credential_verify(request):
    """Anyone checks a credential: signature, expiry, revocation. The page shows only what the token
    carries, and why it is refused."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = selectors.verify(form.cleaned_data["token"])
    context = {"form": form, "verdict": verdict, "keys_url": "/api/v1/credentials/keys"}
    if verdict is not None:
        return render(request, "transfers/credentials/verify.html", context)
    return render_form(request, "transfers/credentials/verify.html", context)

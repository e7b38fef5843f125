"""TOTP two-factor sign-in (django-otp): offered to every role that reads full ID numbers (支部书记,
组织部) and to administrators; `TWO_FACTOR_REQUIRED_ROLES` makes it mandatory for chosen roles."""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from members import access
from members.access import signed_in
from members.middleware import SESSION_FLAG
from members.scoping import has_role

ADMIN = "admin"  # superusers, in TWO_FACTOR_REQUIRED_ROLES


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6位动态验证码",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def may_enrol(user) -> bool:
    """Whoever reads full ID numbers of others: the table's roles for them, and administrators."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, *access.real_roles("member_sensitive", access.VIEW)) or must_enrol(user)


def must_enrol(user) -> bool:
    """Whether a setting makes the second factor mandatory for one of the user's roles."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    return (user.is_superuser and ADMIN in required) or has_role(user, *(required - {ADMIN}))


@signed_in
def setup(request):
    """Open to every signed-in user (their own account's protection); offered on /me/ to those who
    read others' full ID numbers (`may_enrol`)."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed:
        return render(request, "registration/two_factor_setup.html", {"enabled": True, "form": TokenForm()})
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "手机验证器"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[SESSION_FLAG] = True
            messages.success(request, "两步验证已开启：以后登录时需要输入验证器上的6位动态码")
            return redirect("home")
        form.add_error("token", "验证码不正确或已过期，请输入验证器上当前显示的6位数字")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": mark_safe(qr),  # noqa: S308 - segno's SVG of our own otpauth URL
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )


@signed_in
def verify(request):
    form = TokenForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
        # After a wrong code django-otp makes the user wait (1, 2, 4 … seconds) before the next try.
        if devices and not any(device.verify_is_allowed()[0] for device in devices):
            form.add_error("token", "尝试过于频繁，请稍等几秒后再输入")
        else:
            for device in devices:
                if device.verify_token(form.cleaned_data["token"]):
                    otp_login(request, device)
                    return redirect(next_url)
            form.add_error("token", "验证码不正确或已过期，请输入验证器上当前显示的6位数字")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@signed_in
@require_POST
def disable(request):
    if must_enrol(request.user):
        messages.error(request, "按本单位规定，您的账号必须使用两步验证，不能关闭")
        return redirect("two_factor_setup")
    form = TokenForm(request.POST)
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    if form.is_valid() and any(d.verify_token(form.cleaned_data["token"]) for d in devices):
        devices.delete()
        request.session[SESSION_FLAG] = False
        messages.success(request, "两步验证已关闭")
    else:
        messages.error(request, "验证码不正确，两步验证未关闭")
    return redirect("two_factor_setup")

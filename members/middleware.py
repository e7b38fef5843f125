from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

_EXEMPT_PREFIXES = ("/accounts/2fa/verify/", "/accounts/logout/", "/static/", "/healthz")
_ENROL_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz")


class SecondFactorMiddleware:
    """A user who has enrolled a TOTP device must enter a code after the password, before anything
    else. A user whose role `TWO_FACTOR_REQUIRED_ROLES` names, and who has no device yet, is sent to
    enrol before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and _needs_second_factor(request)
        ):
            return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_FLAG)
            and not request.path.startswith(_ENROL_PREFIXES)
        ):
            from members.twofactor import must_enrol

            if must_enrol(user):
                messages.warning(request, "按本单位规定，您的账号须开启两步验证后才能继续使用")
                return redirect("two_factor_setup")
        return self.get_response(request)


def _needs_second_factor(request) -> bool:
    """Whether the signed-in user has a device, looked up once per session (not on every request).
    Enrolling or removing a device goes through views that update the flag."""
    if SESSION_FLAG not in request.session:
        from django_otp import user_has_device

        request.session[SESSION_FLAG] = user_has_device(request.user, confirmed=True)
    return request.session[SESSION_FLAG]


SESSION_FLAG = "care_two_factor"


def remember_second_factor(sender, request, user, **kwargs) -> None:
    """On sign-in, note in the session whether the user must enter a code (one query, at login)."""
    if request is not None and hasattr(request, "session"):
        from django_otp import user_has_device

        request.session[SESSION_FLAG] = user_has_device(user, confirmed=True)

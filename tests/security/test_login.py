import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_lockout_after_repeated_failures_is_per_username_and_address(unit, client):
    for _ in range(4):
        assert attempt(client, "shuji1", "wrong").status_code == 200
    assert attempt(client, "shuji1", "wrong").status_code == 429  # the fifth failure locks
    locked = attempt(client, "shuji1", "demo12345")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The same user from another address is not locked out: an attacker cannot lock a user out everywhere.
    assert attempt(client, "shuji1", "demo12345", address="10.0.0.2").status_code == 302
    # Another user from the attacker's address is not locked either.
    assert attempt(client, "shuji2", "demo12345").status_code == 302


def test_messages_do_not_reveal_whether_a_user_exists(unit, client):
    existing = attempt(client, "shuji1", "wrong").content.decode()
    missing = attempt(client, "nobody-here", "wrong").content.decode()
    assert "用户名或密码不正确" in existing
    assert "用户名或密码不正确" in missing
    for _ in range(5):
        attempt(client, "nobody-here", "wrong")
    assert "登录失败次数过多" in attempt(client, "nobody-here", "wrong").content.decode()


def test_weak_passwords_are_refused(unit, client):
    client.force_login(unit.shuji1)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo12345",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    unit.shuji1.refresh_from_db()
    assert unit.shuji1.check_password("demo12345")


def test_security_headers_and_cookies(unit, client):
    response = attempt(client, "shuji1", "demo12345")
    assert response.cookies["sessionid"]["httponly"]
    page = client.get("/")
    assert page["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_pages(unit, client):
    client.force_login(unit.shuji1)
    for url in ["/", reverse("members:list"), reverse("members:detail", args=[unit.member1.pk]), reverse("me")]:
        body = client.get(url).content.decode()
        assert " onclick=" not in body and " onchange=" not in body and "<script>" not in body


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DEBUG": "0",
        "SECURE_SSL": "1",
        "ALLOWED_HOSTS": "care.example.gov.cn",
        "SECRET_KEY": "k" * 20 + "Q7x!pZ2@rT9#vL4$mN8^bW1&cY6*hJ3(eF5)gD0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"  # production's settings, not the suite's
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


class TestTwoFactor:
    def enrol(self, client, user):
        client.force_login(user)
        client.get(reverse("two_factor_setup"))
        device = TOTPDevice.objects.get(user=user)
        response = client.post(reverse("two_factor_setup"), {"token": f"{totp(device.bin_key):06d}"})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        return device

    def test_org_department_enrols_and_then_needs_a_code_after_the_password(self, unit, client):
        device = self.enrol(client, unit.zzb)
        client.logout()
        assert attempt(client, "zzb", "demo12345").status_code == 302
        response = client.get(reverse("members:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_verify"))
        # A code is accepted once (replay protection), so sign in with the next time step's code.
        code = f"{totp(device.bin_key, drift=1):06d}"
        good = client.post(reverse("two_factor_verify"), {"token": code, "next": "/members/"})
        assert good["Location"] == "/members/"
        assert client.get(reverse("members:list")).status_code == 200

    def test_a_wrong_code_is_refused_and_retries_are_throttled(self, unit, client):
        device = self.enrol(client, unit.zzb)
        client.logout()
        attempt(client, "zzb", "demo12345")
        bad = client.post(reverse("two_factor_verify"), {"token": "000000", "next": "/members/"})
        assert "验证码不正确" in bad.content.decode()
        hurried = client.post(reverse("two_factor_verify"), {"token": f"{totp(device.bin_key, drift=1):06d}"})
        assert "尝试过于频繁" in hurried.content.decode()
        assert client.get(reverse("members:list")).status_code == 302

    def test_ordinary_members_are_not_offered_enrolment_but_may_protect_their_account(self, unit, client):
        client.force_login(unit.dangyuan1)
        assert "两步验证" not in client.get(reverse("me")).content.decode()
        assert client.get(reverse("two_factor_setup")).status_code == 200

    def test_wrong_code_does_not_enable(self, unit, client):
        client.force_login(unit.zzb)
        client.get(reverse("two_factor_setup"))
        response = client.post(reverse("two_factor_setup"), {"token": "123456"})
        assert "验证码不正确" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=unit.zzb, confirmed=True).exists()


def test_no_template_carries_inline_script():
    """The Content-Security-Policy refuses inline script: behaviour goes in static/js (data-* attributes)."""
    import re

    from django.conf import settings

    pattern = re.compile(r"""\son[a-z]+\s*=\s*["']|<script(?![^>]*\bsrc=)[^>]*>""", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

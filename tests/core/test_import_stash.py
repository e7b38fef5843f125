"""An uploaded import waits between preview and confirm in the shared file store (not on the disk of
the node that previewed it), is refused after IMPORT_UPLOAD_EXPIRY_HOURS and deleted by the daily jobs."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core import importing
from core.jobs import run_daily
from members.models import Member
from tests.members.test_import import confirm, person, upload, xlsx

pytestmark = pytest.mark.django_db


def stashed() -> list[str]:
    try:
        return sorted(default_storage.listdir(importing.STASH_FOLDER)[1])
    except FileNotFoundError:
        return []


def test_the_previewed_file_waits_in_the_file_store_and_is_gone_after_the_confirm(unit, login):
    client = login(unit.shuji1)
    response = upload(client, xlsx([person("周一")]))
    token = response.context["confirm_form"].initial["token"]
    assert stashed() == [f"{token}.xlsx"]
    assert confirm(client, response).status_code == 302
    assert Member.objects.filter(name="周一").exists()
    assert stashed() == []


def test_an_upload_older_than_the_expiry_is_refused_and_nothing_is_imported(unit, login, settings):
    settings.IMPORT_UPLOAD_EXPIRY_HOURS = 2
    client = login(unit.shuji1)
    response = upload(client, xlsx([person("周一")]))
    later = timezone.now() + dt.timedelta(hours=2, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = confirm(client, response)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["导入会话已过期，请重新上传文件"]
    assert not Member.objects.filter(name="周一").exists()
    assert stashed() == []


def test_a_token_of_another_session_is_refused(unit, login, client):
    response = upload(login(unit.shuji1), xlsx([person("周一")]))
    token = response.context["confirm_form"].initial["token"]
    other = login(unit.zzb)
    response = other.post(reverse("members:import"), {"token": token})
    assert response.status_code == 302
    assert not Member.objects.filter(name="周一").exists()


def test_the_daily_jobs_delete_expired_uploads_and_keep_recent_ones(settings):
    settings.IMPORT_UPLOAD_EXPIRY_HOURS = 2
    now = timezone.now()

    def put(age: dt.timedelta) -> str:
        token = f"{int((now - age).timestamp())}-{'a' * 22}"
        return default_storage.save(f"imports/{token}.xlsx", ContentFile(b"full ID numbers"))

    fresh = put(dt.timedelta(minutes=30))
    put(dt.timedelta(hours=3))
    put(dt.timedelta(days=2))
    default_storage.save("imports/not-one-of-ours.xlsx", ContentFile(b"?"))
    results = run_daily(day=timezone.localdate())
    assert results["core.expired_import_uploads"] == {"删除过期导入文件": 3}
    assert stashed() == [fresh.split("/")[1]]


def test_no_uploads_yet_is_nothing_to_do():
    assert importing.delete_expired_uploads() == 0

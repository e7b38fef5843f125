"""The S3-compatible file store for several machines, for real: django-storages against moto_server
(an S3 stand-in speaking the same HTTP API), configured the way settings.py builds it from FILE_STORAGE
and S3_* (README, 环境变量)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import _unavailable, service_port

ROOT = Path(__file__).resolve().parents[2]
MOTO = Path(sys.executable).parent / "moto_server"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    if not MOTO.exists():
        _unavailable("moto_server is not installed (make install)")
    port = service_port(0)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            pytest.fail(f"port {port} is taken: another moto_server of an earlier run?")
    server = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test-secret",
    )
    for _ in range(150):
        try:
            s3.create_bucket(Bucket="care-files")
            break
        except Exception:  # noqa: BLE001 - not listening yet
            assert server.poll() is None, "moto_server exited"
            time.sleep(0.1)
    yield endpoint, s3
    server.terminate()
    server.wait(timeout=30)


@functools.cache
def s3_settings(endpoint: str) -> dict:
    """What settings.py makes of FILE_STORAGE=s3 and S3_*; asserted equal in the test below."""
    env = {
        **os.environ,
        "FILE_STORAGE": "s3",
        "S3_BUCKET": "care-files",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        "S3_ADDRESSING_STYLE": "path",
        "S3_PREFIX": "care",
        "DEBUG": "1",
    }
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def object_store(s3_endpoint, settings):
    endpoint, s3 = s3_endpoint
    settings.STORAGES = {**settings.STORAGES, "default": s3_settings(endpoint)}
    yield s3
    for item in s3.list_objects_v2(Bucket="care-files").get("Contents", []):
        s3.delete_object(Bucket="care-files", Key=item["Key"])


def keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket="care-files").get("Contents", []))


def test_the_environment_selects_the_s3_store(object_store):
    assert type(storages["default"]).__name__ == "S3Storage"
    assert default_storage.bucket_name == "care-files" and default_storage.location == "care"
    assert default_storage.file_overwrite is False and default_storage.default_acl is None


def test_an_import_previewed_then_confirmed_through_the_object_store(object_store, unit, login):
    from members.models import Member
    from tests.members.test_import import confirm, person, upload, xlsx

    client = login(unit.shuji1)
    response = upload(client, xlsx([person("周一")]))
    token = response.context["confirm_form"].initial["token"]
    assert keys(object_store) == [f"care/imports/{token}.xlsx"]
    assert confirm(client, response).status_code == 302
    assert Member.objects.filter(name="周一").exists()
    assert keys(object_store) == []


def test_expired_uploads_are_deleted_from_the_object_store(object_store, settings):
    from django.core.files.base import ContentFile

    from core.importing import delete_expired_uploads

    settings.IMPORT_UPLOAD_EXPIRY_HOURS = 2
    old = f"{int((timezone.now() - dt.timedelta(hours=3)).timestamp())}-{'b' * 22}"
    new = f"{int(timezone.now().timestamp())}-{'c' * 22}"
    for token in (old, new):
        default_storage.save(f"imports/{token}.xlsx", ContentFile(b"id numbers"))
    assert delete_expired_uploads() == 1
    assert keys(object_store) == [f"care/imports/{new}.xlsx"]


def test_a_background_workbook_is_stored_and_streamed_back(
    object_store, unit, login, settings, django_capture_on_commit_callbacks
):
    from reports.models import ReportJob

    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 3}
    client = login(unit.zzb)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:annual"), {"year": timezone.localdate().year})
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE
    assert keys(object_store) == [f"care/{job.file.name}"]
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "汇总"


def test_an_attachment_is_stored_and_read_back_through_the_scoped_view(object_store, unit, login):
    from funds import services
    from tests.funds.factories import fund_with

    fund_with(unit, "1000.00")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    application = services.create_application(
        by=unit.dangyuan1,
        member=unit.dangyuan1.member,
        kind="living",
        amount_requested="1000",
        reason="困难",
        files=[SimpleUploadedFile("诊断证明.pdf", pdf)],
    )
    attachment = application.attachments.get()
    assert keys(object_store) == [f"care/{attachment.file.name}"]
    response = login(unit.shuji1).get(f"/funds/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf

"""Personas of the seed's roles on a small unit:

党委 (committee) ─┬─ 第一党支部 (branch1): shuji1 (secretary), zhiwei1 (committee), dangyuan1 (member)
                  ├─ 第二党支部 (branch2): shuji2 (secretary)
                  └─ 党总支 (general) ── 第三党支部 (branch3)
zzb, zzb2: organization department over the 党委; jijin: fund officer; admin: superuser.
"""

import os
from types import SimpleNamespace

import pytest
from django.db import connection

from members.models import Organization, Role
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("CARE_REQUIRE_SERVICES") == "1"


def service_port(offset: int) -> int:
    """A port of this project's range (18600–18699) for a server a test starts: its own for each
    offset and each pytest-xdist worker, so parallel workers never race for one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    port = 18640 + offset + 10 * int(worker or 0)
    if port > 18699:
        pytest.skip("no port left in 18600-18699 for this many xdist workers")
    return port


def _unavailable(reason: str):
    """Skip with a reason locally; in CI (CARE_REQUIRE_SERVICES=1) a missing service is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"CI requires this test to run: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL (row locks/triggers); set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _unavailable("needs a real Redis; set REDIS_URL=redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """Rows that data migrations put in (hardship categories and help types). A transactional test
    (browser tests) empties every table when it ends; put them back for whoever runs next."""
    if (
        "db" not in request.fixturenames
        and "transactional_db" not in request.fixturenames
        and not request.node.get_closest_marker("django_db")
    ):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from hardship.models import HardshipCategory

    if not HardshipCategory.objects.exists():
        from tests.hardship.conftest import ensure_reference_rows

        ensure_reference_rows()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _file_store(settings, tmp_path):
    """Each test its own file store (attachments, import uploads, report files), never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def unit(db):
    committee = OrganizationFactory(name="测试县党委", kind=Organization.Kind.COMMITTEE)
    branch1 = OrganizationFactory(name="第一党支部", parent=committee)
    branch2 = OrganizationFactory(name="第二党支部", parent=committee)
    general = OrganizationFactory(name="社区党总支", parent=committee, kind=Organization.Kind.GENERAL_BRANCH)
    branch3 = OrganizationFactory(name="第三党支部", parent=general)

    def person(username, branch, role=None, at=None, member=True, **member_fields):
        user = UserFactory(username=username)
        if member:
            MemberFactory(organization=branch, user=user, name=member_fields.pop("name", username), **member_fields)
        if role:
            AppointmentFactory(user=user, organization=at or branch, role=role)
        return user

    ns = SimpleNamespace(
        committee=committee,
        branch1=branch1,
        branch2=branch2,
        general=general,
        branch3=branch3,
        shuji1=person("shuji1", branch1, Role.SECRETARY, name="李书记"),
        zhiwei1=person("zhiwei1", branch1, Role.COMMITTEE, name="王支委"),
        dangyuan1=person("dangyuan1", branch1, name="张党员"),
        shuji2=person("shuji2", branch2, Role.SECRETARY, name="赵书记"),
        zzb=person("zzb", None, Role.ORG_DEPT, at=committee, member=False),
        zzb2=person("zzb2", None, Role.ORG_DEPT, at=committee, member=False),
        jijin=person("jijin", None, Role.FUND_OFFICER, at=committee, member=False),
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )
    ns.member1 = MemberFactory(organization=branch1, name="刘一")
    ns.member2 = MemberFactory(organization=branch2, name="陈二")
    ns.member3 = MemberFactory(organization=branch3, name="孙三")
    return ns


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login

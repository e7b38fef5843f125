"""Backup and restore with the scripts README documents, against the real PostgreSQL."""

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from members.models import Appointment
from tests.factories import MemberFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def test_a_dump_restores_into_a_fresh_database_with_everything_intact(unit, tmp_path):
    from tests.funds.factories import fund_with
    from tests.hardship.conftest import ensure_reference_rows
    from tests.hardship.factories import RecordFactory

    ensure_reference_rows()
    MemberFactory.create_batch(5, organization=unit.branch1)
    RecordFactory(member=unit.member1, causes="老伴长期患病")
    fund = fund_with(unit, amount="12345.67")
    expected_members = sorted(
        (m.id_number, m.name, m.organization.name) for m in type(unit.member1).objects.select_related("organization")
    )
    expected_roles = sorted(Appointment.objects.values_list("user__username", "role"))
    source = connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": _url(source)}
    dump = (
        subprocess.run(
            [str(ROOT / "scripts/backup.sh"), str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    target = f"{source}_restored"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(
            [str(ROOT / "scripts/restore.sh"), dump],
            env={**os.environ, "TARGET_DATABASE_URL": _url(target)},
            capture_output=True,
            text=True,
            check=True,
        )
        with psycopg2.connect(_url(target)) as restored, restored.cursor() as cursor:
            cursor.execute(
                "SELECT m.id_number, m.name, o.name FROM members_member m "
                "JOIN members_organization o ON o.id = m.organization_id ORDER BY m.id_number"
            )
            assert sorted(cursor.fetchall()) == expected_members
            cursor.execute(
                "SELECT u.username, a.role FROM members_appointment a JOIN members_user u ON u.id = a.user_id"
            )
            assert sorted(cursor.fetchall()) == expected_roles
            cursor.execute(
                "SELECT m.id_number, r.causes, r.status FROM hardship_hardshiprecord r "
                "JOIN members_member m ON m.id = r.member_id"
            )
            assert cursor.fetchall() == [(unit.member1.id_number, "老伴长期患病", "active")]
            cursor.execute(
                "SELECT f.balance, (SELECT sum(amount) FROM funds_fundentry e WHERE e.fund_id = f.id) "
                "FROM funds_fund f WHERE f.id = %s",
                [fund.pk],
            )
            assert cursor.fetchone() == (Decimal("12345.67"), Decimal("12345.67"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_a_missing_file(tmp_path):
    result = subprocess.run(
        [str(ROOT / "scripts/restore.sh"), str(tmp_path / "none.dump")],
        env={**os.environ, "TARGET_DATABASE_URL": _url("postgres")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "找不到备份文件" in result.stderr

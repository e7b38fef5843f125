"""scripts/api_example.py, the README's example client, against a live server: a token for one branch
syncs the roster (in full, then only what changed) and logs a visit once although it sends it twice."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from api import tokens
from tests.factories import MemberFactory
from visits.models import Visit

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "api_example.py"


def run(live_server, key: str, state: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", live_server.url, "--token", key, "--state", str(state), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_example_syncs_the_roster_and_logs_a_visit_once(unit, live_server, tmp_path):
    _, key = tokens.issue_token(
        by=unit.zzb,
        name="示例",
        organization=unit.branch1,
        grants=["member.list", "member.view", "visit.create"],
        expires_on=timezone.localdate() + dt.timedelta(days=1),
    )
    output = run(
        live_server, key, tmp_path, "--visit-member", str(unit.member1.pk), "--visitor", str(unit.shuji1.member.pk)
    )
    roster = json.loads((tmp_path / "roster.json").read_text())
    assert {row["name"] for row in roster.values()} == {"李书记", "王支委", "张党员", "刘一"}
    assert "名册全量同步：4 名党员" in output and "没有重复登记" in output
    assert Visit.objects.filter(member=unit.member1).count() == 1
    newcomer = MemberFactory(organization=unit.branch1, name="新转入")
    MemberFactory(organization=unit.branch2, name="别的支部")
    unit.member1.phone = "13700001234"
    unit.member1.save()
    output = run(live_server, key, tmp_path)
    assert "名册增量同步：2 条新增或变更，0 条删除，共 5 名党员" in output
    roster = json.loads((tmp_path / "roster.json").read_text())
    assert roster[str(newcomer.pk)]["name"] == "新转入" and roster[str(unit.member1.pk)]["phone"] == "13700001234"

"""The API against its own contract: schemathesis reads the published schema from a live test server
and drives every operation with generated input (valid and invalid, boundary values, random values),
as a token holding every grant. No answer may be a 500, and every answer must match the schema: its
status documented, its content type and body as described (errors in the one error shape)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from api import tokens
from members import access
from tests.funds.factories import application_in, fund_with
from tests.hardship.factories import PairingFactory, RecordFactory
from tests.visits.factories import VisitFactory, make_talk

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
MAX_EXAMPLES = int(os.environ.get("CARE_FUZZ_EXAMPLES", "15"))


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_500_or_breaks_the_schema(unit, live_server, settings, tmp_path):
    settings.API = {
        **settings.API,
        "THROTTLE_RATES": {"token": "100000/min", "user": "100000/min", "anon": "100000/min"},
    }
    fund_with(unit)
    application_in(unit, "in_notice", member=unit.member1)
    pairing = PairingFactory(record=RecordFactory(member=unit.member1), helper=unit.dangyuan1.member)
    VisitFactory(member=unit.member1)
    make_talk([unit.member1], [unit.shuji1.member], summary="年度谈心", confidential_notes="内部")
    everything = [access.entry(kind, action) for kind, action in tokens.GRANTABLE]
    _, key = tokens.issue_token(
        by=unit.admin,
        name="契约测试",
        organization=unit.committee,
        grants=everything,
        expires_on=timezone.localdate() + dt.timedelta(days=1),
    )
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "19",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"Authorization: Bearer {key}",
        "--request-timeout",
        "30",
        "--no-color",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=480, cwd=tmp_path, check=False)
    assert pairing.pk
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import clock
from members.models import User
from surveys.models import Checklist, LedgerOutcome, SurveyPeriod
from surveys.selectors import progress_rows

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_survey_with_branches_at_different_stages(client):
    call_command("seed_demo", stdout=io.StringIO())
    today = clock.today()
    period = SurveyPeriod.objects.get()
    assert period.is_open_on(today)
    rows, totals = progress_rows(period)
    stages = {("done" if row.done_on else "partly" if row.checked else "not begun") for row in rows}
    assert stages == {"done", "partly", "not begun"}
    assert totals.proposals >= 1 and totals.reviews >= 1 and totals.prompts >= 2
    assert not Checklist.objects.filter(confirmed_on__gt=today).exists()
    shuji1 = User.objects.get(username="shuji1")
    client.force_login(shuji1)
    home = client.get("/").content.decode()
    assert "主题教育全面排查" in home and "去排查" in home
    client.force_login(User.objects.get(username="zzb"))
    assert client.get(reverse("surveys:progress", args=[period.pk])).status_code == 200
    assert Checklist.objects.filter(ledger_outcome=LedgerOutcome.PROPOSED, confirmed_by=shuji1).exists()

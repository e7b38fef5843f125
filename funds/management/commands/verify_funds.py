"""`manage.py verify_funds`: every fund's balance equals the sum of its ledger, every payment matches
(applications paid once for what was approved, recovered ones reversed; visits and pairing help paid
from the fund for the amount handed over)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Q, Sum

from core import formats
from funds.models import AssistanceApplication, Fund, FundEntry, Status

# Paid and still standing, or paid and being recovered / recovered (the payment stays, reversed).
PAID = (Status.DISBURSED, Status.RECONSIDERATION, Status.RECOVERY_DUE, Status.RECOVERED)


class Command(BaseCommand):
    help = "核对关怀基金：余额是否等于全部账目之和，已发放的申请是否各有且仅有一笔相符的支出"

    def handle(self, *args, **options):
        problems: list[str] = []
        totals = dict(FundEntry.objects.values_list("fund").annotate(total=Sum("amount")).values_list("fund", "total"))
        funds = Fund.objects.select_related("organization")
        for fund in funds:
            total = totals.get(fund.pk) or 0
            if fund.balance != total:
                problems.append(
                    f"{fund}：余额 {formats.money(fund.balance)} 元，账目合计 {formats.money(total)} 元，"
                    f"相差 {formats.money(fund.balance - total)} 元"
                )
        unpaid = AssistanceApplication.objects.filter(status=Status.DISBURSED, payment__isnull=True)
        for application in unpaid.select_related("member", "partner_unit"):
            problems.append(f"申请 #{application.pk}（{application.recipient_label}）已发放但没有支出分录")
        expenses = FundEntry.objects.filter(kind=FundEntry.Kind.EXPENSE)
        mismatched = expenses.filter(application__isnull=False).filter(
            ~Q(amount=-F("application__amount_approved"))
            | ~Q(application__status__in=PAID)
            | ~Q(fund=F("application__fund"))
        )
        for entry in mismatched.select_related("application"):
            problems.append(f"支出分录 #{entry.pk} 与申请 #{entry.application_id} 的批准金额、状态或基金不符")
        recovered = AssistanceApplication.objects.filter(status=Status.RECOVERED).exclude(
            payment__reversed_by__amount=-F("payment__amount")
        )
        for application in recovered:
            problems.append(f"申请 #{application.pk} 已追回，但没有冲正其发放分录的入账")
        for entry in expenses.filter(visit__isnull=False).exclude(amount=-F("visit__amount")):
            problems.append(f"支出分录 #{entry.pk} 与走访 #{entry.visit_id} 的慰问金不符")
        for entry in expenses.filter(pairing_progress__isnull=False).exclude(amount=-F("pairing_progress__money")):
            problems.append(f"支出分录 #{entry.pk} 与帮扶进展 #{entry.pairing_progress_id} 的资金不符")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"发现 {len(problems)} 处不符")
        self.stdout.write(self.style.SUCCESS(f"已核对 {len(funds)} 个基金账户，余额与账目一致"))

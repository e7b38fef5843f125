import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import jobs


class Command(BaseCommand):
    help = "运行某一天的全部定时任务（与 Celery beat 调用的代码相同），并打印创建了什么。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="业务日期 YYYY-MM-DD，默认今天（北京时间）")
        parser.add_argument("--until", help="补跑到此日期（含），用于停机后补齐")

    def handle(self, *args, **options):
        try:
            start = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            end = dt.date.fromisoformat(options["until"]) if options["until"] else start
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        if end < start:
            raise CommandError("--until 不能早于 --date")
        day = start
        while day <= end:
            results = jobs.run_daily(day=day)
            self.stdout.write(f"{day.isoformat()}:")
            if not results:
                self.stdout.write("  （没有登记的定时任务）")
            for name, counts in results.items():
                summary = "，".join(f"{k} {v}" for k, v in counts.items()) or "无"
                self.stdout.write(f"  {name}: {summary}")
            day += dt.timedelta(days=1)

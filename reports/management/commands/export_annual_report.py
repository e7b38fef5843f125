from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from members.models import User
from reports import contents
from reports.scope import resolve_scope


class Command(BaseCommand):
    help = "导出年度党内关怀帮扶报表工作簿（与网页下载同一套代码）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，例如 2026")
        parser.add_argument("--org", type=int, help="组织 ID（默认最上级组织）")
        parser.add_argument("--as-user", help="按某个用户的权限范围导出（默认不限范围）")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径 .xlsx")

    def handle(self, *args, **options):
        if options["as_user"]:
            try:
                user = User.objects.get(username=options["as_user"])
            except User.DoesNotExist as exc:
                raise CommandError(f"用户 {options['as_user']} 不存在") from exc
        else:
            user = SimpleNamespace(is_authenticated=True, is_superuser=True, pk=None)
        try:
            scope = resolve_scope(user, org_id=options["org"], year=options["year"])
        except Http404 as exc:
            raise CommandError(str(exc)) from exc
        contents.write_annual_workbook(scope, path=options["output"])
        self.stdout.write(self.style.SUCCESS(f"已导出 {scope.title} 年度报表：{options['output']}"))

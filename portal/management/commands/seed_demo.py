import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from api.seed import seed_tokens
from awards.seed import seed_awards
from filings.seed import seed_filings
from funds.seed import seed_funds
from hardship.seed import seed_hardship
from members.models import Member, Organization, User
from members.seed import DEMO_PASSWORD, SeedContext, build_organizations, seed_members
from surveys.seed import seed_surveys
from visits.seed import seed_visits

# Each step adds one domain's demo data to the SeedContext (organizations, members, users, rng), in
# this order: the ledger needs the members, visits the ledger, funds the members' applications.
STEPS = (
    ("members", seed_members),
    ("hardship", seed_hardship),
    ("visits", seed_visits),
    ("funds", seed_funds),
    ("awards", seed_awards),
    ("filings", seed_filings),
    ("surveys", seed_surveys),
    ("api", seed_tokens),
)

ACCOUNTS = [
    ("admin", "系统管理员（超级用户）"),
    ("zzb", "组织部，管理整个党委"),
    ("zzb2", "组织部副部长（处理公示异议：审批人不处理自己批准的申请的异议）"),
    ("shuji1", "机关第一党支部书记"),
    ("shuji2", "机关第二党支部书记"),
    ("shuji3", "离退休干部党支部书记（上级报送演示）"),
    ("zhiwei1", "机关第一党支部支委委员"),
    ("jijin", "关怀基金管理员"),
    ("dangyuan1", "机关第一党支部普通党员"),
]


class Command(BaseCommand):
    help = "生成演示数据：一个党委、若干党支部、党员、演示账号，以及各模块的演示记录。"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=180, help="党员人数（默认 180；基准测试用 20000）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有数据时什么也不做")
        parser.add_argument("--seed", type=int, default=20261122, help="随机种子（相同种子生成相同数据）")

    def handle(self, *args, **options):
        if Organization.objects.exists() or User.objects.exists():
            if options["if_empty"]:
                self.stdout.write("数据库中已有数据，跳过演示数据生成。")
                return
            raise CommandError("数据库中已有数据。演示数据只能生成到空数据库中（可先删除 var/db.sqlite3）。")
        if options["members"] < 60:
            raise CommandError("--members 至少为 60")
        started = time.monotonic()
        faker = Faker("zh_CN")
        faker.seed_instance(options["seed"])
        with transaction.atomic():
            committee, branches = build_organizations(options["members"])
            ctx = SeedContext(
                rng=random.Random(options["seed"]),
                faker=faker,
                today=timezone.localdate(),
                committee=committee,
                branches=branches,
                members=[],
                users={},
                extra={"member_count": options["members"]},
            )
            for name, step in STEPS:
                step_started = time.monotonic()
                step(ctx)
                self.stdout.write(f"  {name}: {time.monotonic() - step_started:.1f} 秒")
        if connection.vendor == "postgresql":
            # Fresh tables have no planner statistics; without them the scoping subqueries plan badly.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成：{len(branches)} 个党支部，{Member.objects.count()} 名党员，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示）：")
        for username, label in ACCOUNTS:
            self.stdout.write(f"  {username:<10} {label}")

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from communities.synthetic import synthetic_generate
from projects.selectors import programme_current
from projects.synthetic import synthetic_projects_generate


class Command(BaseCommand):
    help = "生成明显虚构的大规模测试数据（合成小区-000001…、合成项目-…），用于全国规模的性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--compounds", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--projects", type=int, default=14, metavar="N",
            help="把尚无项目的合成小区每 N 个组成一个合成项目（含实施步骤、改造内容、部门任务）；0 表示不生成",
        )

    def handle(self, *args, **options):
        if options["compounds"] <= 0:
            raise CommandError("--compounds 必须是正整数。")
        programme = programme_current()
        if options["projects"] > 0 and programme is None:
            raise CommandError("生成合成项目需要先运行 load_programme（或加 --projects 0 只生成小区）。")
        counts = synthetic_generate(compounds=options["compounds"], seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(
            f"合成数据：乡镇 {counts.towns}，小区 {counts.compounds}，楼栋 {counts.buildings}，"
            f"住户 {counts.households}，认定 {counts.assessed} 个小区，用时 {counts.seconds:.1f} 秒"
        ))
        if options["projects"] > 0:
            made = synthetic_projects_generate(
                programme=programme, compounds_per_project=options["projects"], seed=options["seed"]
            )
            self.stdout.write(self.style.SUCCESS(f"合成项目：{made} 个"))
        if connection.vendor == "postgresql":
            # Planner statistics for the tables just bulk-loaded: until autovacuum gets to them (or
            # never, where it is off) PostgreSQL plans a compound's page as a scan of every household.
            # VACUUM sets the visibility map, so counts over an index (verdicts, say) skip the table.
            # (VACUUM cannot run inside a transaction: called from one, only ANALYZE.)
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(statement)
            self.stdout.write(f"已更新 PostgreSQL 统计信息（{statement}）。")

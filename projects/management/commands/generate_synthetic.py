from django.core.management.base import BaseCommand, CommandError

from communities.synthetic import synthetic_generate
from projects.selectors import programme_current
from projects.synthetic import synthetic_projects_generate


class Command(BaseCommand):
    help = "生成明显虚构的大规模测试数据（合成小区-000001…），用于全国规模的性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--compounds", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-projects", action="store_true", help="compounds, buildings and households only")

    def handle(self, *args, **options):
        if options["compounds"] <= 0:
            raise CommandError("--compounds 必须是正整数。")
        counts = synthetic_generate(compounds=options["compounds"], seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(
            f"合成数据：乡镇 {counts.towns}，小区 {counts.compounds}，楼栋 {counts.buildings}，"
            f"住户 {counts.households}，用时 {counts.seconds:.1f} 秒"
        ))
        if options["no_projects"]:
            return
        programme = programme_current()
        if programme is None:
            raise CommandError("尚未载入改造计划：请先运行 python manage.py load_programme，再生成合成项目。")
        made = synthetic_projects_generate(programme=programme, seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(f"合成项目 {made['projects']} 个，步骤 {made['steps']} 条"))

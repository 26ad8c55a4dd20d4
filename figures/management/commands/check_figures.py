import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from figures.check import check_figures
from projects.selectors import programme_current


class Command(BaseCommand):
    help = ("核对关键数字：按原始记录重新计算已录入小区/楼栋/住户/面积、认定结论、各来源资金、开工与完工、部门逾期任务，"
            "与首页、领导驾驶舱和进度、资金报告显示的数字逐项比对；有任何不一致即列出并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", help="数据截止日期 YYYY-MM-DD（默认今天；今天以外只核对报告）")
        parser.add_argument("--json", action="store_true", help="输出 JSON（供脚本使用）")

    def handle(self, *args, **options):
        try:
            cutoff = dt.date.fromisoformat(options["cutoff"]) if options["cutoff"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--cutoff {options['cutoff']!r} 不是 YYYY-MM-DD 格式的日期。") from None
        programme = programme_current()
        if programme is None:
            raise CommandError("尚未载入改造计划：请先运行 load_programme。")
        result = check_figures(programme=programme, cutoff=cutoff)
        differences = result["differences"]
        if options["json"]:
            self.stdout.write(json.dumps({
                "cutoff": cutoff.isoformat(), "checked": result["checked"], "pages": result["pages"],
                "differences": [{"figure": d.figure, "where": d.where, "shown": str(d.shown),
                                 "expected": str(d.expected)} for d in differences],
                "expected": result["expected"],
            }, ensure_ascii=False, indent=2, default=str))
        else:
            scope = ("首页、领导驾驶舱、进度报告和资金报告" if result["pages"]
                     else "进度报告和资金报告（首页与驾驶舱只显示今天的数字）")
            for difference in differences:
                self.stdout.write(difference.line())
            if not differences:
                self.stdout.write(self.style.SUCCESS(
                    f"截至 {cutoff:%Y-%m-%d}：{scope}的 {result['checked']} 个数字与原始记录一致。"))
        if differences:
            raise CommandError(f"截至 {cutoff:%Y-%m-%d} 有 {len(differences)} 个数字与原始记录不一致（共核对 "
                               f"{result['checked']} 个）。", returncode=1)

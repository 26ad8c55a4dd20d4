import json

from django.core.management.base import BaseCommand, CommandError

from projects.selectors import programme_current, programme_summary
from ui.templatetags.ui import days_phrase


class Command(BaseCommand):
    help = "输出改造计划的目标、时限和已录入情况（真实数据与演示数据分列）。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON (for scripts)")

    def handle(self, *args, **options):
        programme = programme_current()
        if programme is None:
            raise CommandError("尚未载入改造计划：请先运行 python manage.py load_programme")
        summary = programme_summary(programme=programme)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        targets, real, demo = summary["targets"], summary["recorded"]["real"], summary["recorded"]["demo"]
        self.stdout.write(f"{programme}")
        for label, key in (("小区", "compounds"), ("楼栋", "buildings"), ("住户", "households")):
            self.stdout.write(f"{label}：目标 {targets[key]}，已录入 {real[key]}（演示 {demo[key]}）")
        self.stdout.write(f"建筑面积：目标 {targets['floor_area_m2']} ㎡，已录入 {real['floor_area_m2']} ㎡")
        self.stdout.write(f"预算总投资：{targets['budget_wan_yuan']} 万元")
        for deadline in summary["deadlines"]:
            # The same words as the home page and dashboard: 「已过 N 天」 once a deadline has passed.
            self.stdout.write(f"{deadline['date']} {deadline['meaning']}（{days_phrase(deadline['days_left'])}）")
        self.stdout.write("实施步骤（工作方案六）：")
        gates = {"ready_to_start": "时限一", "complete": "时限二"}
        for number, step in enumerate(summary["steps"], start=1):
            gate = f"，{gates[step['gate']]}" if step["gate"] else ""
            self.stdout.write(f"  {number}. {step['name']}（{step['clause']}{gate}）")

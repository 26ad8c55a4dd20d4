import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.reports.choices import ReportKind
from projects.reports.services import report_write
from projects.selectors import programme_current


class Command(BaseCommand):
    help = "生成进度报告或资金报告（xlsx），与后台任务使用同一代码：build_report progress --cutoff 2024-05-31 --output 报告.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--cutoff", help="数据截止日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--demo", action="store_true", help="按演示数据（示例/合成小区）生成")

    def handle(self, *args, **options):
        try:
            cutoff = dt.date.fromisoformat(options["cutoff"]) if options["cutoff"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--cutoff {options['cutoff']!r} 不是 YYYY-MM-DD 格式的日期。") from None
        programme = programme_current()
        if programme is None:
            raise CommandError("尚未载入改造计划：请先运行 load_programme。")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"输出目录 {output.parent} 不存在。")
        start = time.perf_counter()
        report_write(kind=options["kind"], programme=programme, cutoff=cutoff, path=output, is_demo=options["demo"])
        self.stdout.write(self.style.SUCCESS(
            f"{ReportKind(options['kind']).label}已写入 {output}（{output.stat().st_size} 字节，"
            f"用时 {time.perf_counter() - start:.2f} 秒）"
        ))

from pathlib import Path

from django.core.management.base import BaseCommand

from projects.services import PROGRAMME_FILE, programme_load


class Command(BaseCommand):
    help = (
        "载入工作方案（靖政发〔2023〕75号）中的计划事实："
        "目标、时限、领导小组、职责、改造内容目录、资金来源。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(PROGRAMME_FILE), help="programme facts JSON")

    def handle(self, *args, **options):
        counts = programme_load(path=Path(options["file"]))
        for name, row in counts.by_model.items():
            self.stdout.write(
                f"{name}: 新增 {row['created']}，更新 {row['updated']}，未变 {row['unchanged']}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"完成：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}")
        )

from django.core.management.base import BaseCommand
from django.db import transaction

from changelog.writer import index_missing


class Command(BaseCommand):
    help = "把尚未登记到变更日志的历史记录补登（幂等；每个历史表一条 INSERT … SELECT）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            written = index_missing()
        for label, count in written.items():
            if count:
                self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"共补登 {sum(written.values())} 条。")

from django.core.management.base import BaseCommand

from communities.survey import survey_template_write


class Command(BaseCommand):
    help = "写出摸底调查表模板（.xlsx）：python manage.py survey_template OUT.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件路径，如 摸底调查表模板.xlsx")

    def handle(self, *args, **options):
        survey_template_write(options["out"])
        self.stdout.write(self.style.SUCCESS(f"已写出模板：{options['out']}"))

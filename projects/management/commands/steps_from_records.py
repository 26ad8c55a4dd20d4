from django.core.management.base import BaseCommand

from projects.choices import StepStatus
from projects.models import ProjectCompound, ProjectStep
from projects.services import projects_steps_from_records


class Command(BaseCommand):
    help = (
        "按所含小区已有的摸底调查导入记录和现场审核认定记录，登记各项目的“摸底调查”“现场审核认定”步骤"
        "（工作方案六(一)）。只补登尚未完成的步骤，可重复运行。"
    )

    def handle(self, *args, **options):
        def open_steps() -> int:
            return ProjectStep.objects.filter(
                code__in=["survey", "site_verification"]).exclude(status=StepStatus.DONE).count()

        before = open_steps()
        projects_steps_from_records(compound_ids=ProjectCompound.objects.values("compound_id"), user=None)
        after = open_steps()
        self.stdout.write(self.style.SUCCESS(
            f"完成：未完成的摸底调查、现场审核认定步骤 {before} 个，现余 {after} 个。"))

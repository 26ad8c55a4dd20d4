"""Builders for project tests: compounds by factory_boy, projects through the services users call."""

import datetime as dt
from decimal import Decimal

import factory

from communities.models import Compound
from projects import services
from projects import steps as catalog
from projects.models import ProjectStep, ScopeItem

PLAN_START = dt.date(2023, 3, 1)
# (start, end) offsets in days from PLAN_START; the last step before 施工 (施工、监理招投标) ends
# 2023-06-24, six days before 时限一; acceptance ends 2024-01-15.
PLAN = {
    "survey": (0, 14),
    "site_verification": (15, 25),
    "county_report": (26, 30),
    "feasibility_study": (31, 45),
    "approval": (46, 52),
    "subsidy_application": (53, 60),
    "task_issued": (61, 63),
    "preliminary_tender": (64, 75),
    "design": (76, 95),
    "permits": (96, 110),
    "construction_tender": (96, 115),
    "construction": (122, 300),
    "completion_acceptance": (301, 320),
    "final_accounts": (321, 340),
    "final_audit": (341, 380),
    "handover": (321, 350),
    "property_management": (321, 360),
}


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    name = factory.Sequence(lambda n: f"测试小区-{n:03d}")
    build_year = 1995
    household_count = 40


# Test compounds are often 资料不全 (only the facts a test needs are set); a project may take them only
# with a reason (三、认定标准; 六(一)), which the builder gives. The rule itself: test_services_admission.py.
TEST_ADMISSION_REASON = "测试：先行列入，待补充认定资料"


def make_project(*, programme, user, compounds, code="jy-01", central=False, is_demo=False):
    return services.project_create(
        programme=programme,
        code=code,
        name=f"测试项目 {code}",
        compounds=compounds,
        user=user,
        centrally_subsidised=central,
        is_demo=is_demo,
        reasons={(c[0] if isinstance(c, tuple) else c).pk: TEST_ADMISSION_REASON for c in compounds},
    )


def plan(project, user, *, start=PLAN_START):
    for step in project.steps.all():
        begin, end = PLAN[step.code]
        services.project_step_plan(
            step=step,
            user=user,
            planned_start=start + dt.timedelta(days=begin),
            planned_end=start + dt.timedelta(days=end),
        )


def step(project, code) -> ProjectStep:
    return ProjectStep.objects.get(project=project, code=code)


def complete_through(project, user, last_code, *, late_days=0, start=PLAN_START):
    """Complete every step up to `last_code`, each `late_days` later than planned (cumulative)."""
    delay = 0
    for definition in catalog.STEPS:
        if catalog.ORDER[definition.code] > catalog.ORDER[last_code]:
            return
        delay += late_days
        begin, end = PLAN[definition.code]
        current = step(project, definition.code)
        began = start + dt.timedelta(days=begin + delay)
        for dep in definition.depends_on:
            began = max(began, step(project, dep).actual_end)
        services.project_step_start(step=current, started_on=began, user=user)
        finished = max(began, start + dt.timedelta(days=end + delay))
        if definition.requires_acceptance_record:
            accept(project, user, on=finished)
        services.project_advance(step=current, completed_on=finished, user=user)


def pdf(name="report.pdf", body=b"evidence"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n" + body, content_type="application/pdf")


def accept(project, user, *, on, passed=True, with_report=True):
    report = None
    if with_report:
        report = services.document_upload(
            project=project, title="竣工验收报告", uploaded_file=pdf(body=str(on).encode()), user=user
        )
    return services.acceptance_record_save(
        project=project, accepted_on=on, passed=passed, participants="住建、财政", report=report, user=user
    )


def add_line(project, user, compound, code, *, quantity="1", cost="10000", **outputs):
    return services.scope_line_save(
        project=project,
        compound=compound,
        scope_item=ScopeItem.objects.get(code=code),
        quantity=Decimal(quantity),
        estimated_cost_yuan=Decimal(cost),
        user=user,
        **outputs,
    )

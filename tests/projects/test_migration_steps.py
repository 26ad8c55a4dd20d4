"""The data migration that puts each project's steps in the order of 六 (issue 14): no recorded date or
document is lost, and the reverse gives the old steps back."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from projects import services
from projects import steps as catalog
from projects.choices import StepStatus
from projects.models import AgencyTask, ProjectDocument, ProjectStep

from .factories import CompoundFactory, make_project, step

pytestmark = pytest.mark.django_db
migration = importlib.import_module("projects.migrations.0005_steps_reorder")

OLD = migration.OLD_ORDER


def _as_before_the_change(project, user):
    """Rewrite a project's steps as the old step list had them: 工程招投标 and 合同签订 (done, with
    their own dates and a contract document) before the design, no 项目任务下达 / 前期手续 / 施工、监理
    招投标 / 决算编制."""
    for code in ("task_issued", "permits", "construction_tender", "final_accounts"):
        step(project, code).delete()
    tender = step(project, "preliminary_tender")
    tender.code, tender.status, tender.notes = "tender", StepStatus.DONE, "控制价已审"
    tender.planned_start, tender.planned_end = dt.date(2023, 5, 1), dt.date(2023, 5, 25)
    tender.actual_start, tender.actual_end = dt.date(2023, 5, 2), dt.date(2023, 5, 26)
    tender.save()
    contract = ProjectStep.objects.create(
        project=project, code="contract", order=0, responsible_agency=tender.responsible_agency,
        planned_start=dt.date(2023, 5, 26), planned_end=dt.date(2023, 6, 4),
        actual_start=dt.date(2023, 5, 27), actual_end=dt.date(2023, 6, 3), status=StepStatus.DONE,
    )
    for row in project.steps.all():
        row.order = OLD.index(row.code) + 1
        row.save()
    document = ProjectDocument.objects.create(
        project=project, step=contract, title="施工合同", file=ContentFile(b"%PDF-1.4", name="c.pdf"),
        original_name="c.pdf", content_type="application/pdf", size_bytes=8, sha256="a" * 64, uploaded_by=user,
    )
    return contract, document


def test_migration_merges_tender_and_contract_into_the_preliminary_tender_keeping_every_date(
    programme, wulan, staff_user, settings, tmp_path
):
    """六(三)1 「前期招投标及合同签订」 is one step: it starts when the tender started and is done when the
    contract was signed; the dates in between stay in its notes, the contract's document stays with it."""
    settings.MEDIA_ROOT = tmp_path
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    _, document = _as_before_the_change(project, staff_user)
    AgencyTask.objects.filter(project=project).update(due_date=None)  # as unplanned steps left them

    migration.forward(apps, None)

    merged = step(project, "preliminary_tender")
    assert (merged.status, merged.actual_start, merged.actual_end) == (
        StepStatus.DONE, dt.date(2023, 5, 2), dt.date(2023, 6, 3))
    assert (merged.planned_start, merged.planned_end) == (dt.date(2023, 5, 1), dt.date(2023, 6, 4))
    for kept in ("2023-05-25", "2023-05-26", "2023-05-27", "控制价已审"):
        assert kept in merged.notes
    document.refresh_from_db()
    assert document.step_id == merged.pk
    assert [s.code for s in project.steps.order_by("order")] == [s.code for s in catalog.STEPS]
    for code in ("task_issued", "permits", "construction_tender", "final_accounts"):
        assert step(project, code).status == StepStatus.NOT_STARTED
    # The change history (the ledger) says what happened to the two old rows.
    assert merged.history.filter(history_change_reason__startswith="步骤调整").exists()
    assert ProjectStep.history.filter(project_id=project.pk, code="contract", history_type="-").exists()
    # 四(三): tasks of unplanned steps fall due at the deadline that needs their step.
    due = dict(AgencyTask.objects.filter(project=project).values_list("template_key", "due_date"))
    assert due["survey.wulan"] == due["tender_price.audit"] == dt.date(2023, 6, 30)
    assert due["quality.housing"] == dt.date(2024, 5, 31) and due["final_audit.audit"] is None


def test_migration_reverse_gives_back_tender_and_contract_with_their_dates(
    programme, wulan, staff_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    _, document = _as_before_the_change(project, staff_user)
    migration.forward(apps, None)

    migration.backward(apps, None)

    assert [s.code for s in project.steps.order_by("order")] == OLD
    tender, contract = step(project, "tender"), step(project, "contract")
    assert (tender.actual_start, tender.actual_end, tender.notes) == (
        dt.date(2023, 5, 2), dt.date(2023, 5, 26), "控制价已审")
    assert (contract.actual_start, contract.actual_end, contract.status) == (
        dt.date(2023, 5, 27), dt.date(2023, 6, 3), StepStatus.DONE)
    document.refresh_from_db()
    assert document.step_id in (tender.pk, contract.pk)


def test_migration_moves_the_tender_price_task_to_the_construction_tender(programme, wulan, staff_user):
    """附件 审计局 招标控制价审核 serves the 施工、监理招投标 (六(三)2): its due date follows that step."""
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    services.project_step_plan(step=step(project, "construction_tender"), user=staff_user,
                               planned_start=dt.date(2023, 6, 1), planned_end=dt.date(2023, 6, 20))
    task = AgencyTask.objects.get(project=project, template_key="tender_price.audit")
    assert task.due_date == dt.date(2023, 6, 20)

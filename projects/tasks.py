from celery import shared_task

from .models import Programme
from .selectors import programme_summary


@shared_task(name="projects.programme_summary")
def programme_summary_task(programme_id: int) -> dict | None:
    """The programme summary computed by a worker; the report capability builds on this path."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:  # deleted between queueing and running: nothing to do
        return None
    return programme_summary(programme=programme)


# The report tasks live with the report code; imported here so the worker's autodiscovery finds them.
from .reports.tasks import report_build_task, report_runs_sweep_task, report_scheduled_task  # noqa: E402, F401

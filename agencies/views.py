"""Pages of the agencies' duties (职责分工): the list (ui.lists pattern) and a duty's page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ui.history import history_entries
from ui.lists import Column, FilteredListView

from . import access, selectors
from .filters import DutyFilterSet


class DutyListView(FilteredListView):
    title = "部门职责"
    intro = "工作方案附件职责分工，每条职责单独记录、可分派跟踪。部门联络员只看到本单位的职责。"
    roles = access.DUTY_READERS
    filterset_class = DutyFilterSet
    detail_url_name = "agencies:duty_detail"
    export_name = "部门职责"
    columns = [
        Column("责任单位", "agency.name", sort="agency"),
        Column("单位类别", "agency.get_kind_display", export_only=True),
        Column("序号", "order", sort="order", numeric=True),
        Column("职责内容", "text", link=True),
        Column("依据", "source", sort="source"),
    ]

    def get_queryset(self):
        return selectors.duty_list(user=self.request.user)


@login_required
@require_GET
def duty_detail(request, pk: int):
    access.require_role(request.user, *access.DUTY_READERS)
    duty = selectors.duty_get(user=request.user, pk=pk)
    return render(request, "agencies/duty_detail.html", {
        "duty": duty,
        "agency_duties": selectors.agency_duties(user=request.user, agency=duty.agency),
        "history": history_entries(duty),
    })

"""One FilterSet per listed model: the HTML list and its xlsx export filter the same way."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.access import role_of
from agencies.choices import Role
from agencies.models import Agency
from communities.models import Town
from ui.filters import NameChoiceFilter, YesNoFilter
from ui.lists import StableOrderingFilter

from . import steps as step_catalog
from .choices import DeadlineStatus, StepStatus, TaskStatus
from .models import AgencyTask, Project, ProjectStep

STAGES = [
    ("preparing", "前期（未具备开工条件）"),
    ("ready", "已具备开工条件、未开工"),
    ("started", "已开工、未竣工验收"),
    ("accepted", "已竣工验收"),
]


def _step_done(code: str):
    return Exists(ProjectStep.objects.filter(project=OuterRef("pk"), code=code, status=StepStatus.DONE))


def _gate_done(codes: tuple[str, ...]):
    """Every step of a gate done: no step of it is left undone."""
    return ~Exists(
        ProjectStep.objects.filter(project=OuterRef("pk"), code__in=codes).exclude(status=StepStatus.DONE)
    )


def _step_begun(code: str):
    return Exists(
        ProjectStep.objects.filter(project=OuterRef("pk"), code=code).exclude(status=StepStatus.NOT_STARTED)
    )


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键字", method="filter_q", help_text="项目编号、名称或小区名称")
    town = NameChoiceFilter(label="乡镇", queryset=Town.objects.all(), method="filter_town")
    stage = django_filters.ChoiceFilter(label="阶段", choices=STAGES, method="filter_stage")
    centrally_subsidised = YesNoFilter(label="中央补助项目")
    responsible_agency = NameChoiceFilter(
        label="建设（责任）单位", queryset=Agency.objects.all()
    )
    is_demo = YesNoFilter(label="演示数据")
    deadline_ready = django_filters.ChoiceFilter(label="时限一状态", choices=DeadlineStatus.choices,
                                                 method="filter_deadline")
    deadline_completion = django_filters.ChoiceFilter(label="时限二状态", choices=DeadlineStatus.choices,
                                                      method="filter_deadline")
    # estimated_cost_yuan is the list's annotation (projects.selectors.projects_for_list).
    sort = StableOrderingFilter(
        fields=(("code", "code"), ("name", "name"), ("estimated_cost_yuan", "estimated_cost_yuan")),
        field_labels={"code": "项目编号", "name": "项目名称", "estimated_cost_yuan": "估算投资(元)"},
        label="排序",
    )

    class Meta:
        model = Project
        fields = ["q", "town", "stage", "centrally_subsidised", "responsible_agency", "is_demo",
                  "deadline_ready", "deadline_completion"]

    def filter_deadline(self, queryset, name, value):
        """Deadline status is a forecast computed from the steps (projects/deadlines.py), not a column:
        evaluate it for the projects still in the queryset and keep those with the asked status."""
        from .selectors import project_deadline_statuses

        index = 0 if name == "deadline_ready" else 1
        programme = queryset.first().programme if queryset.exists() else None
        if programme is None:
            return queryset
        matching = [project.pk for project, assessed in project_deadline_statuses(
            programme=programme, today=timezone.localdate(), queryset=queryset) if assessed[index].status == value]
        return queryset.filter(pk__in=matching)

    def filter_q(self, queryset, name, value):
        matching = Project.objects.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(compounds__name__icontains=value)
        )
        return queryset.filter(pk__in=matching.values("pk"))

    def filter_town(self, queryset, name, value):
        return queryset.filter(pk__in=Project.objects.filter(compounds__town=value).values("pk"))

    def filter_stage(self, queryset, name, value):
        # 四(三): 具备开工条件 = every step before 施工 done (permits and the construction tender run
        # side by side, so the last step alone does not say it).
        ready = _gate_done(step_catalog.READY_GATE)
        started = _step_begun(step_catalog.STARTED_STEP)
        accepted = _step_done(step_catalog.COMPLETED_STEP)
        if value == "preparing":
            return queryset.filter(~ready)
        if value == "ready":
            return queryset.filter(ready & ~started)
        if value == "started":
            return queryset.filter(started & ~accepted)
        return queryset.filter(accepted)


class AgencyTaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键字", method="filter_q", help_text="任务或项目名称")
    agency = NameChoiceFilter(label="责任单位", queryset=Agency.objects.all())
    status = django_filters.ChoiceFilter(label="状态", choices=TaskStatus.choices)
    overdue = YesNoFilter(label="已逾期", method="filter_overdue")
    open = YesNoFilter(label="未完成", method="filter_open")
    programme_wide = YesNoFilter(
        label="全计划任务", field_name="project", lookup_expr="isnull"
    )
    # Demo projects' tasks are 演示数据: left out unless asked for, as every figure leaves them out.
    demo = django_filters.ChoiceFilter(
        label="演示数据", method="filter_demo", empty_label="不含演示任务（默认）",
        choices=[("include", "含演示任务"), ("only", "仅演示任务")],
    )
    sort = StableOrderingFilter(
        fields=(("agency__name", "agency"), ("project__code", "project"), ("title", "title"),
                ("due_date", "due_date"), ("status", "status")),
        field_labels={"agency__name": "责任单位", "project__code": "项目", "title": "任务",
                      "due_date": "完成时限", "status": "状态"},
        label="排序",
    )

    class Meta:
        model = AgencyTask
        fields = ["q", "agency", "status", "overdue", "open", "programme_wide", "demo"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # A liaison's list is their own agency's (the view's queryset): no 责任单位 to choose.
        if request is not None and role_of(request.user) == Role.LIAISON:
            del self.filters["agency"]

    @property
    def qs(self):
        if not hasattr(self, "_qs_scoped"):
            queryset = super().qs
            asked = self.form.cleaned_data.get("demo") if self.is_valid() else ""
            self._qs_scoped = queryset if asked else queryset.exclude(project__is_demo=True)
        return self._qs_scoped

    def filter_demo(self, queryset, name, value):
        return queryset.filter(project__is_demo=True) if value == "only" else queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(project__name__icontains=value) | Q(project__code__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        """A liaison's starting list (ui.landing): what is still to do."""
        return queryset.exclude(status=TaskStatus.DONE) if value else queryset.filter(status=TaskStatus.DONE)

    def filter_overdue(self, queryset, name, value):
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=TaskStatus.DONE)
        return queryset.filter(late) if value else queryset.exclude(late)

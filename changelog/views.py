from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from agencies import access
from ui.xlsx import xlsx_response

from .filters import ChangeFilterSet
from .selectors import change_lines, change_list, export_rows

EXPORT_HEADERS = ["时间", "操作人", "对象类型", "对象", "操作", "字段", "原值", "新值", "原因"]
COUNT_CAP = 10000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 lines: the log of a million households' import has millions of lines,
    and counting them all for the pager would cost more than the page. Beyond the cap the page says
    「超过 10000 条」 and a filter narrows it."""

    @cached_property
    def count(self):
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP

    def page(self, number):
        """Every page reads its whole slice, so the last counted page is full too."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


@login_required
@require_GET
def change_log(request):
    """Every change to every record (变更日志): who, when, which record, old → new; ?export=xlsx downloads
    the filtered lines, one row per changed field, residents' data masked as on the page."""
    access.require_role(request.user, *access.CHANGELOG_READERS)
    filterset = ChangeFilterSet(request.GET or None, queryset=change_list(), request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    changes = filterset.qs if valid else filterset.queryset.none()
    if request.GET.get("export") == "xlsx":
        if not valid:
            return HttpResponseBadRequest("筛选条件有误，未导出。".encode())
        return xlsx_response(filename_stem="变更日志", title="变更日志", headers=EXPORT_HEADERS,
                             rows=export_rows(changes, viewer=request.user))
    paginator = CappedPaginator(changes, settings.LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "changelog/change_log.html", {
        "filter": filterset, "page_obj": page, "paginator": paginator,
        "lines": change_lines(page.object_list, viewer=request.user),
    })

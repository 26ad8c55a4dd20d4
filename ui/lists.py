"""One pattern for every list page: a FilterSet drives the HTML list, its pages, its sorting and its export.

A page declares what it lists; FilteredListView does the rest:

    class CompoundList(FilteredListView):
        title = "小区"
        roles = access.COMMUNITY_READERS
        filterset_class = CompoundFilterSet        # with a StableOrderingFilter named "sort"
        detail_url_name = "communities:compound_detail"
        export_name = "小区"
        columns = [Column("小区名称", "name", sort="name", link=True), ...]

        def get_queryset(self):
            return compound_list(user=self.request.user)   # a selector: scoped and select_related

`?export=xlsx` on the same URL returns exactly the rows the filters select, in the same order,
with personal data masked the same way as on the page.
"""

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from agencies.access import personal_value, require_role

from .xlsx import xlsx_response

EXPORT_PARAM = "export"


def invalid_filter_response(request, form) -> HttpResponse:
    """400: the styled page naming each filter that is wrong and what it accepts (nothing exported).

    `form` is a FilterSet's form or any bound Django form; its errors are shown under the field's label."""
    problems = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ("筛选条件" if name == "__all__" else name)
        problems.append({"label": label, "value": request.GET.get(name, ""), "messages": list(errors)})
    return render(request, "400.html", {"problems": problems, "retry_url": request.path}, status=400)


@dataclass(frozen=True)
class Column:
    """One column of a list and of its export.

    value: an attribute path ("compound.town.name"; a callable at the end is called, so
    "get_consent_display" works) or a function of the row.
    sort: the OrderingFilter name the header toggles, if the column sorts.
    link: the cell links to the row's detail page.
    personal: "name" or "phone" when the value is a resident's personal data (masked by role).
    export_only / page_only: the column appears in one place only.
    """

    label: str
    value: str | Callable[[Any], Any]
    sort: str | None = None
    link: bool = False
    personal: str | None = None
    export_only: bool = False
    page_only: bool = False
    numeric: bool = False


class Cell(NamedTuple):
    """One cell of a list page's table body (templates/jinja2/ui/list_rows.html reads its attributes)."""

    value: Any
    url: str | None
    numeric: bool


def resolve(row, path: str):
    """The value at an attribute path of `row` ("compound.town.name"); None where a link on the way is empty.
    A callable at the end is called ("get_consent_display")."""
    try:
        value = _getter(path)(row)
    except AttributeError:  # an empty link on the way (a compound without a 社区), or a wrong path: walk it
        value = row
        for part in path.split("."):
            if value is None:
                return None
            value = getattr(value, part)
    return value() if callable(value) else value


@functools.cache
def _getter(path: str):
    return operator.attrgetter(path)  # one C call for the whole path: a page resolves ~500 cells


def _url_for_pk(url_name: str) -> Callable[[Any], str]:
    """reverse(url_name, args=[pk]) for many pks at the cost of one reverse(): the URL is reversed once with
    a marker in place of the key and each row's key is put in its place (a page links ~50 rows)."""
    marker = "2147483647"
    head, found, tail = reverse(url_name, args=[int(marker)]).rpartition(marker)
    if not found:  # a URL that does not print its key as given: reverse each row
        return lambda pk: reverse(url_name, args=[pk])
    return lambda pk: f"{head}{pk}{tail}"


_DISPLAY_PREFIX, _DISPLAY_SUFFIX = "get_", "_display"


def _choice_labels(field) -> dict:
    """value → label as get_FOO_display gives it (labels as plain text; an unknown value shows itself)."""
    return {value: str(label) for value, label in field.flatchoices}


def column_lookup(queryset, path: str):
    """An attribute path of a Column as an ORM lookup for .values_list(), and how to turn the value read into
    the cell the attribute would give: ("building__compound__name", None), ("renovation_consent", {value:
    label}) for "get_renovation_consent_display". None when the path is not plain fields (a property, a
    method, a related object itself): the export then reads model rows as the page does."""
    parts = path.split(".")
    labels = None
    if parts[-1].startswith(_DISPLAY_PREFIX) and parts[-1].endswith(_DISPLAY_SUFFIX):
        parts[-1] = parts[-1][len(_DISPLAY_PREFIX):-len(_DISPLAY_SUFFIX)]
        labels = {}
    if len(parts) == 1 and labels is None and parts[0] in queryset.query.annotations:
        return parts[0], None
    model = queryset.model
    for index, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        last = index == len(parts) - 1
        if last:
            if field.is_relation or not field.concrete:
                return None  # the related object itself (its __str__) or a reverse relation
            if labels is not None:
                if not field.choices:
                    return None
                labels = _choice_labels(field)
        elif not (field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete):
            return None  # a many-valued relation would repeat rows
        else:
            model = field.related_model
    return "__".join(parts), labels


_IDENTIFYING = {"name", "code", "number", "order", "short_name"}


def _verbose_label(model, path: str) -> str:
    """The column's name in the user's words: the last field's verbose name, or the related object's own
    name where the path ends in what identifies it (town__name → 乡镇, building__number → 楼栋)."""
    label, related_label = path, None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return label if related_label else path  # an annotation: its FilterSet gives field_labels
        if part in _IDENTIFYING and related_label:
            return related_label
        label = str(getattr(field, "verbose_name", part))
        if field.is_relation and field.related_model is not None:
            related_label, model = label, field.related_model
    return label


class StableOrderingFilter(django_filters.OrderingFilter):
    """OrderingFilter that ends every ordering with the primary key, so pages never repeat or skip rows."""

    descending_fmt = "%s（降序）"  # django-filter's own "%s (descending)" has no Chinese translation

    def __init__(self, *args, **kwargs):
        self._explicit_labels = dict(kwargs.get("field_labels") or {})
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        # Labels the FilterSet did not give are the model's own verbose names (「建成年份」, not "Build year"):
        # the model is known only once the filter is bound to its FilterSet.
        if not hasattr(self, "_field") and getattr(self, "model", None) is not None:
            fields = {name: param for param, name in self.param_map.items()}
            labels = {name: self._explicit_labels.get(name) or _verbose_label(self.model, name) for name in fields}
            self.extra["choices"] = self.build_choices(fields, labels)
        return super().field

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


class StoredCountPaginator(Paginator):
    """A pager whose row count comes from a stored aggregate instead of COUNT(*) over every row.

    The count only numbers the pages: each page still reads its full slice of rows, so a stored
    figure that lagged the rows could mislabel the last page but never hide a row on the others."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # Paginator.count is a cached_property: set here, it is never computed

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


def _narrowed(filterset) -> bool:
    """Whether any filter other than the sort order is set."""
    if not filterset.is_bound:
        return False
    return any(value not in (None, "", [], ()) for name, value in filterset.form.cleaned_data.items()
               if name != "sort")


class FilteredListView(LoginRequiredMixin, View):
    """A list page, its pagination, sorting and xlsx export, all from one FilterSet."""

    title: str = ""
    roles: frozenset = frozenset()
    filterset_class: type[django_filters.FilterSet]
    columns: Sequence[Column] = ()
    detail_url_name: str | None = None
    export_name: str | None = None
    template_name = "ui/list.html"
    intro: str = ""

    def get_queryset(self):
        raise NotImplementedError

    # The ORM lookup of personal_town_id(row) ("building__compound__town_id"), so an export with personal
    # columns can read tuples; without it such an export reads model rows.
    personal_town_lookup: str | None = None

    def personal_town_id(self, row) -> int | None:
        """The town whose surveyors may read this row's personal data; only rows with personal columns."""
        return None

    def detail_url(self, row) -> str:
        if self._detail_url is None:
            self._detail_url = _url_for_pk(self.detail_url_name)
        return self._detail_url(row.pk)

    _detail_url: Callable[[Any], str] | None = None

    def stored_total(self) -> int | None:
        """The unfiltered list's row count from a stored aggregate, or None to count the rows.

        A list of a million rows spends most of its time counting them for the pager; a view whose
        model has stored totals kept in step by its services returns them here."""
        return None

    # --- the machinery ---------------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        require_role(request.user, *self.roles)
        self.kwargs = kwargs
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        valid = not filterset.is_bound or filterset.is_valid()
        rows = filterset.qs if valid else filterset.queryset.none()
        if request.GET.get(EXPORT_PARAM) == "xlsx":
            if not self.export_name:
                raise PermissionDenied("此列表不提供导出。")
            if not valid:
                return invalid_filter_response(request, filterset.form)
            return self.export(rows)
        if request.GET.get(EXPORT_PARAM):
            return redirect(request.path)
        total = self.stored_total() if valid and not _narrowed(filterset) else None
        paginator, page = self.paginate(rows, total=total, number=request.GET.get("page"))
        page_columns = [c for c in self.columns if not c.export_only]
        context = {
            "title": self.title,
            "intro": self.intro,
            "filter": filterset,
            "columns": page_columns,
            "headers": self._headers(filterset, page_columns),
            "rows": self.page_rows(page.object_list, page_columns),
            "page_obj": page,
            "paginator": paginator,
            "export_name": self.export_name,
        }
        context.update(self.get_extra_context(filterset))
        return TemplateResponse(request, self.template_name, context)

    def get_extra_context(self, filterset) -> dict:
        return {}

    EXPORT_CHUNK = 2000  # rows per fetch of the server-side cursor (PostgreSQL) / per batch elsewhere

    def paginate(self, rows, *, total: int | None, number):
        """The pager and the asked page of `rows` (already filtered and sorted)."""
        paginator = Paginator(rows, settings.LIST_PAGE_SIZE) if total is None else StoredCountPaginator(
            rows, settings.LIST_PAGE_SIZE, count=total)
        return paginator, paginator.get_page(number)

    def page_rows(self, objects, columns) -> list:
        """What the table body renders for one page of records: each row's cells, resolved and masked.

        A page whose body is its own Jinja2 template (a `rows` block in a template extending ui/list.html)
        returns what that template reads instead, e.g. the records themselves."""
        return [self._page_row(row, columns) for row in objects]

    def export_table(self, rows):
        """The export's header labels and its rows (streamed from the database), as the page shows them.

        Where every column is a plain field path, rows are read as tuples (values_list) rather than model
        instances: 6-10x less Python per row at a million rows (benchmarks/README.md). Cells, masking
        included, are the same as the page's: tests/ui/test_exports_tuples.py compares them."""
        columns = [c for c in self.columns if not c.page_only]
        headers = [c.label for c in columns]
        table = self._export_tuples(rows, columns)
        if table is None:
            table = ([self.cell(row, c) for c in columns] for row in rows.iterator(chunk_size=self.EXPORT_CHUNK))
        return headers, table

    def _export_tuples(self, rows, columns):
        """The rows as tuples, each cell as cell() would give it; None when a column is not a field path."""
        lookups = []
        for column in columns:
            found = None if callable(column.value) else column_lookup(rows, column.value)
            if found is None:
                return None
            lookups.append(found)
        personal = [(i, c.personal) for i, c in enumerate(columns) if c.personal]
        if personal and not self.personal_town_lookup:
            return None
        names = [lookup for lookup, _ in lookups]
        if personal:
            names.append(self.personal_town_lookup)
        # The primary key leads so that a .distinct() list keeps one row per object, as the page does.
        values = rows.values_list("pk", *names)
        labelled = [(i, labels) for i, (_, labels) in enumerate(lookups) if labels is not None]
        user, width = self.request.user, len(columns)

        def table():
            for record in values.iterator(chunk_size=self.EXPORT_CHUNK):
                cells = list(record[1:width + 1])
                for i, labels in labelled:
                    value = cells[i]
                    cells[i] = labels.get(value, value)
                if personal:
                    town_id = record[-1]
                    for i, kind in personal:
                        cells[i] = personal_value(user, cells[i] or "", kind=kind, town_id=town_id)
                yield cells

        return table()

    def export(self, rows) -> HttpResponse:
        """Up to settings.EXPORT_ASYNC_MIN_ROWS rows at once; more on the worker (ui.exports), with a
        progress page and a download link, so a big download never outlasts the web server's timeout."""
        count = rows.count() if settings.EXPORT_ASYNC_MIN_ROWS else 0
        if count > settings.EXPORT_ASYNC_MIN_ROWS:
            from .exports import ExportBusy, export_run_request

            query = self.request.GET.copy()
            query.pop(EXPORT_PARAM, None)
            query.pop("page", None)
            try:
                export_run_request(user=self.request.user, view_name=self.request.resolver_match.view_name,
                                   view_kwargs=self.kwargs, query=query.urlencode(), title=self.title,
                                   filename_stem=self.export_name, row_count=count)
            except ExportBusy as busy:
                messages.warning(self.request, f"{busy}（{busy.run.title}，{busy.run.row_count} 行）")
            else:
                messages.info(self.request, f"共 {count} 行，正在后台生成，完成后可在这里下载。")
            return redirect("ui:export_list")
        headers, table = self.export_table(rows)
        return xlsx_response(filename_stem=self.export_name, title=self.title, headers=headers, rows=table)

    def cell(self, row, column: Column):
        value = column.value(row) if callable(column.value) else resolve(row, column.value)
        if column.personal:
            value = personal_value(self.request.user, value or "", kind=column.personal,
                                   town_id=self.personal_town_id(row))
        return value

    def _page_row(self, row, columns):
        url = self.detail_url(row) if self.detail_url_name else None
        return [Cell(self.cell(row, c), url if c.link else None, c.numeric) for c in columns]

    def _headers(self, filterset, columns):
        current = []
        if filterset.is_bound and filterset.is_valid():
            current = filterset.form.cleaned_data.get("sort") or []
        headers = []
        for column in columns:
            header = {"label": column.label, "sort": None, "direction": None, "numeric": column.numeric}
            if column.sort:
                if column.sort in current:
                    header["direction"], header["sort"] = "asc", f"-{column.sort}"
                elif f"-{column.sort}" in current:
                    header["direction"], header["sort"] = "desc", column.sort
                else:
                    header["sort"] = column.sort
            headers.append(header)
        return headers

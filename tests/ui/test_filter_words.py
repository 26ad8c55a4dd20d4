"""Every filter form of every list reads in plain Chinese (issue 17, one list pattern): yes/no filters offer
全部/是/否 (not 未知), no drop-down starts with 「---------」, sort choices say 「（降序）」, no English."""

import importlib
import inspect
import re

import django_filters
import pytest

pytestmark = pytest.mark.django_db

MODULES = ["agencies.filters", "communities.filters", "funding.filters", "projects.filters", "ui.filters"]


def _filtersets():
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, django_filters.FilterSet) and cls.__module__ == name]
    return found


@pytest.mark.parametrize("filterset_class", _filtersets(), ids=lambda cls: cls.__name__)
def test_filter_forms_read_in_chinese(filterset_class, programme, wulan, rf, users):
    request = rf.get("/")
    request.user = users["staff"]
    html = str(filterset_class(queryset=filterset_class._meta.model.objects.none(), request=request).form)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert "---------" not in options
    assert "未知" not in options  # a yes/no filter's "any" reads 全部
    assert "descending" not in html and not re.search(r">[^<]*\b[A-Za-z]{4,}\b[^<]*</option>", html)
    for option in options:
        if option.endswith("降序）"):
            assert option.endswith("（降序）")

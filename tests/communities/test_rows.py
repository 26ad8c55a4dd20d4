"""The review queue's rows drawn in Python print what the template printed, hostile text included."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from communities.models import CompoundAssessment
from communities.rows import review_rows_html

from .factories import make_estate

pytestmark = pytest.mark.django_db

# The rows of templates/communities/review_queue.html before they moved to communities/rows.py.
TEMPLATE = Template("""{% for compound in page %}
      {% with a=compound.assessment %}
      <tr>
        <td><a href="{% url 'communities:compound_detail' compound.pk %}">{{ compound.name }}</a></td>
        <td>{{ compound.town.name }}</td>
        <td>{{ compound.community.name|default:"—" }}</td>
        <td>{{ compound.build_year|default:"未知" }}</td>
        <td>{% if a %}<span class="verdict verdict-{{ a.verdict }}">{{ a.get_verdict_display }}</span>
            {% if a.missing_facts %}<span class="muted">（缺 {{ a.missing_facts|length }} 项）</span>{% endif %}
            {% else %}未评估{% endif %}</td>
        <td>{% if a %}{{ a.central_subsidy_allowed|yesno:"可申报,不得申报,待定" }}{% endif %}</td>
        <td>{{ a.priority|default_if_none:"" }}</td>
        <td>{% if a and a.consent_by_households is not None %}{% widthratio a.consent_by_households 1 100 %}%{% else %}—{% endif %}
          / {% if a and a.consent_by_area is not None %}{% widthratio a.consent_by_area 1 100 %}%{% else %}—{% endif %}
          {% if a.consent_meets_threshold is False %}<span class="tag warn">低于门槛</span>{% endif %}</td>
        <td>{{ compound.get_review_status_display }}</td>
      </tr>
      {% endwith %}
    {% empty %}
      <tr><td colspan="9" class="muted">没有符合条件的小区。</td></tr>
    {% endfor %}""")  # noqa: E501


def _same(html: str) -> str:
    """Whitespace as a browser reads it: runs collapse to one space, none between a tag and a cell edge."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    return re.sub(r"\s*(</?(?:tr|td)\b[^>]*>)\s*", r"\1", html)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", 'a"b&c\'d'])
def test_python_rows_equal_the_template_rows(wulan, hostile):
    compounds = [make_estate(town=wulan)[0] for _ in range(4)]
    assessed, missing, low, bare = compounds
    for compound in compounds:
        compound.name = hostile + compound.name
    bare.build_year = None
    CompoundAssessment.objects.filter(compound=bare).delete()
    rows = []
    for compound, changes in ((assessed, {"verdict": "eligible", "central_subsidy_allowed": True, "priority": 7,
                                          "consent_by_households": Decimal("0.675"), "consent_by_area": None,
                                          "missing_facts": []}),
                              (missing, {"central_subsidy_allowed": None, "priority": None,
                                         "missing_facts": [{"label": hostile}, {"label": "x"}]}),
                              (low, {"central_subsidy_allowed": False, "priority": 0,
                                     "consent_by_households": Decimal("0.125"), "consent_by_area": Decimal("0.3"),
                                     "consent_meets_threshold": False})):
        assessment = CompoundAssessment.objects.filter(compound=compound).first() or CompoundAssessment(
            compound=compound)
        for field, value in changes.items():
            setattr(assessment, field, value)
        compound.assessment = assessment
        rows.append(compound)
    bare_loaded = type(bare).objects.select_related("town", "community").get(pk=bare.pk)
    bare_loaded.name, bare_loaded.build_year = bare.name, None
    rows.append(bare_loaded)
    expected = _same(TEMPLATE.render(Context({"page": rows})))
    assert _same(review_rows_html(rows)) == expected
    assert "<script>" not in review_rows_html(rows)
    assert "未评估" in expected and "低于门槛" in expected and "（缺 2 项）" in expected


def test_no_rows_say_so():
    assert _same(review_rows_html([])) == _same(TEMPLATE.render(Context({"page": []})))

import datetime as dt
from decimal import Decimal

from django.template import Context, Template

from ui.templatetags.ui import cn_date, days_phrase, percent_of, two_places, wan


def test_dates_read_the_chinese_way():
    assert cn_date(dt.date(2024, 5, 31)) == "2024年5月31日"
    assert cn_date("2023-06-30") == "2023年6月30日"
    assert cn_date(None) == ""


def test_money_in_wan_yuan_with_two_decimals():
    assert wan(Decimal("270180200.00")) == "27018.02"
    assert wan("750700") == "75.07"
    assert wan(5) == "0.00"
    assert wan(None) == "—"
    assert two_places("3.14159") == "3.14"


def test_percent_and_days():
    assert percent_of(1, 6) == "16.7%"
    assert percent_of(1, 0) == "—"
    assert days_phrase(12) == "剩余 12 天"
    assert days_phrase(0) == "今天到期"
    assert days_phrase(-3) == "已过 3 天"


def test_bar_chart_has_text_labels_links_and_bars_to_scale():
    html = Template("{% load ui %}{% bar_chart items %}").render(Context({"items": [
        {"label": "<b>按期</b>", "value": 3, "total": 4, "url": "/x/?a=1&b=2", "tone": "ok"},
        {"label": "逾期", "value": 1},
    ]}))
    assert "<b>" not in html and '<span class="bar-label">&lt;b&gt;按期&lt;/b&gt;</span>' in html
    assert 'href="/x/?a=1&amp;b=2"' in html
    assert '<rect class="bar-fill ok" width="75.0"' in html  # 3 of 4
    assert '<rect class="bar-fill" width="33.3"' in html  # 1, scaled to the largest value (3)
    assert html.count("<rect") == 4


def test_progress_ring_shows_the_percentage():
    html = Template("{% load ui %}{% progress_ring 23 46 '小区' '/compounds/' %}").render(Context())
    assert "50.0%" in html and 'href="/compounds/"' in html and "<circle" in html


def test_display_name_is_the_full_name_never_the_login_name(django_user_model, db):
    from django.template import Context, Template

    named = django_user_model.objects.create(username="wulan-survey-01", first_name="演示·乌兰镇调查员")
    unnamed = django_user_model.objects.create(username="secret-login")
    template = Template("{% load ui %}{{ a|display_name }}|{{ b|display_name }}|{{ c|display_name }}|"
                        "{{ c|display_name:'定时生成' }}")
    text = template.render(Context({"a": named, "b": unnamed, "c": None}))
    assert text == f"演示·乌兰镇调查员|未填姓名的账号（编号 {unnamed.pk}）|系统|定时生成"
    assert "secret-login" not in text

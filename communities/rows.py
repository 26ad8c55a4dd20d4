"""The review queue's table body, built in Python (as projects/rows.py and ui.lists.rows_html do for
the other lists): at the large benchmark size the template's 50 rows were half the page's time. The
markup is what the template printed (tests/communities/test_rows.py renders both and compares)."""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

_SUBSIDY = {True: "可申报", False: "不得申报", None: "待定"}


def _percent(value) -> str:
    # {% widthratio value 1 100 %}: round(value / 1 * 100), Python's rounding
    return "—" if value is None else f"{round(float(value) / 1.0 * 100)}%"


def review_rows_html(compounds) -> str:
    if not compounds:
        return mark_safe('<tr><td colspan="9" class="muted">没有符合条件的小区。</td></tr>')
    detail = reverse("communities:compound_detail", args=[0])[:-2]  # ".../compounds/"
    parts = []
    for compound in compounds:
        a = getattr(compound, "assessment", None)
        if a:
            missing = f' <span class="muted">（缺 {len(a.missing_facts)} 项）</span>' if a.missing_facts else ""
            verdict = (f'<span class="verdict verdict-{escape(a.verdict)}">{escape(a.get_verdict_display())}'
                       f"</span>{missing}")
            subsidy = _SUBSIDY[a.central_subsidy_allowed]
            priority = "" if a.priority is None else escape(a.priority)
            consent = f"{_percent(a.consent_by_households)} / {_percent(a.consent_by_area)}"
            if a.consent_meets_threshold is False:
                consent += ' <span class="tag warn">低于门槛</span>'
        else:
            verdict, subsidy, priority, consent = "未评估", "", "", "— / —"
        community = compound.community.name if compound.community_id and compound.community.name else "—"
        parts.append(
            f'<tr><td><a href="{detail}{compound.pk}/">{escape(compound.name)}</a></td>'
            f"<td>{escape(compound.town.name)}</td><td>{escape(community)}</td>"
            f"<td>{escape(compound.build_year or '未知')}</td><td>{verdict}</td><td>{subsidy}</td>"
            f"<td>{priority}</td><td>{consent}</td><td>{escape(compound.get_review_status_display())}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or fixed text

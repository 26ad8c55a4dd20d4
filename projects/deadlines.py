"""A project's standing against the programme's two deadlines (work plan 四(三)).

- 时限一 (Programme.ready_deadline, 2023-06-30): 「完成各项前期工作并具备开工条件」, read with 六(三):
  every step before 施工 is done — the design, 各项前期手续 and the 施工、监理招投标 (the construction
  and supervision contracts) included — steps.READY_GATE;
- 时限二 (Programme.completion_deadline, 2024-05-31): every step up to 竣工验收 is done
  (完成全部改造任务) — steps.COMPLETION_GATE.

For each deadline a project is:
- 已完成 when every step of the gate is done (the page says if that was after the deadline);
- 逾期 when the deadline has passed and a step of the gate is not done;
- otherwise 有风险 or 按期 by a forecast of when the gate will be done:
  1. the pace of finished steps = planned days ÷ actual days, both measured from the start of the
     first finished step to the end of the last one (no finished step yet: pace 1, and the plan is
     shifted by however late the first unfinished step started, or is starting);
  2. the forecast = the last actual completion + the remaining planned days (to the latest planned
     completion in the gate) ÷ pace;
  3. a step already past its planned completion holds up the steps that wait for it, so the forecast
     is never earlier than today plus the planned days from that step to the last of them;
  4. a remaining step without a planned completion date makes the forecast impossible: 有风险, and
     the missing dates are named.
  有风险 when the forecast is later than the deadline, else 按期.
"""

import datetime as dt
import functools
import math
from dataclasses import dataclass, field

from . import steps as catalog
from .choices import DeadlineStatus, StepStatus

# The same rule as the module docstring, in the words the project page shows.
RULE_TEXT = """时限一（2023-06-30，完成各项前期工作并具备开工条件）：施工之前的各步骤全部完成，
即从摸底调查到设计、各项前期手续及施工、监理招投标（工作方案四(三)、六(三)1、六(三)2）；
时限二（2024-05-31，完成全部改造任务）：从摸底调查到竣工验收的各步骤全部完成（工作方案四(三)、六(三)3）。
每个时限的状态：
· 已完成：所需步骤均已完成（晚于时限完成的，注明晚了几天）；
· 逾期：时限已过，仍有所需步骤未完成；
· 有风险 / 按期：按预测完成日期是否晚于时限判断。预测方法：
  1. 进度系数 = 已完成步骤的计划用时 ÷ 实际用时（均从第一个已完成步骤的开始算到最后一个已完成步骤的完成）；
     尚无已完成步骤时，系数为 1，并按第一个未完成步骤实际（或将要）晚开始的天数整体顺延；
  2. 预测完成日期 = 最后一个已完成步骤的实际完成日期
     + 剩余计划天数（至所需步骤中最晚的计划完成日期）÷ 进度系数；
  3. 已超过计划完成日期仍未完成的步骤会拖住依赖它的后续步骤，
     预测日期不早于“今天 + 从该步骤到这些后续步骤的计划天数”；
  4. 剩余步骤缺少计划完成日期时无法预测，判为有风险，并列出缺日期的步骤。"""


@dataclass
class DeadlineAssessment:
    key: str
    label: str
    deadline: dt.date
    status: DeadlineStatus
    forecast: dt.date | None = None
    finished_on: dt.date | None = None
    pace: float | None = None
    remaining: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def status_label(self) -> str:
        return self.status.label


def _days(delta: dt.timedelta) -> int:
    return max(delta.days, 1)


@functools.cache
def _upstream(code: str) -> frozenset[str]:
    """Every step `code` waits for, directly or through others (the catalogue is fixed: computed once)."""
    found: set[str] = set()
    pending = list(catalog.BY_CODE[code].depends_on)
    while pending:
        dep = pending.pop()
        if dep not in found:
            found.add(dep)
            pending.extend(catalog.BY_CODE[dep].depends_on)
    return frozenset(found)


def _forecast(gate_steps, today: dt.date) -> tuple[dt.date | None, float | None, str]:
    remaining = [s for s in gate_steps if s.status != StepStatus.DONE]
    missing = [s for s in remaining if s.planned_end is None]
    if missing:
        return (
            None,
            None,
            f"以下步骤没有计划完成日期，无法预测：{'、'.join(catalog.name_of(s.code) for s in missing)}。",
        )
    planned_finish = max(s.planned_end for s in remaining)
    finished = [s for s in gate_steps if s.status == StepStatus.DONE]
    last = max(finished, key=lambda s: s.actual_end) if finished else None
    if last is not None and last.planned_end is not None:
        plan_starts = [
            s.planned_start or s.planned_end for s in finished if (s.planned_start or s.planned_end)
        ]
        plan_span = _days(last.planned_end - min(plan_starts))
        actual_span = _days(last.actual_end - min(s.actual_start for s in finished))
        pace = plan_span / actual_span
        remaining_days = max((planned_finish - last.planned_end).days, 0)
        forecast = last.actual_end + dt.timedelta(days=math.ceil(remaining_days / pace))
        why = (
            f"已完成 {len(finished)} 个步骤，计划用时 {plan_span} 天、实际用时 {actual_span} 天，"
            f"进度系数 {pace:.2f}；剩余计划 {remaining_days} 天"
            f"按此速度需 {math.ceil(remaining_days / pace)} 天"
        )
    else:
        pace = 1.0
        first = remaining[0]
        planned_begin = first.planned_start or first.planned_end
        actual_begin = first.actual_start or max(today, planned_begin)
        delay = max((actual_begin - planned_begin).days, 0)
        forecast = planned_finish + dt.timedelta(days=delay)
        why = "尚无已完成步骤，按计划推算" + (
            f"，“{catalog.name_of(first.code)}”比计划晚 {delay} 天开始，整体顺延" if delay else ""
        )
    stuck = [s for s in remaining if s.planned_end < today]
    if stuck:

        def after(s) -> int:
            later = [d.planned_end for d in remaining if s.code in _upstream(d.code)]
            return max(((end - s.planned_end).days for end in later), default=0)

        worst = max(stuck, key=after)
        floor = today + dt.timedelta(days=max(after(worst), 0))
        if floor > forecast:
            forecast = floor
            why += (
                f"；“{catalog.name_of(worst.code)}”已超过计划完成日期仍未完成，"
                f"其后计划 {max(after(worst), 0)} 天只能从今天算起"
            )
    forecast = max(forecast, today)
    return forecast, pace, why + f"，预计 {forecast:%Y-%m-%d} 完成。"


def assess(
    *, key: str, label: str, deadline: dt.date, gate: tuple[str, ...], steps, today: dt.date
) -> DeadlineAssessment:
    """The standing of one project (its ProjectStep rows, in any order) against one deadline."""
    gate_steps = sorted((s for s in steps if s.code in gate), key=lambda s: catalog.ORDER[s.code])
    remaining = [s for s in gate_steps if s.status != StepStatus.DONE]
    result = DeadlineAssessment(
        key=key,
        label=label,
        deadline=deadline,
        status=DeadlineStatus.ON_TRACK,
        remaining=[catalog.name_of(s.code) for s in remaining],
    )
    if not remaining:
        result.status = DeadlineStatus.DONE
        result.finished_on = max(s.actual_end for s in gate_steps)
        late = (result.finished_on - deadline).days
        result.explanation = f"所需 {len(gate_steps)} 个步骤已于 {result.finished_on:%Y-%m-%d} 全部完成" + (
            f"，比时限晚 {late} 天。" if late > 0 else "，在时限之内。"
        )
        return result
    result.forecast, result.pace, why = _forecast(gate_steps, today)
    if today > deadline:
        result.status = DeadlineStatus.OVERDUE
        result.explanation = (
            f"时限 {deadline:%Y-%m-%d} 已过，仍有 {len(remaining)} 个步骤未完成："
            f"{'、'.join(result.remaining)}。{why}"
        )
    elif result.forecast is None or result.forecast > deadline:
        result.status = DeadlineStatus.AT_RISK
        result.explanation = why + (f"晚于时限 {deadline:%Y-%m-%d}。" if result.forecast else "")
    else:
        result.explanation = why + f"不晚于时限 {deadline:%Y-%m-%d}。"
    return result


def project_deadlines(*, programme, steps, today: dt.date) -> list[DeadlineAssessment]:
    """Both deadlines of the programme for one project's steps."""
    return [
        assess(
            key="ready",
            label="具备开工条件",
            deadline=programme.ready_deadline,
            gate=catalog.READY_GATE,
            steps=steps,
            today=today,
        ),
        assess(
            key="completion",
            label="全部完工",
            deadline=programme.completion_deadline,
            gate=catalog.COMPLETION_GATE,
            steps=steps,
            today=today,
        ),
    ]

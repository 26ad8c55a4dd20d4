"""Which compounds may be put into a project only with a recorded reason (列入原因).

三、认定标准 says which compounds are to be renovated; 六(一) has them surveyed (调查摸底) and verified on
site (现场审核认定) before they are reported and put into a project. A compound whose current verdict
is 不符合, 资料不全 or 待现场审核认定 has not passed that gate: staff may still put it into a project
(a phase planned ahead of the verdict, a verdict under appeal), but only with a reason, kept on the
ProjectCompound row and in its history, and the project page lists it as a blocker until the verdict
changes. A compound with no verdict at all is one the project's own 调查摸底 step has not reached yet
(a project is created before its survey, 六(一)1), so it needs no reason.
"""

from communities.choices import Verdict

# The verdicts that need a reason, with the clause each refusal names.
VERDICTS_NEEDING_REASON = (Verdict.INELIGIBLE, Verdict.INCOMPLETE, Verdict.PENDING_SITE)
CLAUSE = "工作方案三、认定标准；六(一)"
MIN_REASON_LENGTH = 4


def current_verdict(compound) -> str | None:
    """The compound's verdict, or None when it has not been assessed. Uses a select_related
    `assessment` when the caller loaded one, so a page of compounds costs no extra query."""
    try:
        return compound.assessment.verdict
    except compound.__class__.assessment.RelatedObjectDoesNotExist:
        return None


def needs_reason(compound) -> bool:
    return current_verdict(compound) in VERDICTS_NEEDING_REASON


def missing_reason_refusal(compound, reason: str) -> str | None:
    """The refusal when `compound` needs a reason to be put into a project and `reason` is not one."""
    verdict = current_verdict(compound)
    if verdict not in VERDICTS_NEEDING_REASON:
        return None
    if len((reason or "").strip()) >= MIN_REASON_LENGTH:
        return None
    return (
        f"{compound.name}认定为“{Verdict(verdict).label}”，不具备列入改造项目的条件（{CLAUSE}）："
        f"如确需列入，请填写列入原因（至少 {MIN_REASON_LENGTH} 个字）。"
    )


def blocker(phase) -> str | None:
    """The project-page blocker for one ProjectCompound whose compound's verdict needs a reason."""
    compound = phase.compound
    verdict = current_verdict(compound)
    if verdict not in VERDICTS_NEEDING_REASON:
        return None
    text = f"{compound.name}认定为“{Verdict(verdict).label}”，不具备改造条件（{CLAUSE}）"
    if phase.admission_reason:
        return f"{text}；列入原因：{phase.admission_reason}"
    return f"{text}，且未记录列入原因：请补充认定资料或说明原因。"

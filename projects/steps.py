"""The steps a renovation project walks through, in order (work plan 六、实施步骤).

This module is the one place that names the order. Each step lists the steps it depends on; a step
may not be started or completed before they are complete (services.project_advance enforces it).
The two gates tie steps to the programme's deadlines (四(三)):

- READY gate (2023-06-30, 具备开工条件): every step up to and including the contract;
- COMPLETION gate (2024-05-31, 完成全部改造任务): every step up to and including 竣工验收.

The audit of final accounts, hand-over and property management follow acceptance and are tracked,
but the document's second deadline is about the renovation being finished, not about those.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StepDef:
    code: str
    name: str
    agency_code: str  # the agency the work plan makes responsible; staff may change it per project
    depends_on: tuple[str, ...]
    clause: str
    evidence: str  # what the ledger should hold to show the step was done
    requires_acceptance_record: bool = False


STEPS: tuple[StepDef, ...] = (
    StepDef(
        "survey",
        "摸底调查",
        "wulan_town",
        (),
        "六(一)",
        "小区建成年代、占地面积、楼栋数、户数、拟改造内容、群众改造意愿",
    ),
    StepDef(
        "site_verification",
        "现场审核认定",
        "housing",
        ("survey",),
        "六(一)",
        "住建局组织乌兰镇、社区、设计院现场审核认定记录",
    ),
    StepDef(
        "county_report",
        "向县政府汇报",
        "housing",
        ("site_verification",),
        "六(一)",
        "拟改造小区及改造内容汇报材料",
    ),
    StepDef(
        "feasibility_study",
        "编制可行性研究报告",
        "housing",
        ("county_report",),
        "六(二)",
        "可行性研究报告（确定改造内容）",
    ),
    StepDef(
        "approval",
        "发改部门审批立项",
        "development_reform",
        ("feasibility_study",),
        "六(二)、附件",
        "立项批复文件",
    ),
    StepDef(
        "subsidy_application",
        "申请中央及省级补助资金",
        "development_reform",
        ("approval",),
        "六(二)、附件",
        "补助资金申报材料",
    ),
    StepDef(
        "tender",
        "工程招投标",
        "housing",
        ("approval",),
        "六(三)1、附件（审计局审核招标控制价）",
        "招标文件、招标控制价审核意见、中标通知书",
    ),
    StepDef("contract", "合同签订", "housing", ("tender",), "六(三)1", "施工、监理合同"),
    StepDef(
        "design",
        "设计（征求居民及管线单位意见）",
        "housing",
        ("contract",),
        "六(三)1、七(三)",
        "设计文件、居民意见及供水供电供热供气通信单位意见",
    ),
    StepDef(
        "construction",
        "组织施工（监理、监督）",
        "housing",
        ("design",),
        "六(三)2",
        "开工报告、监理日志、质检安检记录",
    ),
    StepDef(
        "completion_acceptance",
        "竣工验收",
        "housing",
        ("construction",),
        "六(三)3",
        "竣工验收报告、综合验收记录",
        requires_acceptance_record=True,
    ),
    StepDef(
        "final_audit", "竣工决算审计", "audit", ("completion_acceptance",), "附件（审计局）", "决算审计报告"
    ),
    StepDef(
        "handover",
        "设施设备移交接收单位",
        "housing",
        ("completion_acceptance",),
        "附件（领导小组职责）",
        "移交清单，接收单位实行终端管理、终端收费、终端维护",
    ),
    StepDef(
        "property_management",
        "业主大会及物业管理",
        "wulan_town",
        ("completion_acceptance",),
        "六(三)4、五、4",
        "业主大会决议、物业服务合同或业主自管协议",
    ),
)

BY_CODE: dict[str, StepDef] = {step.code: step for step in STEPS}
ORDER: dict[str, int] = {step.code: index for index, step in enumerate(STEPS, start=1)}
CHOICES: list[tuple[str, str]] = [(step.code, step.name) for step in STEPS]

READY_GATE_LAST = "contract"
COMPLETION_GATE_LAST = "completion_acceptance"
# 开工 in the Ministry's monthly statistics: construction has actually started.
STARTED_STEP = "construction"
COMPLETED_STEP = "completion_acceptance"


def gate(last_code: str) -> tuple[str, ...]:
    """The codes of every step up to and including `last_code`, in order."""
    return tuple(step.code for step in STEPS if ORDER[step.code] <= ORDER[last_code])


READY_GATE = gate(READY_GATE_LAST)
COMPLETION_GATE = gate(COMPLETION_GATE_LAST)


def name_of(code: str) -> str:
    return BY_CODE[code].name if code in BY_CODE else code


# Dependencies must point backwards, so the order above is a valid walk through the steps.
assert all(ORDER[dep] < ORDER[step.code] for step in STEPS for dep in step.depends_on)

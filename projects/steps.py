"""The steps a renovation project walks through, in the order of work plan 六、实施步骤.

This module is the one place that names the order. Each step lists the steps it depends on; a step
may not be started or completed before they are complete (services.project_advance enforces it).

六(一) 摸底调查 → 现场审核认定 → 向县政府汇报; 六(二) 编制可行性研究报告 → 报发改部门审批 → 申请中央及
省级配套补助资金; 六(三)1 项目任务下达后, 县住建局完成项目工程前期招投标及合同签订, then the design
(设计单位 with residents and the utilities consulted); 六(三)2 各项前期手续 and 施工、监理招投标, then
施工 under supervision; 六(三)3 竣工验收 and 竣工手续; the annex (领导小组: 组织施工、竣工验收、决算编制、
决算审计, 设施设备移交接收单位); 六(三)4 业主大会, 物业.

The two gates tie steps to the programme's deadlines (四(三)):

- READY gate (2023-06-30, 「完成各项前期工作并具备开工条件」): every step before 施工 — design,
  permits and the construction and supervision contracts included;
- COMPLETION gate (2024-05-31, 「完成全部改造任务」): every step up to and including 竣工验收.

决算编制, 决算审计, hand-over and property management follow acceptance and are tracked, but the
document's second deadline is about the renovation being finished, not about those.
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
        "初步拟定的改造小区及改造内容汇报材料",
    ),
    StepDef(
        "feasibility_study",
        "编制可行性研究报告",
        "housing",
        ("county_report",),
        "六(二)",
        "项目可行性研究报告（确定改造内容）",
    ),
    StepDef(
        "approval",
        "发改部门审批",
        "development_reform",
        ("feasibility_study",),
        "六(二)、附件（县发改局职责）",
        "可行性研究报告批复（立项批复）文件",
    ),
    StepDef(
        "subsidy_application",
        "申请中央及省级配套补助资金",
        "development_reform",
        ("approval",),
        "六(二)、附件（县发改局职责）",
        "补助资金申报材料",
    ),
    StepDef(
        "task_issued",
        "项目任务下达",
        "housing",
        ("subsidy_application",),
        "六(三)1",
        "项目任务（计划）下达文件",
    ),
    StepDef(
        "preliminary_tender",
        "前期招投标及合同签订",
        "housing",
        ("task_issued",),
        "六(三)1",
        "设计等前期服务的招标文件、中标通知书及合同",
    ),
    StepDef(
        "design",
        "设计（征求居民及管线单位意见）",
        "housing",
        ("preliminary_tender",),
        "六(三)1、七(三)",
        "设计文件、原始资料、居民意见及供热供水供电供气通信等单位意见",
    ),
    StepDef(
        "permits",
        "各项前期手续",
        "housing",
        ("design",),
        "六(三)2、附件（领导小组职责：项目规划、设计等前期手续办理）",
        "规划、评审、用地等前期手续批件",
    ),
    StepDef(
        "construction_tender",
        "施工、监理招投标",
        "housing",
        ("design",),
        "六(三)2、附件（县审计局审核招标控制价）",
        "招标文件、招标控制价审核意见、中标通知书、施工合同、监理合同",
    ),
    StepDef(
        "construction",
        "组织施工（监理、监督）",
        "housing",
        ("permits", "construction_tender"),
        "六(三)2",
        "开工手续、监理日志、规划质检安检监督记录",
    ),
    StepDef(
        "completion_acceptance",
        "竣工验收",
        "housing",
        ("construction",),
        "六(三)3",
        "竣工验收报告、综合验收记录、竣工手续",
        requires_acceptance_record=True,
    ),
    StepDef(
        "final_accounts",
        "决算编制",
        "housing",
        ("completion_acceptance",),
        "附件（领导小组职责：决算编制）",
        "工程决算书",
    ),
    StepDef(
        "final_audit",
        "决算审计",
        "audit",
        ("final_accounts",),
        "附件（领导小组职责：决算审计；县审计局：竣工决算审计）",
        "竣工决算审计报告",
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

# Codes of the step list before issue 14 (two steps 工程招投标 / 合同签订 placed before the design),
# kept so the change history of migrated projects still reads in words. Both became
# 前期招投标及合同签订 (projects migration 0004).
RETIRED_NAMES: dict[str, str] = {
    "tender": "工程招投标（原步骤，已并入“前期招投标及合同签订”）",
    "contract": "合同签订（原步骤，已并入“前期招投标及合同签订”）",
}

# 开工 in the Ministry's monthly statistics: construction has actually started.
STARTED_STEP = "construction"
COMPLETED_STEP = "completion_acceptance"

READY_GATE_KEY = "ready_to_start"
COMPLETION_GATE_KEY = "complete"


def gate(last_code: str) -> tuple[str, ...]:
    """The codes of every step up to and including `last_code`, in order."""
    return tuple(step.code for step in STEPS if ORDER[step.code] <= ORDER[last_code])


# 四(三) read with 六(三): 「完成各项前期工作并具备开工条件」 is every step before 施工.
READY_GATE = tuple(step.code for step in STEPS if ORDER[step.code] < ORDER[STARTED_STEP])
COMPLETION_GATE = gate(COMPLETED_STEP)


def gate_of(code: str) -> str | None:
    """Which deadline of 四(三) needs the step: "ready_to_start" (2023-06-30), "complete"
    (2024-05-31), or None for the steps after acceptance."""
    if code in READY_GATE:
        return READY_GATE_KEY
    if code in COMPLETION_GATE:
        return COMPLETION_GATE_KEY
    return None


def name_of(code: str) -> str:
    if code in BY_CODE:
        return BY_CODE[code].name
    return RETIRED_NAMES.get(code, code)


def _upstream(code: str) -> set[str]:
    found: set[str] = set()
    pending = list(BY_CODE[code].depends_on)
    while pending:
        dep = pending.pop()
        if dep not in found:
            found.add(dep)
            pending.extend(BY_CODE[dep].depends_on)
    return found


# Dependencies must point backwards, so the order above is a valid walk through the steps.
assert all(ORDER[dep] < ORDER[step.code] for step in STEPS for dep in step.depends_on)
# Construction waits for every step of the ready gate, so "ready" means "construction may start".
assert _upstream(STARTED_STEP) == set(READY_GATE)

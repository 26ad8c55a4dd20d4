"""Which duty of the annex (附件 职责分工) becomes which task, for whom, and when it is due.

A project task is due when the step it serves is planned to finish (while that step has no plan, at
the deadline of 四(三) that needs the step: services._task_due); a programme-wide task is due at one
of the two deadlines. A utility's line-work task exists only when the project's scope holds
that utility's lines (附件: 管线单位负责配合并出资参与管线改造). Heating is split between three
companies by district, so heating tasks are assigned by hand.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskTemplate:
    key: str
    agency_code: str
    duty_order: int  # the Duty row (agency, order) the task carries out
    title: str
    due_step: str = ""  # project tasks: due at this step's planned completion
    due_deadline: str = ""  # programme tasks: "ready" or "completion"
    needs_items: tuple[str, ...] = ()  # only when the project's scope has one of these catalog items


_UTILITY_LINE_WORK = "配合并出资参与小区管线改造，指定专人协同调查、设计、施工"

PROJECT_TASKS: tuple[TaskTemplate, ...] = (
    TaskTemplate("survey.wulan", "wulan_town", 1, "前期摸底、民意调查、政策宣传", due_step="survey"),
    TaskTemplate("approval.ndrc", "development_reform", 1, "项目申报及前期立项审批", due_step="approval"),
    TaskTemplate(
        "subsidy.ndrc", "development_reform", 2, "中央和省市专项补助资金申报", due_step="subsidy_application"
    ),
    TaskTemplate("land.natural_resources", "natural_resources", 1, "土地及规划手续核查", due_step="approval"),
    # 招标控制价 is audited for the construction and supervision tender (六(三)2, 附件 审计局).
    TaskTemplate("tender_price.audit", "audit", 1, "招标控制价审核", due_step="construction_tender"),
    TaskTemplate("disburse.finance", "finance", 1, "补助资金监管与拨付", due_step="construction"),
    TaskTemplate("quality.housing", "housing", 1, "工程质量监督", due_step="construction"),
    TaskTemplate("materials.market", "market_regulation", 1, "施工材料质量检验", due_step="construction"),
    TaskTemplate("final_audit.audit", "audit", 1, "竣工决算审计", due_step="final_audit"),
    TaskTemplate(
        "lines.water",
        "water",
        1,
        _UTILITY_LINE_WORK,
        due_step="construction",
        needs_items=("water_supply_drainage", "sewage_network", "meter_per_household"),
    ),
    TaskTemplate(
        "lines.power",
        "power_supply",
        1,
        _UTILITY_LINE_WORK,
        due_step="construction",
        needs_items=("power_network", "cables_underground"),
    ),
    TaskTemplate(
        "lines.gas", "gas", 1, _UTILITY_LINE_WORK, due_step="construction", needs_items=("gas_network",)
    ),
    TaskTemplate(
        "lines.telecom",
        "telecom",
        1,
        _UTILITY_LINE_WORK,
        due_step="construction",
        needs_items=("telecom_network", "cables_underground"),
    ),
    TaskTemplate(
        "lines.mobile",
        "mobile",
        1,
        _UTILITY_LINE_WORK,
        due_step="construction",
        needs_items=("telecom_network", "cables_underground"),
    ),
    TaskTemplate(
        "lines.unicom",
        "unicom",
        1,
        _UTILITY_LINE_WORK,
        due_step="construction",
        needs_items=("telecom_network", "cables_underground"),
    ),
    TaskTemplate(
        "childcare.education",
        "education",
        1,
        "指导扶幼设施建设、改造",
        due_step="construction",
        needs_items=("child_care",),
    ),
    TaskTemplate(
        "eldercare.civil_affairs",
        "civil_affairs",
        1,
        "指导养老设施建设、改造",
        due_step="construction",
        needs_items=("elderly_care",),
    ),
    TaskTemplate(
        "lifts.market",
        "market_regulation",
        1,
        "加装电梯注册登记及使用监督",
        due_step="construction",
        needs_items=("lift_retrofit",),
    ),
)

PROGRAMME_TASKS: tuple[TaskTemplate, ...] = (
    TaskTemplate(
        "publicity.media", "media_centre", 1, "老旧小区改造政策宣传、报道", due_deadline="completion"
    ),
    TaskTemplate("credit.finance_office", "finance_office", 1, "协调金融机构信贷支持", due_deadline="ready"),
    TaskTemplate(
        "fund.housing_fund", "housing_fund", 1, "符合条件职工公积金提取政策支持", due_deadline="completion"
    ),
    TaskTemplate("tax.taxation", "taxation", 1, "中标企业税收政策落实", due_deadline="completion"),
    TaskTemplate(
        "environment.ecology", "ecology_environment", 1, "改造项目环境保护监督指导", due_deadline="completion"
    ),
    TaskTemplate("security.police", "public_security", 1, "安防、技防指导", due_deadline="completion"),
    TaskTemplate(
        "illegal_buildings.law", "law_enforcement", 1, "配合拆除小区内违法建筑", due_deadline="ready"
    ),
    TaskTemplate(
        "telecom_lines.industry_it",
        "industry_it",
        1,
        "督促通信、网络、有线电视管线改造配合及配套资金落实",
        due_deadline="completion",
    ),
    TaskTemplate(
        "funds.finance", "finance", 1, "统筹安排补助资金，做好资金监管与调拨", due_deadline="completion"
    ),
)

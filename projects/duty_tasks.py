"""Which duty of the annex (附件 职责分工) becomes which task, for whom, and when it is due.

A project task is due when the step it serves is planned to finish (while that step has no plan, at
the deadline of 四(三) that needs the step: services._task_due); a programme-wide task is due at one
of the two deadlines. A utility's line-work task exists only when the project's scope holds
that utility's lines (附件: 供水、供电、燃气、供热、弱电等管线单位负责配合并出资参与支持开展小区的管线改造工作).
The annex gives the three heating companies the one shared pipeline duty and says nothing of who
serves which district, so each company gets its own task when the scope holds heating lines; staff
close the task of a company not involved, with a note.

Every duty of the annex is carried by at least one template (tests/projects/test_services_tasks.py
checks it against fixtures/programme_2023.json). Where one duty has work at two stages (乌兰镇: survey,
then 矛盾纠纷化解、拆违治乱 during construction), it has two templates with the same duty.
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
    # 附件 领导小组: the seven duties of the leading group, through a project's life.
    TaskTemplate(
        "plan.leading_group",
        "leading_group",
        1,
        "结合实际统筹资金，制定科学、合理、有效的改造方案",
        due_step="feasibility_study",
    ),
    # 各项前期手续 (六(三)2): the permits step.
    TaskTemplate(
        "preliminary.leading_group", "leading_group", 2, "办理项目规划、设计等前期手续", due_step="permits"
    ),
    TaskTemplate("review_land.leading_group", "leading_group", 3, "协调办理评审、用地审批", due_step="approval"),
    TaskTemplate(
        "content_cost.leading_group",
        "leading_group",
        4,
        "确定改造内容、标准以及费用测算",
        due_step="feasibility_study",
    ),
    TaskTemplate(
        "implementation.leading_group",
        "leading_group",
        5,
        "按照建设程序组织施工、竣工验收、决算编制、决算审计",
        due_step="final_audit",
    ),
    TaskTemplate(
        "illegal_buildings.leading_group",
        "leading_group",
        6,
        "项目实施过程中违章建筑、自建房屋的依法拆除",
        due_step="construction",
        needs_items=("demolish_illegal_structures",),
    ),
    TaskTemplate(
        "handover.leading_group",
        "leading_group",
        7,
        "将相关设施设备移交接收单位，实行终端管理、终端收费、终端维护",
        due_step="handover",
    ),
    # 附件 乌兰镇: one duty, two stages.
    TaskTemplate("survey.wulan", "wulan_town", 1, "前期摸底、民意调查、政策宣传", due_step="survey"),
    TaskTemplate(
        "disputes.wulan", "wulan_town", 1, "督促相关社区做好矛盾纠纷化解、拆违治乱", due_step="construction"
    ),
    TaskTemplate("approval.ndrc", "development_reform", 1, "项目申报及前期立项审批", due_step="approval"),
    TaskTemplate(
        "subsidy.ndrc", "development_reform", 2, "中央和省市专项补助资金申报", due_step="subsidy_application"
    ),
    TaskTemplate("land.natural_resources", "natural_resources", 1, "土地及规划手续核查", due_step="approval"),
    # 招标控制价 is audited for the construction and supervision tender (六(三)2, 附件 审计局).
    TaskTemplate("tender_price.audit", "audit", 1, "招标控制价审核", due_step="construction_tender"),
    TaskTemplate("disburse.finance", "finance", 1, "补助资金监管与拨付", due_step="construction"),
    TaskTemplate("quality.housing", "housing", 1, "工程质量监督", due_step="construction"),
    TaskTemplate(
        "fire.housing",
        "housing",
        2,
        "指导、监督消防设施设备设计、施工、安装、验收",
        due_step="completion_acceptance",
        needs_items=("fire_wells", "fire_lanes"),
    ),
    TaskTemplate(
        "municipal.housing",
        "housing",
        3,
        "改造期间市政管道、道路、绿化、垃圾清运、路灯设施等工作监督、指导，协调相关行业部门落实维修改造责任",
        due_step="construction",
    ),
    TaskTemplate(
        "property_fees.ndrc",
        "development_reform",
        3,
        "指导未成立业委会的小区制定前期物业服务收费标准，检查监督并规范收费行为",
        due_step="property_management",
    ),
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
    # The three heating companies share the pipeline duty: each one holds it (no district split invented).
    *(
        TaskTemplate(
            f"lines.{code}", code, 1, _UTILITY_LINE_WORK, due_step="construction", needs_items=("heating_network",)
        )
        for code in ("heating_wanjiaxing", "heating_jingle", "heating_jingxing")
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

from django.db import models


class ScopeCategory(models.TextChoices):
    """The four headings of work plan 五 (改造内容), and the infrastructure directly related to the
    compound that 五's first two paragraphs add (城市道路和公共交通、…、污水与垃圾处理等基础设施)."""

    HOUSING_REPAIR = "housing_repair", "房屋修缮改造"
    SUPPORTING_FACILITIES = "supporting_facilities", "完善配套设施"
    ENVIRONMENT = "environment", "环境综合整治"
    LONG_TERM_MANAGEMENT = "long_term_management", "长效管理"
    RELATED_INFRASTRUCTURE = "related_infrastructure", "与小区直接相关的基础设施"


class NationalClass(models.TextChoices):
    """The national class of a renovation item (国办发〔2020〕23号: 基础类, 完善类 or 提升类); reports group by it.

    The work plan itself classes nothing: the class is national guidance, outside the plan, and is
    labelled 国家分类 wherever shown. The management mechanisms of 五、4 (专业化物业, 业主自管) are not
    renovation items and have no class (NATIONAL_CLASS_NONE)."""

    BASIC = "basic", "基础类"
    IMPROVEMENT = "improvement", "完善类"
    UPGRADE = "upgrade", "提升类"


NATIONAL_CLASS_SOURCE = "国办发〔2020〕23号，非本方案条款"
# Shown for an item without a national class: the long-term management mechanisms of 五、4, or an item
# the national guidance does not list (广告牌位).
NATIONAL_CLASS_NONE = "不分类（长效管理机制，五、4）"
NATIONAL_CLASS_UNLISTED = "不分类（国办发〔2020〕23号未列此项）"


class StepStatus(models.TextChoices):
    """Where one step of a project stands; set only by the step services."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"


class TaskStatus(models.TextChoices):
    """Where an agency's task stands, as its liaison reports it."""

    TODO = "todo", "待办"
    IN_PROGRESS = "in_progress", "进行中"
    BLOCKED = "blocked", "受阻"
    DONE = "done", "已完成"


class DocumentKind(models.TextChoices):
    """What a project document is evidence of (七(五): 资料收集整理, 为工程核算、竣工验收打好基础)."""

    SURVEY = "survey", "摸底调查资料"
    APPROVAL = "approval", "批复文件"
    REPORT = "report", "报告"
    TENDER = "tender", "招投标资料"
    CONTRACT = "contract", "合同"
    DESIGN = "design", "设计文件"
    PHOTO = "photo", "现场照片"
    ACCEPTANCE = "acceptance", "竣工验收报告"
    AUDIT = "audit", "审计报告"
    HANDOVER = "handover", "移交资料"
    OTHER = "other", "其他"


class DeadlineStatus(models.TextChoices):
    """A project's standing against one programme deadline (see projects/deadlines.py)."""

    ON_TRACK = "on_track", "按期"
    AT_RISK = "at_risk", "有风险"
    OVERDUE = "overdue", "逾期"
    DONE = "done", "已完成"


class FourItem(models.TextChoices):
    """The four items a centrally subsidised project must include wherever possible (五: 水、电、路、气)."""

    WATER = "water", "水"
    POWER = "power", "电"
    ROAD = "road", "路"
    GAS = "gas", "气"

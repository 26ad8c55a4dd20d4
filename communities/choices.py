from django.db import models


class Consent(models.TextChoices):
    """A household's answer in the survey (改造意愿 / 加装电梯意愿)."""

    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    UNDECIDED = "undecided", "未表态"


class StructureType(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", "砖混"
    FRAME = "frame", "框架"
    SHEAR_WALL = "shear_wall", "剪力墙"
    BRICK_WOOD = "brick_wood", "砖木"
    OTHER = "other", "其他"


class Verdict(models.TextChoices):
    """The outcome of the eligibility rules (三、认定标准) for one compound."""

    ELIGIBLE = "eligible", "符合改造条件"
    RELAXED = "relaxed", "放宽认定"
    INELIGIBLE = "ineligible", "不符合"
    INCOMPLETE = "incomplete", "资料不全"
    # Every surveyed fact is in and only 不宜整体拆除重建 is open: the on-site verification judges it (六(一)).
    PENDING_SITE = "pending_site", "待现场审核认定"


class LeftOutItem(models.TextChoices):
    """三(二)3: what a recent 改扩翻 / 三供一业 renovation left out (改造内容未涉及…), one of which must
    be recorded as needed for the recent renovation to qualify a compound. Stored as the labels."""

    ELDERLY_CHILD_CARE = "养老扶幼", "养老扶幼"
    ACCESSIBILITY = "无障碍设施", "无障碍设施"
    CONVENIENCE_MARKET = "便民市场", "便民市场"
    LIFT = "加装电梯", "加装电梯"
    REFUSE = "垃圾处理设施", "垃圾处理设施"
    GAS = "供气", "供气"
    TELECOM = "通信", "通信"
    ENERGY_SAVING = "建筑节能", "建筑节能"


class ReviewStatus(models.TextChoices):
    """Where a compound stands in 六、实施步骤: (not surveyed →) surveyed → verified on site → reported to the
    county. 未调查: a compound known only by name (the ones the work plan names, 四(一), created by
    load_programme) until a survey import or a staff edit gives it facts."""

    NOT_SURVEYED = "not_surveyed", "未调查"
    SURVEYED = "surveyed", "已摸底调查"
    VERIFIED = "verified", "已现场审核认定"
    REPORTED = "reported", "已报县政府"


class VerificationDecision(models.TextChoices):
    """What the on-site verification team (住建局 with 乡镇、社区、设计单位) decided."""

    CONFIRMED = "confirmed", "确认列入改造"
    REJECTED = "rejected", "不予列入"
    NEEDS_INFO = "needs_info", "需补充资料"


class DemolitionJudgement(models.TextChoices):
    """六(一) 现场审核认定: whether the compound is fit for demolition and rebuilding (三(一) 不宜整体拆除重建)."""

    NOT_FIT = "not_fit", "不宜整体拆除重建"
    FIT = "fit", "宜整体拆除重建"


class SurveySheet(models.TextChoices):
    """The three data sheets of the survey workbook (摸底调查表); a CSV file holds one of them."""

    COMPOUNDS = "compounds", "小区"
    BUILDINGS = "buildings", "楼栋"
    HOUSEHOLDS = "households", "住户"


class SurveyFileFormat(models.TextChoices):
    XLSX = "xlsx", "Excel 工作簿（.xlsx/.xlsm）"
    XLS = "xls", "Excel 97-2003 工作簿（.xls）"
    ODS = "ods", "LibreOffice/WPS 电子表格（.ods）"
    CSV = "csv", "CSV 文本"


class CsvEncoding(models.TextChoices):
    AUTO = "auto", "自动识别"
    UTF8 = "utf-8", "UTF-8"
    GB18030 = "gb18030", "GB18030（GBK）"


class SurveyUploadState(models.TextChoices):
    """Where an upload is: checked → previewed → imported (or rejected / failed)."""

    CHECKING = "checking", "正在检查"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误"
    IMPORTING = "importing", "正在导入"
    IMPORTED = "imported", "已导入"
    FAILED = "failed", "导入失败"

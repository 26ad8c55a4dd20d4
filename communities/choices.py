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


class ReviewStatus(models.TextChoices):
    """Where a compound stands in 六、实施步骤: surveyed → verified on site → reported to the county."""

    SURVEYED = "surveyed", "已摸底调查"
    VERIFIED = "verified", "已现场审核认定"
    REPORTED = "reported", "已报县政府"


class VerificationDecision(models.TextChoices):
    """What the on-site verification team (住建局 with 乡镇、社区、设计单位) decided."""

    CONFIRMED = "confirmed", "确认列入改造"
    REJECTED = "rejected", "不予列入"
    NEEDS_INFO = "needs_info", "需补充资料"

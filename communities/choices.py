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

from django.db import models


class SourceGroup(models.TextChoices):
    MAIN = "main", "主要来源"
    OTHER = "other", "其他来源"


class FundingClass(models.TextChoices):
    """What a budget line pays for: the three national classes (国办发〔2020〕23号, outside the work plan,
    which classes nothing), with 基础类 split in two.

    The split is there because central budget investment pays supporting infrastructure but not the
    building shell (不包括小区主体改造: national NDRC practice, not a clause of the plan, see
    funding.rules.NDRC_CENTRAL_BUDGET), and both are 基础类. Reports group by national_class.
    """

    BASIC_SHELL = "basic_shell", "基础类·小区主体（房屋本体）改造"
    BASIC_INFRASTRUCTURE = "basic_infrastructure", "基础类·配套基础设施"
    IMPROVEMENT = "improvement", "完善类"
    UPGRADE = "upgrade", "提升类"

    @property
    def national_class(self) -> str:
        from projects.choices import NationalClass

        return {
            "basic_shell": NationalClass.BASIC,
            "basic_infrastructure": NationalClass.BASIC,
            "improvement": NationalClass.IMPROVEMENT,
            "upgrade": NationalClass.UPGRADE,
        }[self.value]

from django.db import models
from simple_history.models import HistoricalRecords

from .choices import SourceGroup


class FundingSourceKind(models.Model):
    """A kind of money the programme may draw on (四(二), 七(二)), e.g. 中央财政补助 or 住宅专项维修资金.

    `is_central` marks central subsidy kinds, which a compound already in the shantytown plan,
    another fiscal plan, or already renovated must not receive again (三(二)).
    """

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("资金来源", max_length=60, unique=True)
    group = models.CharField("类别", max_length=10, choices=SourceGroup.choices)
    is_central = models.BooleanField("中央补助", default=False)
    clause = models.CharField("依据条款", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金来源类别"
        verbose_name_plural = "资金来源类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

"""Every source × class row cited 七(二); the plan restricts no source, and the one restriction it was
cited for (中央预算内资金: not the building shell, capped at 建安投资) is national NDRC practice.
Central budget investment rows now cite that outside source; every other row cites the clause of the
plan that names its source (四(二), 六(二)、七(二) or 七(二)); a staff-made restriction cites the county.
Reverse: back to 七(二) everywhere, as before."""

from django.db import migrations, models

NDRC_CENTRAL_BUDGET = "国家发展改革委中央预算内投资要求（非本方案条款）"
COUNTY_TABLE_DECISION = "县住建局在资金来源适用范围表中设定（非本方案条款）"
# The defaults of funding.rules at the time of this migration (a migration must not import app code).
RESTRICTED_DEFAULTS = {"central_budget_investment"}


def cite_real_sources(apps, schema_editor):
    SourceClassRule = apps.get_model("funding", "SourceClassRule")
    for rule in SourceClassRule.objects.select_related("source"):
        if rule.source.code in RESTRICTED_DEFAULTS:
            clause = NDRC_CENTRAL_BUDGET
        elif rule.allowed and not rule.capped_by_construction_cost:
            clause = rule.source.clause
        else:
            clause = COUNTY_TABLE_DECISION
        if rule.clause != clause:
            SourceClassRule.objects.filter(pk=rule.pk).update(clause=clause)


def cite_seven_two_again(apps, schema_editor):
    apps.get_model("funding", "SourceClassRule").objects.update(clause="七(二)")


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0002_money'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalsourceclassrule',
            name='clause',
            field=models.CharField(help_text='本方案条款，或标明“非本方案条款”的外部依据', max_length=40, verbose_name='依据'),
        ),
        migrations.AlterField(
            model_name='sourceclassrule',
            name='clause',
            field=models.CharField(help_text='本方案条款，或标明“非本方案条款”的外部依据', max_length=40, verbose_name='依据'),
        ),
        migrations.RunPython(cite_real_sources, cite_seven_two_again),
    ]

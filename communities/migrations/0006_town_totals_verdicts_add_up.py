# The constraint comes in its own migration: on PostgreSQL a table cannot be altered in the transaction
# that just rewrote its rows (0005's fill) while their deferred foreign-key checks are pending.

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0005_town_totals_verdicts'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='towntotals',
            constraint=models.CheckConstraint(condition=models.Q(('compounds', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('eligible'), '+', models.F('relaxed')), '+', models.F('ineligible')), '+', models.F('incomplete')), '+', models.F('not_assessed')))), name='communities_towntotals_verdicts_add_up'),
        ),
    ]

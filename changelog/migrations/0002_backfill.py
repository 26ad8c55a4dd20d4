"""Index the history written before the change log existed (one INSERT … SELECT per history table)."""

from django.db import migrations


def backfill(apps, schema_editor):
    from changelog.writer import index_missing

    index_missing(apps)


def forget(apps, schema_editor):
    apps.get_model("changelog", "Change").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("changelog", "0001_change_index"),
        ("agencies", "0001_initial"),
        ("communities", "0006_town_totals_verdicts_add_up"),
        ("projects", "0003_report_runs"),
        ("funding", "0002_money"),
    ]

    operations = [migrations.RunPython(backfill, forget)]

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
        # After every migration of this release, so the history their data steps wrote is indexed too.
        ("agencies", "0003_user_history"),
        ("communities", "0011_text_max_length"),
        ("projects", "0007_document_type_labels"),
        ("funding", "0003_source_rule_citations"),
    ]

    operations = [migrations.RunPython(backfill, forget)]

"""Stored eligibility reasons cited the lift threshold as 「五 加装电梯」; 五 never mentions lifts and the
two-thirds rule is the Civil Code's (art. 278), outside the work plan. Relabel the current reasons; the
change history keeps what was shown at the time. The reverse puts the old label back."""

from django.db import migrations

OLD = "五 加装电梯"
NEW = "《民法典》第二百七十八条（非本方案条款）"


def _relabel(apps, old: str, new: str) -> None:
    # JSON is stored with escaped non-ASCII on some backends, so match in Python, not in SQL.
    model = apps.get_model("communities", "CompoundAssessment")
    for row in model.objects.only("pk", "reasons").iterator():
        reasons = [{**r, "clause": new} if r.get("clause") == old else r for r in row.reasons or []]
        if reasons != row.reasons:
            model.objects.filter(pk=row.pk).update(reasons=reasons)


def cite_the_civil_code(apps, schema_editor):
    _relabel(apps, OLD, NEW)


def cite_clause_five_again(apps, schema_editor):
    _relabel(apps, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0006_town_totals_verdicts_add_up"),
    ]

    operations = [
        migrations.RunPython(cite_the_civil_code, cite_clause_five_again),
    ]

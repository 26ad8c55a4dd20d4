"""The data migration that splits 三(二)2's combined gas/telecom fact into two (and joins them back)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("communities", "0008_compound_merge")
AFTER = ("communities", "0009_eligibility_three")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_rows_split_into_gas_and_telecom_marked_for_review_and_join_back_three_two_2():
    """三(二)2 「未通天然气或供气、通信管线需改造」: an old row's one value goes to both facts, marked
    待核实 (it may have been true of only one); reversing the migration joins them again."""
    try:
        apps = _migrate(BEFORE)
        town = apps.get_model("communities", "Town").objects.create(name="测试镇-迁移")
        compound = apps.get_model("communities", "Compound")
        for name, value in (("测试-是", True), ("测试-否", False), ("测试-未知", None)):
            compound.objects.create(town=town, name=name, gas_or_telecom_needs_work=value)

        apps = _migrate(AFTER)
        rows = {row.name: (row.gas_supply_needs_work, row.telecom_needs_work, row.gas_telecom_to_review)
                for row in apps.get_model("communities", "Compound").objects.all()}
        assert rows == {"测试-是": (True, True, True), "测试-否": (False, False, True),
                        "测试-未知": (None, None, False)}
        apps.get_model("communities", "Compound").objects.filter(name="测试-是").update(telecom_needs_work=False)

        apps = _migrate(BEFORE)
        combined = dict(apps.get_model("communities", "Compound").objects.values_list("name", "gas_or_telecom_needs_work"))
        assert combined == {"测试-是": True, "测试-否": False, "测试-未知": None}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

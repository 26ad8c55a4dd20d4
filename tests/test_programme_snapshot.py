"""The `programme` fixture restores captured rows instead of loading the work plan each test: it must
leave exactly what `programme_load` leaves."""

import pytest
from django.db import connection, transaction

from tests.conftest import _tables, programme_restore

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table, _ in _tables():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def test_restored_programme_has_the_rows_a_real_load_writes(_programme_rows):
    from agencies.models import Agency
    from communities.models import Compound, TownTotals
    from projects.services import programme_load

    empty = _counts()
    with transaction.atomic():
        programme_load()
        loaded = _counts()
        transaction.set_rollback(True)
    assert _counts() == empty
    programme_restore(_programme_rows)
    restored = _counts()
    assert restored == loaded
    assert {t for t in loaded if loaded[t] > empty[t]} >= {
        Agency._meta.db_table, Compound._meta.db_table, TownTotals._meta.db_table}


def test_loading_again_over_the_restored_programme_changes_nothing(programme):
    from projects.services import programme_load

    counts = programme_load()
    assert counts.created == 0
    assert counts.updated == 0
    assert counts.unchanged > 100

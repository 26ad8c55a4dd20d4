"""The change log page at a million lines: median time of a page, unfiltered and filtered (issue 15).

    DATABASE_URL=sqlite:////tmp/changelog-bench.sqlite3 .venv/bin/python benchmarks/changelog.py --lines 1000000

Loads the work plan and the demo data into the (new) database (their real lines are the newest), then
adds `--lines` older synthetic index lines (history ids that do not exist: the page reads old → new only
for the 50 it shows, and shows a line without its history row as such), and times
GET /changelog/ in-process with Django's test client. Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_programme", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    from agencies.choices import Role
    from agencies.services import user_create
    from changelog.models import Change
    from communities.models import Town

    auditor = user_create(username="bench-auditor", password="x", role=Role.AUDITOR, full_name="基准·审计")
    town = Town.objects.get(name="乌兰镇")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO changelog_change (object_type, history_id, object_id, changed_at, action, user_id, "
            "town_id, project_id) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "SELECT 'communities.household', 100000000 + i, i, datetime('2023-01-01', '+' || (i % 500) || ' days'), "
            "'~', %s, %s, NULL FROM n" if connection.vendor == "sqlite" else
            "INSERT INTO changelog_change (object_type, history_id, object_id, changed_at, action, user_id, "
            "town_id, project_id) SELECT 'communities.household', 100000000 + i, i, "
            "timestamp '2023-01-01' + (i % 500) * interval '1 day', '~', %s, %s, NULL "
            "FROM generate_series(1, %s) i",
            [args.lines, auditor.pk, town.pk] if connection.vendor == "sqlite" else [auditor.pk, town.pk, args.lines])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE changelog_change")
    print(f"{Change.objects.count():,} lines written in {time.perf_counter() - started:.1f} s ({connection.vendor})")

    client = Client()
    client.force_login(auditor)
    for label, query in [("unfiltered", ""), ("by town", f"?town={town.pk}"), ("by user", f"?user={auditor.pk}"),
                         ("by type", "?object_type=communities.household"),
                         ("date range", "?date_from=2023-03-01&date_to=2023-03-31"),
                         ("page 100", "?page=100")]:
        timings = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            response = client.get("/changelog/" + query)
            timings.append(time.perf_counter() - begin)
            assert response.status_code == 200, response.status_code
        print(f"{label:12s} median {statistics.median(timings) * 1000:7.1f} ms  (n={args.repeat})")


if __name__ == "__main__":
    main()

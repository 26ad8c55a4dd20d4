"""The three daily lists on the one list pattern (改造项目, 部门任务, 认定审核): median time of the first page,
a page sorted by a clicked header (both directions), a filtered page and the export, and the queries each
page makes (issue 17).

    createdb -h 127.0.0.1 -U postgres jingyuan_lists_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingyuan_lists_bench \\
        .venv/bin/python benchmarks/daily_lists.py --compounds 1000

Loads the work plan and the demo data into the (empty) database, adds `--compounds` synthetic compounds
(assessed, as a survey import leaves them), then times each page in-process with Django's test client as
a staff user. Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")

PAGES = [
    ("project list", "/projects/"),
    ("project list, sorted by cost ▲", "/projects/?sort=estimated_cost_yuan"),
    ("project list, sorted by cost ▼", "/projects/?sort=-estimated_cost_yuan"),
    ("project list, filtered", "/projects/?stage=preparing"),
    ("project export", "/projects/?export=xlsx"),
    ("task list", "/tasks/"),
    ("task list, sorted by agency ▲", "/tasks/?sort=agency"),
    ("task list, sorted by title ▼", "/tasks/?sort=-title"),
    ("task list, filtered", "/tasks/?overdue=true"),
    ("task export", "/tasks/?export=xlsx"),
    ("review queue", "/review/"),
    ("review queue, sorted by town ▲", "/review/?sort=town"),
    ("review queue, sorted by verdict ▼", "/review/?sort=-verdict"),
    ("review queue, page 20 by name", "/review/?sort=name&page=20"),
    ("review queue, filtered", "/review/?verdict=eligible"),
    ("review export (filtered)", "/review/?verdict=eligible&export=xlsx"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compounds", type=int, default=0, help="synthetic compounds on top of the demo data")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="the database is already loaded")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.EXPORT_ASYNC_MIN_ROWS = 0  # the export answered at once, as the page's button does for few rows
    if not args.reuse:
        call_command("migrate", verbosity=0)
        call_command("load_programme", verbosity=0)
        call_command("seed_demo", "--force", "--compounds", "46", verbosity=0)
        if args.compounds:
            call_command("generate_synthetic", "--compounds", str(args.compounds), verbosity=0)
    from django.contrib.auth import get_user_model

    from agencies.choices import Role
    from agencies.services import user_create
    from communities.models import Compound
    from projects.models import AgencyTask, Project

    staff = get_user_model().objects.filter(username="bench-lists").first() or user_create(
        username="bench-lists", password="x", role=Role.STAFF, full_name="基准·工作人员")
    print(f"{connection.vendor}: {Compound.objects.count():,} compounds, {Project.objects.count():,} projects, "
          f"{AgencyTask.objects.count():,} tasks")
    client = Client()
    client.force_login(staff)
    for label, path in PAGES:
        client.get(path)  # warm
        timings = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - begin)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(f"{label:36s} median {statistics.median(timings) * 1000:8.1f} ms  {len(queries):3d} queries  "
              f"HTTP {response.status_code}")


if __name__ == "__main__":
    main()

"""The deadline standing of every project (projects.selectors.project_deadline_statuses): what the
dashboard's two deadline sections and the project list's 时限状态 filter compute on each request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_latency_large .venv/bin/python benchmarks/deadlines.py

Reads an existing database (e.g. the large one benchmarks/latency.py builds: 540 synthetic projects of
17 steps each). The dashboard counts real projects only, and synthetic ones are demo data, so the script
passes every project of the database explicitly, as a province's thousands of real projects would be.
Prints the median time of the selector, its queries and its peak Python memory, and the median time of
the project list filtered by deadline status (in-process, Django's test client, as latency.py's staff user `bench`).
Asserts nothing.
"""

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from projects.models import Programme, Project, ProjectStep
    from projects.selectors import project_deadline_statuses

    programme = Programme.objects.get(year=2023)
    today = timezone.localdate()
    projects = Project.objects.filter(programme=programme)
    print(f"projects {projects.count()}, steps {ProjectStep.objects.filter(project__in=projects).count()}")

    def statuses():
        return project_deadline_statuses(programme=programme, today=today, queryset=projects)

    statuses()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        statuses()
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        statuses()
    tracemalloc.start()
    statuses()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"project_deadline_statuses: median {statistics.median(times) * 1000:.1f} ms "
          f"(min {min(times) * 1000:.1f}), {len(queries)} queries, peak Python memory {peak / 2**20:.1f} MB")

    user = get_user_model().objects.filter(username="bench").first()  # latency.py's staff user
    if user is None:
        return
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    path = "/projects/?deadline_ready=at_risk"
    client.get(path)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append(time.perf_counter() - start)
    print(f"{path}: median {statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f})")


if __name__ == "__main__":
    main()

"""Funding pages and the four report selectors, timed in-process on PostgreSQL (issue #6).

Builds a fresh database (DATABASE_URL, default .../jy_issue6_bench), loads the programme and the demo
data (46 demo compounds: programme size), times every funding page (Django test client, staff user)
and the four selectors issue 7 reads; then adds 2,000 projects with 20,000 budget lines, 4,000
accounts, 2,000 allocations and their history rows, and times everything again. Prints medians of
--repeat runs after one warm-up; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_issue6_bench .venv/bin/python benchmarks/funding.py
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jy_issue6_bench"


def _fresh_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    base = ["-h", parsed.hostname or "127.0.0.1", "-U", parsed.username or "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)


def _median_ms(call, repeat: int) -> float:
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _generate(*, programme, user, projects: int, lines_per_project: int) -> None:
    from decimal import Decimal

    from simple_history.utils import bulk_create_with_history

    from agencies.models import Agency
    from communities.models import Compound, Town
    from funding.choices import FundingClass
    from funding.models import Allocation, BudgetLine, FundingAccount, FundingSourceKind
    from projects.models import Project, ProjectCompound, ScopeItem, ScopeLine

    town = Town.objects.get(name="乌兰镇")
    agency = Agency.objects.get(code="housing")
    sources = list(FundingSourceKind.objects.all())
    classes = list(FundingClass)
    water = ScopeItem.objects.filter(is_water_power_road_gas="water").first()
    compounds = Compound.objects.bulk_create(
        [Compound(town=town, name=f"基准小区-{n:05d}", build_year=1995, in_shantytown_plan=False,
                  other_fiscal_support=False, already_renovated=False) for n in range(projects)])
    made = Project.objects.bulk_create(
        [Project(programme=programme, code=f"bench-{n:05d}", name=f"基准项目-{n:05d}", responsible_agency=agency,
                 centrally_subsidised=n % 3 == 0) for n in range(projects)])
    ProjectCompound.objects.bulk_create([ProjectCompound(project=p, compound=c) for p, c in zip(made, compounds,
                                                                                                strict=True)])
    ScopeLine.objects.bulk_create([ScopeLine(project=p, compound=c, scope_item=water, quantity=1, unit="km",
                                             estimated_cost_yuan=Decimal(100000))
                                   for p, c in zip(made, compounds, strict=True)])
    lines = [BudgetLine(programme=programme, project=p, source=sources[(i + n) % 4],
                        funding_class=classes[i % 4] if sources[(i + n) % 4].code != "central_budget_investment"
                        else FundingClass.IMPROVEMENT, amount_yuan=Decimal("13509.01"), created_by=user)
             for n, p in enumerate(made) for i in range(lines_per_project)]
    bulk_create_with_history(lines, BudgetLine, batch_size=5000, default_user=user)
    accounts = [FundingAccount(project=p, source=sources[k], allocated_yuan=Decimal(50000),
                               disbursed_yuan=Decimal(30000), spent_yuan=Decimal(10000))
                for p in made for k in (0, 2)]
    bulk_create_with_history(accounts, FundingAccount, batch_size=5000, default_user=user)
    allocations = [Allocation(project=p, source=sources[0], amount_yuan=Decimal(50000), recorded_by=user,
                              document_number=f"基准财预-{n}", allocated_on="2023-04-01")
                   for n, p in enumerate(made)]
    bulk_create_with_history(allocations, Allocation, batch_size=5000, default_user=user)


def _measure(label: str, *, programme, user, repeat: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from funding import selectors
    from funding.models import BudgetLine

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    project = BudgetLine.objects.filter(project__isnull=False).order_by("-id").first().project
    pages = [
        ("budget lines", reverse("funding:budget_line_list")),
        ("budget lines filtered", reverse("funding:budget_line_list") + "?source=local_self_raised&sort=-amount"),
        ("budget lines xlsx export (all rows)", reverse("funding:budget_line_list") + "?export=xlsx"),
        ("project funding", reverse("funding:project_funding", args=[project.pk])),
        ("reconciliation", reverse("funding:reconciliation")),
        ("source-vs-class table", reverse("funding:source_class_rules")),
        ("money history", reverse("funding:money_history")),
        ("money history filtered", reverse("funding:money_history") + "?model=allocation"),
        ("dashboard", reverse("ui:dashboard")),
    ]
    print(f"\n## {label}: {BudgetLine.objects.count()} budget lines, {programme.projects.count()} projects")
    print("| what | median ms |\n| --- | ---: |")
    for name, url in pages:
        status = client.get(url).status_code
        assert status == 200, (url, status)
        print(f"| {name} | {_median_ms(lambda url=url: client.get(url), repeat):.1f} |")
    calls = [
        ("funding_by_source", lambda: selectors.funding_by_source(programme=programme)),
        ("funding_by_source(project=…)", lambda: selectors.funding_by_source(programme=programme, project=project)),
        ("funding_by_project", lambda: selectors.funding_by_project(programme=programme)),
        ("funding_reconciliation", lambda: selectors.funding_reconciliation(programme=programme)),
        ("central_subsidy_compounds", lambda: selectors.central_subsidy_compounds(programme=programme)),
    ]
    for name, call in calls:
        print(f"| selector {name} ({len(call()) if isinstance(call(), list) else 1} rows) | "
              f"{_median_ms(call, repeat):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--lines-per-project", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    _fresh_database(url)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    from agencies.choices import Role
    from agencies.services import user_create
    from projects.selectors import programme_current

    call_command("migrate", verbosity=0)
    call_command("load_programme", stdout=StringIO())
    call_command("seed_demo", "--force", "--compounds", "46", stdout=StringIO())
    user = user_create(username="bench", password="bench-pass-2023!", role=Role.STAFF)
    programme = programme_current()
    _measure("programme size (demo data)", programme=programme, user=user, repeat=args.repeat)
    started = time.perf_counter()
    _generate(programme=programme, user=user, projects=args.projects, lines_per_project=args.lines_per_project)
    print(f"\n(generated {args.projects} projects in {time.perf_counter() - started:.1f} s)")
    _measure(f"{args.projects} projects", programme=programme, user=user, repeat=args.repeat)


if __name__ == "__main__":
    main()

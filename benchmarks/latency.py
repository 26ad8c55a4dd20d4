"""Page latency under gunicorn on PostgreSQL, as a ratio to a trivial view on the same server, same run.

For each size (programme size: the demo data; large: --compounds synthetic compounds on top) the script
builds a fresh database, starts gunicorn with benchmarks.settings, logs in as a staff user and times
every page in PAGES (first page and a filtered page of each list, detail pages, the dashboard).
Optionally a bounded wrk load run of mixed traffic. Prints figures; asserts nothing.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# (label, path). {compound}, {building}, {household}, {project} are filled from the database.
PAGES = [
    ("trivial view", "/bench/trivial"),
    ("page shell (login, role, nav)", "/bench/shell"),
    ("home", "/"),
    ("dashboard", "/dashboard/"),
    ("compound list", "/compounds/"),
    ("compound list filtered", "/compounds/?built_before=1995&town={town}"),
    ("compound detail", "/compounds/{compound}/"),
    ("building list", "/buildings/"),
    ("building list filtered", "/buildings/?compound={compound}"),
    ("building detail", "/buildings/{building}/"),
    ("household list", "/households/"),
    ("household list filtered", "/households/?renovation_consent=agree&compound={compound}"),
    ("household detail", "/households/{household}/"),
    ("review queue", "/review/"),
    ("review queue filtered", "/review/?verdict=eligible&town={town}"),
    ("duty list", "/duties/"),
    ("project list", "/projects/"),
    ("project list filtered", "/projects/?stage=preparing"),
    ("project detail", "/projects/{project}/"),
    ("project ledger", "/projects/{project}/ledger/"),
    ("indicators", "/indicators/"),
    ("task list", "/tasks/"),
    ("task list filtered", "/tasks/?overdue=true"),
    ("budget lines", "/funding/"),
]
PASSWORD = "bench-pass-2023!"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_database(name: str, compounds: int, env: dict) -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_programme"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "seed_demo", "--force", "--compounds", "46"], env=env, check=True)
    if compounds:
        subprocess.run([*manage, "generate_synthetic", "--compounds", str(compounds)], env=env, check=True)
    code = (
        "from agencies.services import user_create; from agencies.choices import Role;"
        f"user_create(username='bench', password={PASSWORD!r}, role=Role.STAFF)"
    )
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)


def _ids(env: dict) -> dict:
    code = (
        "from communities.models import *;"
        "c=Compound.objects.order_by('-id').first(); b=Building.objects.order_by('-id').first();"
        "h=Household.objects.order_by('-id').first();"
        "from django.apps import apps;"
        "from projects.models import Project; p=Project.objects.order_by('-id').first();"
        "print(c.id, b.id, h.id, p.id if p else 0, c.town_id)"
    )
    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return dict(zip(["compound", "building", "household", "project", "town"], out[-5:], strict=True))


def _login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(base + "/login/", data.encode(), headers={"Referer": base + "/login/"}))
    return opener, jar


def _time(opener, url: str, requests: int) -> tuple[float, int]:
    status = 0
    for _ in range(3):  # warm-up
        try:
            status = opener.open(url).status
        except urllib.error.HTTPError as error:
            return 0.0, error.code
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        opener.open(url).read()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, status


def _wrk(base: str, jar, paths: list[str], seconds: int) -> None:
    if not shutil.which("wrk"):
        print("wrk not installed (apt-get install -y wrk): load run skipped")
        return
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                     "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")
    result = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}",
                             "-s", script.name, base], capture_output=True, text=True)
    print(result.stdout)


def run(size_label: str, compounds: int, args) -> None:
    db = f"{args.db_prefix}_{size_label}"
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
               DJANGO_SETTINGS_MODULE="benchmarks.settings", JINGYUAN_SECRET_KEY="bench-" + "x" * 50,
               JINGYUAN_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    if not args.reuse:
        _prepare_database(db, compounds, env)
    ids = _ids(env)
    port = _free_port()
    server_env = dict(env)
    if args.redis_url != "none":
        # As in production: the cache, and so the sessions (cached_db), in Redis. Pages enqueue no tasks.
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, stdout=subprocess.DEVNULL)
        server_env["REDIS_URL"] = args.redis_url
    server = subprocess.Popen([str(BIN / "gunicorn"), "jingyuan_renovation.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(args.workers)], cwd=ROOT, env=server_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/trivial", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        opener, jar = _login(base)
        print(f"\n== {size_label}: {compounds or 'demo'} synthetic compounds; median of {args.requests} ==")
        trivial = shell = None
        measured = []
        for label, template in PAGES:
            path = template.format(**ids)
            ms, status = _time(opener, base + path, args.requests)
            if status != 200:
                print(f"{label:30s} {path:55s} skipped (HTTP {status})")
                continue
            trivial = trivial or ms
            if path == "/bench/shell":
                shell = ms
            measured.append(path)
            versus_shell = f"{ms / shell:6.1f}x shell" if shell else ""
            print(f"{label:30s} {path:55s} {ms:8.1f} ms  {ms / trivial:6.1f}x  {versus_shell}")
        if args.wrk_seconds:
            _wrk(base, jar, measured[2:], args.wrk_seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compounds", type=int, default=7500, help="large size (synthetic compounds)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--wrk-seconds", type=int, default=0)
    parser.add_argument("--only", choices=["programme", "large"])
    parser.add_argument("--reuse", action="store_true", help="reuse databases built by an earlier run")
    parser.add_argument("--db-prefix", default="jingyuan_bench",
                        help="PostgreSQL database names: <prefix>_programme, <prefix>_large")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12",
                        help="the server's REDIS_URL (cache and sessions); 'none' for database sessions")
    args = parser.parse_args()
    if args.only in (None, "programme"):
        run("programme", 0, args)
    if args.only in (None, "large"):
        run("large", args.compounds, args)


if __name__ == "__main__":
    main()

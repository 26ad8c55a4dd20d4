"""Page latency under gunicorn on PostgreSQL, as a ratio to a trivial view on the same server, same run.

For each size (programme size: the demo data; large: --compounds synthetic compounds on top) the script
builds a fresh database, starts gunicorn with benchmarks.settings, logs in as a staff user and times
every page in PAGES (first page and a filtered page of each list, detail pages, the dashboard).
Optionally a bounded wrk load run of mixed traffic. Prints figures; asserts nothing.

Besides the wall-clock median, each page's server CPU a request (the gunicorn workers' user + system time
over the timed requests, from /proc): on a shared machine the wall clock moves with other people's load,
the CPU the server spends on a page much less.
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


def _server_cpu(master_pid: int) -> float:
    """Seconds of CPU (user + system) the gunicorn workers have used so far (Linux /proc; 0 elsewhere).

    On a machine shared with other work the wall-clock median moves with everyone else's load; the CPU
    the server spends on a page moves far less, so the script prints both."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return 0.0


def _warm(opener, url: str) -> int:
    status = 0
    for _ in range(3):
        try:
            status = opener.open(url).status
        except urllib.error.HTTPError as error:
            return error.code
    return status


class _Server:
    """A gunicorn serving the code at `root` on the benchmark database, logged in as the bench user."""

    def __init__(self, root: Path, env: dict, workers: int):
        self.base = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "jingyuan_renovation.wsgi:application", "--bind", self.base[7:],
             "--workers", str(workers)], cwd=root, env=dict(env, PYTHONPATH=str(root)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/bench/trivial", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        self.opener, self.jar = _login(self.base)
        self.samples: list[float] = []
        self.cpu_before = 0.0

    def start_page(self):
        self.samples, self.cpu_before = [], _server_cpu(self.process.pid)

    def request(self, path: str):
        started = time.perf_counter()
        self.opener.open(self.base + path).read()
        self.samples.append(time.perf_counter() - started)

    def page_figures(self) -> tuple[float, float]:
        """Median wall-clock ms of this page's requests and the server's mean CPU ms a request."""
        cpu = (_server_cpu(self.process.pid) - self.cpu_before) / len(self.samples)
        return statistics.median(self.samples) * 1000, cpu * 1000

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


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
    server_env = dict(env)
    if args.redis_url != "none":
        # As in production: the cache, and so the sessions (cached_db), in Redis. Pages enqueue no tasks.
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, stdout=subprocess.DEVNULL)
        server_env["REDIS_URL"] = args.redis_url
    # With --against, the code there (before) and this code (after) serve side by side and each page's
    # requests alternate between them, so both see the same load from whatever else the machine runs.
    roots = [Path(args.against).resolve(), ROOT] if args.against else [ROOT]
    servers = []
    try:
        servers = [_Server(root, server_env, args.workers) for root in roots]
        names = " | ".join(("before", "after")[-len(servers):] if args.against else ["this code"])
        print(f"\n== {size_label}: {compounds or 'demo'} synthetic compounds; median of {args.requests}; {names} ==")
        print(f"{'':30s} {'':55s}" + " | median ms ÷ trivial ÷ shell, server CPU ms ÷ shell's" * len(servers))
        firsts = [{} for _ in servers]
        measured = []
        for label, template in PAGES:
            path = template.format(**ids)
            status = max(_warm(server.opener, server.base + path) for server in servers)
            if status != 200:
                print(f"{label:30s} {path:55s} skipped (HTTP {status})")
                continue
            for server in servers:
                server.start_page()
            for index in range(args.requests):
                for server in servers if index % 2 == 0 else reversed(servers):
                    server.request(path)
            measured.append(path)
            line = f"{label:30s} {path:55s}"
            for server, first in zip(servers, firsts, strict=True):
                ms, cpu = server.page_figures()
                first.setdefault("trivial", ms)
                if path == "/bench/shell":
                    first["shell"], first["shell_cpu"] = ms, cpu
                ratios = (f"{ms / first['shell']:5.1f}x" if "shell" in first else "      ",
                          f"{cpu / first['shell_cpu']:5.1f}x" if first.get("shell_cpu") else "      ")
                line += f" | {ms:7.1f} {ms / first['trivial']:5.1f}x {ratios[0]} {cpu:6.1f} {ratios[1]}"
            print(line)
        if args.wrk_seconds:
            _wrk(servers[-1].base, servers[-1].jar, measured[2:], args.wrk_seconds)
    finally:
        for server in servers:
            server.stop()


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
    parser.add_argument("--against", metavar="PATH",
                        help="a checkout of the code before (e.g. git worktree add /tmp/before main): served "
                             "beside this one, each page's requests alternating between the two")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12",
                        help="the server's REDIS_URL (cache and sessions); 'none' for database sessions")
    args = parser.parse_args()
    if args.only in (None, "programme"):
        run("programme", 0, args)
    if args.only in (None, "large"):
        run("large", args.compounds, args)


if __name__ == "__main__":
    main()

"""Time and peak memory of generating the synthetic data set on a fresh PostgreSQL database."""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compounds", type=int, default=7500)
    parser.add_argument("--db", default="jingyuan_bench_synthetic")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
    env = dict(os.environ, DATABASE_URL=f"{args.pg}/{args.db}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_programme"], env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([*manage, "generate_synthetic", "--compounds", str(args.compounds)], env=env, check=True)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"compounds={args.compounds} wall={elapsed:.1f}s peak_rss={peak_mb:.0f}MB")


if __name__ == "__main__":
    main()

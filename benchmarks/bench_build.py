"""Cold build of the whole series against a no-op rebuild, measured side by side.

The cold build runs in a fresh copy of the project (synthetic data generated, every
notebook executed, the book built); the no-op rebuild then runs again on the same copy
with nothing changed. Reported as seconds (median of ``repeats``) and as the ratio
no-op / cold (target: under 5%).

    .venv/bin/python benchmarks/bench_build.py --people 30000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {"GIT_AUTHOR_NAME": "lifetools benchmark", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "lifetools benchmark",
           "GIT_COMMITTER_EMAIL": "bench@example.org",
           "GIT_AUTHOR_DATE": "2025-04-01T12:00:00Z",
           "GIT_COMMITTER_DATE": "2025-04-01T12:00:00Z"}
PROJECT_FILES = ("analyses", "book", "data_dictionary", "_config.yml", "CITATION.cff",
                 "GLOSSARY.md", "requirements.lock")


def copy_project(target: Path, people: int, root: Path = ROOT) -> Path:
    """Copy the project's inputs (of the checkout ``root``) into ``target`` with
    ``people`` synthetic people."""
    for name in PROJECT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copyfile(source, target / name)
    series_file = target / "analyses" / "analyses.yml"
    series = yaml.safe_load(series_file.read_text())
    series["data"]["synthetic"]["people"] = people
    series_file.write_text(yaml.safe_dump(series, sort_keys=False))
    # publishing needs versioned code: the copy is a git repository with one commit
    (target / ".gitignore").write_text("build/\npublic/\n")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "-m", "benchmark project copy"]):
        subprocess.run(["git", *args], cwd=target, env=env, check=True,
                       capture_output=True)
    return target


def timed_build(root: Path, jobs: int) -> float:
    """Run `lifetools build` in a subprocess for ``root``; return wall seconds."""
    env = {**os.environ, "LIFETOOLS_PROJECT_ROOT": str(root)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lifetools", "-q", "build", "-j", str(jobs)],
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def run(people: int = 30000, repeats: int = 3, jobs: int = 2) -> dict:
    """Measure cold and no-op builds; return the medians and their ratio."""
    cold, noop = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="lifetools-bench-") as folder:
            root = copy_project(Path(folder), people)
            cold.append(timed_build(root, jobs))
            noop.append(timed_build(root, jobs))
    result = {
        "people": people, "jobs": jobs, "repeats": repeats,
        "cold_build_s": round(statistics.median(cold), 2),
        "noop_rebuild_s": round(statistics.median(noop), 2),
    }
    result["noop_over_cold"] = round(result["noop_rebuild_s"] / result["cold_build_s"], 4)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.people, args.repeats, args.jobs), indent=2))

"""Project copies for the tests: copy, commit, edit the series, and run commands in them.

lifetools is imported inside functions here, never at import time: this module is
loaded with the first conftest, before coverage starts in the xdist workers, and the
package's eager ``__init__`` would otherwise be imported unmeasured.

Shared by ``tests/build_fixtures.py`` (the session's build fixtures) and the tests that
make project copies of their own. A module of its own name, because ``from conftest import ...`` is
ambiguous when several ``conftest.py`` files are on the path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("analyses", "book", "data_dictionary", "_config.yml", "CITATION.cff",
                 "GLOSSARY.md", "requirements.lock")
ENV_PROJECT_ROOT = "LIFETOOLS_PROJECT_ROOT"  # lifetools.config.ENV_PROJECT_ROOT
TEST_PEOPLE = int(os.environ.get("LIFETOOLS_TEST_PEOPLE", "12000"))
#: The one-edition projects of tests/functional/test_integrity.py and test_incremental.py
TEST_PEOPLE_SMALL = int(os.environ.get("LIFETOOLS_TEST_PEOPLE_SMALL", "3000"))
#: The crisis-risk report's internal validation in the project copies: boot-MI, the
#: method the series publishes (analyses.yml), so that the functional builds build it.
#: Until wave 21 the copies used MI-boot, boot-MI having made the crisis notebook take
#: about 6 times its MI-boot CPU at 3,000 people; with the chained equations' designs
#: made without patsy and the calibration lowess fitted only where read, the whole
#: report at 3,000 people and 200 samples takes about 1.5 times its MI-boot CPU
#: (CHANGELOG, issue 19). ``LIFETOOLS_TEST_CRISIS_INTERNAL=mi-boot`` builds the other.
TEST_CRISIS_INTERNAL = os.environ.get("LIFETOOLS_TEST_CRISIS_INTERNAL", "boot-mi")
#: The crisis-risk report's bootstrap samples and imputed copies in the project copies
#: (the series publishes 200 and 10): the test profile, set through the copy's
#: ``analyses.yml`` as a collaborator reruns with other parameters. The functional
#: builds test the pipeline, not the bootstrap's or the imputation's precision
#: (tests/truth and tests/unit test those). At 3,000 people the report took 109 s of
#: CPU with 200 samples and 49 s with 50 (wave 30); with 50 samples and 10 copies,
#: still the longest run of every test build, 24.9 s, and with 20 samples and 3 copies
#: 7.3 s (wave 44): the model comparison and the two-stage interval draw
#: ``MIN_BOOT_PER_COPY`` (10) samples in every copy whatever ``n_boot``, and boot-MI
#: imputes every copy in every sample, so the copies set the cost. 20 is the series'
#: fewest samples (``minimum``), 3 copies keep Rubin's between-copy variance and every
#: sentence of the report. ``LIFETOOLS_TEST_CRISIS_BOOT=200`` and
#: ``LIFETOOLS_TEST_CRISIS_IMPUTATIONS=10`` build the series' own numbers.
TEST_CRISIS_BOOT = int(os.environ.get("LIFETOOLS_TEST_CRISIS_BOOT", "20"))
TEST_CRISIS_IMPUTATIONS = int(os.environ.get("LIFETOOLS_TEST_CRISIS_IMPUTATIONS", "3"))
#: The crisis-risk parameters a project copy sets (the test profile): name, value.
TEST_CRISIS_PARAMETERS = {"internal": TEST_CRISIS_INTERNAL, "n_boot": TEST_CRISIS_BOOT,
                          "imputations": TEST_CRISIS_IMPUTATIONS}


def copy_project(target: Path, *, people: int = TEST_PEOPLE) -> Path:
    """Copy the project's inputs to ``target`` with a smaller synthetic dataset."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        elif source.exists():
            shutil.copyfile(source, target / name)
    series_file = target / "analyses" / "analyses.yml"
    series = yaml.safe_load(series_file.read_text())
    series["data"]["synthetic"]["people"] = people
    crisis = next(a for a in series["analyses"] if a["id"] == "crisis_risk")
    for name, value in TEST_CRISIS_PARAMETERS.items():
        crisis["parameters"][name]["default"] = value
    series_file.write_text(yaml.safe_dump(series, sort_keys=False))
    (target / ".gitignore").write_text("build/\npublic/\n")
    commit_all(target, "project copy")
    return target


#: A fixed author and date: the same files committed in two folders give one commit id.
GIT_ENV = {"GIT_AUTHOR_NAME": "lifetools tests", "GIT_AUTHOR_EMAIL": "tests@example.org",
           "GIT_COMMITTER_NAME": "lifetools tests",
           "GIT_COMMITTER_EMAIL": "tests@example.org",
           "GIT_AUTHOR_DATE": "2025-04-01T12:00:00Z",
           "GIT_COMMITTER_DATE": "2025-04-01T12:00:00Z"}


def commit_all(root: Path, message: str) -> None:
    """Commit every file of a project copy (a git repository, created if needed)."""
    env = {**os.environ, **GIT_ENV}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True,
                       capture_output=True)

    if not (root / ".git").exists():
        git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", message)


def edit_series(root: Path, edit, *, commit: bool = True) -> None:
    """Apply ``edit(dict)`` to a project copy's series file (and commit it)."""
    path = root / "analyses" / "analyses.yml"
    series = yaml.safe_load(path.read_text())
    edit(series)
    path.write_text(yaml.safe_dump(series, sort_keys=False))
    if commit:
        commit_all(root, "edit the series")


def only_first_edition(series: dict) -> None:
    """Keep the series' first edition only, as its current edition (for ``edit_series``)."""
    series["editions"] = series["editions"][:1]
    series["series"]["current_edition"] = series["editions"][0]["id"]


def site_state(root: Path) -> tuple[str, dict[str, str]]:
    """The live site's release folder (the link's target) and the hash of every file in it.

    Tests compare it before and after a build that must leave the published site alone.
    """
    link = root / "public" / "site"
    files = {str(p.relative_to(link.resolve())):
             hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(link.resolve().rglob("*")) if p.is_file()}
    return os.readlink(link), files


class ProjectRoot:
    """Point lifetools at a project copy for the duration of a with-block."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous = None

    def __enter__(self) -> Path:
        from lifetools import config  # imported late: see the module note on coverage

        self.previous = os.environ.get(config.ENV_PROJECT_ROOT)
        os.environ[config.ENV_PROJECT_ROOT] = str(self.root)
        return self.root

    def __exit__(self, *exc) -> None:
        if self.previous is None:
            os.environ.pop(ENV_PROJECT_ROOT, None)
        else:
            os.environ[ENV_PROJECT_ROOT] = self.previous

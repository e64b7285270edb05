"""Re-execute a published edition from its manifest and compare, file by file.

``lifetools reproduce EDITION`` reads ``public/editions/<id>/manifest.json``, obtains the
same input data (regenerating the synthetic dataset from its recorded size and seed, or
using ``--data DIR`` for a real extract), re-executes every analysis with the recorded
parameters into ``build/reproduce/``, and compares every published result file (tables,
figures, ``results.json``) byte for byte with the manifest's SHA-256 hashes.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lifetools import config
from lifetools.errors import ParameterError, ReproducibilityError
from lifetools.pipeline import layout, provenance
from lifetools.pipeline.build import PreparedData
from lifetools.pipeline.runner import RunSpec, execute_runs, raise_for_failures
from lifetools.synthetic import write_synthetic

__all__ = ["Reproduction", "reproduce_edition"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Reproduction:
    """The outcome of reproducing an edition: files compared and differences."""

    edition: str
    files_compared: int
    differences: tuple[str, ...]

    @property
    def identical(self) -> bool:
        """True when every published file was reproduced byte for byte."""
        return not self.differences


def _data(manifest: dict, data_dir: Path | None, say: Progress) -> PreparedData:
    recorded = manifest["data"]
    synthetic = recorded.get("synthetic")
    if data_dir is None:
        if not synthetic:
            raise ParameterError(
                "this edition was built from a real extract, not synthetic data",
                hint="pass the same extract with `--data DIR`",
            )

        data_dir = layout.reproduce_root("data")
        shutil.rmtree(data_dir, ignore_errors=True)
        say(f"regenerating synthetic data: {synthetic['people']:,} people, "
            f"seed {synthetic['seed']}")
        write_synthetic(data_dir, people=synthetic["people"], seed=synthetic["seed"])
    fingerprint = provenance.data_fingerprint(Path(data_dir))
    return PreparedData(Path(data_dir).resolve(), fingerprint, synthetic)


def reproduce_edition(
    edition_id: str,
    *,
    data_dir: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Reproduction:
    """Re-execute a published edition and compare its result files with the manifest.

    Raises
    ------
    ParameterError
        If the edition was never published.
    ReproducibilityError
        Listing every file (and the data or code) that differs.
    """
    say = progress or (lambda _line: None)
    manifest_path = layout.archive_manifest(edition_id)
    if not manifest_path.exists():
        raise ParameterError(
            f"edition {edition_id!r} has not been published (no {manifest_path})",
            hint="build it first with `lifetools build`",
        )
    manifest = json.loads(manifest_path.read_text())
    differences = []
    data = _data(manifest, data_dir, say)
    if data.fingerprint["combined"] != manifest["data"]["fingerprint"]["combined"]:
        differences.append("input data: fingerprint differs from the manifest's")
    code = provenance.code_version()
    if code.get("commit") != manifest["code_version"].get("commit"):
        say(f"note: running commit {code.get('commit')}, the edition was built from "
            f"{manifest['code_version'].get('commit')}")
    root = config.project_root()
    runs_root = layout.reproduce_root(edition_id)
    specs = [
        RunSpec(edition=edition_id, analysis=name,
                source=root / "analyses" / entry["notebook"],
                parameters=entry["parameters"], run_dir=runs_root / name,
                data_dir=data.path, data_fingerprint=data.fingerprint["combined"])
        for name, entry in sorted(manifest["analyses"].items())
    ]
    outcomes = execute_runs(specs, jobs=jobs, force=True, keep_going=True, progress=say)
    raise_for_failures(outcomes)
    compared = 0
    for spec in specs:
        published = manifest["analyses"][spec.analysis]["files"]
        current = layout.RunFolder(spec.run_dir).file_hashes()
        for name in sorted(set(published) | set(current)):
            compared += 1
            if published.get(name) != current.get(name):
                state = ("missing now" if name not in current else
                         "new" if name not in published else "content differs")
                differences.append(f"{spec.analysis}/{name}: {state}")
    result = Reproduction(edition_id, compared, tuple(differences))
    logger.info("edition %s: %d files compared, %d differ", edition_id, compared,
                len(differences))
    if differences:
        raise ReproducibilityError(
            f"edition {edition_id}: {len(differences)} of {compared} files differ:\n  "
            + "\n  ".join(differences[:50]),
            hint="check out the commit recorded in the manifest and use the same data",
        )
    return result

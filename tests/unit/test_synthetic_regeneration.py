"""The embedded synthetic data are regenerated when the generator's code changes."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from project_copy import ProjectRoot

from lifetools.pipeline import build, dependencies


def test_generator_dependencies_cover_the_generator_and_what_it_imports_only():
    found = dependencies.generator_dependencies()
    assert {"lifetools/synthetic/__init__.py", "lifetools/synthetic/population.py",
            "lifetools/synthetic/care.py", "lifetools/linkage.py",
            "lifetools/dictionary.py"} <= set(found)
    assert "lifetools/pipeline/runner.py" not in found
    assert not [name for name in found if name.startswith("lifetools/reports/")]


@pytest.fixture
def generator(monkeypatch, tmp_path):
    """A fake generator (counts its calls) and generator source hashes to edit."""
    calls: list[int] = []
    source = {"lifetools/synthetic/population.py": "a"}

    def write_synthetic(out: Path, *, people: int, seed: int) -> None:
        out.mkdir(parents=True)
        (out / "datapackage.json").write_text(json.dumps({"people": people}))
        calls.append(seed)

    monkeypatch.setattr(build, "write_synthetic", write_synthetic)
    monkeypatch.setattr(dependencies, "generator_dependencies", lambda: dict(source))
    with ProjectRoot(tmp_path):
        yield calls, source


def test_synthetic_generator_edit_regenerates_and_an_unchanged_one_reuses(generator):
    calls, source = generator
    series = SimpleNamespace(synthetic_people=20, synthetic_seed=7)
    said: list[str] = []
    _, first = build._synthetic(series, said.append)
    build._synthetic(series, said.append)
    assert len(calls) == 1
    source["lifetools/synthetic/population.py"] = "b"
    _, second = build._synthetic(series, said.append)
    assert len(calls) == 2
    assert said[-1] == "generating synthetic data: 20 people, seed 7 (generator changed)"
    assert first["generator"] != second["generator"]
    assert (first["people"], first["seed"]) == (second["people"], second["seed"]) == (20, 7)

"""The typed on-disk cache of loaded tables: equal frames, never stale, safe to share."""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pyarrow.feather as feather
import pytest

from lifetools import compact_ids, config, loading, typed_cache
from lifetools.compact_ids import ENV_COMPACT_IDS
from lifetools.dataset import present_tables
from lifetools.loading import ENV_DATASET_CACHE, TABLES, load_dataset, untracked
from lifetools.typed_cache import ENV_TYPED_CACHE, entry_path, read_entry, write_entry

SRC = Path(loading.__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    for name in (ENV_COMPACT_IDS, ENV_DATASET_CACHE, ENV_TYPED_CACHE,
                 loading.ENV_SKIP_UNUSED):
        monkeypatch.delenv(name, raising=False)
    compact_ids._IDS.clear()
    loading._TYPED.clear()
    yield
    compact_ids._IDS.clear()
    loading._TYPED.clear()


def hex_id(i: int) -> str:
    return f"{i:064x}"


def write_people(folder: Path, ids) -> None:
    folder.mkdir(exist_ok=True)
    pd.DataFrame({"person_id": ids, "year_of_birth": [1980] * len(ids)}).to_parquet(
        folder / "people.parquet", index=False)


def frames(data) -> dict[str, pd.DataFrame]:
    return {name: untracked(data, name) for name in TABLES
            if untracked(data, name) is not None}


def assert_same(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name, frame in left.items():
        other = right[name]
        pd.testing.assert_frame_equal(frame, other, check_exact=True)
        assert type(frame.index) is type(other.index), name
        for column in frame.select_dtypes(include="object").columns:  # str or None
            assert frame[column].map(type).equals(other[column].map(type)), column


def load(folder, **kwargs):
    """``load_dataset`` with every table read (each is read when first used)."""
    compact_ids._IDS.clear()
    data = load_dataset(folder, skip_unused=True, **kwargs)
    for name in present_tables(data):
        getattr(data, name)
    return data


def no_reads(monkeypatch) -> None:
    """Make any read of a table file or of the ids fail."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("read the data instead of the cache")

    monkeypatch.setattr(loading, "_read_table", refuse)
    monkeypatch.setattr(loading, "id_list", refuse)


@pytest.mark.parametrize("compact", [True, False])
def test_load_dataset_typed_cache_frames_equal_uncached(extract, tmp_path, compact,
                                                        monkeypatch):
    plain = frames(load(extract, compact_ids=compact))
    cold = frames(load(extract, compact_ids=compact, typed_cache=tmp_path))
    no_reads(monkeypatch)
    warm = frames(load(extract, compact_ids=compact, typed_cache=tmp_path))
    assert_same(plain, cold)
    assert_same(plain, warm)


def test_load_dataset_typed_cache_csv_folder_frames_equal(tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    (data / "people.csv").write_text(f"person_id,year_of_birth,sex,date_of_death\n"
                                     f"{hex_id(5)},1970,1,\n{hex_id(2)},,,2020-01-31\n")
    plain = frames(load(data, compact_ids=True))
    load(data, compact_ids=True, typed_cache=cache)
    no_reads(monkeypatch)
    assert_same(plain, frames(load(data, compact_ids=True, typed_cache=cache)))
    assert plain["people"]["person_id"].tolist() == [1, 0]


def test_load_dataset_typed_cache_environment_and_columns(extract, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_TYPED_CACHE, str(tmp_path))
    monkeypatch.setenv(ENV_DATASET_CACHE, "1")  # the warm kernels' memory cache too
    whole = frames(load(extract, compact_ids=True))
    some = load(extract, compact_ids=True, tables=["people"],
                columns={"people": ["sex", "person_id"]}).people
    monkeypatch.delenv(ENV_TYPED_CACHE)
    loading._TYPED.clear()
    assert_same(whole, frames(load(extract, compact_ids=True)))
    assert list(some.columns) == ["sex", "person_id"]
    assert some.equals(whole["people"][["sex", "person_id"]])


def test_load_dataset_typed_cache_warm_load_reads_no_ids(extract, tmp_path, monkeypatch):
    load(extract, compact_ids=True, typed_cache=tmp_path)
    no_reads(monkeypatch)
    people = load(extract, compact_ids=True, typed_cache=tmp_path).people
    assert str(people["person_id"].dtype) == "Int64"


def test_load_dataset_typed_cache_data_changed_same_size_and_time_not_stale(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_people(data, [hex_id(4), hex_id(6)])
    first = load(data, compact_ids=True, typed_cache=cache).people["person_id"].tolist()
    path = data / "people.parquet"
    info = os.stat(path)
    write_people(data, [hex_id(7), hex_id(6)])  # same length: the same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the old time
    assert os.stat(path).st_size == info.st_size
    second = load(data, compact_ids=True, typed_cache=cache).people["person_id"].tolist()
    assert first == [0, 1]
    assert second == [1, 0]  # 7 now sorts after 6


def test_load_dataset_typed_cache_new_file_changes_codes(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_people(data, [hex_id(4), hex_id(6)])
    load(data, compact_ids=True, typed_cache=cache)
    pd.DataFrame({"attendance_id": ["A1"], "person_id": [hex_id(5)]}).to_parquet(
        data / "ae_attendances.parquet", index=False)  # 5 sorts between 4 and 6
    people = load(data, compact_ids=True, typed_cache=cache, tables=["people"]).people
    assert people["person_id"].tolist() == [0, 2]


def test_load_dataset_typed_cache_dictionary_change_not_stale(tmp_path, monkeypatch):
    data, cache, words = tmp_path / "data", tmp_path / "cache", tmp_path / "dictionary"
    write_people(data, [hex_id(1)])
    shutil.copytree(config.dictionary_dir(), words)
    monkeypatch.setattr(config, "dictionary_dir", lambda: words)
    before = load(data, typed_cache=cache).people
    people = words / "people.yaml"
    text = people.read_text()
    assert "  - name: year_of_birth\n    type: integer\n" in text
    people.write_text(text.replace("  - name: year_of_birth\n    type: integer\n",
                                   "  - name: year_of_birth\n    type: number\n"))
    after = load(data, typed_cache=cache).people
    assert str(before["year_of_birth"].dtype) == "Int64"
    assert str(after["year_of_birth"].dtype) == "float64"


def test_load_dataset_typed_cache_code_change_not_stale(tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_people(data, [hex_id(1)])
    load(data, typed_cache=cache)
    reads = []
    real = loading._read_table
    monkeypatch.setattr(loading, "_read_table",
                        lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    load(data, typed_cache=cache)
    assert reads == []
    monkeypatch.setattr(typed_cache, "_CODE", ["another version of the code"])
    load(data, typed_cache=cache)
    assert [Path(p).name for p in reads] == ["people.parquet"]


def _lifetools_imports(name: str) -> set[str]:
    """The lifetools modules ``name``'s source imports, at any depth (functions too)."""
    tree = ast.parse(typed_cache.module_source(name))
    package = name if (SRC.joinpath(*name.split(".")) / "__init__.py").exists() \
        else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "lifetools"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base.split(".")[0] != "lifetools":
                continue
            for alias in node.names:  # ``from lifetools import config``: a module
                module = f"{base}.{alias.name}"
                path = SRC.joinpath(*module.split("."))
                found.add(module if path.with_suffix(".py").exists()
                          or (path / "__init__.py").exists() else base)
    return found


def load_path_modules() -> set[str]:
    """Every lifetools module the load path's source reaches through its imports
    (the package ``lifetools`` itself, which imports every module, is not followed)."""
    seen: set[str] = set()
    todo = ["lifetools.loading", "lifetools.typed_cache"]
    while todo:
        name = todo.pop()
        if name in seen or name == "lifetools":
            continue
        seen.add(name)
        todo += _lifetools_imports(name)
    return seen


def test_code_modules_are_exactly_the_modules_the_load_path_imports():
    missing = load_path_modules() - set(typed_cache.CODE_MODULES)
    assert not missing, f"add to typed_cache.CODE_MODULES: {sorted(missing)}"
    unreached = set(typed_cache.CODE_MODULES) - load_path_modules()
    assert not unreached, f"not on the load path (the key changes for nothing): {unreached}"
    assert {"lifetools.loading", "lifetools.compact_ids", "lifetools.dictionary",
            "lifetools.config", "lifetools.reads"} <= load_path_modules()


def test_import_walk_finds_a_new_import(monkeypatch):
    """The walk that guards CODE_MODULES sees imports inside functions and relative ones."""
    real = typed_cache.module_source
    extra = {"lifetools.loading": b"\ndef later():\n    from lifetools import spc\n",
             "lifetools.reads": b"\nfrom .linkage import link_people\n"}
    monkeypatch.setattr(typed_cache, "module_source",
                        lambda name: real(name) + extra.get(name, b""))
    assert {"lifetools.spc", "lifetools.linkage"} <= load_path_modules()


@pytest.mark.parametrize("module", typed_cache.CODE_MODULES)
def test_code_key_changes_with_each_load_path_module(module, monkeypatch):
    monkeypatch.setattr(typed_cache, "_CODE", [])
    before = typed_cache._code_key()
    real = typed_cache.module_source
    monkeypatch.setattr(typed_cache, "module_source",
                        lambda name: real(name) + (b"# edited\n" if name == module else b""))
    monkeypatch.setattr(typed_cache, "_CODE", [])
    assert typed_cache._code_key() != before
    monkeypatch.setattr(typed_cache, "module_source", real)
    monkeypatch.setattr(typed_cache, "_CODE", [])
    assert typed_cache._code_key() == before


def test_code_key_is_the_modules_sources_and_versions(monkeypatch):
    monkeypatch.setattr(typed_cache, "_CODE", [])
    import numpy
    import pyarrow
    import yaml
    digest = hashlib.sha256(typed_cache.FORMAT.encode())
    for name in typed_cache.CODE_MODULES:
        path = SRC.joinpath(*name.split(".")).with_suffix(".py")
        digest.update(f"|{name}:{hashlib.sha256(path.read_bytes()).hexdigest()}".encode())
    digest.update(f"|{pd.__version__}|{pyarrow.__version__}|{numpy.__version__}|"
                  f"{yaml.__version__}|{sys.version_info[:2]}".encode())
    assert typed_cache._code_key() == digest.hexdigest()


def test_load_dataset_typed_cache_broken_entry_read_again(tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_people(data, [hex_id(2), hex_id(1)])
    first = load(data, compact_ids=True, typed_cache=cache).people
    (entry,) = cache.glob("*/people-*.arrow")
    entry.write_bytes(entry.read_bytes()[:40])  # a torn file
    assert read_entry(entry) is None
    again = load(data, compact_ids=True, typed_cache=cache).people
    assert again.equals(first)
    assert read_entry(entry).equals(first)  # written again whole


def test_load_dataset_typed_cache_old_keys_pruned(tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    for step in range(typed_cache.KEEP + 2):
        write_people(data, [hex_id(step + 1)])
        load(data, typed_cache=cache)
    assert len([p for p in cache.iterdir() if p.is_dir()]) == typed_cache.KEEP


def test_write_entry_two_writers_at_once_leave_one_whole_file(tmp_path, monkeypatch):
    frame = pd.DataFrame({"person_id": pd.array([1, None], dtype="Int64"),
                          "sex": ["F", None]})
    path = entry_path(tmp_path, "k", "people", None)
    both = threading.Barrier(2, timeout=300)  # a hang fails; a busy machine does not
    seen = []
    real = feather.write_feather

    def slow(table, where, **kwargs):
        real(table, where, **kwargs)
        both.wait()  # both files written aside, neither renamed yet
        seen.append(read_entry(path))
        both.wait()

    monkeypatch.setattr(feather, "write_feather", slow)
    done = []
    workers = [threading.Thread(target=lambda: done.append(write_entry(path, frame)))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert done == [True, True]
    assert seen == [None, None]  # nothing at the entry's path while being written
    assert read_entry(path).equals(frame)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no leftovers


FRAMES_DIGEST = (
    "import hashlib, sys; import pandas as pd\n"
    "from lifetools.loading import TABLES, load_dataset, untracked\n"
    "def digest(d):\n"
    "    h = hashlib.sha256()\n"
    "    for n in TABLES:\n"
    "        f = untracked(d, n)\n"
    "        h.update(pd.util.hash_pandas_object(f).to_numpy().tobytes())\n"
    "        h.update(str(list(f.dtypes)).encode())\n"
    "    return h.hexdigest()\n")


@pytest.mark.slow  # two processes importing lifetools: about 8 s of CPU
def test_load_dataset_typed_cache_two_processes_at_once(extract, tmp_path):
    script = FRAMES_DIGEST + (
        "print(digest(load_dataset(sys.argv[1], compact_ids=True, skip_unused=True,"
        " typed_cache=sys.argv[2])))")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    runs = [subprocess.Popen([sys.executable, "-c", script, str(extract), str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    namespace: dict = {}
    exec(FRAMES_DIGEST, namespace)  # noqa: S102 - the same digest in this process
    plain = namespace["digest"](load(extract, compact_ids=True))
    cached = namespace["digest"](load(extract, compact_ids=True, typed_cache=tmp_path))
    assert {out.strip() for out, _ in outputs} == {plain} == {cached}
    assert not list(tmp_path.glob("*/.*"))  # no file left aside


def test_entry_copied_from_another_key_or_table_refused(extract, tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_people(data, [hex_id(2), hex_id(1)])
    load(data, compact_ids=True, typed_cache=cache)
    (mine,) = cache.glob("*/people-*.arrow")
    load(extract, compact_ids=True, typed_cache=cache)
    (foreign,) = (p for p in cache.glob("*/people-*.arrow") if p.parent != mine.parent)
    other_table = next(p for p in foreign.parent.glob("*.arrow")
                       if not p.name.startswith("people-"))
    for source in (foreign, other_table):  # a whole Arrow file, of other data or table
        shutil.copyfile(source, mine)
        assert read_entry(mine) is None
        assert typed_cache.read_arrow(mine) is None
        people = load(data, compact_ids=True, typed_cache=cache).people
        assert people["person_id"].tolist() == [1, 0]  # read again, not the copy's
        assert read_entry(mine).equals(people)  # and written again, naming its place


def test_write_typed_cache_is_what_the_kernels_load(extract, tmp_path, monkeypatch):
    from lifetools.pipeline.kernels import WARM_LOADS

    assert WARM_LOADS == {"compact_ids": True, "skip_unused": True}  # load() skips
    plain = frames(load(extract, compact_ids=True))
    typed = []
    real = loading._read_table
    monkeypatch.setattr(loading, "_read_table",
                        lambda path, *a, **k: typed.append(path.stem) or real(path, *a, **k))
    entries = loading.write_typed_cache(extract, tmp_path, **WARM_LOADS)
    present = [name for name in TABLES if name in plain]
    assert sorted(typed) == sorted(present)  # each table typed once
    assert [p.name.split("-")[0] for p in entries] == present
    assert compact_ids._IDS == {}  # the id list is not kept by the writer
    no_reads(monkeypatch)
    assert loading.write_typed_cache(extract, tmp_path, **WARM_LOADS) == entries
    for name, value in (("LIFETOOLS_COMPACT_IDS", "1"), (loading.ENV_SKIP_UNUSED, "1"),
                        (ENV_TYPED_CACHE, str(tmp_path))):  # a warm kernel's environment
        monkeypatch.setenv(name, value)
    compact_ids._IDS.clear()
    data = load_dataset(extract)
    for name in present:
        getattr(data, name)  # read as a notebook reads it
    assert_same(plain, frames(data))


def test_build_validation_writes_the_typed_cache_and_a_failed_one_none(extract, tmp_path,
                                                                       monkeypatch):
    from lifetools.errors import DataValidationError
    from lifetools.pipeline import build, layout
    from lifetools.pipeline.build import prepare_data
    from lifetools.pipeline.series import load_series

    monkeypatch.setattr(config, "build_dir", lambda: tmp_path / "build")
    monkeypatch.delenv(ENV_TYPED_CACHE, raising=False)  # the build's own build/typed
    series = load_series()
    bad = tmp_path / "bad"
    shutil.copytree(extract, bad)
    people = pd.read_parquet(bad / "people.parquet")
    people.loc[people.index[:2], "sex"] = "Z"
    people.to_parquet(bad / "people.parquet", index=False)
    with pytest.raises(DataValidationError, match="sex"):
        prepare_data(series, data_dir=bad)
    assert not list(layout.typed_cache().rglob("*.arrow"))  # nothing for invalid data
    typed = []
    real = loading._read_table
    monkeypatch.setattr(loading, "_read_table",
                        lambda path, *a, **k: typed.append(path.stem) or real(path, *a, **k))
    prepare_data(series, data_dir=extract)
    present = [name for name in TABLES if (extract / f"{name}.parquet").exists()]
    assert sorted(typed) == sorted(present)
    entries = list(layout.typed_cache().glob("*/*.arrow"))
    assert sorted(p.name.split("-")[0] for p in entries) == sorted(present)
    before = {p: p.stat().st_mtime_ns for p in entries}
    prepare_data(series, data_dir=extract)  # validated: nothing typed or written again
    assert sorted(typed) == sorted(present)
    assert {p: p.stat().st_mtime_ns for p in entries} == before
    gone = entries[0]  # an entry gone since validation (a new key's code, a pruned
    gone.unlink()      # cache): written again without validating again
    validated = []
    monkeypatch.setattr(build, "validate_directory",
                        lambda *a, **k: validated.append(a) or pytest.fail("validated"))
    prepare_data(series, data_dir=extract)
    assert gone.exists() and not validated
    assert len(typed) == len(present) + 1
    assert {p: p.stat().st_mtime_ns for p in entries if p != gone} == {
        p: t for p, t in before.items() if p != gone}

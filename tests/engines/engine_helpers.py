"""What the engine tests share beside their fixtures (``conftest.py``): the analyst's
password on the throwaway server, loading an extract folder into it, the published
files of a build, and bad values written into an extract.

A module of its own name, imported as ``engine_helpers``: ``from conftest import ...``
names whichever ``conftest`` module was imported last, which is another folder's when
tests from several folders are collected together (``tests/unit/test_conftest_imports.py``
fails on such an import).
"""

from __future__ import annotations

from pathlib import Path

ANALYST_PASSWORD = "a-test-only-password"  # noqa: S105 - a throwaway local server


def load_folder(postgres, folder: Path, database: str, *, numbered: bool = False) -> str:
    """Load an extract folder's tables (typed as ``load_dataset`` reads them, in file
    order) into a new database of the test server, readable by ``analyst``; return the
    URL an analyst gives (no password: it comes from the environment). ``numbered``:
    each row's number in its file (1, 2, ...) in a column ``__row``."""
    import ibis
    import pandas as pd

    from lifetools.loading import TABLES, load_dataset

    socket_dir, port = postgres
    admin = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                  database="postgres")
    admin.raw_sql(f'CREATE DATABASE "{database}"')
    admin.disconnect()
    con = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                database=database)
    data = load_dataset(folder)
    for name in TABLES:
        frame = getattr(data, name)
        if frame is not None:
            if numbered:
                frame = pd.DataFrame(frame).assign(__row=range(1, len(frame) + 1))
            con.create_table(name, frame)
    con.raw_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst")
    con.disconnect()
    return f"postgresql://analyst@127.0.0.1:{port}/{database}"


def sort_by_key(folder: Path) -> Path:
    """Rewrite each Parquet table of ``folder`` in primary-key order: the order in which
    a server's rows are numbered and fetched (a warehouse table has no row order), so
    the folder and the server hold the same rows in the same order."""
    import pyarrow.parquet as pq

    from lifetools.dictionary import load_dictionary

    dictionary = load_dictionary()
    for path in sorted(folder.glob("*.parquet")):
        keys = dictionary.table(path.stem).primary_key
        table = pq.read_table(path)
        pq.write_table(table.sort_by([(k, "ascending") for k in keys]), path)
    return folder


def published(outcomes) -> dict[str, dict[str, str]]:
    """Each run's result files (path: SHA-256), by analysis."""
    from lifetools.pipeline import layout

    return {o.spec.analysis: layout.RunFolder(o.spec.run_dir).file_hashes()
            for o in outcomes}


def assert_engine_build_published(built, files: dict[str, dict[str, str]], root: Path, *,
                                  engine: str, secret: str, capfd) -> str:
    """A build from an engine reran every analysis and published exactly ``files``; its
    manifest names the engine; ``secret`` (a password, a token) is in no file under
    ``root`` and in no captured output. Returns the manifest's text. No PDF is searched
    for the secret: the engine builds print none (``no_pdfs``, ``tests/build_fixtures.py``),
    and every PDF is printed from a page searched here."""
    import json

    assert {o.spec.analysis for o in built.outcomes} == set(files)
    assert all(o.status == "ran" for o in built.outcomes)  # not reused from the cache
    for analysis, found in published(built.outcomes).items():
        assert found and found == files[analysis], analysis
    manifest = (built.site / "editions" / built.outcomes[0].spec.edition
                / "manifest.json").read_text()
    record = json.loads(manifest)["data"]["engine"]
    assert (record["source"], record["engine"]) == (engine, engine)
    leaked = [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
              if p.is_file() and not p.is_symlink() and secret.encode() in p.read_bytes()]
    assert leaked == []  # manifests, run.json, logs, notebooks, pages, caches
    out = capfd.readouterr()
    assert secret not in out.out + out.err
    return manifest


BAD_IDENTIFIERS = {"people": {"person_id": {3: "not-a-pseudonym"}, "lsoa_code": {6: "X1"},
                              "year_of_birth": {8: 1850}, "sex": {4: "Z", 9: "Z"}},
                   "referrals": {"priority": {5: "7"}, "person_id": {14: "f" * 64}},
                   "life_rooms_contacts": {"nationality": {2: "gb"}},
                   "wellbeing": {"person_id": {1: "NOT HEX"}}}
"""Bad values written into an extract folder (table: column: row: value): identifying
fields failing their pattern, range, allowed values and foreign key, and one field
whose values the report shows (``priority``)."""


def write_bad_values(folder: Path, bad: dict = BAD_IDENTIFIERS) -> Path:
    """``bad``'s values written into the Parquet tables of ``folder``."""
    import pandas as pd

    for table, columns in bad.items():
        frame = pd.read_parquet(folder / f"{table}.parquet")
        for column, rows in columns.items():
            for row, value in rows.items():
                frame.loc[row, column] = value
        frame.to_parquet(folder / f"{table}.parquet", index=False)
    return folder


def identifying_columns() -> set[str]:
    """Every identifying field's name in the dictionary (``is_identifying``), with the
    name of the raw text the checks keep of it (a value stored in the wrong type)."""
    from lifetools.dictionary import load_dictionary
    from lifetools.engines.checks import RAW_TEXT

    dictionary = load_dictionary()
    names = {f.name for t in dictionary.tables for f in dictionary.table(t).fields
             if f.is_identifying}
    return names | {RAW_TEXT + n for n in names}

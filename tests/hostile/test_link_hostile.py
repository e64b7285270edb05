"""`lifetools link` and `synth` against bad keys, bad raw folders and bad output paths.

Each case runs the command line from the parent of a private copy of the raw layer of
the session's synthetic extract and checks the exit code (11 data, 17 key or linkage,
18 output path, 2 usage: click's own check of a path), no traceback, no NHS number, person id or machine path in
stdout or stderr, and the raw folder unchanged. Positive controls check that NHS
numbers written with spaces or as integers link exactly as the clean ones do.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hostile_support import assert_clean, snapshot

from lifetools import linkage
from lifetools.pipeline.cli import main

STRONG = "c0ffee" + "".join(f"{i:02x}" for i in range(29))  # 64 characters, 16 values


def key_env(value):
    def setup(tmp_path, raw, monkeypatch):
        monkeypatch.setenv(linkage.ENV_KEY, value)
    return setup


def key_file(content, mode=0o600, folder=False):
    def setup(tmp_path, raw, monkeypatch):
        path = tmp_path / "secret" / "key"
        path.parent.mkdir()
        if folder:
            path.mkdir()
        elif content is not None:
            path.write_bytes(content)
            path.chmod(mode)
        monkeypatch.setenv(linkage.ENV_KEY_FILE, str(path))
    return setup


def people(edit):
    def setup(tmp_path, raw, monkeypatch):
        monkeypatch.setenv(linkage.ENV_KEY, STRONG)
        frame = pd.read_parquet(raw / "people.parquet")
        edit(frame).to_parquet(raw / "people.parquet", index=False)
    return setup


def real_numbers(frame):
    """Valid NHS numbers outside the test range (check digit recomputed)."""
    def valid(stem):
        total = sum(int(d) * w for d, w in zip(f"{stem:09d}", range(10, 1, -1),
                                               strict=True))
        check = (11 - total % 11) % 11
        return None if check == 10 else f"{stem:09d}{check}"
    numbers = [n for n in (valid(s) for s in range(400_000_000, 400_010_000)) if n]
    return frame.assign(nhs_number=numbers[:len(frame)])


def raw_csv(table, edit=None, encoding="utf-8"):
    def setup(tmp_path, raw, monkeypatch):
        monkeypatch.setenv(linkage.ENV_KEY, STRONG)
        frame = pd.read_parquet(raw / f"{table}.parquet")
        frame = edit(frame) if edit else frame
        (raw / f"{table}.parquet").unlink()
        text = frame.to_csv(index=False)
        (raw / f"{table}.csv").write_bytes(text.encode(encoding, errors="replace"))
    return setup


def with_strong_key(setup):
    def both(tmp_path, raw, monkeypatch):
        monkeypatch.setenv(linkage.ENV_KEY, STRONG)
        setup(tmp_path, raw, monkeypatch)
    return both


def fifo_in_raw(tmp_path, raw, monkeypatch):
    (raw / "wellbeing.parquet").unlink()
    os.mkfifo(raw / "wellbeing.parquet")


def output_is_file(tmp_path, raw, monkeypatch):
    (tmp_path / "out").write_text("a file\n")


def mistype_contacts(frame):
    return frame.assign(nhs_number=frame["nhs_number"].str[::-1])


def latin1_name(frame):
    return frame.assign(site=frame["site"].where(frame.index != 3, "Bootle Caf\u00e9"))


LINK = ["link", "raw", "out"]
CASES = {
    "1-byte key": (key_env("k"), LINK, 17),
    "empty key variable": (key_env(""), LINK, 17),
    "31-byte key": (key_env("x" * 20 + "abcdefghijk"), LINK, 17),
    "repetitive 64-byte key": (key_env("ab" * 32), LINK, 17),
    "public synthetic key as the secret": (key_env(linkage.SYNTHETIC_KEY.decode()), LINK,
                                           17),
    "public test key as the secret": (key_env(linkage.TEST_KEY.decode()), LINK, 17),
    "empty key file": (key_file(b""), LINK, 17),
    "key file of newlines": (key_file(b"\n\n\n"), LINK, 17),
    "key file readable by all": (key_file(STRONG.encode(), 0o644), LINK, 17),
    "key file readable by group": (key_file(STRONG.encode(), 0o640), LINK, 17),
    "key file missing": (key_file(None), LINK, 17),
    "key file is a folder": (key_file(None, folder=True), LINK, 17),
    "no key at all": (lambda *_: None, LINK, 17),
    "synthetic key with real numbers": (people(real_numbers),
                                        [*LINK, "--synthetic-key"], 17),
    "link raw into raw": (key_env(STRONG), ["link", "raw", "raw"], 17),
    "link raw into raw/linked": (key_env(STRONG), ["link", "raw", "raw/linked"], 17),
    "link raw into raw/./": (key_env(STRONG), ["link", "raw", "raw/./"], 17),
    "missing raw folder": (key_env(STRONG), ["link", "nowhere", "out"], 11),
    "people without nhs_number": (people(lambda f: f.drop(columns="nhs_number")), LINK,
                                  11),
    "duplicate nhs number in people": (people(lambda f: f.assign(
        nhs_number=f["nhs_number"].where(f.index != 1, f["nhs_number"][0]))), LINK, 11),
    "latin-1 csv": (raw_csv("feedback", latin1_name, "latin-1"), LINK, 11),
    "pipe in the raw folder": (with_strong_key(fifo_in_raw), LINK, 11),
    "match rate below the floor": (raw_csv("life_rooms_contacts", mistype_contacts),
                                   LINK, 17),
    "output folder is a file": (with_strong_key(output_is_file), LINK, 2),
    "output folder under a file": (with_strong_key(output_is_file),
                                   ["link", "raw", "out/linked"], 18),
}


@pytest.mark.parametrize("case", list(CASES))
def test_link_hostile_input_is_refused_cleanly(case, raw, tmp_path, identifiers,
                                               monkeypatch, capsys):
    monkeypatch.delenv(linkage.ENV_KEY, raising=False)
    monkeypatch.delenv(linkage.ENV_KEY_FILE, raising=False)
    setup, argv, code = CASES[case]
    setup(tmp_path, raw, monkeypatch)
    before = snapshot(raw)
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert_clean([out, err], identifiers, (STRONG,))
    assert snapshot(raw) == before
    if code == 17 and argv[2] == "out":
        assert not (tmp_path / "out").exists() or case.startswith("output")


def linked_ids(tmp_path, argv):
    assert main(argv) == 0
    return pd.read_parquet(tmp_path / argv[2] / "ae_attendances.parquet")["person_id"]


@pytest.mark.parametrize("form", ["spaces", "integers", "hyphens"])
def test_link_hostile_number_formats_link_like_clean_ones(form, raw, tmp_path,
                                                          monkeypatch, capsys):
    monkeypatch.setenv(linkage.ENV_KEY, STRONG)
    clean = linked_ids(tmp_path, ["link", "raw", "clean"])
    frame = pd.read_parquet(raw / "people.parquet")
    numbers = frame["nhs_number"]
    frame["nhs_number"] = {"spaces": numbers.str.replace(r"(\d{3})(\d{3})(\d{4})",
                                                         r"\1 \2 \3", regex=True),
                           "integers": numbers.astype("int64"),
                           "hyphens": numbers.str[:3] + "-" + numbers.str[3:]}[form]
    frame.to_parquet(raw / "people.parquet", index=False)
    assert linked_ids(tmp_path, ["link", "raw", "other"]).equals(clean)
    out, err = capsys.readouterr()
    # every attendance linked, counted from the extract (a typed 8,994 held only for
    # one synthetic dataset: wave 40's referrals to the extract date made it 8,997)
    rows = len(pd.read_parquet(raw / "ae_attendances.parquet"))
    assert f"ae_attendances: {rows:,} of {rows:,} rows linked (100.0%)" in out
    assert_clean([out, err], set())


def test_link_hostile_secret_key_gives_other_ids_than_the_public_key(raw, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv(linkage.ENV_KEY, STRONG)
    secret = linked_ids(tmp_path, ["link", "raw", "secret"])
    public = linked_ids(tmp_path, ["link", "raw", "public", "--synthetic-key"])
    assert secret.notna().all() and not set(secret) & set(public)


@pytest.mark.parametrize(("argv", "code"), [
    (["synth", "--people", "20", "--seed", "1", "--out", "afile/out"], 18),
    (["synth", "--people", "20", "--seed", "1", "--out", "afile"], 2),
    (["synth", "--people", "5", "--out", "x"], 2),
])
def test_synth_hostile_output_paths_are_refused_cleanly(argv, code, tmp_path,
                                                        monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("precious\n")
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert_clean([out, err], set())
    assert (tmp_path / "afile").read_text() == "precious\n"

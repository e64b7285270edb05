"""The edition manifest records what the reports did, not a constant."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import nbformat
import pytest
from project_copy import ProjectRoot, copy_project, edit_series

from lifetools import publication
from lifetools.errors import DisclosureError, ParameterError, UnversionedCodeError
from lifetools.pipeline import build as build_module
from lifetools.pipeline import layout, provenance
from lifetools.pipeline.build import (
    PreparedData,
    build_series,
    edition_manifest,
)
from lifetools.pipeline.cli import main
from lifetools.pipeline.integrity import check_versioned
from lifetools.pipeline.layout import NOTEBOOK_NAME
from lifetools.pipeline.runner import RunOutcome, RunSpec
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]


def outcome(tmp_path: Path, series, analysis: str, *, enabled: bool) -> RunOutcome:
    edition = series.editions[0]
    run_dir = tmp_path / edition.id / analysis
    run_dir.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict({
        "output_type": "display_data", "data": {"text/html": "<table/>"},
        "metadata": publication.stamp("table", "counts", rules={"enabled": enabled})})]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), run_dir / NOTEBOOK_NAME)
    spec = RunSpec(edition=edition.id, analysis=analysis,
                   source=ROOT / "analyses" / series.analyses[0].notebook,
                   parameters={}, run_dir=run_dir, data_dir=tmp_path,
                   data_fingerprint="x")
    return RunOutcome(spec, "ran", 0.0, record={"key": "k"})


def test_edition_manifest_records_outputs_shown_with_protection_off(tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    series = load_series(ROOT / "analyses" / "analyses.yml")
    data = PreparedData(tmp_path, {"combined": "x"})
    outcomes = [outcome(tmp_path, series, "a", enabled=True),
                outcome(tmp_path, series, "b", enabled=False)]
    manifest = edition_manifest(series, series.editions[0].id, data, outcomes, "t")
    assert manifest["disclosure"]["enabled"] is False
    assert manifest["disclosure"]["unprotected_outputs"] == {"b": ["table:counts"]}
    assert manifest["analyses"]["a"]["unprotected_outputs"] == []
    protected = edition_manifest(series, series.editions[0].id, data, outcomes[:1], "t")
    assert protected["disclosure"]["enabled"] is True
    assert protected["disclosure"]["unprotected_outputs"] == {}


def test_build_dirty_tree_is_refused_with_the_changed_files(tmp_path, capsys):
    root = copy_project(tmp_path / "project", people=100)
    notebook = root / "analyses" / "05_wellbeing.ipynb"
    notebook.write_text(notebook.read_text().replace("wellbeing", "well-being", 1))
    with ProjectRoot(root):
        code = main(["build"])
    err = capsys.readouterr().err
    assert code == UnversionedCodeError.exit_code == 19
    assert "UnversionedCodeError: 1 file(s) differ from commit" in err
    assert "analyses/05_wellbeing.ipynb" in err
    assert "--draft" in err and "Traceback" not in err
    assert not (root / "build").exists() and not (root / "public").exists()


def test_build_untracked_input_is_refused_with_its_name(tmp_path, capsys):
    # a data-dictionary file (or a module, a notebook) not yet `git add`ed is read by
    # the build but absent from the commit the edition records: the build published
    # (issue 14 audit); a checkpoint Jupyter leaves is not an input
    root = copy_project(tmp_path / "project", people=100)
    (root / "data_dictionary" / "notes.yaml").write_text("extra: 1\n")
    (root / "analyses" / ".ipynb_checkpoints").mkdir()
    (root / "analyses" / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    with ProjectRoot(root):
        code = main(["build"])
    err = capsys.readouterr().err
    assert code == 19, err
    assert "1 file(s) differ from commit" in err
    assert "data_dictionary/notes.yaml (untracked)" in err and "checkpoint" not in err
    assert "`git add` the untracked files" in err and "Traceback" not in err
    assert not (root / "build").exists() and not (root / "public").exists()


def test_build_outside_git_is_refused_unless_draft(tmp_path):
    root = copy_project(tmp_path / "project", people=100)
    shutil.rmtree(root / ".git")
    with ProjectRoot(root), pytest.raises(UnversionedCodeError, match="not a git work tree"):
        check_versioned(draft=False)
    with ProjectRoot(root):
        assert check_versioned(draft=True)["commit"] is None


def test_build_republish_without_reason_is_a_usage_error(tmp_path, capsys):
    root = copy_project(tmp_path / "project", people=100)
    with ProjectRoot(root):
        assert main(["build", "--republish", "2023-24"]) == 2
        with pytest.raises(ParameterError, match="needs a reason"):
            build_series(republish={"2023-24": " "})
    assert "--republish needs --reason" in capsys.readouterr().err



def test_build_republish_reason_that_counts_people_is_refused_before_any_run(tmp_path,
                                                                            capsys):
    # the reason is published as typed on the corrections page: the site gate would
    # refuse it after every run; it is refused first, naming the rule, never the value
    root = copy_project(tmp_path / "project", people=100)
    with ProjectRoot(root):
        with pytest.raises(DisclosureError, match="small-count") as refused:
            build_series(republish={"2023-24": "removed 3 people counted twice"})
        assert "3 people" not in str(refused.value)
        with pytest.raises(DisclosureError, match="machine-path"):
            build_series(republish={"2023-24": "rebuilt from /home/lead/extract"})
        assert main(["build", "--republish", "2023-24", "--reason",
                     "all 40 people of one team were counted twice"]) == 13
        # all of a group in words, no number: the site scan refuses it on the
        # corrections page; the early check read the reason by other rules and passed
        # it until wave 42 (every run, then the refusal)
        assert main(["build", "--republish", "2023-24", "--reason",
                     "None of the people in Knowsley were discharged: the join is "
                     "corrected"]) == 13
        assert not (root / "build" / "runs").exists()  # nothing ran
    err = capsys.readouterr().err
    assert "group-disclosure" in err and "Traceback" not in err
    assert "all-or-none-in-words" in err

def test_build_edition_beyond_the_data_is_refused_per_report_before_any_run(tmp_path,
                                                                           capsys):
    root = copy_project(tmp_path / "project", people=150)

    def add_future(series: dict) -> None:
        future = dict(series["editions"][-1], id="2031-32", title="2031 to 2032",
                      period_start="2031-04-01", period_end="2032-03-31")
        series["editions"].append(future)

    edit_series(root, add_future)
    with ProjectRoot(root):
        code = main(["build"])
    err = capsys.readouterr().err
    assert code == 12
    series = load_series(root / "analyses" / "analyses.yml")
    for analysis in series.analyses_in("2031-32"):
        assert (f"edition 2031-32 (1 April 2031 to 31 March 2032), report {analysis.id}: "
                "the data cover referrals from") in err
    assert "edition 2024-25" not in err and "Traceback" not in err
    assert not (root / "build" / "runs").exists()
    # refused before the synthetic data are generated: until wave 42 the build wrote
    # them first (about 20 s at 30,000 people), then refused the edition (issue 14)
    assert not (root / "build" / "data").exists()


@pytest.mark.parametrize("command", [["run", "cohort_description", "--edition", "2031-32"],
                                     ["run", "--edition", "2031-32"], ["status"]])
def test_run_and_status_refuse_an_edition_beyond_the_data_per_report(tmp_path, capsys,
                                                                     command):
    # `lifetools run ANALYSIS --edition` ran a report of an edition wholly after the
    # data (no referrals in its period) and exited 0; `status` listed its runs as
    # "rerun" where the build refuses them (issue 14, wave 23 audit)
    root = copy_project(tmp_path / "project", people=150)

    def add_future(series: dict) -> None:
        series["editions"].append(dict(series["editions"][-1], id="2031-32",
                                       title="2031 to 2032", period_start="2031-04-01",
                                       period_end="2032-03-31"))

    edit_series(root, add_future)
    with ProjectRoot(root):
        code = main(command)
    err = capsys.readouterr().err
    assert code == 12, err
    assert ("edition 2031-32 (1 April 2031 to 31 March 2032), report cohort_description: "
            "the data cover referrals from") in err
    # one report asked for: that report named; the edition or the series: each of them
    assert ("report wellbeing:" in err) == (command[1:2] != ["cohort_description"])
    assert "edition 2024-25" not in err and "Traceback" not in err
    assert not (root / "build" / "runs").exists()
    if command == ["status"]:  # it explains and generates nothing (issue 14, wave 25)
        assert not (root / "build" / "data").exists()


def test_check_window_refuses_a_period_past_the_extract_date_and_none_inside_it():
    # an edition whose period had not ended when the data were extracted was built
    # without a word (issue 14: partial overlap); `status` before the synthetic data
    # exist checks against the generator's declared window, whose end is the extract
    # date the build reads, so the two agree on where the data end
    from lifetools.pipeline.integrity import check_window
    from lifetools.synthetic import WINDOW_END, WINDOW_START

    series = load_series(ROOT / "analyses" / "analyses.yml")
    first, end = WINDOW_START.isoformat(), WINDOW_END.isoformat()
    last_referral = "2025-03-23"  # a week without referrals before the extract date
    check_window(series, (first, last_referral), end=end)
    check_window(series, (first, end), end=end)
    with pytest.raises(ParameterError) as caught:
        check_window(series, (first, last_referral), end="2025-03-30")
    said = str(caught.value)
    for analysis in series.analyses_in("2024-25"):
        assert (f"edition 2024-25 (1 April 2024 to 31 March 2025), report {analysis.id}: "
                "the data end on 2025-03-30 (their extract date), before the period "
                "does: its counts would cover only part of it") in said
    assert "edition 2023-24" not in said and "run past them" in said
    # a period wholly after the referrals is outside them, whatever the extract date
    with pytest.raises(ParameterError, match=f"the data cover referrals from {first} "
                       "to 2024-03-20"):
        check_window(series, (first, "2024-03-20"), end=end)
    check_window(series, (first, "2024-03-20"), end=end, editions=["2023-24"])


def test_build_refuses_an_edition_that_runs_past_the_extract_date(tmp_path, capsys):
    root = copy_project(tmp_path / "project", people=150)

    def add_partial(series: dict) -> None:
        series["editions"].append(dict(series["editions"][-1], id="2024-25b",
                                       title="October 2024 to September 2025",
                                       period_start="2024-10-01",
                                       period_end="2025-09-30"))

    edit_series(root, add_partial)
    for command in (["status"], ["build"]):
        with ProjectRoot(root):
            code = main(command)
        err = capsys.readouterr().err
        assert code == 12, err
        assert ("edition 2024-25b (1 October 2024 to 30 September 2025), report "
                "cohort_description: the data end on 2025-03-31 (their extract date)"
                ) in err
        assert "edition 2024-25 " not in err and "Traceback" not in err
    assert not (root / "build" / "runs").exists()


def _add_last_month(series: dict) -> None:
    series["editions"].append(dict(series["editions"][-1], id="2025-03",
                                   title="March 2025", period_start="2025-03-01",
                                   period_end="2025-03-31"))


def _refusals(err: str) -> list[str]:
    return sorted(line.strip() for line in err.splitlines()
                  if line.strip().startswith("edition "))


def test_status_before_the_data_exist_refuses_a_period_in_their_last_days_without_a_referral(
        tmp_path, capsys):
    # `lifetools status` checked editions against the generator's declared window
    # (2019-04-01 to its extract date, 2025-03-31) before the synthetic data existed,
    # and passed an edition wholly in the data's last days without a referral (150
    # people: the last referral is on 22 February 2025), which the build refuses: the
    # two disagreed (issue 14, wave 61)
    from lifetools.synthetic import referral_window

    root = copy_project(tmp_path / "project", people=150)
    series = load_series(root / "analyses" / "analyses.yml")
    first, last = referral_window(series.synthetic_people, series.synthetic_seed)
    assert last < "2025-03-01"
    edit_series(root, _add_last_month)
    said = {}
    for command in (["status"], ["build"]):
        with ProjectRoot(root):
            code = main(command)
        err = capsys.readouterr().err
        assert code == 12, err
        assert ("edition 2025-03 (1 March 2025 to 31 March 2025), report "
                f"cohort_description: the data cover referrals from {first} to {last}"
                ) in err
        assert "edition 2024-25 " not in err and "Traceback" not in err
        said[command[0]] = _refusals(err)
        if command == ["status"]:  # it still generates nothing
            assert not (root / "build").exists()
    assert said["status"] == said["build"] and said["status"]
    assert not (root / "build" / "runs").exists()


def test_status_and_build_refuse_a_period_after_an_extracts_last_referral(tmp_path,
                                                                           capsys):
    # an extract (not the synthetic data) whose referrals stop a month before its
    # extract date: status and build name the same reports, the extract's referral
    # dates, exit 12, no traceback (issue 14, wave 61: the synthetic case disagreed)
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from lifetools.synthetic import write_synthetic

    root = copy_project(tmp_path / "project", people=150)
    edit_series(root, _add_last_month)
    extract = tmp_path / "extract"
    write_synthetic(extract, people=400, seed=3)
    shutil.rmtree(extract / "raw")
    referrals = pq.read_table(extract / "referrals.parquet")
    dates = referrals.column("referral_date")
    cut = pc.less(dates, pc.strptime("2025-03-01", "%Y-%m-%d", "us").cast(dates.type))
    kept = referrals.filter(cut)
    pq.write_table(kept, extract / "referrals.parquet")
    last = pc.max(kept.column("referral_date")).as_py().date().isoformat()
    assert last < "2025-03-01"
    said = {}
    for command in ("status", "build"):
        with ProjectRoot(root):
            code = main([command, "--data", str(extract)])
        err = capsys.readouterr().err
        assert code == 12, err
        assert ("edition 2025-03 (1 March 2025 to 31 March 2025), report wellbeing: "
                "the data cover referrals from ") in err and f"to {last}" in err
        assert "edition 2024-25 " not in err and "Traceback" not in err
        said[command] = _refusals(err)
    assert said["status"] == said["build"] and said["status"]
    assert not (root / "build" / "runs").exists()


def test_status_on_a_fresh_copy_generates_nothing_and_says_why_each_run_would_run(
        tmp_path, capsys):
    # `lifetools status` on a fresh clone generated the synthetic data (12,000 people in
    # the series file) before explaining: a status that changed the project (issue 14)
    root = copy_project(tmp_path / "project", people=150)
    with ProjectRoot(root):
        code = main(["status"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert not (root / "build").exists()
    lines = captured.out.splitlines()
    series = load_series(root / "analyses" / "analyses.yml")
    runs = [f"{e.id}/{a.id}" for e in series.editions for a in series.analyses_in(e.id)]
    assert [line.split()[1].rstrip(":") for line in lines] == runs
    assert all(line.startswith("rerun ") and line.endswith(
        "the synthetic data are not generated yet: a build generates them first")
        for line in lines), lines


def test_edition_manifest_reads_each_executed_notebook_once(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    series = load_series(ROOT / "analyses" / "analyses.yml")
    outcomes = [outcome(tmp_path, series, "a", enabled=True),
                outcome(tmp_path, series, "b", enabled=False)]
    read = nbformat.read
    paths: list[Path] = []

    def counted(path, *args, **kwargs):
        paths.append(Path(path))
        return read(path, *args, **kwargs)

    monkeypatch.setattr(nbformat, "read", counted)
    manifest = edition_manifest(series, series.editions[0].id,
                                PreparedData(tmp_path, {"combined": "x"}), outcomes, "t")
    assert sorted(p.parent.name for p in paths) == ["a", "b"]
    assert manifest["disclosure"]["unprotected_outputs"] == {"b": ["table:counts"]}
    assert manifest["disclosure"]["acro"]["outputs"]["a"]["tables"] == 0


def test_edition_manifest_lists_results_that_could_not_be_estimated(tmp_path, monkeypatch,
                                                                    caplog):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    monkeypatch.setattr(layout, "logs_dir", lambda: tmp_path / "logs")
    series = load_series(ROOT / "analyses" / "analyses.yml")
    run = outcome(tmp_path, series, "a", enabled=True)
    notebook = run.spec.run_dir / NOTEBOOK_NAME
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].outputs.append(nbformat.from_dict({
        "output_type": "display_data", "data": {"text/plain": "x"},
        "metadata": publication.stamp("result", "hr", not_estimable=[
            "Hazard ratio: could not be estimated: no events"])}))
    nbformat.write(nb, notebook)
    manifest = edition_manifest(series, series.editions[0].id,
                                PreparedData(tmp_path, {"combined": "x"}), [run], "d")
    assert manifest["analyses"]["a"]["not_estimable"] == [
        "result:hr: Hazard ratio: could not be estimated: no events"]
    with caplog.at_level("WARNING", logger="lifetools"):
        build_module._warn_not_estimable(series.editions[0].id, manifest)
    log = layout.not_estimable_log(series.editions[0].id).read_text()
    assert log.endswith("/a: result:hr: Hazard ratio: could not be estimated: no events\n")
    assert "could not be estimated: " in caplog.text and "/a: result:hr" in caplog.text


def test_check_needs_unknown_column_is_a_parameter_error(tmp_path):
    from lifetools.pipeline.build import check_needs
    from lifetools.pipeline.series import Analysis

    series = load_series(ROOT / "analyses" / "analyses.yml")
    data = PreparedData(tmp_path, {"combined": "x"}, None, ("referrals.discharge_date",))
    with pytest.raises(Exception, match="needs column 'discharge_date' of table "
                                        "'referrals'") as refused:
        check_needs(series, data, [series.editions[-1].id])
    assert refused.value.exit_code == 11
    check_needs(series, PreparedData(tmp_path, {"combined": "x"}), ["2024-25"])
    odd = series.model_copy(update={"analyses": [
        Analysis(id="x", notebook="x.ipynb", title="x", needs=("people.person_id",))]})
    with pytest.raises(ParameterError, match="not an optional column"):
        check_needs(odd, data, ["2024-25"])


def test_rerun_commands_give_commit_parameters_and_no_machine_path():
    record = {"code_version": {"commit": "a" * 40},
              "parameters": {"period_start": "2024-04-01", "period_end": "2025-03-31",
                             "meaningful_change": 3.0, "locality": "North Liverpool",
                             "unset": None}}
    manifest = {"repository": "https://example.org/lifetools.git",
                "site_url": "https://example.org/site",
                "data": {"synthetic": {"people": 10, "seed": 1}}}
    lines = provenance.rerun_commands(analysis="wellbeing", edition="2024-25",
                                      record=record, manifest=manifest)
    assert lines == [
        "git clone https://example.org/lifetools.git lifetools && cd lifetools",
        f"git checkout {'a' * 40}", "make setup",
        ".venv/bin/lifetools run wellbeing --edition 2024-25 -p locality "
        "'North Liverpool' -p meaningful_change 3.0",
        ".venv/bin/lifetools reproduce 2024-25 --site https://example.org/site"]
    real = provenance.rerun_commands(analysis="wellbeing", edition="2024-25",
                                     record=record, manifest={"data": {}})
    # no repository: no "<repository URL>" placeholder on the page (#15); the page
    # says where to get a copy and the commands start in it
    assert real[0] == f"git checkout {'a' * 40}" and "<" not in " ".join(real)
    assert real[2].endswith("--data EXTRACT_FOLDER")
    duckdb = provenance.rerun_commands(analysis="wellbeing", edition="2024-25", record=record,
                                       manifest={"data": {"engine": {"source": "duckdb"}}})
    assert duckdb[2].endswith("--data EXTRACT.duckdb")
    assert not any("/tmp" in line or "/home" in line or "/work" in line
                   for line in lines + real)


def test_rerun_commands_run_line_is_accepted_by_the_command_line(tmp_path, capsys):
    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.editions[-1]
    # every analysis: the discharge pages printed "-p team_types '['A06']'" (a repr,
    # read back as the one code "['A06']"); only the first analysis was checked
    for analysis in series.analyses_in(edition.id):
        record = {"parameters": series.resolve_parameters(analysis, edition)}
        run = provenance.rerun_commands(analysis=analysis.id, edition=edition.id,
                                        record=record,
                                        manifest={"data": {"synthetic": 1}})[2]
        assert "[" not in run and "'" not in run, run
        arguments = shlex.split(run)[1:]
        # the parameters are those the series gives the edition: resolving is a no-op
        overrides = dict(zip(arguments[5::3], arguments[6::3], strict=True))
        assert series.resolve_parameters(analysis, edition, overrides) == \
            record["parameters"], analysis.id


def test_edition_manifest_records_the_engine_and_its_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    series = load_series(ROOT / "analyses" / "analyses.yml")
    engine = {"engine": "duckdb", "version": "v1.5.6", "source": "files",
              "method": "m", "tables": {"people": {"rows": 3, "checksum": "ab"}}}
    data = PreparedData(tmp_path, {"combined": "x"}, engine=engine)
    manifest = edition_manifest(series, series.editions[0].id, data,
                                [outcome(tmp_path, series, "a", enabled=True)], "t")
    assert manifest["data"]["engine"] == engine
    bare = PreparedData(tmp_path, {"combined": "x"})
    assert edition_manifest(series, series.editions[0].id, bare, [], "t")["data"][
        "engine"] is None


def test_older_editions_first_build_of_two_marks_the_older_one(tmp_path):
    # make report on a fresh clone builds both editions at once: nothing was archived
    # before, and 2023-24 was published with no "archived edition" banner
    from lifetools.pipeline import release
    from lifetools.pipeline.build import older_editions

    series = load_series(ROOT / "analyses" / "analyses.yml")
    html = tmp_path / "html"
    for edition in series.editions:
        folder = html / "editions" / edition.id
        folder.mkdir(parents=True)
        (folder / "wellbeing.html").write_text('<article class="bd-article"><h1>W</h1>')
    older = older_editions(series, html)
    assert older == [e.id for e in series.editions if e.id != series.current_edition]
    assert older and series.current_edition not in older
    release.mark_archived(html, older, current=series.current_edition, title="new")
    for edition in series.editions:
        page = (html / "editions" / edition.id / "wellbeing.html").read_text()
        assert ("This is an archived edition" in page) == (edition.id in older)
    assert older_editions(series, tmp_path / "empty") == []


def test_editions_to_print_first_build_prints_every_released_edition():
    from lifetools.pipeline.build import editions_to_print

    # a first build releases both editions: both get their PDFs before being archived
    assert editions_to_print(["2023-24", "2024-25"], [], {}) == ["2023-24", "2024-25"]
    # a later build keeps the archived edition's pages (and PDFs) as released
    assert editions_to_print(["2023-24", "2024-25"], ["2023-24"], {}) == ["2024-25"]
    # a correction prints the republished edition again
    assert editions_to_print(["2023-24", "2024-25"], ["2023-24"],
                             {"2023-24": "typo"}) == ["2023-24", "2024-25"]

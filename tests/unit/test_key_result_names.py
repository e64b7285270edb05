"""Every key result a page or the landing page refers to is one its report records.

A notebook's Markdown quotes key results by name (``{glue:text}`name```) and the
landing page's main points name them in ``analyses.yml``; the names are made by the
report functions (``key_results``), by ``record_counts`` or by a ``record`` call in
the notebook, from the names declared in ``lifetools.result_names``. A result renamed
on one side only would leave a blank on the page: here each report runs on a small
extract, every name referred to must be recorded, and each report must produce exactly
its declared names (the checks that need no report run are in ``test_result_names.py``).
"""

from __future__ import annotations

import re
import string
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from report_calls import CALLS  # noqa: E402
from test_result_names import DECLARED, name_problems, notebook_records  # noqa: E402

from lifetools.loading import load_dataset  # noqa: E402
from lifetools.pipeline.series import load_series  # noqa: E402
from lifetools.reads import ENV_READS_LOG, parse_log  # noqa: E402
from lifetools.synthetic import write_synthetic  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GLUE = re.compile(r"\{glue:[a-z]+\}`([A-Za-z0-9_]+)`")
PLACEHOLDERS = {"estimate", "interval", "verdict"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("key-names")
    write_synthetic(folder, people=4000, seed=8)
    return load_dataset(folder)


@pytest.fixture(scope="module")
def run(data, tmp_path_factory):
    """Each analysis's report, run once for all the tests of this module, with the
    runner's reads log on (``report.reads(analysis)``: what it recorded, and what its
    cohort builders touched, :func:`_watched`), and the verdicts and sentence templates
    it gave (``report.verdicts``, ``report.templates[analysis]``: :func:`_verdicts`)."""
    done: dict[str, object] = {}
    seen: dict[str, tuple[dict, set, dict]] = {}
    logs = tmp_path_factory.mktemp("reads")
    said: set[str] = set()
    templates: dict[str, set[tuple[str, str, bool]]] = {}

    def report(analysis: str):
        if analysis not in done:
            log = logs / f"{analysis}.log"
            with pytest.MonkeyPatch.context() as patch, _watched(patch) as watched, \
                    _verdicts(patch, said, templates.setdefault(analysis, set())):
                patch.setenv(ENV_READS_LOG, str(log))
                done[analysis] = CALLS[analysis](data)
            recorded = parse_log(log.read_text()) if log.exists() else {}
            seen[analysis] = (recorded, *watched)
        return done[analysis]

    def reads(analysis: str) -> tuple[dict, set, dict]:
        report(analysis)
        return seen[analysis]
    report.reads = reads
    report.verdicts = said
    report.templates = templates
    return report


@contextmanager
def _watched(patch):
    """Inside: the tables of every ibis expression the cohort builders execute
    (:class:`lifetools.engines.EngineTables`), found by their table nodes and not by
    the recorder's column walk, and the columns each builder requires (``require``)."""
    import ibis.expr.operations as ops

    from lifetools.engines import EngineTables

    touched: set[str] = set()
    required: dict[str, set[str]] = {}
    fetch, value, require = EngineTables.fetch, EngineTables.value, EngineTables.require

    def tables_of(expr) -> None:
        touched.update(node.name for node in expr.op().find(ops.DatabaseTable))

    def watched_fetch(self, expr, types=None):
        tables_of(expr)
        return fetch(self, expr, types)

    def watched_value(self, expr):
        tables_of(expr)
        return value(self, expr)

    def watched_require(self, needed):
        for table, columns in needed.items():
            required.setdefault(table, set()).update(columns)
        return require(self, needed)

    patch.setattr(EngineTables, "fetch", watched_fetch)
    patch.setattr(EngineTables, "value", watched_value)
    patch.setattr(EngineTables, "require", watched_require)
    yield touched, required


@contextmanager
def _verdicts(patch, said: set[str], templates: set[tuple[str, str, bool]]):
    """Inside: every verdict :func:`lifetools.formatting.verdict` gives is added to
    ``said``, and every sentence template given to the sentence makers
    (:func:`~lifetools.reports.sentences.result_sentence`,
    :func:`~lifetools.reports.narrative.ratio_sentence`) to ``templates`` as
    ``(found, kind, judged)``, whether or not the value was shown (wherever a module of
    lifetools imported them)."""
    import sys

    from lifetools import formatting
    from lifetools.reports import narrative, sentences

    given = {"verdict": formatting.verdict, "result_sentence": sentences.result_sentence,
             "ratio_sentence": narrative.ratio_sentence}

    def verdict(*args, **kwargs):
        words = given["verdict"](*args, **kwargs)
        said.add(words)
        return words

    def result_sentence(value, **kwargs):
        templates.add((kwargs["found"], kwargs["kind"], kwargs.get("judge") is not None))
        return given["result_sentence"](value, **kwargs)

    def ratio_sentence(row, **kwargs):
        templates.add((kwargs["found"], "ratio", kwargs.get("judge") is not None))
        return given["ratio_sentence"](row, **kwargs)

    wrapped = {"verdict": (given["verdict"], verdict),
               "result_sentence": (given["result_sentence"], result_sentence),
               "ratio_sentence": (given["ratio_sentence"], ratio_sentence)}
    for module in [m for name, m in sys.modules.items() if name.startswith("lifetools")]:
        for name, (original, recorded) in wrapped.items():
            if getattr(module, name, None) is original:
                patch.setattr(module, name, recorded)
    yield


def recorded_in_notebook(nb) -> set[str]:
    """Names given as the first argument of ``lt.publication.record(...)`` calls."""
    return notebook_records(nb)[0]


def kinds(report) -> dict[str, str]:
    """Each recorded name and its kind."""
    if hasattr(report, "key_results"):
        return {dict(item)["name"]: dict(item)["kind"] for item in report.key_results}
    return dict.fromkeys(report.counts["key"], "count")  # record_counts


def produced(report) -> set[str]:
    return set(kinds(report))


def referred(analysis, nb, main_point) -> set[str]:
    names = {m for cell in nb.cells if cell.cell_type == "markdown"
             for m in GLUE.findall(cell.source)}
    if main_point:
        point = dict(main_point)
        names |= {point[k] for k in ("estimate", "interval", "events") if point.get(k)}
        names |= {f for _, f, _, _ in string.Formatter().parse(point.get("text", ""))
                  if f} - PLACEHOLDERS
    return names


@pytest.mark.parametrize("analysis", list(CALLS))
def test_key_results_referred_to_are_recorded(analysis, run):
    series = load_series()
    entry = next(a for a in series.analyses if a.id == analysis)
    nb = nbformat.read(ROOT / "analyses" / entry.notebook, as_version=4)
    raw = yaml.safe_load((ROOT / "analyses" / "analyses.yml").read_text())
    main_point = raw["publication"]["main_points"].get(analysis)
    have = produced(run(analysis)) | recorded_in_notebook(nb)
    missing = referred(analysis, nb, main_point) - have
    assert not missing, f"{entry.notebook} refers to results never recorded: {missing}"


#: Kinds a page may glue inside its own words: a sentence made whole from what was
#: computed, or a count (which reads "fewer than 8" when hidden). An estimate, an
#: interval or a share that may be missing or withheld is glued only inside a sentence
#: made by lifetools.reports.sentences, never inside fixed words.
IN_WORDS = {"text", "count"}


@pytest.mark.parametrize("analysis", list(CALLS))
def test_markdown_glues_no_bare_estimate_interval_or_share(analysis, run):
    entry = next(a for a in load_series().analyses if a.id == analysis)
    nb = nbformat.read(ROOT / "analyses" / entry.notebook, as_version=4)
    kind = kinds(run(analysis))
    glued = {m for cell in nb.cells if cell.cell_type == "markdown"
             for m in GLUE.findall(cell.source)}
    bare = {name: kind.get(name) for name in glued
            if kind.get(name, "text") not in IN_WORDS or name.endswith("_ci")}
    assert not bare, f"{entry.notebook} glues numbers into fixed words: {bare}"


def test_key_results_renamed_result_is_caught(run):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "{glue:text}`hr_tv_renamed` times")])
    have = produced(run("time_to_discharge"))
    assert referred("time_to_discharge", nb, None) - have == {"hr_tv_renamed"}


@pytest.mark.parametrize("analysis", [a for a in CALLS if a != "cohort_description"])
def test_key_results_record_as_protected_text(analysis, run, tmp_path, monkeypatch):
    # every sentence a report records has each number in a protected span, as the gate
    # re-checks it (lifetools.disclosure.text.text_findings): nothing typed by hand
    from lifetools import publication
    from lifetools.disclosure.text import text_findings

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    shown = publication.record_all(run(analysis).key_results)
    assert shown.results
    refused = {r.name: text_findings(r.text, [dict(s) for s in r.spans])
               for r in shown.results}
    assert not {k: v for k, v in refused.items() if v}


@pytest.mark.parametrize("analysis", list(CALLS))
def test_every_estimate_has_its_interval_or_is_declared_without_one(analysis, run):
    # the comparison with the previous edition reads an estimate's interval from its
    # <name>_ci: an estimate recorded without one read "its interval is not among the
    # key results" (the naive hazard ratio until wave 35); a check of a method with no
    # interval by design is declared in result_names.WITHOUT_INTERVAL (wave 36)
    from lifetools.result_names import WITHOUT_INTERVAL

    kind = kinds(run(analysis))
    estimates = {name for name, k in kind.items() if k in ("estimate", "ratio")
                 and not name.endswith(("_ci", "_evalue"))}
    lacking = {name for name in estimates - WITHOUT_INTERVAL if f"{name}_ci" not in kind}
    assert not lacking, f"{analysis}: estimates with no <name>_ci: {sorted(lacking)}"
    assert not {name for name in WITHOUT_INTERVAL & set(kind) if f"{name}_ci" in kind}


@pytest.mark.parametrize("analysis", list(CALLS))
def test_key_results_produced_are_exactly_the_declared_names(analysis, run):
    # a declared name the report never produces, a name it produces undeclared, or a
    # name typed as a string in the report code: each fails here
    assert name_problems(run(analysis), DECLARED[analysis]) == {}


def test_key_results_every_analysis_is_run_here():
    # an analysis of analyses.yml left out of CALLS would escape every check of this
    # module, the reads below among them
    assert {a.id for a in load_series().analyses} == set(CALLS)


@pytest.mark.parametrize("analysis", list(CALLS))
def test_report_reads_recorded_hold_every_table_its_builders_use(analysis, run):
    # issue 14: a run is keyed on the tables and columns it recorded (run.json
    # read_columns); a table a cohort builder queried or requires that is not recorded
    # would let a change to it reuse a stale run. Columns: a builder requires more than
    # one call reads (the survival builders require deprivation.locality, read only
    # for one locality), so required columns are not all recorded, by design
    recorded, touched, required = run.reads(analysis)
    assert recorded, f"{analysis} recorded no read"
    assert touched | set(required) <= set(recorded), (touched | set(required)) - set(
        recorded)
    if analysis == "crisis_risk":  # its builder reads every column it requires
        from lifetools.cohort.crisis import CRISIS_COLUMNS

        assert set(CRISIS_COLUMNS) <= touched
        missing = {f"{t}.{c}" for t, columns in CRISIS_COLUMNS.items() for c in columns
                   if not {c, "*"} & set(recorded[t])}
        assert not missing, missing


#: A sentence quoting the interval of an estimate: "(95% confidence interval 0.74 to
#: 1.13)", "(95% CI ...". A share's ("96.2% (95% confidence interval 87.5% to 99.9%)")
#: has no value meaning "no difference", so no verdict (book/methods/verdicts.md).
QUOTES_INTERVAL = re.compile(r"(?:confidence interval|\bCI) [\u2212-]?\d+(?:\.\d+)?(?![\d.%])")
SENTENCE = re.compile(r"(?<=\.)\s+(?=[A-Z\u2018\u201c])")


def unjudged_intervals(texts: dict[str, str], verdicts: set[str]) -> dict[str, str]:
    """Each sentence of ``texts`` that quotes a confidence interval without any of the
    ``verdicts`` given (the drift check's sentence opens with its own verdict, against
    the report's stated limits rather than a no-difference value)."""
    from lifetools.prediction.drift import DRIFT_OPENINGS

    found = {}
    for name, text in texts.items():
        for sentence in SENTENCE.split(text):
            if QUOTES_INTERVAL.search(sentence) and not any(
                    words and words in sentence for words in verdicts) and not \
                    sentence.startswith(tuple(DRIFT_OPENINGS.values())):
                found[name] = sentence
    return found


def test_unjudged_intervals_finds_an_interval_without_its_verdict():
    verdicts = {"compatible with no difference"}
    assert unjudged_intervals({
        "judged": "It was 0.84 (95% confidence interval 0.62 to 1.15): compatible with "
                  "no difference. Each confidence interval shows the range.",
        "unjudged": "It changed by 0.92 (95% confidence interval 0.74 to 1.13), which "
                    "overstates any benefit.",
        "share": "Some 96.2% (95% confidence interval 87.5% to 99.9%) would recommend "
                 "it."}, verdicts) == {
        "unjudged": "It changed by 0.92 (95% confidence interval 0.74 to 1.13), which "
                    "overstates any benefit."}


@pytest.mark.parametrize("analysis", [a for a in CALLS if a != "cohort_description"])
def test_every_sentence_quoting_an_interval_gives_its_verdict(analysis, run):
    # book/methods/verdicts.md: every interval a page states comes with its verdict,
    # from lifetools.formatting.verdict (users against their own past and the survival
    # reports' hazard ratios were quoted without one until wave 39)
    texts = {dict(item)["name"]: str(dict(item).get("text") or "")
             for item in run(analysis).key_results}
    found = unjudged_intervals(texts, run.verdicts)
    assert not found, f"{analysis}: intervals without a verdict: {found}"


@pytest.mark.parametrize("analysis", [a for a in CALLS if a != "cohort_description"])
def test_every_sentence_template_with_an_interval_has_its_verdict(analysis, run):
    # the same rule on the templates, whether or not this extract's numbers could be
    # shown (at 4,000 people the survival reports' hazard ratios are withheld, and
    # their sentences quoted no verdict until wave 39); a share has no verdict
    run(analysis)
    lacking = {found for found, kind, judged in run.templates[analysis]
               if "{interval}" in found and kind != "percentage"
               and not ("{verdict}" in found and judged)}
    assert not lacking, f"templates quoting an interval without a verdict: {lacking}"

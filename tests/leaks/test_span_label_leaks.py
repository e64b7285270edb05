"""Leaks through what a key result's stamp says its numbers are (issue 12, wave 43).

The gate verified each span of a sealed key result by its own record: a count against
the profile, a parameter against the run's parameters or a setting's values, a share
against the numerator and denominator the span records. It believed the record's word
for what each number was. A stamp that calls an unrounded count a parameter or a
model's ratio, a share whose recorded counts are not those its text gives, and a glued
text that the author's words around it make a count, all passed. Each is refused now,
with the notebook, the cell as the author numbers it, and the rule; the clean
notebook still passes.
"""

from __future__ import annotations

import pytest
from runfolder import RunFolder, counted_folder, display
from test_leaks import refused
from test_text_leaks import sealed_result

from lifetools import disclosure, publication
from lifetools.disclosure.settings import SAMPLE_SIZE_SETTING
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import assert_publishable, scan_notebook


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


def sealed(text: str, spans: list[dict], *, kind: str = "text",
           name: str = "improved") -> dict:
    output = sealed_result(text, spans)
    mark = output["metadata"][publication.STAMP_KEY]
    mark.update(result_kind=kind, name=name)
    output["metadata"]["scrapbook"] = {"name": name,
                                       "mime_prefix": publication.GLUE_PREFIX}
    data, metadata = publication.seal(output["data"], {
        publication.STAMP_KEY: {k: v for k, v in mark.items() if k != "seal"},
        "scrapbook": output["metadata"]["scrapbook"]})
    return {**output, "data": data, "metadata": metadata}


def test_clean_key_results_pass(run):
    run.code(display(publication.record(
        "improved", None, kind="text", label="Summary", text=disclosure.compose(
            "{k} of {n} people improved ({s})", k=disclosure.protected_count(10),
            n=disclosure.protected_count(25),
            s=disclosure.share(10, 25)))))
    run.code(sealed("0.83", [{"start": 0, "end": 4, "kind": "estimate", "value": 0.83,
                              "digits": 2, "percent": False}], kind="ratio",
                    name="ratio"))
    assert_publishable([run.write()])


def test_an_unrounded_count_stamped_as_a_parameter_is_refused(run):
    # a setting whose values are a range (a design's sample size: 974 and up) passed
    # any number the range holds, whatever the sentence made of it
    text = "2,634 people used the Life Rooms."
    cell = run.code(sealed(text, [{"start": 0, "end": 5, "kind": "parameter",
                                   "name": SAMPLE_SIZE_SETTING, "value": 2634}]))
    refused(run.write(), cell, "unrounded-count")


def test_an_unrounded_count_stamped_as_a_ratio_is_refused(run):
    cell = run.code(sealed("2,634.00", [{"start": 0, "end": 8, "kind": "estimate",
                                         "value": 2634.0, "digits": 2,
                                         "percent": False}], kind="ratio",
                           name="users_ratio"))
    refused(run.write(), cell, "protected-span")


def test_a_share_its_text_does_not_give_is_refused(run):
    # 48.0% of 25 is 12: the share's record names 60 of 125, which give it, but the
    # text says it is a share of the 25
    text = "10 of 25 people improved (48.0%)."
    spans = [{"start": 0, "end": 2, "kind": "count", "value": 10, "profile": "default"},
             {"start": 6, "end": 8, "kind": "count", "value": 25, "profile": "default"},
             {"start": 26, "end": 31, "kind": "share", "value": 48.0, "digits": 1,
              "percent": True, "numerator": 60, "denominator": 125,
              "profile": "default"}]
    assert text[26:31] == "48.0%"
    cell = run.code(sealed(text, spans))
    refused(run.write(), cell, "protected-span")


def test_compose_refuses_a_share_its_counts_do_not_give():
    with pytest.raises(DisclosureError, match="protected-span"):
        disclosure.compose("{k} of {n} people improved ({s})",
                           k=disclosure.protected_count(10),
                           n=disclosure.protected_count(25),
                           s=disclosure.share(60, 125))


def test_a_glued_parameter_made_a_count_by_the_markdown_is_refused(run):
    # the key result is a clean parameter; the Markdown around its glue role makes it
    # "2,634 people"
    run.code(sealed("2,634", [{"start": 0, "end": 5, "kind": "parameter",
                               "name": SAMPLE_SIZE_SETTING, "value": 2634}],
                    name="sample_size"))
    cell = run.markdown("In the year {glue:text}`sample_size` people used the Life "
                        "Rooms.")
    path = run.write()
    message = refused(path, cell, "unrounded-count")
    assert "glued" in message
    found = scan_notebook(path)
    assert {f.cell for f in found} == {cell}


@pytest.mark.parametrize("per", [1000.0, None])
def test_a_rate_its_published_numbers_do_not_give_is_refused(run, per):
    # 40 events over 1,234.5 person-years, published as 1,235: 32.40 per 1,000 is the
    # exact person-years' rate (which gives the headcount back), 32.39 the published
    # numbers'; the old gate checked only the numerator. A rate span that does not
    # record its multiplier cannot be recomputed, and is refused too
    span = {"start": 0, "end": 5, "kind": "rate", "value": 1000 * 40 / 1234.5,
            "digits": 2, "percent": False, "numerator": 40, "denominator": 1235.0,
            "profile": "default", **({"per": per} if per else {})}
    cell = run.code(sealed("32.40", [span]))
    refused(run.write(), cell, "protected-span")


def test_a_rate_as_the_rule_made_it_passes(run):
    rate = disclosure.rate(disclosure.protected_count(40), 1234.5, contributors=200,
                           per=1000)
    run.code(display(publication.record("rate", rate, kind="rate", label="Rate")))
    assert_publishable([run.write()])

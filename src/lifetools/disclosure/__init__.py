"""Statistical disclosure control: the only maker of protected values.

Every count, share, rate, sum or mean that reaches a page goes through this package:

- :mod:`.profiles`: the named rule sets (``default``, ``opensafely``,
  ``opensafely-midpoint6``, ``hes-ecds``, ``mhsds``, ``threshold-10``), the active
  profile (``LIFETOOLS_SDC_PROFILE``) and the sentence stating its rules;
- :mod:`.rules`: rounding, primary and secondary suppression (pure functions);
- :mod:`.protected`: :class:`ProtectedTable` and :class:`ProtectedValue`, which only
  this package can make and which verify their own content;
- :mod:`.counts`: :func:`protect_counts`, :func:`protected_count` and
  :func:`require_table`, the check every display runs; :func:`protect_flow`, a
  participant flow whose steps' excluded counts are protected too (:mod:`.flow`);
- :mod:`.derived`: shares (with Wilson intervals widened over the counts the
  published ones round from), rates and differences from
  published numbers, the complementary rule;
- :mod:`.linked`: one suppression pattern for tables on one page sharing a count
  (:func:`hidden_labels`, :func:`carry_suppression`, :func:`follow`: the link recorded
  for the publish gate, :func:`linked_findings`);
- :mod:`.groups`: group (class) disclosure: no share of all or none of a group of
  people, no whole group shown in one cell beside zeros;
- :mod:`.magnitude`: threshold and dominance rules for sums and means;
- :mod:`.models`: the release check of a fitted model and the only maker of
  released model estimates (:func:`require_estimates` is what displays accept);
- :mod:`.text`: :class:`ProtectedText`, made by :func:`compose` from protected and
  typed parts only: no number in a published sentence was typed by hand;
- :mod:`.downloads`: CSV files with ``[c]`` and their notes;
- :mod:`.acro_check`: ACRO's verdict on the same rows as each protected table, when
  the build asks for the cross-check.

The rule numbers are attributes of a profile, never module constants: ask
``active_profile().threshold`` (``.base``, ``.min_at_risk`` ...) or, better, the profile
the caller was given (``get_profile(name)``).
"""

from __future__ import annotations

from lifetools.disclosure.acro_check import (
    ENV_ACRO,
    AcroVerdict,
    acro_count_verdict,
    acro_enabled,
    acro_magnitude_verdict,
)
from lifetools.disclosure.counts import (
    DENOMINATOR,
    PROTECTION_ATTR,
    TOTALS_ATTR,
    declare_totals,
    protect_counts,
    protect_flow,
    protected_count,
    require_count,
    require_table,
)
from lifetools.disclosure.derived import (
    difference,
    poisson_interval,
    protected_shares,
    published_share_interval,
    rate,
    rates_over,
    rates_table,
    round_person_time,
    rounding_preimage,
    share,
    shares_table,
    wilson_interval,
)
from lifetools.disclosure.downloads import (
    NOTES_FILE,
    SUPPRESSED,
    column_notes,
    notes_text,
    write_csv,
)
from lifetools.disclosure.groups import GROUP_REASON, GROUP_RULE, group_findings
from lifetools.disclosure.linked import (
    LINKED,
    LINKED_RULE,
    carry_suppression,
    follow,
    followed,
    hidden_labels,
    linked_findings,
)
from lifetools.disclosure.magnitude import (
    magnitude_reason,
    protect_magnitudes,
    protect_quantiles,
)
from lifetools.disclosure.models import (
    NOT_ESTIMABLE,
    ModelRelease,
    combine_estimates,
    model_outputs,
    model_release,
    not_estimable,
    require_estimates,
    withheld_words,
)
from lifetools.disclosure.profiles import (
    ENV_VAR,
    PROFILES,
    SdcProfile,
    active_profile,
    get_profile,
    set_active_profile,
    use_profile,
)
from lifetools.disclosure.protected import (
    ProtectedTable,
    ProtectedValue,
    ProtectionRecord,
    is_protected,
)
from lifetools.disclosure.rule_text import (
    group_sentence,
    magnitude_sentence,
    rule_sentence,
)
from lifetools.disclosure.rules import (
    Totals,
    hide_secondary,
    protect_count,
    round_count,
    suppress_secondary,
)
from lifetools.disclosure.settings import SETTINGS
from lifetools.disclosure.text import (
    Duration,
    Estimate,
    Interval,
    Level,
    Parameter,
    Period,
    ProtectedText,
    Reason,
    RuleNumber,
    compose,
    edit_words,
    join,
    protect_text,
)

__all__ = [
    "Duration", "Estimate", "Interval", "Level", "Parameter", "Period", "ProtectedText",
    "Reason", "RuleNumber", "SETTINGS", "compose", "edit_words", "join", "protect_text",
    "ENV_ACRO", "ENV_VAR", "AcroVerdict", "NOTES_FILE", "acro_count_verdict",
    "acro_enabled", "acro_magnitude_verdict", "LINKED", "LINKED_RULE",
    "carry_suppression", "follow", "followed", "hidden_labels", "linked_findings", "NOT_ESTIMABLE", "not_estimable", "withheld_words", "PROFILES",
    "PROTECTION_ATTR", "SUPPRESSED",
    "TOTALS_ATTR", "ModelRelease", "ProtectedTable", "ProtectedValue",
    "ProtectionRecord", "SdcProfile", "Totals", "active_profile", "combine_estimates",
    "DENOMINATOR", "declare_totals",
    "difference", "get_profile", "GROUP_REASON", "GROUP_RULE", "group_findings",
    "group_sentence", "hide_secondary", "is_protected", "magnitude_reason",
    "model_outputs", "model_release", "notes_text", "column_notes", "poisson_interval", "protect_count",
    "protect_counts", "protect_flow", "protect_magnitudes", "protect_quantiles",
    "protected_count", "protected_shares",
    "published_share_interval", "rate", "rates_over", "rates_table", "require_count",
    "require_estimates", "require_table", "round_count", "round_person_time", "rounding_preimage",
    "magnitude_sentence", "rule_sentence", "set_active_profile", "share", "shares_table", "suppress_secondary",
    "use_profile", "wilson_interval", "write_csv",
]

"""A count of a group's people said in words, under the group rule (issue 12).

"0 were referred again" beside the group's size, or "10 of them were matched" after "10
people", says something of every person in the group: group disclosure. The makers here
state such a count only when it is neither none nor all of its group, and say it is
hidden otherwise; a notebook glues their sentence whole. In the library (not in
``reports``) so that every module that states a group's count (``describe`` too) has
one rule.
"""

from __future__ import annotations

from lifetools.disclosure import active_profile, compose, protected_count
from lifetools.disclosure.groups import GROUP_REASON
from lifetools.disclosure.protected import ProtectedValue, _value
from lifetools.disclosure.text import ProtectedText
from lifetools.disclosure.withheld import PRIVACY

__all__ = ["group_count_sentence", "part_count", "reveals_whole_group"]


def reveals_whole_group(group: int, part: int) -> bool:
    """Whether a count of a group's people says something of every one of them (group
    disclosure, under a profile that rules it): none of the group (``part`` 0), all of
    it, or a count shown equal to the group's own (48 of 50 both shown as 50)."""
    if not active_profile().group_disclosure or group <= 0:
        return False
    shown_group, shown_part = protected_count(group).value, protected_count(part).value
    return part in (0, group) or (shown_part is not None and shown_part == shown_group)


def group_count_sentence(found: str, hidden: str, *, group: int, part: int,
                         **others: int) -> ProtectedText:
    """A sentence stating how many of a group's people had an outcome, from the counts.

    ``found`` has ``{group}`` and ``{part}`` ("Of {group} people discharged during the
    period, {part} were referred again ..."); ``hidden`` has ``{group}`` and ``{why}``,
    said instead when the part is none or all of the group (:func:`reveals_whole_group`:
    "0 were referred again" beside the group's size is group disclosure, which
    :func:`lifetools.disclosure.text.count_pair_problem` refuses as "k of n"). ``others``
    are the sentence's other counts (``{caseload}``), said in both. Counts through
    :func:`lifetools.disclosure.protected_count`; the reason is the neutral "hidden to
    protect privacy". A notebook glues the sentence whole instead of typing the words
    around two glued counts (the gate refuses that: rule ``glued-counts``).

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    counts = {name: protected_count(value) for name, value in others.items()}
    if reveals_whole_group(group, part):
        return compose(hidden, group=protected_count(group), why=PRIVACY, **counts)
    return compose(found, group=protected_count(group), part=protected_count(part),
                   **counts)


def part_count(part: int, group: int) -> ProtectedValue:
    """``part`` of a ``group``'s people as a protected count, hidden (reason
    ``group disclosure``) when it is none or all of the group
    (:func:`reveals_whole_group`), as its table row and sentence hide it.

    For a value made from it: the wellbeing share improving is a share of the people
    with a follow-up, and its record said "the denominator is 0" (2023-24, 3,000
    people) beside the counts table's [c] for those people until wave 29. Passed as a
    share's denominator, the share is not shown, with neither count recorded.
    """
    if reveals_whole_group(group, part):
        return _value("count", None, active_profile(), reason=GROUP_REASON)
    return protected_count(part)


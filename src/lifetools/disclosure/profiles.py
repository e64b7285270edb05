"""Named statistical disclosure control (SDC) profiles: the rules, stated once.

Every rule constant of lifetools lives in :data:`PROFILES`, as attributes of an
:class:`SdcProfile` (``threshold``, ``base``, ``min_at_risk`` ...): code that needs a rule
asks a profile for it, either one it was given or :func:`active_profile`. Every
sentence stating a rule on a page or in a download is made from a profile by
:func:`lifetools.disclosure.rule_text.rule_sentence`.

The profile of a published series is chosen in ``analyses/analyses.yml``
(``disclosure: profile:``); the runner passes it to each notebook's kernel in the
environment variable ``LIFETOOLS_SDC_PROFILE`` (:data:`ENV_VAR`), which is how
:func:`active_profile` finds it there. Outside a run (a notebook opened by hand, a
test) the active profile is ``default`` unless that variable is set, or
:func:`set_active_profile` (or the :func:`use_profile` context manager) chooses one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["ENV_VAR", "PROFILES", "SdcProfile", "active_profile", "get_profile",
           "set_active_profile", "use_profile"]

ENV_VAR = "LIFETOOLS_SDC_PROFILE"
Rounding = Literal["nearest", "midpoint"]


@dataclass(frozen=True)
class SdcProfile:
    """One named set of disclosure rules.

    Attributes
    ----------
    name
        The profile's name, as chosen in ``analyses.yml``.
    threshold
        Counts from 1 up to and including this value are suppressed (0: none are).
    base
        Counts that are shown are rounded to this base.
    rounding
        ``"nearest"``: to the nearest multiple of ``base``, halves up;
        ``"midpoint"``: OpenSAFELY's midpoint rounding, ``ceil(n / base) * base -
        floor(base / 2)`` for ``n > 0`` (1-6 become 3, 7-12 become 9 with base 6).
    min_at_risk
        Survival curves stop where fewer than this many remain at risk.
    magnitude_threshold
        Sums and means need at least this many contributors.
    nk_n, nk_k
        Dominance (n, k) rule: a sum or mean is suppressed when its ``nk_n`` largest
        contributions make up more than ``nk_k`` of the total.
    p_percent
        p% rule: suppressed when the total less the two largest contributions is
        below ``p_percent`` per cent of the largest (the largest contributor could
        estimate the second to within p%).
    model_min_events
        A model output is suppressed when any level has fewer events than this.
    group_disclosure
        Group (class) disclosure is ruled: where every shown member of a group of
        people falls in one category (a share of all or none of the group), the zeros
        beside it are hidden as ``[c]`` and the share is not shown, whatever the
        group's size (:mod:`lifetools.disclosure.groups`).
    source
        Where the rule comes from.
    """

    name: str
    threshold: int
    base: int
    rounding: Rounding = "nearest"
    min_at_risk: int = 10
    magnitude_threshold: int = 10
    nk_n: int = 2
    nk_k: float = 0.85
    p_percent: float = 10.0
    model_min_events: int = 10
    group_disclosure: bool = True
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The profile as a plain mapping (for manifests and stamps)."""
        return asdict(self)

    def publishable(self, value: int) -> bool:
        """Whether a whole number could be a count these rules publish.

        0 always; with ``"nearest"`` rounding a multiple of ``base`` above
        ``threshold``; with ``"midpoint"`` rounding a band midpoint
        (``k * base - base // 2``). The publish gate reads printed numbers with it.
        """
        if value == 0:
            return True
        if value < 0:
            return False
        if self.rounding == "midpoint":
            return (value + self.base // 2) % self.base == 0
        return value > self.threshold and value % self.base == 0

    def suppressed_words(self) -> str:
        """What a sentence says in place of a suppressed count ("fewer than 8")."""
        if self.threshold < 1:
            return "not shown"
        return f"fewer than {self.threshold + 1}"


PROFILES: dict[str, SdcProfile] = {p.name: p for p in (
    SdcProfile("default", 7, 5, source="lifetools default: HES/ECDS small-numbers "
               "rule (1-7 suppressed, others rounded to 5) with secondary suppression"),
    SdcProfile("opensafely", 7, 5, source="OpenSAFELY output checking: counts <= 7 "
               "redacted, all counts rounded to the nearest 5 (docs.opensafely.org)"),
    SdcProfile("opensafely-midpoint6", 0, 6, rounding="midpoint",
               source="OpenSAFELY midpoint 6 rounding: ceiling(n/6)*6 - 3 for n > 0, "
               "0 stays 0; no further redaction (opensafely/documentation, "
               "releasing-files)"),
    SdcProfile("hes-ecds", 7, 5, source="NHS England HES and ECDS: 1-7 suppressed, "
               "others rounded to the nearest 5 below national level (national-level "
               "exemptions not applied)"),
    SdcProfile("mhsds", 4, 5, source="NHS England MHSDS monthly statistics: below "
               "England, counts under 5 suppressed, others rounded to the nearest 5"),
    SdcProfile("threshold-10", 9, 5, source="a threshold of 10 (as ACRO's default "
               "cell threshold): counts 1-9 suppressed, others rounded to 5"),
)}
"""Every profile lifetools knows, by name."""

_ACTIVE: list[str] = []


def get_profile(name: str | SdcProfile | None = None) -> SdcProfile:
    """Return a profile by name (``None``: the active profile).

    Raises
    ------
    KeyError
        If no profile has that name (the message lists the known ones).
    """
    if isinstance(name, SdcProfile):
        return name
    if name is None:
        return active_profile()
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown disclosure control profile {name!r}; known: "
                       f"{sorted(PROFILES)}") from None


def active_profile() -> SdcProfile:
    """The profile in force: set by :func:`set_active_profile`, else the environment."""
    if _ACTIVE:
        return PROFILES[_ACTIVE[-1]]
    return get_profile(os.environ.get(ENV_VAR) or "default")


def set_active_profile(name: str | None) -> SdcProfile:
    """Make ``name`` the active profile for this process (``None``: back to default)."""
    _ACTIVE.clear()
    if name is not None:
        _ACTIVE.append(get_profile(name).name)
    return active_profile()


@contextmanager
def use_profile(name: str) -> Iterator[SdcProfile]:
    """Apply a profile within a ``with`` block (tests, one-off tables)."""
    profile = get_profile(name)
    _ACTIVE.append(profile.name)
    try:
        yield profile
    finally:
        _ACTIVE.pop()

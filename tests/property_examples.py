"""The number of examples a property test tries, scaled by the loaded hypothesis profile.

A test that sets its own ``max_examples`` (``@settings(max_examples=200)``) kept that
number under every profile, so ``make check`` (``--hypothesis-profile=check``: 25
examples where a test sets none, against 100 in ``make test``) tried 2,140 examples in
its 17 such tests against 425 at the profile's own number. ``examples(n)`` is ``n``
under the full profile (``make test``) and ``n`` scaled as the profile scales the
default under ``check``, never below the profile's own number: 200 becomes 50, 60
becomes 25. The decorator reads the profile when the test module is imported, after
hypothesis' pytest plugin has loaded the profile named on the command line.

hypothesis is imported by the property tests themselves; this module imports no
lifetools code (it is loaded at collection, see ``project_copy``).
"""

from __future__ import annotations

from hypothesis import settings

#: The examples hypothesis tries by default (its own default, kept by the
#: ``lifetools`` profile that ``make test`` runs under).
FULL_EXAMPLES = 100


def examples(n: int) -> int:
    """``n`` examples under the full profile; under a smaller profile (``check``) as
    many in proportion, at least that profile's own number and at most ``n``."""
    current = settings.default.max_examples
    if current >= FULL_EXAMPLES:
        return n
    return min(n, max(current, n * current // FULL_EXAMPLES))
